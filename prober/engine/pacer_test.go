package engine

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestPace(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		rate    float64
		elapsed time.Duration
		hits    int64
		want    time.Duration
	}{
		{"first request at once", 10, 0, 0, 0},
		{"second one interval later", 10, 0, 1, 100 * time.Millisecond},
		{"waits out the rest of its interval", 10, 130 * time.Millisecond, 2, 70 * time.Millisecond},
		{"overdue", 10, 250 * time.Millisecond, 2, -50 * time.Millisecond},
		{"no rounding drift", 3, 0, 3_000_000, 1_000_000 * time.Second},
		{"fast", 1000, time.Second, 1000, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := pace(c.rate, c.elapsed, c.hits); got != c.want {
				t.Errorf("pace(%v, %v, %d) = %v; want %v", c.rate, c.elapsed, c.hits, got, c.want)
			}
		})
	}
}

func TestPacerKeepsItsSchedule(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	p := &pacer{rate: 100}
	// The dispatcher wakes up late by up to 9ms every time; the schedule
	// stays start + i/rate, so the rate does not drift.
	now := t0
	for i := range 1000 {
		due := p.next(now)
		if want := t0.Add(time.Duration(i) * 10 * time.Millisecond); !due.Equal(want) {
			t.Fatalf("request %d due at %v; want %v", i, due.Sub(t0), want.Sub(t0))
		}
		now = due.Add(time.Duration(i%10) * time.Millisecond)
	}
}

func TestPacerCatchesUpAndGivesUp(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	const interval = 10 * time.Millisecond // rate 100
	cases := []struct {
		name string
		late time.Duration // how late the dispatcher asks for request 3
		want time.Duration // when request 3 is due, from t0
	}{
		{"on time", 0, 3 * interval},
		{"behind within the lag: overdue, sent at once", 50 * time.Millisecond, 3 * interval},
		{"behind by more than minLag: a new stretch from now", 150 * time.Millisecond, 3*interval + 150*time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &pacer{rate: 100}
			for i := range 3 {
				p.next(t0.Add(time.Duration(i) * interval))
			}
			if got := p.next(t0.Add(3*interval + c.late)).Sub(t0); got != c.want {
				t.Errorf("request 3 due at %v; want %v", got, c.want)
			}
		})
	}
}

func TestPacerRestart(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	p := &pacer{rate: 10}
	p.next(t0)
	p.next(t0.Add(100 * time.Millisecond))
	// A new step starts at once, but never sooner than an interval after
	// the last request was due: --rate is a cap across steps too.
	p.restart()
	if got := p.next(t0.Add(120 * time.Millisecond)).Sub(t0); got != 200*time.Millisecond {
		t.Errorf("after a restart 20ms after the last request, the next is due at %v; want 200ms", got)
	}
	p.restart()
	if got := p.next(t0.Add(5 * time.Second)).Sub(t0); got != 5*time.Second {
		t.Errorf("after a long pause, the next request is due at %v; want at once (5s)", got)
	}
	// Low rates may lag two intervals before giving up on the schedule.
	slow := &pacer{rate: 1}
	slow.next(t0)
	if got := slow.next(t0.Add(2500 * time.Millisecond)).Sub(t0); got != time.Second {
		t.Errorf("at 1/s, 1.5s behind: due at %v; want 1s (caught up)", got)
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
