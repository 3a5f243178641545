package watch

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// autoClock is a fake clock whose After fires at once, moving time forward
// by the wait: a simulated day passes as fast as the code runs.
type autoClock struct {
	mu  sync.Mutex
	now time.Time
}

func newAutoClock() *autoClock {
	return &autoClock{now: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}
}

func (c *autoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *autoClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.Advance(d)
	return ch
}

// Advance moves the clock forward by d and returns the new time.
func (c *autoClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// probeCall is what the fake prober saw of one probe.
type probeCall struct {
	At     time.Time
	Target string
	Steps  []int
}

// fakeProber answers each probe with answer(target, call index, step
// concurrency) for every request, and records every call.
type fakeProber struct {
	clock  Clock
	mu     sync.Mutex
	calls  []probeCall
	answer func(target string, call int) (Answer, error)
	// retryAfter, when set, is returned with every result.
	retryAfter time.Duration
	// onProbe runs after each call (e.g. to stop the test's clock).
	onProbe func(now time.Time)
}

func (p *fakeProber) Probe(ctx context.Context, t Target, steps []int) (ProbeResult, error) {
	if err := ctx.Err(); err != nil {
		return ProbeResult{}, err
	}
	now := p.clock.Now()
	p.mu.Lock()
	p.calls = append(p.calls, probeCall{At: now, Target: t.Name, Steps: append([]int(nil), steps...)})
	n := len(p.calls)
	p.mu.Unlock()
	if p.onProbe != nil {
		defer p.onProbe(now)
	}
	var res ProbeResult
	res.RetryAfter = p.retryAfter
	for _, c := range steps {
		for i := range c {
			a, err := p.answer(t.Name, n)
			if err != nil {
				return ProbeResult{}, err
			}
			a.Time, a.Duration = now, 50*time.Millisecond
			if a.RequestID == "" {
				a.RequestID = fmt.Sprintf("req_%s_%d_%d_%d", t.Name, n, c, i)
			}
			res.Answers = append(res.Answers, a)
		}
	}
	return res, nil
}

func (p *fakeProber) Calls() []probeCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]probeCall(nil), p.calls...)
}

var (
	okAnswer        = Answer{Outcome: "ok", Status: 200}
	forbiddenAnswer = Answer{Outcome: "permission", Status: 403, Is403: true, Layer5: true}
)

// testJudge is a stand-in verdict engine: no answers is inconclusive, any
// 403 among successes intermittent, all 403 workspace denied, else healthy.
func testJudge(answers []Answer) Verdict {
	forbidden := 0
	for _, a := range answers {
		if a.Is403 {
			forbidden++
		}
	}
	switch {
	case len(answers) == 0:
		return Verdict{Signature: "inconclusive", Layer: "-"}
	case forbidden == len(answers):
		return Verdict{Signature: "workspace_denied", Layer: "2"}
	case forbidden > 0:
		return Verdict{Signature: "intermittent_403", Layer: "5"}
	}
	return Verdict{Signature: "healthy", Layer: "-"}
}

// target returns a valid target for tests.
func target(name string, interval time.Duration, perHour int, steps ...int) Target {
	if len(steps) == 0 {
		steps = []int{1}
	}
	return Target{Name: name, Provider: "anthropic", Interval: interval, Steps: steps,
		MaxRequestsPerHour: perHour, Window: time.Hour}
}
