package stats

import (
	"errors"
	"fmt"
	"math"
)

// TrendResult is the outcome of a Cochran-Armitage test for trend.
type TrendResult struct {
	// Z is the standardized statistic; positive when the proportion rises
	// with the score.
	Z float64
	// PIncreasing is the one-sided (upper-tail) p-value, for "the rate rises
	// with concurrency".
	PIncreasing float64
	// PTwoSided is the two-sided p-value; it equals the p-value of R's
	// prop.trend.test, whose chi-squared statistic is Z*Z.
	PTwoSided float64
}

// CochranArmitage tests for a linear trend in proportions
// failures[i]/totals[i] across groups with the given scores (e.g. the
// concurrency levels). A nil scores slice means the scores 1, 2, ..., k.
//
// The statistic is the one of R's prop.trend.test, without continuity
// correction. It returns an error for mismatched lengths, fewer than two
// groups, negative counts, failures exceeding totals, or no observations at
// all. When there is nothing to trend (all requests failed, none did, or all
// scores are equal) it returns Z = 0 and p-values of 1.
func CochranArmitage(failures, totals []int, scores []float64) (TrendResult, error) {
	k := len(failures)
	if len(totals) != k || (scores != nil && len(scores) != k) {
		return TrendResult{}, errors.New("stats: failures, totals and scores differ in length")
	}
	if k < 2 {
		return TrendResult{}, errors.New("stats: trend test needs at least two groups")
	}
	score := func(i int) float64 {
		if scores == nil {
			return float64(i + 1)
		}
		return scores[i]
	}
	var n, x, sumNS float64
	for i := range k {
		if failures[i] < 0 || totals[i] < 0 || failures[i] > totals[i] {
			return TrendResult{}, fmt.Errorf("stats: group %d has %d failures of %d", i, failures[i], totals[i])
		}
		n += float64(totals[i])
		x += float64(failures[i])
		sumNS += float64(totals[i]) * score(i)
	}
	if n == 0 {
		return TrendResult{}, errors.New("stats: trend test needs at least one observation")
	}
	p, meanScore := x/n, sumNS/n
	// Centring the scores first avoids cancellation when they are large
	// compared with their spread.
	var t, ss float64
	lowScore, highScore := math.Inf(1), math.Inf(-1)
	for i := range k {
		ds := score(i) - meanScore
		t += (float64(failures[i]) - float64(totals[i])*p) * ds
		ss += float64(totals[i]) * ds * ds
		if totals[i] > 0 {
			lowScore, highScore = min(lowScore, score(i)), max(highScore, score(i))
		}
	}
	// prop.trend.test fits a weighted regression, so the variance of the
	// scores divides by N rather than N-1.
	variance := p * (1 - p) * ss
	if lowScore == highScore || variance <= 0 {
		return TrendResult{Z: 0, PIncreasing: 1, PTwoSided: 1}, nil
	}
	z := t / math.Sqrt(variance)
	return TrendResult{
		Z:           z,
		PIncreasing: NormalSF(z),
		PTwoSided:   math.Min(1, 2*NormalSF(math.Abs(z))),
	}, nil
}

// NormalSF returns P(Z > z) for a standard normal Z.
func NormalSF(z float64) float64 {
	// Erfc keeps full relative precision far into the upper tail, where
	// 1 - CDF would round to zero.
	return 0.5 * math.Erfc(z/math.Sqrt2)
}
