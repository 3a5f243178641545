package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// minLag is how far behind its schedule a paced run may fall and still
// catch up; see newPacer.
const minLag = 100 * time.Millisecond

// maxInterval is the longest gap between paced requests a run accepts: a
// slower --rate is a typo, and much slower ones overflow a time.Duration.
const maxInterval = 24 * time.Hour

// checkRate refuses a rate the pacer cannot keep: NaN, infinite, negative,
// or slower than one request a day. Zero means no cap.
func checkRate(r float64) error {
	switch {
	case math.IsNaN(r) || math.IsInf(r, 0) || r < 0:
		return fmt.Errorf("engine: rate %v is not a number of requests per second", r)
	case r > 0 && 1/r > maxInterval.Seconds():
		return errors.New("engine: rate below one request a day")
	}
	return nil
}

// pacer is the dispatcher's schedule for Plan.Rate: a token bucket
// (golang.org/x/time/rate) whose reservations say when each request is due.
// It is used from the dispatcher's goroutine only.
//
// Request i of a stretch is due at i/rate after the stretch began, whenever
// the ones before it actually left: a late wake-up shortens the next wait
// instead of delaying every request after it, so the schedule, and with it
// the achieved rate, does not drift. The bucket's burst is the catch-up
// window, max(minLag, two intervals) of requests: requests overdue by less
// leave at once, which keeps the rate on target through short hiccups
// (workers all busy, a machine that stalled); beyond it the debt is
// dropped, so --rate stays a cap and a long stall is never followed by
// more than a window's burst.
type pacer struct {
	rate     float64
	interval time.Duration
	burst    int
	lim      *rate.Limiter // nil before a stretch begins (restart)
	last     time.Time     // when the last request was due
	// lead puts a stretch's first request this far after now. The
	// dispatcher hands each ticket out fineSpan before it is due, so the
	// worker is awake and sleeping finely when it is; a first request due
	// at once would leave as late as its worker is slow to wake, and the
	// whole schedule would seem late after it.
	lead time.Duration
}

func newPacer(r float64) *pacer {
	interval := time.Duration(float64(time.Second) / r)
	window := max(minLag, 2*interval)
	return &pacer{rate: r, interval: interval, burst: max(1, int(window.Seconds()*r))}
}

// next returns when the next request is due, given the time now (readings
// of the monotonic clock); a time before now means it is overdue.
//
// A stretch begins with the run, at each step and after each retry-after
// pause (restart), with an empty bucket: the pause is no debt to make up.
// It never begins sooner than one interval after the last request was due.
func (p *pacer) next(now time.Time) time.Time {
	if p.lim == nil {
		start := now.Add(p.lead)
		if !p.last.IsZero() && p.last.Add(p.interval).After(start) {
			start = p.last.Add(p.interval)
		}
		p.lim = rate.NewLimiter(rate.Limit(p.rate), p.burst)
		p.lim.ReserveN(start, p.burst) // this request, and no credit
		p.last = start
		return start
	}
	at := now
	if at.Before(p.last) {
		at = p.last // the bucket's clock only moves forward
	}
	tokens := p.lim.TokensAt(at)
	due := at.Add(p.lim.ReserveN(at, 1).DelayFrom(at))
	if tokens > 1 {
		// Overdue: its slot was when the bucket last held one token.
		due = at.Add(-time.Duration((tokens - 1) / p.rate * float64(time.Second)))
	}
	p.last = due
	return due
}

// restart makes the next request begin a new stretch.
func (p *pacer) restart() { p.lim = nil }

// fineSpan is how much of a wait is left to fineSleep. The runtime's
// timers wake an idle process up to a millisecond late (the network poller
// sleeps in whole milliseconds), which alone would miss the pacing target;
// the last stretch of each wait is slept by the OS instead. It is not
// interruptible, and short enough not to matter to an interrupt.
const fineSpan = 2 * time.Millisecond

// fineSleepUntil sleeps with fineSleep until t, a reading of the monotonic
// clock; a t in the past, or zero, returns at once.
func fineSleepUntil(t time.Time) {
	if d := time.Until(t); d > 0 {
		fineSleep(min(d, fineSpan))
	}
}

// sleep waits d or until ctx is done, and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
