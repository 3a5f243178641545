package diagnose

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/stats"
	"github.com/llm-probe/probe/prober/target"
)

// cmpLevel is the answers at one concurrency level of a synthetic run.
type cmpLevel struct {
	c, ok, refused, other int
}

// cmpSummary builds the summary of a run with the given levels, in order,
// one plan step each.
func cmpSummary(levels ...cmpLevel) *Summary {
	var steps []target.Step
	for _, l := range levels {
		steps = append(steps, target.Step{Concurrency: l.c, Requests: l.ok + l.refused + l.other})
	}
	s := NewSummary(steps)
	seq := int64(0)
	add := func(step, c int, o classify.Outcome, status int) {
		s.Add(&runfile.Record{Step: step, Concurrency: c, Seq: seq, Outcome: o, Status: status, Started: time.Unix(seq, 0)})
		seq++
	}
	for i, l := range levels {
		for range l.ok {
			add(i, l.c, classify.OutcomeOK, 200)
		}
		for range l.refused {
			add(i, l.c, classify.OutcomePermission, 403)
		}
		for range l.other {
			add(i, l.c, classify.OutcomeRateLimit, 429)
		}
	}
	return s
}

func TestCompareChange(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after []cmpLevel
		want          Change
		wantMore      int // 0: none expected; 1: some positive number; -1: exactly -1
	}{
		{"cleared", []cmpLevel{{1, 10, 0, 0}, {10, 11, 9, 0}}, []cmpLevel{{1, 10, 0, 0}, {10, 20, 0, 0}}, ChangeCleared, 0},
		{"cleared to other failures", []cmpLevel{{1, 1, 9, 0}}, []cmpLevel{{1, 5, 0, 5}}, ChangeCleared, 0},
		{"persists", []cmpLevel{{10, 11, 9, 0}}, []cmpLevel{{10, 10, 10, 0}}, ChangePersists, 0},
		{"persists on one 403 after", []cmpLevel{{1, 0, 3, 0}}, []cmpLevel{{1, 2, 1, 0}}, ChangePersists, 0},
		{"improved", []cmpLevel{{5, 2, 18, 0}}, []cmpLevel{{5, 17, 3, 0}}, ChangeImproved, 0},
		{"worse", []cmpLevel{{5, 28, 2, 0}}, []cmpLevel{{5, 10, 20, 0}}, ChangeWorse, 0},
		{"appeared", []cmpLevel{{5, 30, 0, 0}}, []cmpLevel{{5, 15, 15, 0}}, ChangeAppeared, 0},
		{"unchanged", []cmpLevel{{1, 10, 0, 0}, {5, 10, 0, 0}}, []cmpLevel{{1, 10, 0, 0}, {5, 10, 0, 0}}, ChangeUnchanged, 0},
		{"unchanged with other failures", []cmpLevel{{1, 0, 0, 10}}, []cmpLevel{{1, 0, 0, 10}}, ChangeUnchanged, 0},
		{"too few before", []cmpLevel{{1, 0, 2, 0}}, []cmpLevel{{1, 10, 0, 0}}, ChangeInconclusive, 1},
		{"nothing after", []cmpLevel{{1, 0, 10, 0}}, nil, ChangeInconclusive, 1},
		{"not significant yet", []cmpLevel{{1, 8, 2, 0}}, []cmpLevel{{1, 10, 0, 0}}, ChangeInconclusive, 1},
		{"appeared but not significant", []cmpLevel{{1, 10, 0, 0}}, []cmpLevel{{1, 8, 2, 0}}, ChangeInconclusive, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Compare(cmpSummary(tc.before...), cmpSummary(tc.after...))
			if c.Change != tc.want {
				t.Fatalf("Compare(%v, %v).Change = %s; want %s (p=%v)", tc.before, tc.after, c.Change, tc.want, c.P)
			}
			switch {
			case tc.wantMore == 0 && c.NeedMore != 0:
				t.Errorf("NeedMore = %d; want 0", c.NeedMore)
			case tc.wantMore == 1 && c.NeedMore <= 0:
				t.Errorf("NeedMore = %d; want a positive number", c.NeedMore)
			case tc.wantMore == -1 && c.NeedMore != -1:
				t.Errorf("NeedMore = %d; want -1", c.NeedMore)
			}
			if c.Change.IsProblem() != (tc.want == ChangePersists || tc.want == ChangeImproved || tc.want == ChangeWorse || tc.want == ChangeAppeared) {
				t.Errorf("%s.IsProblem() = %v", c.Change, c.Change.IsProblem())
			}
		})
	}
}

// TestCompareNeedMoreDecides checks that the estimate of more answers, once
// added at the observed rates, does make the change significant.
func TestCompareNeedMoreDecides(t *testing.T) {
	c := Compare(cmpSummary(cmpLevel{1, 8, 2, 0}), cmpSummary(cmpLevel{1, 10, 0, 0}))
	if c.Change != ChangeInconclusive || c.NeedMore <= 0 {
		t.Fatalf("Change = %s, NeedMore = %d; want inconclusive with a number", c.Change, c.NeedMore)
	}
	n := 10 + c.NeedMore
	refused := int(math.Round(0.2 * float64(n)))
	more := Compare(cmpSummary(cmpLevel{1, n - refused, refused, 0}), cmpSummary(cmpLevel{1, n, 0, 0}))
	if more.Change != ChangeCleared {
		t.Errorf("with %d more answers each: %s (p=%v); want cleared", c.NeedMore, more.Change, more.P)
	}
}

func TestCompareSteps(t *testing.T) {
	before := cmpSummary(cmpLevel{1, 10, 0, 0}, cmpLevel{10, 10, 10, 0})
	// An extension round at c=10 is a second step record at the same level.
	before.Add(&runfile.Record{Step: 1, Round: 1, Concurrency: 10, Outcome: classify.OutcomePermission, Status: 403})
	after := cmpSummary(cmpLevel{1, 10, 0, 0}, cmpLevel{5, 10, 0, 0}, cmpLevel{10, 20, 0, 0})
	c := Compare(before, after)
	if len(c.Steps) != 3 {
		t.Fatalf("%d steps; want c=1, 5, 10", len(c.Steps))
	}
	for i, want := range []int{1, 5, 10} {
		if c.Steps[i].Concurrency != want {
			t.Errorf("step %d is c=%d; want c=%d", i, c.Steps[i].Concurrency, want)
		}
	}
	if s := c.Steps[2]; s.Before.Answered != 21 || s.Before.Refused403 != 11 || s.After.Answered != 20 {
		t.Errorf("c=10: %+v; want before 11/21 refused, after 20 answered", s)
	}
	if !math.IsNaN(c.Steps[1].P) {
		t.Errorf("c=5 ran only after: P = %v; want NaN", c.Steps[1].P)
	}
	if want := stats.FisherExact(11, 10, 0, 20, stats.TwoSided); c.Steps[2].P != want {
		t.Errorf("c=10: P = %v; want the two-sided Fisher exact %v", c.Steps[2].P, want)
	}
	if want := stats.FisherExact(11, 20, 0, 40, stats.TwoSided); c.P != want {
		t.Errorf("overall P = %v; want %v", c.P, want)
	}
	if c.Before.Sent != 31 || c.After.Sent != 40 {
		t.Errorf("sent %d before, %d after; want 31 and 40", c.Before.Sent, c.After.Sent)
	}
}

func TestDifferences(t *testing.T) {
	plan := target.Plan{Steps: []target.Step{{Concurrency: 1, Requests: 10}, {Concurrency: 5, Requests: 10}}, MaxRequests: 100, Timeout: target.Duration(30 * time.Second)}
	base := runfile.Header{Target: target.Info{BaseURL: "https://api.anthropic.com", Model: "m", KeyFingerprint: "aaaa0000"}, Plan: plan}
	for _, tc := range []struct {
		name string
		edit func(*runfile.Header)
		want []string
	}{
		{"same", func(*runfile.Header) {}, nil},
		{"base URL", func(h *runfile.Header) { h.Target.BaseURL = "https://gateway.example" }, []string{"base URL: https://api.anthropic.com vs https://gateway.example"}},
		{"model and key", func(h *runfile.Header) { h.Target.Model, h.Target.KeyFingerprint = "n", "bbbb1111" }, []string{"model: m vs n", "key fingerprint: aaaa0000 vs bbbb1111"}},
		{"plan", func(h *runfile.Header) { h.Plan.Steps = []target.Step{{Concurrency: 1, Requests: 10}} }, []string{"plan: steps c=1×10, c=5×10; no rate cap; timeout 30s; budget 100 vs steps c=1×10; no rate cap; timeout 30s; budget 100"}},
		{"rate", func(h *runfile.Header) { h.Plan.Rate = 2.5 }, []string{"plan: steps c=1×10, c=5×10; no rate cap; timeout 30s; budget 100 vs steps c=1×10, c=5×10; at most 2.5 requests/s; timeout 30s; budget 100"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other := base
			other.Plan.Steps = append([]target.Step(nil), plan.Steps...)
			tc.edit(&other)
			got := base.Differences(other)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Differences = %q; want %q", got, tc.want)
			}
		})
	}

	// Two in-process simulated APIs listen on different random ports: the
	// scenario names the target, not the URL.
	a, b := base, base
	a.Target.Scenario, a.Target.BaseURL = "abuse", "http://127.0.0.1:40001"
	b.Target.Scenario, b.Target.BaseURL = "abuse", "http://127.0.0.1:40002"
	if d := a.Differences(b); len(d) != 0 {
		t.Errorf("same scenario on two ports: %q; want none", d)
	}
	b.Target.Scenario = "healthy"
	if d := a.Differences(b); len(d) != 1 || d[0] != "scenario: abuse vs healthy" {
		t.Errorf("two scenarios: %q", d)
	}
}
