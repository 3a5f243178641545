package stats

import (
	"math"
	"math/big"
	"testing"
)

// closeRel reports whether got is within relative tolerance tol of want.
func closeRel(got, want, tol float64) bool {
	if want == 0 {
		return math.Abs(got) <= tol
	}
	return math.Abs(got-want) <= tol*math.Abs(want)
}

// Published values are given to four significant digits, hence the 1e-3
// relative tolerance.
func TestFisherExactReference(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, d int
		alt        Alternative
		want       float64
	}{
		// R ?fisher.test, "Tea Tasting" example:
		// fisher.test(matrix(c(3, 1, 1, 3), 2), alternative = "greater")
		// p-value = 0.2429; the two-sided test gives p-value = 0.4857.
		{"tea tasting greater", 3, 1, 1, 3, Greater, 0.2429},
		{"tea tasting two-sided", 3, 1, 1, 3, TwoSided, 0.4857},
		// R ?fisher.test, Convictions <- matrix(c(2, 10, 15, 3), nrow = 2),
		// i.e. rows (2, 15) and (10, 3):
		// fisher.test(Convictions, alternative = "less") p-value = 0.0004652;
		// fisher.test(Convictions) p-value = 0.0005367.
		{"convictions less", 2, 15, 10, 3, Less, 0.0004652},
		{"convictions two-sided", 2, 15, 10, 3, TwoSided, 0.0005367},
		{"convictions transposed greater", 10, 3, 2, 15, Greater, 0.0004652},
		// Wikipedia, "Fisher's exact test", dieting example: men 1 dieting
		// and 11 not, women 9 and 3; two-tailed p = 0.002759. The article's
		// p = 0.001346 is the observed table's own probability; the
		// one-sided p adds the single more extreme table, with probability
		// C(12,0)*C(12,10)/C(24,10) = 66/1961256.
		{"dieting less", 1, 11, 9, 3, Less, 0.001346 + 66.0/1961256},
		{"dieting two-sided", 1, 11, 9, 3, TwoSided, 0.002759},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FisherExact(tt.a, tt.b, tt.c, tt.d, tt.alt)
			if !closeRel(got, tt.want, 1e-3) {
				t.Errorf("FisherExact(%d,%d,%d,%d,%v) = %g; want %g", tt.a, tt.b, tt.c, tt.d, tt.alt, got, tt.want)
			}
		})
	}
}

func TestFisherExactEdgeCases(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, d int
		alt        Alternative
		want       float64 // NaN means NaN
	}{
		{"all zero", 0, 0, 0, 0, TwoSided, 1},
		{"empty first row", 0, 0, 3, 4, Greater, 1},
		{"empty second row", 3, 4, 0, 0, Less, 1},
		{"no failures", 0, 5, 0, 7, TwoSided, 1},
		{"no successes", 5, 0, 7, 0, Greater, 1},
		{"negative a", -1, 2, 3, 4, TwoSided, math.NaN()},
		{"negative d", 1, 2, 3, -4, Greater, math.NaN()},
		{"most extreme greater", 5, 0, 0, 5, Greater, 1.0 / 252},
		{"most extreme two-sided", 5, 0, 0, 5, TwoSided, 2.0 / 252},
		{"least extreme greater", 0, 5, 5, 0, Greater, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FisherExact(tt.a, tt.b, tt.c, tt.d, tt.alt)
			if math.IsNaN(tt.want) && !math.IsNaN(got) || !math.IsNaN(tt.want) && !closeRel(got, tt.want, 1e-9) {
				t.Errorf("FisherExact(%d,%d,%d,%d,%v) = %g; want %g", tt.a, tt.b, tt.c, tt.d, tt.alt, got, tt.want)
			}
		})
	}
}

// bruteFisher computes the p-value in exact rational arithmetic by summing
// the hypergeometric probabilities of every table with the same margins. It
// shares no code with FisherExact.
func bruteFisher(a, b, c, d int, alt Alternative) float64 {
	r1, r2, c1 := a+b, c+d, a+c
	if r1 == 0 || r2 == 0 || c1 == 0 || b+d == 0 {
		return 1
	}
	binom := func(n, k int) *big.Int { return new(big.Int).Binomial(int64(n), int64(k)) }
	denom := binom(r1+r2, c1)
	prob := func(x int) *big.Rat {
		num := new(big.Int).Mul(binom(r1, x), binom(r2, c1-x))
		return new(big.Rat).SetFrac(num, denom)
	}
	observed := prob(a)
	sum := new(big.Rat)
	for x := max(0, c1-r2); x <= min(r1, c1); x++ {
		p := prob(x)
		var include bool
		switch alt {
		case Greater:
			include = x >= a
		case Less:
			include = x <= a
		default:
			include = p.Cmp(observed) <= 0
		}
		if include {
			sum.Add(sum, p)
		}
	}
	f, _ := sum.Float64()
	return f
}

func TestFisherExactMatchesBruteForceSmall(t *testing.T) {
	const n = 6
	for _, alt := range []Alternative{TwoSided, Greater, Less} {
		t.Run(alt.String(), func(t *testing.T) {
			for a := range n + 1 {
				for b := range n + 1 {
					for c := range n + 1 {
						for d := range n + 1 {
							got := FisherExact(a, b, c, d, alt)
							want := bruteFisher(a, b, c, d, alt)
							if !closeRel(got, want, 1e-10) {
								t.Errorf("FisherExact(%d,%d,%d,%d,%v) = %g; want %g", a, b, c, d, alt, got, want)
							}
						}
					}
				}
			}
		})
	}
}

// Larger tables exercise the early stop in the tail sums and the binary
// search for the two-sided tails.
func TestFisherExactMatchesBruteForceLarge(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, d int
	}{
		{"near null", 300, 700, 330, 670},
		{"clear difference", 20, 480, 60, 440},
		{"far tail", 2, 998, 90, 910},
		{"unbalanced rows", 5, 45, 400, 1600},
		{"mode tie", 4, 5, 5, 4},
	}
	for _, tt := range tests {
		for _, alt := range []Alternative{TwoSided, Greater, Less} {
			t.Run(tt.name+"/"+alt.String(), func(t *testing.T) {
				got := FisherExact(tt.a, tt.b, tt.c, tt.d, alt)
				want := bruteFisher(tt.a, tt.b, tt.c, tt.d, alt)
				if !closeRel(got, want, 1e-9) {
					t.Errorf("FisherExact(%d,%d,%d,%d,%v) = %g; want %g", tt.a, tt.b, tt.c, tt.d, alt, got, want)
				}
			})
		}
	}
}

func TestFisherExactHugeCounts(t *testing.T) {
	// With a million in each row, the statistic is close to normal: the
	// mode probability is about 1/(sqrt(2*pi)*sigma), sigma^2 = 125000, so
	// P(X >= mode) = 0.5 + P(mode)/2.
	const m = 500000
	got := FisherExact(m, m, m, m, Greater)
	want := 0.5 + 0.5/(math.Sqrt(2*math.Pi*125000))
	if !closeRel(got, want, 1e-4) {
		t.Errorf("FisherExact(%d,%d,%d,%d,%v) = %g; want %g", m, m, m, m, Greater, got, want)
	}
	// Every table is at most as likely as the mode, so the two-sided p is
	// 1. Log-factorials near 2e6 carry absolute errors around 1e-9, which
	// bounds the agreement.
	if got := FisherExact(m, m, m, m, TwoSided); !closeRel(got, 1, 1e-7) {
		t.Errorf("FisherExact(%d,%d,%d,%d,%v) = %g; want %g", m, m, m, m, TwoSided, got, 1.0)
	}
	// 0.10% against 0.11% of a million each: about 2.2 sigma apart.
	a, b, c, d := 1100, 1000000-1100, 1000, 1000000-1000
	greater := FisherExact(a, b, c, d, Greater)
	less := FisherExact(c, d, a, b, Less)
	if greater <= 0 || greater >= 0.05 || !closeRel(greater, less, 1e-12) {
		t.Errorf("FisherExact(%d,%d,%d,%d,%v) = %g; FisherExact(%d,%d,%d,%d,%v) = %g; want equal and below 0.05",
			a, b, c, d, Greater, greater, c, d, a, b, Less, less)
	}
}

func TestRateIncrease(t *testing.T) {
	tests := []struct {
		name                           string
		failLow, nLow, failHigh, nHigh int
		want                           float64 // NaN means NaN
	}{
		// Tea tasting again: rows (3, 1) and (1, 3), R p-value = 0.2429.
		{"tea tasting", 1, 4, 3, 4, 0.2429},
		{"reversed rates", 3, 4, 1, 4, 1 - 1.0/70},
		{"no data", 0, 0, 0, 0, 1},
		{"failures exceed total", 5, 4, 1, 4, math.NaN()},
		{"negative", -1, 4, 1, 4, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RateIncrease(tt.failLow, tt.nLow, tt.failHigh, tt.nHigh)
			if math.IsNaN(tt.want) && !math.IsNaN(got) || !math.IsNaN(tt.want) && !closeRel(got, tt.want, 1e-3) {
				t.Errorf("RateIncrease(%d,%d,%d,%d) = %g; want %g", tt.failLow, tt.nLow, tt.failHigh, tt.nHigh, got, tt.want)
			}
		})
	}
}

func TestMoreToDecide(t *testing.T) {
	const alpha = 0.05
	tests := []struct {
		name                           string
		failLow, nLow, failHigh, nHigh int
		limit                          int
		want                           int // -2 means "positive; check the boundary"
	}{
		{"already significant", 0, 20, 10, 20, 1000, 0},
		{"equal rates", 2, 10, 2, 10, 1000, -1},
		{"falling rate", 5, 10, 1, 10, 1000, -1},
		{"empty low group", 0, 0, 3, 10, 1000, -1},
		{"invalid counts", 11, 10, 3, 10, 1000, -1},
		{"limit too small", 1, 10, 2, 10, 5, -1},
		{"small gap", 1, 10, 3, 10, 1000, -2},
		{"tea tasting", 1, 4, 3, 4, 1000, -2},
		{"rare failures", 0, 50, 2, 50, 1000, -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MoreToDecide(tt.failLow, tt.nLow, tt.failHigh, tt.nHigh, alpha, tt.limit)
			if tt.want != -2 {
				if got != tt.want {
					t.Errorf("MoreToDecide(%d,%d,%d,%d,%g,%d) = %d; want %d",
						tt.failLow, tt.nLow, tt.failHigh, tt.nHigh, alpha, tt.limit, got, tt.want)
				}
				return
			}
			if got <= 0 || got > tt.limit {
				t.Fatalf("MoreToDecide(%d,%d,%d,%d,%g,%d) = %d; want in [1, %d]",
					tt.failLow, tt.nLow, tt.failHigh, tt.nHigh, alpha, tt.limit, got, tt.limit)
			}
			pAt := func(more int) float64 {
				fl := tt.failLow + int(math.Round(float64(more)*(float64(tt.failLow)/float64(tt.nLow))))
				fh := tt.failHigh + int(math.Round(float64(more)*(float64(tt.failHigh)/float64(tt.nHigh))))
				return RateIncrease(fl, tt.nLow+more, fh, tt.nHigh+more)
			}
			if p := pAt(got); p > alpha {
				t.Errorf("p-value after %d more = %g; want <= %g", got, p, alpha)
			}
			if p := pAt(got - 1); p <= alpha {
				t.Errorf("p-value after %d more = %g; want > %g", got-1, p, alpha)
			}
		})
	}
}

func BenchmarkFisherExactHuge(b *testing.B) {
	for b.Loop() {
		FisherExact(1100, 1000000-1100, 1000, 1000000-1000, TwoSided)
	}
}

func BenchmarkMoreToDecide(b *testing.B) {
	for b.Loop() {
		MoreToDecide(1, 10, 3, 10, 0.05, 1000)
	}
}
