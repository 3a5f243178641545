package engine

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// near reports whether got is within a microsecond of want: the bucket
// counts tokens in float64, which may round a due time by a nanosecond.
func near(got, want time.Duration) bool {
	return (got - want).Abs() < time.Microsecond
}

func TestPacerKeepsItsSchedule(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{100, 1000, 3} {
		p := newPacer(rate)
		t0 := time.Unix(1000, 0)
		interval := time.Duration(float64(time.Second) / rate)
		// The dispatcher wakes up late by up to 90% of an interval every
		// time; the schedule stays start + i/rate, so the rate does not drift.
		now := t0
		for i := range 3000 {
			due := p.next(now)
			if want := time.Duration(float64(i) * float64(time.Second) / rate); !near(due.Sub(t0), want) {
				t.Fatalf("at %v/s request %d due at %v; want %v", rate, i, due.Sub(t0), want)
			}
			now = due.Add(time.Duration(i%10) * interval / 10)
		}
	}
}

func TestPacerCatchesUpAndGivesUp(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	const interval = 10 * time.Millisecond // rate 100: a 100ms window, a burst of 10
	cases := []struct {
		name string
		late time.Duration // how late the dispatcher asks for request 3
		want time.Duration // when request 3 is due, from t0
	}{
		{"on time", 0, 3 * interval},
		{"behind within the window: overdue, at its slot", 50 * time.Millisecond, 3 * interval},
		{"behind by more than the window: the debt beyond it is dropped", 150 * time.Millisecond, 3*interval + 150*time.Millisecond - 90*time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newPacer(100)
			for i := range 3 {
				p.next(t0.Add(time.Duration(i) * interval))
			}
			if got := p.next(t0.Add(3*interval + c.late)).Sub(t0); !near(got, c.want) {
				t.Errorf("request 3 due at %v; want %v", got, c.want)
			}
		})
	}
}

// After a long stall the pacer sends at most its burst at once, then
// keeps the rate: --rate stays a cap.
func TestPacerBurstIsTheWindow(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	p := newPacer(100)
	p.next(t0)
	late := t0.Add(10 * time.Second)
	overdue := 0
	for range 20 {
		if !p.next(late).After(late) {
			overdue++
		}
	}
	if overdue != 10 {
		t.Errorf("%d requests left at once after a 10s stall at 100/s; want the burst, 10 (100ms)", overdue)
	}
}

func TestPacerRestart(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	p := newPacer(10)
	p.next(t0)
	p.next(t0.Add(100 * time.Millisecond))
	// A new step starts at once, but never sooner than an interval after
	// the last request was due: --rate is a cap across steps too.
	p.restart()
	if got := p.next(t0.Add(120 * time.Millisecond)).Sub(t0); got != 200*time.Millisecond {
		t.Errorf("after a restart 20ms after the last request, the next is due at %v; want 200ms", got)
	}
	if got := p.next(t0.Add(200 * time.Millisecond)).Sub(t0); !near(got, 300*time.Millisecond) {
		t.Errorf("the request after it is due at %v; want 300ms", got)
	}
	p.restart()
	if got := p.next(t0.Add(5 * time.Second)).Sub(t0); got != 5*time.Second {
		t.Errorf("after a long pause, the next request is due at %v; want at once (5s)", got)
	}
	// A restart is no credit: the request after it waits its interval.
	if got := p.next(t0.Add(5 * time.Second)).Sub(t0); !near(got, 5100*time.Millisecond) {
		t.Errorf("after a restart, the second request is due at %v; want 5.1s", got)
	}
	// Low rates may lag two intervals before giving up on the schedule.
	slow := newPacer(1)
	slow.next(t0)
	if got := slow.next(t0.Add(2500 * time.Millisecond)).Sub(t0); !near(got, 1500*time.Millisecond) {
		t.Errorf("at 1/s, 1.5s behind: due at %v; want 1.5s (overdue, within the 2s window)", got)
	}
}

func TestPacerLead(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	p := newPacer(1000)
	p.lead = 2 * time.Millisecond
	// A stretch's first request is due a lead after now, the rest of the
	// stretch on the schedule that starts there.
	if got := p.next(t0).Sub(t0); got != 2*time.Millisecond {
		t.Errorf("first request due at %v; want the 2ms lead", got)
	}
	if got := p.next(t0).Sub(t0); !near(got, 3*time.Millisecond) {
		t.Errorf("second request due at %v; want 3ms", got)
	}
	// Each new stretch has its lead, and still keeps an interval after
	// the last request due.
	p.restart()
	if got := p.next(t0.Add(10 * time.Millisecond)).Sub(t0); got != 12*time.Millisecond {
		t.Errorf("after a restart at 10ms, due at %v; want 12ms", got)
	}
	// The lead is kept when the interval after the last request ends
	// inside it, and the interval when it ends after.
	slow := newPacer(100)
	slow.lead = 2 * time.Millisecond
	slow.next(t0) // due at 2ms
	slow.restart()
	if got := slow.next(t0.Add(11 * time.Millisecond)).Sub(t0); got != 13*time.Millisecond {
		t.Errorf("restart at 11ms, interval ends at 12ms: due at %v; want 13ms (the lead)", got)
	}
	slow.restart()
	if got := slow.next(t0.Add(14 * time.Millisecond)).Sub(t0); got != 23*time.Millisecond {
		t.Errorf("restart at 14ms, interval ends at 23ms: due at %v; want 23ms (the cap)", got)
	}
}

func TestCheckRate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		rate float64
		ok   bool
	}{
		{"no cap", 0, true},
		{"one a second", 1, true},
		{"fast", 1e6, true},
		{"NaN", math.NaN(), false},
		{"infinite", math.Inf(1), false},
		{"negative", -1, false},
		{"slower than one a day", 1e-9, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if err := checkRate(c.rate); (err == nil) != c.ok {
				t.Errorf("checkRate(%v) = %v; want ok %v", c.rate, err, c.ok)
			}
		})
	}
}

func TestReadCapped(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("0123456789", 100)
	for _, c := range []struct {
		name  string
		limit int64
		buf   []byte
	}{
		{"whole", 5000, nil},
		{"cut", 257, nil},
		{"exact", 1000, nil},
		{"reused buffer", 5000, make([]byte, 10, 16)},
		{"one byte", 1, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(body), iotest.OneByteReader(strings.NewReader(body)), iotest.HalfReader(strings.NewReader(body))} {
				want, wantErr := io.ReadAll(io.LimitReader(strings.NewReader(body), c.limit))
				got, err := readCapped(r, c.buf, c.limit)
				if !bytes.Equal(got, want) || (err == nil) != (wantErr == nil) {
					t.Errorf("readCapped(limit %d) = %d bytes, %v; want %d bytes, %v", c.limit, len(got), err, len(want), wantErr)
				}
			}
		})
	}
	got, err := readCapped(iotest.ErrReader(io.ErrUnexpectedEOF), nil, 10)
	if err != io.ErrUnexpectedEOF || len(got) != 0 {
		t.Errorf("readCapped on a failing reader = %q, %v; want the error", got, err)
	}
}
