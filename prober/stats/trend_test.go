package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestCochranArmitageReference(t *testing.T) {
	tests := []struct {
		name      string
		failures  []int
		totals    []int
		scores    []float64
		wantChiSq float64
		wantP     float64 // two-sided
		wantSign  float64
	}{
		// R ?prop.trend.test: smokers <- c(83, 90, 129, 70);
		// patients <- c(86, 93, 136, 82); prop.trend.test(smokers, patients)
		// gives X-squared = 8.2249, df = 1, p-value = 0.004132. The
		// proportions fall with the group, so Z is negative.
		{"smokers default scores", []int{83, 90, 129, 70}, []int{86, 93, 136, 82}, nil, 8.2249, 0.004132, -1},
		{"smokers explicit scores", []int{83, 90, 129, 70}, []int{86, 93, 136, 82}, []float64{1, 2, 3, 4}, 8.2249, 0.004132, -1},
		// Shifting or scaling the scores leaves the test unchanged.
		{"smokers affine scores", []int{83, 90, 129, 70}, []int{86, 93, 136, 82}, []float64{1001, 1003, 1005, 1007}, 8.2249, 0.004132, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CochranArmitage(tt.failures, tt.totals, tt.scores)
			if err != nil {
				t.Fatalf("CochranArmitage(%v, %v, %v) error: %v", tt.failures, tt.totals, tt.scores, err)
			}
			if chi := got.Z * got.Z; !closeRel(chi, tt.wantChiSq, 1e-4) {
				t.Errorf("CochranArmitage(%v, %v, %v).Z^2 = %g; want %g", tt.failures, tt.totals, tt.scores, chi, tt.wantChiSq)
			}
			if !closeRel(got.PTwoSided, tt.wantP, 1e-3) {
				t.Errorf("CochranArmitage(%v, %v, %v).PTwoSided = %g; want %g", tt.failures, tt.totals, tt.scores, got.PTwoSided, tt.wantP)
			}
			if math.Signbit(got.Z) != math.Signbit(tt.wantSign) {
				t.Errorf("CochranArmitage(%v, %v, %v).Z = %g; want sign of %g", tt.failures, tt.totals, tt.scores, got.Z, tt.wantSign)
			}
			if !closeRel(got.PIncreasing, NormalSF(got.Z), 1e-12) {
				t.Errorf("CochranArmitage(%v, %v, %v).PIncreasing = %g; want %g", tt.failures, tt.totals, tt.scores, got.PIncreasing, NormalSF(got.Z))
			}
		})
	}
}

// regressionChiSq computes prop.trend.test's statistic the way R does: the
// regression sum of squares of a weighted least-squares fit of the
// proportions on the scores, with weights n/(p(1-p)).
func regressionChiSq(failures, totals []int, scores []float64) float64 {
	var x, n float64
	for i := range totals {
		x += float64(failures[i])
		n += float64(totals[i])
	}
	p := x / n
	var sw, swf, sws float64
	w := make([]float64, len(totals))
	f := make([]float64, len(totals))
	for i := range totals {
		if totals[i] == 0 {
			continue
		}
		w[i] = float64(totals[i]) / (p * (1 - p))
		f[i] = float64(failures[i]) / float64(totals[i])
		sw += w[i]
		swf += w[i] * f[i]
		sws += w[i] * scores[i]
	}
	fBar, sBar := swf/sw, sws/sw
	var sxy, sxx float64
	for i := range totals {
		sxy += w[i] * (scores[i] - sBar) * (f[i] - fBar)
		sxx += w[i] * (scores[i] - sBar) * (scores[i] - sBar)
	}
	return sxy * sxy / sxx
}

func TestCochranArmitageMatchesRegression(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	scores := []float64{1, 2, 5, 10}
	for i := range 200 {
		failures := make([]int, len(scores))
		totals := make([]int, len(scores))
		for j := range scores {
			totals[j] = 1 + r.IntN(500)
			failures[j] = r.IntN(totals[j] + 1)
		}
		got, err := CochranArmitage(failures, totals, scores)
		if err != nil {
			t.Fatalf("case %d: CochranArmitage(%v, %v, %v) error: %v", i, failures, totals, scores, err)
		}
		if want := regressionChiSq(failures, totals, scores); !closeRel(got.Z*got.Z, want, 1e-9) {
			t.Errorf("case %d: CochranArmitage(%v, %v, %v).Z^2 = %g; want %g", i, failures, totals, scores, got.Z*got.Z, want)
		}
	}
}

func TestCochranArmitageRisingRate(t *testing.T) {
	// 403s climbing with concurrency 1, 2, 5, 10.
	got, err := CochranArmitage([]int{0, 1, 6, 15}, []int{40, 40, 40, 40}, []float64{1, 2, 5, 10})
	if err != nil {
		t.Fatal(err)
	}
	if got.Z <= 3 || got.PIncreasing >= 0.001 || !closeRel(got.PTwoSided, 2*got.PIncreasing, 1e-12) {
		t.Errorf("CochranArmitage(rising) = %+v; want Z > 3, PIncreasing < 0.001 and PTwoSided = 2*PIncreasing", got)
	}
}

func TestCochranArmitageDegenerate(t *testing.T) {
	tests := []struct {
		name     string
		failures []int
		totals   []int
		scores   []float64
	}{
		{"no failures", []int{0, 0, 0}, []int{10, 20, 30}, nil},
		{"all failures", []int{10, 20, 30}, []int{10, 20, 30}, nil},
		{"equal scores", []int{1, 5, 9}, []int{10, 10, 10}, []float64{3, 3, 3}},
		{"one non-empty group", []int{0, 4, 0}, []int{0, 10, 0}, nil},
	}
	want := TrendResult{Z: 0, PIncreasing: 1, PTwoSided: 1}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CochranArmitage(tt.failures, tt.totals, tt.scores)
			if err != nil || got != want {
				t.Errorf("CochranArmitage(%v, %v, %v) = %+v, %v; want %+v, nil", tt.failures, tt.totals, tt.scores, got, err, want)
			}
		})
	}
}

func TestCochranArmitageErrors(t *testing.T) {
	tests := []struct {
		name     string
		failures []int
		totals   []int
		scores   []float64
	}{
		{"length mismatch", []int{1, 2}, []int{3, 4, 5}, nil},
		{"scores mismatch", []int{1, 2}, []int{3, 4}, []float64{1}},
		{"one group", []int{1}, []int{3}, nil},
		{"no groups", nil, nil, nil},
		{"all totals zero", []int{0, 0}, []int{0, 0}, nil},
		{"negative failures", []int{-1, 2}, []int{3, 4}, nil},
		{"negative total", []int{0, 2}, []int{-3, 4}, nil},
		{"failures exceed total", []int{5, 2}, []int{3, 4}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := CochranArmitage(tt.failures, tt.totals, tt.scores); err == nil {
				t.Errorf("CochranArmitage(%v, %v, %v) = %+v, nil; want error", tt.failures, tt.totals, tt.scores, got)
			}
		})
	}
}

func TestNormalSF(t *testing.T) {
	// Standard normal table values (e.g. Abramowitz & Stegun, table 26.1).
	tests := []struct {
		z, want float64
	}{
		{0, 0.5},
		{1, 0.15865525393145705},
		{-1, 0.8413447460685429},
		{1.959963984540054, 0.025},
		{3, 0.0013498980316301},
		{8, 6.220960574271785e-16},
		{math.Inf(1), 0},
		{math.Inf(-1), 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.z), func(t *testing.T) {
			if got := NormalSF(tt.z); !closeRel(got, tt.want, 1e-12) {
				t.Errorf("NormalSF(%g) = %g; want %g", tt.z, got, tt.want)
			}
		})
	}
}
