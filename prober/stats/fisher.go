package stats

import (
	"math"
	"sort"
	"strconv"
)

// Alternative selects the tail of a test.
type Alternative int

const (
	// TwoSided tests for a difference in either direction.
	TwoSided Alternative = iota
	// Greater tests whether the first group's value is the larger one. For
	// FisherExact it means an odds ratio a*d/(b*c) above 1: the first row's
	// failure rate is the higher.
	Greater
	// Less tests whether the first group's value is the smaller one. For
	// FisherExact it means an odds ratio below 1: the second row's failure
	// rate is the higher.
	Less
)

// String returns the name R uses for the alternative.
func (a Alternative) String() string {
	switch a {
	case TwoSided:
		return "two.sided"
	case Greater:
		return "greater"
	case Less:
		return "less"
	}
	return "Alternative(" + strconv.Itoa(int(a)) + ")"
}

// twoSidedTolerance is the relative slack R's fisher.test allows when it
// decides whether a table is as extreme as the observed one; without it,
// tables that tie exactly in theory would be split by rounding noise.
const twoSidedTolerance = 1e-7

// FisherExact returns the p-value of Fisher's exact test on the 2x2 table
//
//	        failures  successes
//	row 1:     a          b
//	row 2:     c          d
//
// It matches R's fisher.test(matrix(c(a, c, b, d), nrow = 2), alternative =
// ...): Greater is P(X >= a) and Less is P(X <= a), where X is the top-left
// cell under the hypergeometric distribution with all margins fixed, and
// TwoSided sums the probabilities of all tables no more likely than the
// observed one. A table with an empty row or column carries no evidence and
// gives 1. Negative counts give NaN.
//
// Only the tail terms that matter are summed, so even a table with counts in
// the millions takes about a millisecond.
func FisherExact(a, b, c, d int, alt Alternative) float64 {
	if a < 0 || b < 0 || c < 0 || d < 0 {
		return math.NaN()
	}
	if a+b == 0 || c+d == 0 || a+c == 0 || b+d == 0 {
		return 1
	}
	h := newHypergeom(a+b, c+d, a+c)
	var p float64
	switch alt {
	case Greater:
		p = h.upper(a)
	case Less:
		p = h.lower(a)
	default:
		p = h.twoSided(a)
	}
	return math.Min(1, math.Max(0, p))
}

// RateIncrease returns the one-sided Fisher exact p-value that the failure
// rate in the high group (failHigh of nHigh) exceeds that of the low group
// (failLow of nLow). Counts that are negative or exceed their totals give
// NaN.
func RateIncrease(failLow, nLow, failHigh, nHigh int) float64 {
	if failLow > nLow || failHigh > nHigh {
		return math.NaN()
	}
	return FisherExact(failHigh, nHigh-failHigh, failLow, nLow-failLow, Greater)
}

// MoreToDecide estimates how many more requests per group would make a
// one-sided Fisher test of the observed rates (failLow/nLow vs
// failHigh/nHigh) reach significance alpha, assuming the observed rates
// hold. It returns 0 when the test is already significant, and -1 when no
// number up to limit would (e.g. equal rates), or when a group is empty or
// the counts are invalid.
func MoreToDecide(failLow, nLow, failHigh, nHigh int, alpha float64, limit int) int {
	if failLow < 0 || failHigh < 0 || failLow > nLow || failHigh > nHigh {
		return -1
	}
	if RateIncrease(failLow, nLow, failHigh, nHigh) <= alpha {
		return 0
	}
	if nLow == 0 || nHigh == 0 || limit < 1 {
		return -1
	}
	rateLow := float64(failLow) / float64(nLow)
	rateHigh := float64(failHigh) / float64(nHigh)
	significant := func(more int) bool {
		fl := failLow + int(math.Round(float64(more)*rateLow))
		fh := failHigh + int(math.Round(float64(more)*rateHigh))
		return RateIncrease(fl, nLow+more, fh, nHigh+more) <= alpha
	}
	if !significant(limit) {
		return -1
	}
	// Rounding makes the p-value wobble slightly as the sample grows, so
	// the search only promises a boundary: significant at the answer, not
	// one request earlier.
	lo, hi := 0, limit // significant(lo) is false, significant(hi) is true
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if significant(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// hypergeom is the distribution of the top-left cell of a 2x2 table with
// row sums r1, r2 and first column sum c1.
type hypergeom struct {
	r1, r2, c1 int
	lo, hi     int // support
	mode       int
	logDenom   float64 // log C(r1+r2, c1)
}

func newHypergeom(r1, r2, c1 int) hypergeom {
	n := r1 + r2
	h := hypergeom{
		r1: r1, r2: r2, c1: c1,
		lo:       max(0, c1-r2),
		hi:       min(r1, c1),
		logDenom: logChoose(n, c1),
	}
	// The pmf rises while P(x)/P(x-1) >= 1, which holds up to this point.
	h.mode = min(max((r1+1)*(c1+1)/(n+2), h.lo), h.hi)
	return h
}

// prob is computed from log-factorials rather than by a running ratio so
// that each term is accurate on its own, whatever the table size.
func (h hypergeom) prob(x int) float64 {
	if x < h.lo || x > h.hi {
		return 0
	}
	return math.Exp(logChoose(h.r1, x) + logChoose(h.r2, h.c1-x) - h.logDenom)
}

// sumAway adds P(x) for x = from, from+step, ... to the end of the support.
// The walk must lead away from the mode, so terms only shrink; that lets it
// stop once they no longer change the sum, which keeps huge tables cheap.
func (h hypergeom) sumAway(from, step int) float64 {
	sum := 0.0
	for x := from; x >= h.lo && x <= h.hi; x += step {
		t := h.prob(x)
		if sum+t == sum {
			break
		}
		sum += t
	}
	return sum
}

// upper returns P(X >= x). When x is below the mode it uses the complement
// so that the summed tail still runs away from the mode.
func (h hypergeom) upper(x int) float64 {
	if x > h.mode {
		return h.sumAway(x, 1)
	}
	return 1 - h.sumAway(x-1, -1)
}

// lower returns P(X <= x).
func (h hypergeom) lower(x int) float64 {
	if x < h.mode {
		return h.sumAway(x, -1)
	}
	return 1 - h.sumAway(x+1, 1)
}

// twoSided returns the total probability of outcomes no more likely than x.
// The pmf is unimodal, so those outcomes form one tail on each side of the
// mode; binary search finds where each tail begins.
func (h hypergeom) twoSided(x int) float64 {
	limit := h.prob(x) * (1 + twoSidedTolerance)
	// Largest point at or below the mode whose probability is within limit.
	below := h.lo - 1 + sort.Search(h.mode-h.lo+1, func(i int) bool {
		return h.prob(h.lo+i) > limit
	})
	// Smallest point above the mode whose probability is within limit.
	above := h.mode + 1 + sort.Search(h.hi-h.mode, func(i int) bool {
		return h.prob(h.mode+1+i) <= limit
	})
	return h.sumAway(below, -1) + h.sumAway(above, 1)
}

// logChoose returns log C(n, k) for 0 <= k <= n.
func logChoose(n, k int) float64 {
	return logFactorial(n) - logFactorial(k) - logFactorial(n-k)
}

func logFactorial(n int) float64 {
	v, _ := math.Lgamma(float64(n) + 1)
	return v
}
