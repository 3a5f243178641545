package main

import (
	"math"
	"slices"
	"time"
)

// devStats summarises how far request starts were from their schedule.
type devStats struct {
	N             int
	P50, P99, Max time.Duration
}

// quantile is the nearest-rank q-quantile of sorted xs.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// summarise returns the percentiles of the absolute deviations devs.
func summarise(devs []time.Duration) devStats {
	abs := make([]time.Duration, len(devs))
	for i, d := range devs {
		abs[i] = max(d, -d)
	}
	slices.Sort(abs)
	return devStats{N: len(abs), P50: quantile(abs, 0.5), P99: quantile(abs, 0.99), Max: quantile(abs, 1)}
}

// anchored measures a tool against the ideal schedule of a constant rate,
// anchored at its first request: request k (in the order the tool issued
// them) is due at starts[0] + k/rate. starts are offsets from any fixed
// origin. This needs nothing from the tool but its start times, so every
// tool is measured the same way; a tool whose first request is late has
// that lateness taken out of all the others.
func anchored(starts []time.Duration, rate float64) devStats {
	if len(starts) == 0 {
		return devStats{}
	}
	devs := make([]time.Duration, len(starts))
	for k, s := range starts {
		due := starts[0] + time.Duration(float64(k)/rate*float64(time.Second))
		devs[k] = s - due
	}
	return summarise(devs)
}

// achievedRate is the rate the starts show: requests after the first over
// the span from the first start to the last.
func achievedRate(starts []time.Duration) float64 {
	if len(starts) < 2 {
		return 0
	}
	lo, hi := slices.Min(starts), slices.Max(starts)
	if hi <= lo {
		return 0
	}
	return float64(len(starts)-1) / (hi - lo).Seconds()
}

// median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
