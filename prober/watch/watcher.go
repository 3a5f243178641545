package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"
)

// Verdict is what the verdict engine says about a set of answers.
type Verdict struct {
	Signature string
	Layer     string
	// RequestIDs are the ids that show the verdict; when empty, the ids of
	// the window's failed answers are logged instead.
	RequestIDs []string
	// TrendP is the one-sided p-value of a 403 share rising through the
	// window (time buckets), nil when it was not computed.
	TrendP *float64
}

// Layer5 reports whether the verdict is an abuse signal (layer 5), after
// which the target is probed gently until it clears.
func (v Verdict) Layer5() bool { return v.Layer == "5" }

// ProbeResult is one probe's answers in time order, the engine's verdict on
// them alone, and the longest retry-after the answers asked for.
type ProbeResult struct {
	Answers    []Answer
	Verdict    Verdict
	RetryAfter time.Duration
}

// Prober sends one probe of t: for each step, that many requests at once.
// The integrator wires the real engine here. An error means no usable answer
// (the key file is gone, DNS failed, ...); wrap it in a *TargetError to name
// the reason, or let Watcher classify it.
type Prober interface {
	Probe(ctx context.Context, t Target, steps []int) (ProbeResult, error)
}

// Judge gives the verdict over a target's rolling window of answers; the
// integrator passes the real verdict engine.
type Judge func([]Answer) Verdict

// Options are what New needs besides the config. Prober and Judge are
// required; the rest have defaults.
type Options struct {
	Prober Prober
	Judge  Judge
	// Clock defaults to SystemClock.
	Clock Clock
	// Events receives one JSON line per verdict change (stderr in the CLI);
	// nil discards them.
	Events io.Writer
	// Seed makes the interval jitter repeatable.
	Seed uint64
	// MaxAnswers caps each target's window (DefaultMaxAnswers when 0).
	MaxAnswers int
}

// Watcher probes every target of a config on its own schedule and keeps the
// metrics of what it saw. Its methods are safe for concurrent use.
type Watcher struct {
	opts    Options
	clock   Clock
	metrics *metrics
	targets []*targetState
	byName  map[string]*targetState
	events  *eventLog
}

// targetState is one target's budget, window and current verdict. probeMu
// serialises probes of the target (scheduled and /probe), so that two never
// overlap.
type targetState struct {
	t       Target
	budget  *Budget
	rng     *rand.Rand
	probeMu sync.Mutex
	mu      sync.Mutex
	win     *window
	verdict *Verdict
	gentle  bool // after a layer-5 verdict: concurrency 1 until it clears
}

// New checks the options and builds a Watcher for cfg; nothing is sent
// until Run or a /probe request.
func New(cfg *Config, opts Options) (*Watcher, error) {
	switch {
	case cfg == nil || len(cfg.Targets) == 0:
		return nil, errors.New("watch: no targets")
	case opts.Prober == nil:
		return nil, errors.New("watch: no prober")
	case opts.Judge == nil:
		return nil, errors.New("watch: no judge")
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	w := &Watcher{opts: opts, clock: opts.Clock, metrics: newMetrics(),
		byName: map[string]*targetState{}, events: &eventLog{w: opts.Events}}
	for i, t := range cfg.Targets {
		if _, dup := w.byName[t.Name]; dup {
			return nil, fmt.Errorf("watch: target %q given twice", t.Name)
		}
		ts := &targetState{t: t, budget: NewBudget(t.MaxRequestsPerHour, t.ProbeRequests()),
			rng: rand.New(rand.NewPCG(opts.Seed, uint64(i))), win: newWindow(t.Window, opts.MaxAnswers)}
		w.targets = append(w.targets, ts)
		w.byName[t.Name] = ts
		w.metrics.initTarget(t.Name, t.Interval)
	}
	return w, nil
}

// Run probes every target until ctx is done, then returns ctx's error once
// every target's goroutine has stopped (a probe in flight sees the same ctx).
func (w *Watcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, ts := range w.targets {
		wg.Go(func() { w.loop(ctx, ts) })
	}
	wg.Wait()
	return ctx.Err()
}

// loop probes one target now, then once per jittered interval, later when a
// retry-after asks for it.
func (w *Watcher) loop(ctx context.Context, ts *targetState) {
	for ctx.Err() == nil {
		// A probe the jitter brought a little before its requests are free
		// waits for them instead of being skipped.
		if d := ts.budget.delay(w.clock.Now(), probeSize(ts.steps())); d > 0 && d <= ts.t.Interval/4 {
			select {
			case <-ctx.Done():
				return
			case <-w.clock.After(d):
			}
		}
		_, _ = w.probe(ctx, ts)
		select {
		case <-ctx.Done():
			return
		case <-w.clock.After(ts.nextWait(w.clock.Now())):
		}
	}
}

// nextWait is the interval with ±10% jitter, or longer while a retry-after
// holds.
func (ts *targetState) nextWait(now time.Time) time.Duration {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	d := time.Duration(float64(ts.t.Interval) * (0.9 + 0.2*ts.rng.Float64()))
	if hold := ts.budget.holdUntil().Sub(now); hold > d {
		d = hold
	}
	return d
}

// steps is what the next probe sends: one request after a layer-5 verdict,
// else the configured ramp.
func (ts *targetState) steps() []int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.gentle {
		return []int{1}
	}
	return ts.t.Steps
}

func probeSize(steps []int) int {
	n := 0
	for _, s := range steps {
		n += s
	}
	return n
}
