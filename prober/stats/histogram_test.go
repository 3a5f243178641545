package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// exactQuantile is the nearest-rank quantile of sorted samples, the
// definition Histogram.Quantile estimates.
func exactQuantile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func TestHistogramQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	logUniform := func(lo, hi time.Duration) time.Duration {
		return time.Duration(math.Exp(math.Log(float64(lo)) + r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))))
	}
	tests := []struct {
		name string
		draw func() time.Duration
	}{
		{"log-uniform 1us to 1h", func() time.Duration { return logUniform(time.Microsecond, time.Hour) }},
		{"api latencies", func() time.Duration { return logUniform(80*time.Millisecond, 3*time.Second) }},
		{"narrow", func() time.Duration { return 200*time.Millisecond + time.Duration(r.IntN(1000))*time.Microsecond }},
		{"two modes", func() time.Duration {
			if r.IntN(10) == 0 {
				return logUniform(20*time.Second, 30*time.Second)
			}
			return logUniform(90*time.Millisecond, 110*time.Millisecond)
		}},
	}
	qs := []float64{0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			samples := make([]time.Duration, 100000)
			var sum float64
			for i := range samples {
				samples[i] = tt.draw()
				h.Record(samples[i])
				sum += float64(samples[i])
			}
			slices.Sort(samples)
			for _, q := range qs {
				got, want := h.Quantile(q), exactQuantile(samples, q)
				if !closeRel(float64(got), float64(want), 0.01) {
					t.Errorf("Quantile(%g) = %v; want %v within 1%%", q, got, want)
				}
			}
			if h.Count() != int64(len(samples)) || h.Min() != samples[0] || h.Max() != samples[len(samples)-1] {
				t.Errorf("Count, Min, Max = %d, %v, %v; want %d, %v, %v",
					h.Count(), h.Min(), h.Max(), len(samples), samples[0], samples[len(samples)-1])
			}
			if want := time.Duration(math.Round(sum / float64(len(samples)))); !closeRel(float64(h.Mean()), float64(want), 1e-9) {
				t.Errorf("Mean() = %v; want %v", h.Mean(), want)
			}
		})
	}
}

func TestHistogramEdges(t *testing.T) {
	tests := []struct {
		name    string
		samples []time.Duration
		q       float64
		want    time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"single", []time.Duration{42 * time.Millisecond}, 0.5, 42 * time.Millisecond},
		{"below range is exact at q=0", []time.Duration{3, 5, 7}, 0, 3},
		{"below range stays within min and max", []time.Duration{3, 5, 7}, 0.5, 7},
		{"above range is exact at q=1", []time.Duration{10 * time.Hour, 20 * time.Hour}, 1, 20 * time.Hour},
		{"above range median is the lower sample", []time.Duration{10 * time.Hour, 20 * time.Hour}, 0.5, 10 * time.Hour},
		{"q above 1", []time.Duration{time.Second, 2 * time.Second}, 7, 2 * time.Second},
		{"q below 0", []time.Duration{time.Second, 2 * time.Second}, -1, time.Second},
		{"q NaN", []time.Duration{time.Second, 2 * time.Second}, math.NaN(), time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, d := range tt.samples {
				h.Record(d)
			}
			if got := h.Quantile(tt.q); got != tt.want {
				t.Errorf("Quantile(%g) = %v; want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestHistogramEdgeBucketsClamp(t *testing.T) {
	// Values far outside the designed range land in the edge buckets, and
	// quantile estimates never leave [Min, Max].
	var h Histogram
	for _, d := range []time.Duration{1, 100, 400, 50 * time.Hour, 100 * time.Hour, -5} {
		h.Record(d)
	}
	if h.Min() != -5 || h.Max() != 100*time.Hour {
		t.Errorf("Min, Max = %v, %v; want %v, %v", h.Min(), h.Max(), time.Duration(-5), 100*time.Hour)
	}
	for q := 0.0; q <= 1; q += 0.05 {
		if got := h.Quantile(q); got < h.Min() || got > h.Max() {
			t.Errorf("Quantile(%g) = %v; want within [%v, %v]", q, got, h.Min(), h.Max())
		}
	}
}

func TestHistogramMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var whole, a, b, empty Histogram
	for i := range 10000 {
		d := time.Duration(r.Int64N(int64(5 * time.Second)))
		whole.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	var merged Histogram
	merged.Merge(&empty)
	merged.Merge(&a)
	merged.Merge(nil)
	merged.Merge(&b)
	if merged.counts != whole.counts || merged.Count() != whole.Count() || merged.Min() != whole.Min() || merged.Max() != whole.Max() {
		t.Fatalf("Merge of parts differs from recording the whole")
	}
	if !closeRel(float64(merged.Mean()), float64(whole.Mean()), 1e-12) {
		t.Errorf("Mean() after Merge = %v; want %v", merged.Mean(), whole.Mean())
	}
	for _, q := range []float64{0, 0.5, 0.99, 1} {
		if got, want := merged.Quantile(q), whole.Quantile(q); got != want {
			t.Errorf("Quantile(%g) after Merge = %v; want %v", q, got, want)
		}
	}
}

func TestHistogramRecordDoesNotAllocate(t *testing.T) {
	h := new(Histogram)
	d := 123 * time.Millisecond
	allocs := testing.AllocsPerRun(1000, func() {
		h.Record(d)
		d += 7 * time.Microsecond
	})
	if allocs != 0 {
		t.Errorf("Record allocates %g times per call; want 0", allocs)
	}
}

func TestBucketsCoverRangeWithinError(t *testing.T) {
	// Every bucket from 1µs to 1h is narrow enough that its midpoint is
	// within 1% of anything it holds.
	for i := bucketOf(time.Microsecond); i <= bucketOf(time.Hour); i++ {
		lo, hi := bucketBounds(i)
		mid := lo + (hi-lo)/2
		if err := float64(mid-lo) / float64(lo); err > 0.01 {
			t.Fatalf("bucket %d [%d, %d) has relative half-width %g; want <= 0.01", i, lo, hi, err)
		}
		if bucketOf(time.Duration(lo)) != i || bucketOf(time.Duration(hi-1)) != i {
			t.Fatalf("bucket %d [%d, %d) does not map its own bounds back to itself", i, lo, hi)
		}
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h Histogram
	d := time.Millisecond
	for b.Loop() {
		h.Record(d)
		d += time.Microsecond
	}
}
