package stats

import "math"

// RunsResult is the outcome of a Wald-Wolfowitz runs test on a two-valued
// sequence.
type RunsResult struct {
	// Runs is the number of maximal blocks of equal values.
	Runs int
	// N1 is the count of true values and N2 the count of false values.
	N1, N2 int
	// Expected is the mean number of runs under random order.
	Expected float64
	// Z is the standardized number of runs, without continuity correction.
	Z float64
	// PTooMany is the one-sided p-value for more runs than chance:
	// alternation ("works once, fails twice").
	PTooMany float64
	// PTooFew is the one-sided p-value for fewer runs than chance:
	// clustering.
	PTooFew float64
	// PTwoSided is min(1, 2*min(PTooMany, PTooFew)).
	PTwoSided float64
	// Exact reports whether the p-values come from the exact distribution
	// rather than the normal approximation.
	Exact bool
}

// exactRunsLimit bounds the smaller of N1 and N2 for the exact
// distribution. Its cost grows with that count, and the normal
// approximation is only trustworthy once both counts are well above it.
const exactRunsLimit = 50

// Runs performs the Wald-Wolfowitz runs test on seq. It uses the exact
// distribution of the number of runs when the rarer value occurs at most 50
// times and the normal approximation with continuity correction otherwise.
// A sequence holding only one value (or none) gives p-values of 1.
func Runs(seq []bool) RunsResult {
	runs, n1 := 0, 0
	for i, v := range seq {
		if v {
			n1++
		}
		if i == 0 || v != seq[i-1] {
			runs++
		}
	}
	return RunsFromCounts(runs, n1, len(seq)-n1)
}

// RunsFromCounts performs the runs test from the number of runs and the
// counts of each value, for callers that count runs as a stream instead of
// keeping the sequence.
func RunsFromCounts(runs, trues, falses int) RunsResult {
	r := RunsResult{Runs: runs, N1: trues, N2: falses}
	if r.N1 == 0 || r.N2 == 0 {
		r.Expected = float64(r.Runs)
		r.PTooMany, r.PTooFew, r.PTwoSided = 1, 1, 1
		r.Exact = true
		return r
	}

	n1, n2 := float64(r.N1), float64(r.N2)
	n := n1 + n2
	r.Expected = 2*n1*n2/n + 1
	sd := math.Sqrt(2 * n1 * n2 * (2*n1*n2 - n) / (n * n * (n - 1)))
	if sd > 0 {
		r.Z = (float64(r.Runs) - r.Expected) / sd
	}

	if min(r.N1, r.N2) <= exactRunsLimit {
		r.Exact = true
		// Sum each tail separately rather than taking a complement, so
		// that small p-values keep their precision.
		maxRuns := 2 * min(r.N1, r.N2)
		if r.N1 != r.N2 {
			maxRuns++
		}
		for k := 2; k <= maxRuns; k++ {
			p := runsProb(k, r.N1, r.N2)
			if k <= r.Runs {
				r.PTooFew += p
			}
			if k >= r.Runs {
				r.PTooMany += p
			}
		}
		r.PTooFew, r.PTooMany = min(r.PTooFew, 1), min(r.PTooMany, 1)
	} else {
		runs := float64(r.Runs)
		r.PTooFew = NormalSF((r.Expected - runs - 0.5) / sd)
		r.PTooMany = NormalSF((runs - 0.5 - r.Expected) / sd)
	}
	r.PTwoSided = min(1, 2*min(r.PTooMany, r.PTooFew))
	return r
}

// runsProb returns the probability of exactly k runs when n1 trues and n2
// falses are arranged in random order. With k = 2m runs each value forms m
// runs; with k = 2m+1 one value forms m+1 of them. The count of ways to cut
// a value's n items into j runs is C(n-1, j-1).
func runsProb(k, n1, n2 int) float64 {
	logTotal := logChoose(n1+n2, n1)
	ways := func(a, ja, b, jb int) float64 {
		if ja < 1 || jb < 1 || ja > a || jb > b {
			return 0
		}
		return math.Exp(logChoose(a-1, ja-1) + logChoose(b-1, jb-1) - logTotal)
	}
	m := k / 2
	if k%2 == 0 {
		return 2 * ways(n1, m, n2, m)
	}
	return ways(n1, m+1, n2, m) + ways(n1, m, n2, m+1)
}
