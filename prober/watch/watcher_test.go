package watch

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// runFor runs w under clock until the simulated span has passed.
func runFor(t *testing.T, w *Watcher, p *fakeProber, clock *autoClock, span time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	end := clock.Now().Add(span)
	p.onProbe = func(now time.Time) {
		if !now.Before(end) {
			cancel()
		}
	}
	done := make(chan struct{})
	go func() { _ = w.Run(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func newTestWatcher(t *testing.T, clock Clock, p *fakeProber, targets ...Target) (*Watcher, *bytes.Buffer) {
	t.Helper()
	var events bytes.Buffer
	w, err := New(&Config{Targets: targets}, Options{Prober: p, Judge: testJudge, Clock: clock, Events: &events, Seed: 1})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return w, &events
}

// TestBudgetHoldsOverADay counts every request of a simulated day (a few
// hours at a sub-second interval, to keep the race detector's run short)
// and checks every sliding hour against the budget.
func TestBudgetHoldsOverADay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		interval time.Duration
		span     time.Duration
		perHour  int
		steps    []int
	}{
		{"interval far below the budget", time.Second, 24 * time.Hour, 60, []int{1, 2}},
		{"sub-second interval", 200 * time.Millisecond, 3 * time.Hour, 120, []int{1, 5}},
		{"budget of one probe an hour", time.Minute, 24 * time.Hour, 6, []int{1, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newAutoClock()
			p := &fakeProber{clock: clock, answer: func(string, int) (Answer, error) { return okAnswer, nil }}
			w, _ := newTestWatcher(t, clock, p, target("a", tt.interval, tt.perHour, tt.steps...))
			start := clock.Now()
			runFor(t, w, p, clock, tt.span)
			hours := int(tt.span / time.Hour)
			var times []time.Time
			for _, c := range p.Calls() {
				for _, s := range c.Steps {
					for range s {
						times = append(times, c.At)
					}
				}
			}
			burst := 1 + 2 + 5 // at most one probe above the rate
			if max := tt.perHour*hours + burst; len(times) > max {
				t.Errorf("sent %d requests in %s; budget allows %d", len(times), tt.span, max)
			}
			if min := tt.perHour * hours * 9 / 10; len(times) < min {
				t.Errorf("sent %d requests in %s; want at least %d (the budget should be used)", len(times), tt.span, min)
			}
			for lo, hi := 0, 0; lo < len(times); lo++ {
				for hi < len(times) && times[hi].Sub(times[lo]) < time.Hour {
					hi++
				}
				if n := hi - lo; n > tt.perHour+burst {
					t.Fatalf("%d requests in the hour from %s; budget %d", n, times[lo].Sub(start), tt.perHour)
				}
			}
		})
	}
}

func TestSubSecondInterval(t *testing.T) {
	t.Parallel()
	clock := newAutoClock()
	p := &fakeProber{clock: clock, answer: func(string, int) (Answer, error) { return okAnswer, nil }}
	w, _ := newTestWatcher(t, clock, p, target("fast", 100*time.Millisecond, 36000))
	runFor(t, w, p, clock, time.Minute)
	calls := p.Calls()
	if n := len(calls); n < 540 || n > 660 {
		t.Errorf("%d probes in a minute at 100ms; want about 600", n)
	}
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].At.Sub(calls[i-1].At); gap < 90*time.Millisecond || gap > 110*time.Millisecond {
			t.Fatalf("gap %s between probes %d and %d; want 100ms ±10%%", gap, i-1, i)
		}
	}
}

func TestRetryAfterDelaysNextProbe(t *testing.T) {
	t.Parallel()
	clock := newAutoClock()
	p := &fakeProber{clock: clock, retryAfter: 30 * time.Second,
		answer: func(string, int) (Answer, error) { return Answer{Outcome: "rate-limit", Status: 429}, nil }}
	w, _ := newTestWatcher(t, clock, p, target("a", time.Second, 3600))
	runFor(t, w, p, clock, 5*time.Minute)
	calls := p.Calls()
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].At.Sub(calls[i-1].At); gap < 30*time.Second {
			t.Fatalf("gap %s after a retry-after of 30s", gap)
		}
	}
}

func TestLayer5Backoff(t *testing.T) {
	t.Parallel()
	clock := newAutoClock()
	// Calls 3 to 5 see 403s among successes; the rest succeed.
	p := &fakeProber{clock: clock, answer: func(_ string, call int) (Answer, error) {
		if call >= 3 && call <= 5 {
			return forbiddenAnswer, nil
		}
		return okAnswer, nil
	}}
	tg := target("a", time.Minute, 600, 1, 5)
	tg.Window = 10 * time.Minute
	w, _ := newTestWatcher(t, clock, p, tg)
	ctx := context.Background()
	var steps []int
	for range 20 {
		if _, err := w.probe(ctx, w.byName["a"]); err != nil {
			t.Fatalf("probe: %v", err)
		}
		steps = append(steps, len(p.Calls()[len(p.Calls())-1].Steps))
		clock.Advance(time.Minute)
	}
	// Probe 3 (at 2m) gives the layer-5 verdict; from the next on, one step
	// of one request until the last 403 (at 4m) leaves the 10-minute window
	// at the probe at 15m.
	want := []int{2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2}
	if !equalInts(steps, want) {
		t.Errorf("steps per probe = %v; want %v", steps, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestVerdictChangeLoggedOnce(t *testing.T) {
	t.Parallel()
	clock := newAutoClock()
	p := &fakeProber{clock: clock, answer: func(_ string, call int) (Answer, error) {
		if call == 4 {
			a := forbiddenAnswer
			a.RequestID = "req_forbidden"
			return a, nil
		}
		return okAnswer, nil
	}}
	w, events := newTestWatcher(t, clock, p, target("a", time.Minute, 600))
	for range 8 {
		if _, err := w.probe(context.Background(), w.byName["a"]); err != nil {
			t.Fatalf("probe: %v", err)
		}
		clock.Advance(time.Minute)
	}
	lines := strings.Split(strings.TrimSpace(events.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("events = %q; want the first verdict and one change", events.String())
	}
	var change eventJSON
	if err := json.Unmarshal([]byte(lines[1]), &change); err != nil {
		t.Fatalf("event %q: %v", lines[1], err)
	}
	if change.Event != "verdict_change" || change.From.Signature != "healthy" || change.To.Signature != "intermittent_403" {
		t.Errorf("change = %+v; want healthy -> intermittent_403", change)
	}
	if len(change.RequestIDs) != 1 || change.RequestIDs[0] != "req_forbidden" {
		t.Errorf("request ids = %v; want [req_forbidden]", change.RequestIDs)
	}
	if got := testutil.ToFloat64(w.metrics.changes.WithLabelValues("a")); got != 1 {
		t.Errorf("verdict changes = %v; want 1", got)
	}
}

func TestErroringTargetKeepsVerdict(t *testing.T) {
	t.Parallel()
	clock := newAutoClock()
	p := &fakeProber{clock: clock, answer: func(name string, call int) (Answer, error) {
		if name == "gone" && call > 2 {
			return Answer{}, &fs.PathError{Op: "open", Path: "/etc/probe/gone.key", Err: fs.ErrNotExist}
		}
		return okAnswer, nil
	}}
	w, _ := newTestWatcher(t, clock, p, target("gone", time.Minute, 600), target("fine", time.Minute, 600))
	for range 4 {
		for _, name := range []string{"gone", "fine"} {
			_, _ = w.probe(context.Background(), w.byName[name])
		}
		clock.Advance(time.Minute)
	}
	m := w.metrics
	if got := testutil.ToFloat64(m.targetErr.WithLabelValues("gone", "key_file")); got != 1 {
		t.Errorf("target_error_info{gone,key_file} = %v; want 1", got)
	}
	if got := testutil.ToFloat64(m.verdict.WithLabelValues("gone", "healthy", "-")); got != 1 {
		t.Errorf("gone's verdict_info{healthy} = %v; want the last verdict kept", got)
	}
	if n := testutil.CollectAndCount(m.targetErr); n != 1 {
		t.Errorf("%d error series; want only gone's", n)
	}
	last := testutil.ToFloat64(m.lastProbe.WithLabelValues("fine"))
	if want := float64(clock.Now().Add(-time.Minute).Unix()); last != want {
		t.Errorf("fine's last probe = %v; want %v (it goes on)", last, want)
	}
}

// TestCancelStopsPromptly cancels a watch whose targets wait an hour and
// 300ms between probes: Run must return at once, not at the next probe.
func TestCancelStopsPromptly(t *testing.T) {
	t.Parallel()
	p := &fakeProber{clock: SystemClock{}, answer: func(string, int) (Answer, error) { return okAnswer, nil }}
	w, _ := newTestWatcher(t, SystemClock{}, p, target("a", time.Hour, 60), target("b", 300*time.Millisecond, 36000))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	// Cancel once each target had its first probe, however long a loaded
	// machine took to start them (a fixed 200ms sleep could come first).
	deadline := time.Now().Add(time.Minute)
	for len(p.Calls()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(p.Calls()); n < 2 {
		t.Errorf("%d probes within a minute; want each target probed at start", n)
	}
	cancel()
	start := time.Now()
	select {
	case <-done:
		// 20s, not 1s: far short of the hour, and -race on a loaded
		// 2-core machine fits.
		if took := time.Since(start); took > 20*time.Second {
			t.Errorf("Run took %s to stop", took)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop within 30s of cancel")
	}
}
