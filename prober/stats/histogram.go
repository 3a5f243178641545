package stats

import (
	"math"
	"math/bits"
	"time"
)

// The buckets split each power of two of nanoseconds into histSub equal
// parts, so a bucket is at most 1/histSub of its lower bound wide and its
// midpoint is within 1/(2*histSub) = 0.78% of any value in it. The powers
// run from 2^histMinExp ns (512ns) to 2^histMaxExp ns (about 73 minutes),
// covering 1µs to 1h with room to spare.
const (
	histSubBits = 6
	histSub     = 1 << histSubBits
	histMinExp  = 9
	histMaxExp  = 42
	histBuckets = (histMaxExp - histMinExp) * histSub
)

// Histogram is a fixed-size log-linear histogram of durations with bounded
// relative error, for percentiles over any number of samples in constant
// memory. Quantiles are within 1% of the exact sample quantile for
// durations from 1µs to 1 hour; durations outside that range are counted in
// the edge buckets. Min and Max are exact.
//
// The zero value is ready to use. A Histogram is not safe for concurrent
// use.
type Histogram struct {
	counts   [histBuckets]int64
	count    int64
	sum      float64 // nanoseconds; float64 cannot overflow like int64 would
	min, max time.Duration
}

// Record adds one duration to the histogram.
func (h *Histogram) Record(d time.Duration) {
	h.counts[bucketOf(d)]++
	if h.count == 0 || d < h.min {
		h.min = d
	}
	if h.count == 0 || d > h.max {
		h.max = d
	}
	h.count++
	h.sum += float64(d)
}

// Count returns the number of recorded durations.
func (h *Histogram) Count() int64 { return h.count }

// Min returns the smallest recorded duration, or 0 when empty.
func (h *Histogram) Min() time.Duration { return h.min }

// Max returns the largest recorded duration, or 0 when empty.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the average recorded duration, or 0 when empty.
func (h *Histogram) Mean() time.Duration {
	if h.count == 0 {
		return 0
	}
	return time.Duration(math.Round(h.sum / float64(h.count)))
}

// Quantile returns an estimate of the q-quantile, for q in [0, 1], using
// the nearest-rank definition: the value at rank ceil(q*Count()) in sorted
// order. It returns 0 when the histogram is empty; q outside [0, 1] is
// clamped.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	if math.IsNaN(q) {
		q = 0
	}
	rank := int64(math.Ceil(q * float64(h.count)))
	if rank <= 1 {
		return h.min
	}
	if rank >= h.count {
		return h.max
	}
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketBounds(i)
			mid := time.Duration(lo + (hi-lo)/2)
			// The true value lies in [min, max] too, so clamping can only
			// bring the estimate closer; it also tames the edge buckets.
			return min(max(mid, h.min), h.max)
		}
	}
	return h.max
}

// Merge adds the samples recorded in o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.count == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.count == 0 || o.min < h.min {
		h.min = o.min
	}
	if h.count == 0 || o.max > h.max {
		h.max = o.max
	}
	h.count += o.count
	h.sum += o.sum
}

func bucketOf(d time.Duration) int {
	ns := int64(d)
	if ns < 1<<histMinExp {
		return 0
	}
	if ns >= 1<<histMaxExp {
		return histBuckets - 1
	}
	exp := bits.Len64(uint64(ns)) - 1 // 2^exp <= ns < 2^(exp+1)
	sub := int(ns>>(exp-histSubBits)) & (histSub - 1)
	return (exp-histMinExp)*histSub + sub
}

// bucketBounds returns the half-open range [lo, hi) of nanoseconds that
// bucket i holds, ignoring the clamping at the edges.
func bucketBounds(i int) (lo, hi int64) {
	exp := i/histSub + histMinExp
	width := int64(1) << (exp - histSubBits)
	lo = int64(1)<<exp + int64(i%histSub)*width
	return lo, lo + width
}
