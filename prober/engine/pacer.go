package engine

import "time"

// minLag is how far behind its schedule a paced run may fall and still
// catch up; see pacer.next.
const minLag = 100 * time.Millisecond

// pace is the pacing of a run at rate requests per second, as a pure
// function (after vegeta's Pacer): elapsed into a stretch of requests that
// has sent hits of them, it returns how long to wait before the next one is
// due, negative when it is overdue. Request i of a stretch is due at i/rate
// after the stretch began, whenever the ones before it actually left, so a
// late wake-up shortens the next wait instead of delaying every request
// after it: the schedule, and with it the achieved rate, does not drift.
func pace(rate float64, elapsed time.Duration, hits int64) time.Duration {
	return time.Duration(float64(hits)*float64(time.Second)/rate) - elapsed
}

// pacer is the dispatcher's schedule for Plan.Rate. It is used from the
// dispatcher's goroutine only.
type pacer struct {
	rate  float64
	start time.Time // of the current stretch; zero before one begins
	hits  int64     // requests due so far in the current stretch
	last  time.Time // when the last request was due
}

// next returns when the next request is due, given the time now (readings
// of the monotonic clock).
//
// A stretch begins with the run, at each step and after each retry-after
// pause (restart), and whenever the run has fallen more than
// max(minLag, two intervals) behind: workers that were all busy, or a
// machine that stalled. Requests that are overdue within that lag leave at
// once, which keeps the achieved rate on target through short hiccups;
// beyond it the debt is dropped, so --rate stays a cap and a long stall is
// never followed by a burst. A new stretch never begins sooner than one
// interval after the last request was due.
func (p *pacer) next(now time.Time) time.Time {
	interval := time.Duration(float64(time.Second) / p.rate)
	if !p.start.IsZero() && pace(p.rate, now.Sub(p.start), p.hits) < -max(minLag, 2*interval) {
		p.restart()
	}
	if p.start.IsZero() {
		p.start, p.hits = now, 0
		if earliest := p.last.Add(interval); !p.last.IsZero() && earliest.After(now) {
			p.start = earliest
		}
	}
	due := p.start.Add(pace(p.rate, 0, p.hits))
	p.hits++
	p.last = due
	return due
}

// restart makes the next request begin a new stretch.
func (p *pacer) restart() { p.start = time.Time{} }
