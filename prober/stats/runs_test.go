package stats

import (
	"math/big"
	"math/bits"
	"strings"
	"testing"
)

// seqOf turns "TFFT..." into a []bool.
func seqOf(s string) []bool {
	seq := make([]bool, len(s))
	for i, c := range s {
		seq[i] = c == 'T'
	}
	return seq
}

func TestRunsReference(t *testing.T) {
	// Ray Koopman, "Re: Wald-Wolfowitz runs test", Wolfram MathGroup
	// Archive [mg53905], 2 Feb 2005. For the sequence
	// 0001011001100110001011100 (n1 = 11 ones, n0 = 14 zeros) he reports
	// r = 13 runs, mean 13.32, s.d. 2.41059, and the exact number of
	// arrangements giving r = 2, 3, ..., 23 runs, out of C(25, 11) = 4457400.
	seq := seqOf(strings.NewReplacer("0", "F", "1", "T").Replace("0001011001100110001011100"))
	counts := []float64{2, 23, 260, 1365, 7020, 22230, 68640, 145860, 300300, 450450, 648648,
		702702, 720720, 566280, 411840, 231660, 115830, 45045, 14300, 3575, 572, 78}
	const total, observed = 4457400, 13
	var few, many float64
	for i, c := range counts {
		if r := i + 2; r <= observed {
			few += c
		}
		if r := i + 2; r >= observed {
			many += c
		}
	}
	want := RunsResult{
		Runs: observed, N1: 11, N2: 14,
		Expected:  13.32,
		Z:         (observed - 13.32) / 2.41059,
		PTooFew:   few / total,
		PTooMany:  many / total,
		PTwoSided: min(1, 2*min(few, many)/total),
		Exact:     true,
	}
	got := Runs(seq)
	if got.Runs != want.Runs || got.N1 != want.N1 || got.N2 != want.N2 || got.Exact != want.Exact {
		t.Fatalf("Runs(%s) = %+v; want %+v", "koopman", got, want)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"Expected", got.Expected, want.Expected},
		{"Z", got.Z, want.Z},
		{"PTooFew", got.PTooFew, want.PTooFew},
		{"PTooMany", got.PTooMany, want.PTooMany},
		{"PTwoSided", got.PTwoSided, want.PTwoSided},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !closeRel(c.got, c.want, 1e-5) {
				t.Errorf("Runs(koopman).%s = %g; want %g", c.name, c.got, c.want)
			}
		})
	}
}

// TestRunsExactByEnumeration checks the exact p-values against a census of
// every arrangement of n1 trues and n2 falses for all small n1, n2.
func TestRunsExactByEnumeration(t *testing.T) {
	const maxLen = 12
	for n := 2; n <= maxLen; n++ {
		for n1 := 1; n1 < n; n1++ {
			// freq[r] counts arrangements with r runs; example[r] is one.
			freq := make([]int, n+1)
			example := make([][]bool, n+1)
			total := 0
			for mask := uint(0); mask < 1<<n; mask++ {
				if bits.OnesCount(mask) != n1 {
					continue
				}
				seq := make([]bool, n)
				runs := 0
				for i := range seq {
					seq[i] = mask&(1<<i) != 0
					if i == 0 || seq[i] != seq[i-1] {
						runs++
					}
				}
				freq[runs]++
				total++
				if example[runs] == nil {
					example[runs] = seq
				}
			}
			for r, seq := range example {
				if seq == nil {
					continue
				}
				var few, many int
				for k, f := range freq {
					if k <= r {
						few += f
					}
					if k >= r {
						many += f
					}
				}
				got := Runs(seq)
				wantFew, wantMany := float64(few)/float64(total), float64(many)/float64(total)
				if got.Runs != r || !got.Exact || !closeRel(got.PTooFew, wantFew, 1e-12) || !closeRel(got.PTooMany, wantMany, 1e-12) {
					t.Errorf("Runs(%v) = %+v; want Runs %d, PTooFew %g, PTooMany %g (exact)", seq, got, r, wantFew, wantMany)
				}
			}
		}
	}
}

// bigRunsTails returns P(R <= r) and P(R >= r) computed with exact integer
// counts, independent of the log-binomial code.
func bigRunsTails(r, n1, n2 int) (few, many float64) {
	binom := func(n, k int) *big.Int {
		if k < 0 || k > n {
			return new(big.Int)
		}
		return new(big.Int).Binomial(int64(n), int64(k))
	}
	fewSum, manySum := new(big.Int), new(big.Int)
	for k := 2; k <= n1+n2; k++ {
		m := k / 2
		ways := new(big.Int)
		if k%2 == 0 {
			ways.Mul(binom(n1-1, m-1), binom(n2-1, m-1))
			ways.Lsh(ways, 1)
		} else {
			ways.Mul(binom(n1-1, m), binom(n2-1, m-1))
			ways.Add(ways, new(big.Int).Mul(binom(n1-1, m-1), binom(n2-1, m)))
		}
		if k <= r {
			fewSum.Add(fewSum, ways)
		}
		if k >= r {
			manySum.Add(manySum, ways)
		}
	}
	total := binom(n1+n2, n1)
	few, _ = new(big.Rat).SetFrac(fewSum, total).Float64()
	many, _ = new(big.Rat).SetFrac(manySum, total).Float64()
	return few, many
}

func TestRunsLarger(t *testing.T) {
	tests := []struct {
		name      string
		seq       []bool
		wantExact bool
		tol       float64 // relative for exact, absolute for the approximation
	}{
		{"skewed exact", seqOf(strings.Repeat("TTTTF", 40)), true, 1e-9},
		{"clustered exact", seqOf(strings.Repeat("T", 30) + strings.Repeat("F", 30) + strings.Repeat("TF", 10)), true, 1e-9},
		// The continuity-corrected normal approximation should land within
		// a few thousandths of the exact tail just above the cutoff.
		{"random-looking approx", seqOf(strings.Repeat("TTFTFFFTTFTF", 10)), false, 0.005},
		{"alternating approx", seqOf(strings.Repeat("TF", 60)), false, 0.005},
		{"blocks approx", seqOf(strings.Repeat("TTTTTTFFFFFF", 10)), false, 0.005},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Runs(tt.seq)
			wantFew, wantMany := bigRunsTails(got.Runs, got.N1, got.N2)
			if got.Exact != tt.wantExact {
				t.Fatalf("Runs(%s).Exact = %v; want %v", tt.name, got.Exact, tt.wantExact)
			}
			ok := func(g, w float64) bool {
				if tt.wantExact {
					return closeRel(g, w, tt.tol)
				}
				return g >= w-tt.tol && g <= w+tt.tol
			}
			if !ok(got.PTooFew, wantFew) || !ok(got.PTooMany, wantMany) {
				t.Errorf("Runs(%s) = %+v; want PTooFew %g, PTooMany %g", tt.name, got, wantFew, wantMany)
			}
		})
	}
}

func TestRunsAlternationAndClustering(t *testing.T) {
	tests := []struct {
		name          string
		seq           []bool
		wantMany      bool // PTooMany small
		wantFew       bool // PTooFew small
		wantTwoSided2 bool // PTwoSided small
	}{
		// "Works once, fails twice", repeated.
		{"works once fails twice", seqOf(strings.Repeat("TFF", 20)), true, false, true},
		{"two blocks", seqOf(strings.Repeat("T", 20) + strings.Repeat("F", 20)), false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Runs(tt.seq)
			if (got.PTooMany < 0.01) != tt.wantMany || (got.PTooFew < 0.01) != tt.wantFew || (got.PTwoSided < 0.01) != tt.wantTwoSided2 {
				t.Errorf("Runs(%s) = %+v; want PTooMany small %v, PTooFew small %v, PTwoSided small %v",
					tt.name, got, tt.wantMany, tt.wantFew, tt.wantTwoSided2)
			}
			if got.PTwoSided != min(1, 2*min(got.PTooMany, got.PTooFew)) {
				t.Errorf("Runs(%s).PTwoSided = %g; want min(1, 2*min(%g, %g))", tt.name, got.PTwoSided, got.PTooMany, got.PTooFew)
			}
		})
	}
}

func TestRunsDegenerate(t *testing.T) {
	tests := []struct {
		name string
		seq  []bool
		want RunsResult
	}{
		{"empty", nil, RunsResult{PTooMany: 1, PTooFew: 1, PTwoSided: 1, Exact: true}},
		{"all true", seqOf("TTTT"), RunsResult{Runs: 1, N1: 4, Expected: 1, PTooMany: 1, PTooFew: 1, PTwoSided: 1, Exact: true}},
		{"all false", seqOf("FFF"), RunsResult{Runs: 1, N2: 3, Expected: 1, PTooMany: 1, PTooFew: 1, PTwoSided: 1, Exact: true}},
		// One of each: 1 arrangement of 2 runs out of 2; both tails are 1.
		{"one of each", seqOf("TF"), RunsResult{Runs: 2, N1: 1, N2: 1, Expected: 2, PTooMany: 1, PTooFew: 1, PTwoSided: 1, Exact: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Runs(tt.seq); got != tt.want {
				t.Errorf("Runs(%v) = %+v; want %+v", tt.seq, got, tt.want)
			}
		})
	}
}
