package diagnose

import (
	"math"
	"sort"

	"github.com/llm-probe/probe/prober/stats"
)

// Change names how the 403s moved between a run before and a run after
// (a cooldown, a fix, a different network).
type Change string

// The changes Compare tells apart. Each is decided on the 403 refusals
// (Record.Is403) of the two runs taken whole, every step together, with a
// two-sided Fisher exact test at significance 0.05 on the table
//
//	        403s   other answers
//	before   b       nb-b
//	after    a       na-a
//
// where nb and na are the answered requests of each run. The rules, in order:
//
//   - inconclusive: either run has fewer than 3 answers; or exactly one run
//     has 403s and the difference is not significant (too few answers to
//     tell a change from chance; NeedMore says how many more would).
//   - unchanged: neither run has a single 403. Whatever else the runs show
//     is in their verdicts.
//   - cleared: the before run had 403s, the after run has none, and the
//     difference is significant: the refusals are gone, with enough answers
//     to say so.
//   - appeared: the before run had no 403s, the after run has some, and the
//     difference is significant.
//   - improved: both runs have 403s and the after run's rate is
//     significantly lower, but not zero.
//   - worse: both runs have 403s and the after run's rate is significantly
//     higher.
//   - persists: both runs have 403s and their rates do not differ
//     significantly: the problem is still there. (This needs no minimum
//     sample: a single 403 after is a 403 that did not clear.)
const (
	ChangeCleared      Change = "cleared"
	ChangePersists     Change = "persists"
	ChangeImproved     Change = "improved"
	ChangeWorse        Change = "worse"
	ChangeAppeared     Change = "appeared"
	ChangeUnchanged    Change = "unchanged"
	ChangeInconclusive Change = "inconclusive"
)

// IsProblem reports whether the change leaves 403s to deal with.
func (c Change) IsProblem() bool {
	switch c {
	case ChangePersists, ChangeImproved, ChangeWorse, ChangeAppeared:
		return true
	}
	return false
}

// CompareCounts are the answers of one run at one concurrency level (or
// overall): what the comparison reads.
type CompareCounts struct {
	Sent       int `json:"sent"`
	Answered   int `json:"answered"`
	Refused403 int `json:"refused_403"`
}

// Rate returns the share of answers refused with 403, NaN without answers.
func (c CompareCounts) Rate() float64 {
	if c.Answered == 0 {
		return math.NaN()
	}
	return float64(c.Refused403) / float64(c.Answered)
}

// StepComparison sets one concurrency level of two runs side by side.
type StepComparison struct {
	Concurrency int
	Before      CompareCounts
	After       CompareCounts
	// P is the two-sided Fisher exact p-value of the 403 rates; NaN when
	// either run has no answers at this level.
	P float64
}

// Comparison is the outcome of Compare.
type Comparison struct {
	// Steps holds every concurrency level either run reached, in increasing
	// order; steps and extension rounds at the same level are merged.
	Steps  []StepComparison
	Before CompareCounts
	After  CompareCounts
	// P is the two-sided Fisher exact p-value on the runs taken whole.
	P      float64
	Change Change
	// NeedMore is, for an inconclusive change, about how many more answers
	// in each run would decide it; -1 when no reasonable number would.
	NeedMore int
}

// Thresholds of the comparison, named for the doc comment on Change.
const (
	// compareAlpha is the significance level of the two-sided test.
	compareAlpha = 0.05
	// CompareMinAnswers is the fewest answers a run needs to be compared
	// (report says so when a run has fewer).
	CompareMinAnswers = minDecisive
	// compareMoreLimit bounds the search for how many more answers would decide.
	compareMoreLimit = 1000
)

// Compare sets a run before against a run after and names the change in
// their 403s, by the rules documented on Change. Its words are report's.
func Compare(before, after *Summary) Comparison {
	var c Comparison
	levels := map[int]*StepComparison{}
	level := func(conc int) *StepComparison {
		l := levels[conc]
		if l == nil {
			l = &StepComparison{Concurrency: conc}
			levels[conc] = l
		}
		return l
	}
	for _, st := range before.Steps {
		if st.Sent == 0 {
			continue
		}
		l := level(st.Concurrency)
		l.Before = addCounts(l.Before, st)
		c.Before = addCounts(c.Before, st)
	}
	for _, st := range after.Steps {
		if st.Sent == 0 {
			continue
		}
		l := level(st.Concurrency)
		l.After = addCounts(l.After, st)
		c.After = addCounts(c.After, st)
	}
	for _, l := range levels {
		l.P = fisherTwoSided(l.Before, l.After)
		c.Steps = append(c.Steps, *l)
	}
	sort.Slice(c.Steps, func(i, j int) bool { return c.Steps[i].Concurrency < c.Steps[j].Concurrency })
	c.P = fisherTwoSided(c.Before, c.After)
	c.Change, c.NeedMore = decideChange(c.Before, c.After, c.P)
	return c
}

func addCounts(c CompareCounts, st *StepStats) CompareCounts {
	c.Sent += st.Sent
	c.Answered += st.Answered
	c.Refused403 += st.Refused403
	return c
}

func fisherTwoSided(b, a CompareCounts) float64 {
	if b.Answered == 0 || a.Answered == 0 {
		return math.NaN()
	}
	return stats.FisherExact(b.Refused403, b.Answered-b.Refused403, a.Refused403, a.Answered-a.Refused403, stats.TwoSided)
}

func decideChange(b, a CompareCounts, p float64) (Change, int) {
	if b.Answered < CompareMinAnswers || a.Answered < CompareMinAnswers {
		return ChangeInconclusive, max(CompareMinAnswers-b.Answered, CompareMinAnswers-a.Answered)
	}
	significant := p < compareAlpha
	switch {
	case b.Refused403 == 0 && a.Refused403 == 0:
		return ChangeUnchanged, 0
	case a.Refused403 == 0:
		if significant {
			return ChangeCleared, 0
		}
		return ChangeInconclusive, moreToDecide(a, b)
	case b.Refused403 == 0:
		if significant {
			return ChangeAppeared, 0
		}
		return ChangeInconclusive, moreToDecide(b, a)
	case !significant:
		return ChangePersists, 0
	case a.Rate() < b.Rate():
		return ChangeImproved, 0
	default:
		return ChangeWorse, 0
	}
}

// moreToDecide estimates the answers per run that would make the rise from
// low to high significant. stats.MoreToDecide is one-sided, so it is asked
// for half the two-sided alpha, which is how the two tests roughly relate.
func moreToDecide(low, high CompareCounts) int {
	return stats.MoreToDecide(low.Refused403, low.Answered, high.Refused403, high.Answered, compareAlpha/2, compareMoreLimit)
}
