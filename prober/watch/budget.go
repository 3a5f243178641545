package watch

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Budget holds a target's hourly request budget: a token bucket refilled
// continuously at max_requests_per_hour/3600 per second whose burst is one
// probe's requests, so that no window of any length sees more than its share
// plus one probe.
type Budget struct {
	lim       *rate.Limiter
	mu        sync.Mutex
	notBefore time.Time // a retry-after from the last answer
}

// NewBudget returns a full bucket for perHour requests an hour with room for
// one probe of burst requests (capped at perHour).
func NewBudget(perHour, burst int) *Budget {
	burst = max(1, min(burst, perHour))
	return &Budget{lim: rate.NewLimiter(rate.Limit(float64(perHour)/3600), burst)}
}

// Reserve takes n requests from the bucket at now, all or none; when it
// cannot, the error says why and when it could.
func (b *Budget) Reserve(now time.Time, n int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Before(b.notBefore) {
		return fmt.Errorf("retry-after in effect for %s", b.notBefore.Sub(now).Round(time.Millisecond))
	}
	if n > b.lim.Burst() {
		return fmt.Errorf("a probe of %d requests exceeds the budget's burst of %d", n, b.lim.Burst())
	}
	r := b.lim.ReserveN(now, n)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return fmt.Errorf("hourly budget spent: %d requests free in %s", n, d.Round(time.Millisecond))
	}
	return nil
}

// RetryAfter holds every probe until now+d.
func (b *Budget) RetryAfter(now time.Time, d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := now.Add(d); d > 0 && t.After(b.notBefore) {
		b.notBefore = t
	}
}

// holdUntil is when the last retry-after ends.
func (b *Budget) holdUntil() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.notBefore
}

// delay is how long until n requests are free at now (0 when they are),
// without taking them; the scheduler waits that long rather than skip a
// probe that a jittered interval brought a little early.
func (b *Budget) delay(now time.Time, n int) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.notBefore.Sub(now)
	if short := float64(n) - b.lim.TokensAt(now); short > 0 {
		d = max(d, time.Duration(short/float64(b.lim.Limit())*float64(time.Second))+time.Microsecond)
	}
	return max(d, 0)
}
