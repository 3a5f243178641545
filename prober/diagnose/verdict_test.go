package diagnose

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// answerKind is the shape of a synthetic answer: what the classifier would
// have made of it.
type answerKind struct {
	outcome  classify.Outcome
	status   int
	errType  string
	message  string
	idSource string
}

var (
	okAnswer         = answerKind{classify.OutcomeOK, 200, "", "", classify.IDFromRequestID}
	authAnswer       = answerKind{classify.OutcomeAuth, 401, "authentication_error", "invalid x-api-key", classify.IDFromRequestID}
	keyMissingAnswer = answerKind{classify.OutcomeKeyNotReceived, 401, "authentication_error", "x-api-key header is required", classify.IDFromRequestID}
	permAnswer       = answerKind{classify.OutcomePermission, 403, "permission_error", "Permission denied", classify.IDFromRequestID}
	modelAnswer      = answerKind{classify.OutcomeModel, 404, "not_found_error", "model: claude-nope", classify.IDFromRequestID}
	edgeAnswer       = answerKind{classify.OutcomeForbiddenEdge, 403, "forbidden", "Request not allowed", classify.IDFromCFRay}
	challengeAnswer  = answerKind{classify.OutcomeChallenge, 403, "cloudflare_challenge", "Just a moment...", classify.IDFromCFRay}
	billingAnswer    = answerKind{classify.OutcomeBilling, 400, "invalid_request_error", "Your credit balance is too low", classify.IDFromRequestID}
	rateAnswer       = answerKind{classify.OutcomeRateLimit, 429, "rate_limit_error", "rate limited", classify.IDFromRequestID}
	overAnswer       = answerKind{classify.OutcomeOverloaded, 529, "overloaded_error", "Overloaded", classify.IDFromRequestID}
	serverAnswer     = answerKind{classify.OutcomeServer, 500, "api_error", "Internal server error", classify.IDFromRequestID}
	tlsAnswer        = answerKind{classify.OutcomeTLS, 0, "", "certificate signed by unknown authority (issuer: O=Corp Proxy CA): something intercepts TLS", ""}
	resetAnswer      = answerKind{classify.OutcomeReset, 0, "", "read: connection reset by peer", ""}
	cancelledAnswer  = answerKind{classify.OutcomeCanceled, 0, "", "cancelled by the user", ""}
	toolAnswer       = answerKind{classify.OutcomeTool, 0, "", "probe ran out of file descriptors (too many open files)", ""}
)

// runBuilder makes synthetic records in time order, as an engine would
// hand them to a Summary.
type runBuilder struct {
	steps []target.Step
	recs  []*runfile.Record
}

// add appends n answers of kind k at the step with concurrency c (the step
// is created on first use).
func (b *runBuilder) add(c, n int, k answerKind) *runBuilder {
	idx := -1
	for i, s := range b.steps {
		if s.Concurrency == c {
			idx = i
		}
	}
	if idx < 0 {
		idx = len(b.steps)
		b.steps = append(b.steps, target.Step{Concurrency: c})
	}
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for range n {
		seq := int64(len(b.recs))
		r := &runfile.Record{
			Kind: "request", Step: idx, Concurrency: c, Seq: seq,
			Started: t0.Add(time.Duration(seq) * 10 * time.Millisecond), Finished: t0.Add(time.Duration(seq)*10*time.Millisecond + 5*time.Millisecond),
			TotalMS: 5, InFlight: c, Status: k.status, Outcome: k.outcome, ErrorType: k.errType, Message: k.message, RequestIDSource: k.idSource,
		}
		switch k.idSource {
		case classify.IDFromRequestID:
			r.RequestID = fmt.Sprintf("req_%04d", seq)
		case classify.IDFromCFRay:
			r.RequestID = fmt.Sprintf("%016x-SJC", seq)
		}
		b.steps[idx].Requests++
		b.recs = append(b.recs, r)
	}
	return b
}

// pattern appends answers at concurrency c following kinds in turn, times
// times over.
func (b *runBuilder) pattern(c, times int, kinds ...answerKind) *runBuilder {
	for range times {
		for _, k := range kinds {
			b.add(c, 1, k)
		}
	}
	return b
}

// summary folds the records into a Summary.
func (b *runBuilder) summary() *Summary {
	s := NewSummary(b.steps)
	for _, r := range b.recs {
		s.Add(r)
	}
	return s
}

// newRun starts an empty synthetic run.
func newRun() *runBuilder { return &runBuilder{} }

// fisherUpper is the one-sided Fisher exact p-value of failHigh or more
// failures at the high step, computed here from binomial coefficients
// independently of package stats.
func fisherUpper(failLow, nLow, failHigh, nHigh int) float64 {
	fails := failLow + failHigh
	total := new(big.Rat)
	denom := new(big.Int).Binomial(int64(nLow+nHigh), int64(fails))
	for x := failHigh; x <= min(fails, nHigh); x++ {
		num := new(big.Int).Mul(new(big.Int).Binomial(int64(nHigh), int64(x)), new(big.Int).Binomial(int64(nLow), int64(fails-x)))
		total.Add(total, new(big.Rat).SetFrac(num, denom))
	}
	f, _ := total.Float64()
	return f
}

func TestDecide(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		run        *runBuilder
		sig        verdict.Signature
		confidence string
		check      func(t *testing.T, v verdict.Verdict)
	}{
		{"all ok", newRun().add(1, 10, okAnswer).add(5, 10, okAnswer), verdict.Healthy, verdict.High, func(t *testing.T, v verdict.Verdict) {
			want := []verdict.Clearance{verdict.ClearedAuthServed, verdict.ClearedWorkspaceServed, verdict.ClearedRegionServed, verdict.ClearedModelServed, verdict.ClearedProxyServed}
			if !slices.Equal(v.Basis.Cleared, want) {
				t.Errorf("Cleared = %q; want %q", v.Basis.Cleared, want)
			}
		}},
		{"few ok", newRun().add(1, 2, okAnswer), verdict.Healthy, verdict.Low, nil},
		{"one failure among 20 ok", newRun().add(1, 10, okAnswer).add(5, 5, okAnswer).add(5, 1, serverAnswer).add(5, 5, okAnswer), verdict.Healthy, verdict.Medium, func(t *testing.T, v verdict.Verdict) {
			if v.Basis.Path != verdict.PathNoise || v.Basis.Kind.Outcome != classify.OutcomeServer {
				t.Errorf("Basis = %+v; want the failure taken for noise", v.Basis)
			}
		}},
		{"one 403 among 20 ok", newRun().add(1, 20, okAnswer).add(1, 1, permAnswer), verdict.Healthy, verdict.Medium, nil},
		{"one failure among 3 ok", newRun().add(1, 3, okAnswer).add(1, 1, permAnswer), verdict.Inconclusive, verdict.Low, func(t *testing.T, v verdict.Verdict) {
			if v.NeedMore <= 0 || len(v.ExtendAt) == 0 {
				t.Errorf("NeedMore, ExtendAt = %d, %v; want more requests asked for", v.NeedMore, v.ExtendAt)
			}
		}},
		{"5× 401", newRun().add(1, 5, authAnswer), verdict.AuthFailure, verdict.High, nil},
		{"2× 401", newRun().add(1, 2, authAnswer), verdict.Inconclusive, verdict.Low, func(t *testing.T, v verdict.Verdict) {
			if v.NeedMore != 1 || v.Basis.Path != verdict.PathTooFew || v.Basis.Apparent != verdict.AuthFailure {
				t.Errorf("NeedMore = %d, Basis = %+v; want 1 more and a hint of %s", v.NeedMore, v.Basis, verdict.AuthFailure)
			}
		}},
		{"3× 401", newRun().add(1, 3, authAnswer), verdict.AuthFailure, verdict.Medium, nil},
		{"no answers", newRun().add(1, 4, cancelledAnswer), verdict.Inconclusive, verdict.Low, func(t *testing.T, v verdict.Verdict) {
			if v.NeedMore <= 0 {
				t.Errorf("NeedMore = %d; want > 0", v.NeedMore)
			}
		}},
		{"403s without a pattern: high explained beside p", // issue 17
			newRun().pattern(1, 2, okAnswer, okAnswer, permAnswer, permAnswer).pattern(5, 2, okAnswer, okAnswer, permAnswer, permAnswer), verdict.Intermittent403, verdict.High,
			func(t *testing.T, v verdict.Verdict) {
				if v.PValue == nil || *v.PValue < alpha {
					t.Fatalf("PValue = %v; want a run whose tests are not significant", deref(v.PValue))
				}
				if v.Basis.Dependent || v.Basis.Alternating || v.Basis.Refused != 8 || v.Basis.OK != 8 {
					t.Errorf("Basis = %+v; want neither test significant, 8 refused and 8 succeeded", v.Basis)
				}
			}},
		{"403 rising with concurrency",
			newRun().add(1, 10, okAnswer).add(10, 13, permAnswer).add(10, 7, okAnswer), verdict.Intermittent403, verdict.High,
			func(t *testing.T, v verdict.Verdict) {
				want := fisherUpper(0, 10, 13, 20)
				if v.PValue == nil || math.Abs(*v.PValue-want) > 1e-12 || *v.PValue >= 0.01 {
					t.Errorf("PValue = %v; want %g (one-sided Fisher exact), under 0.01", deref(v.PValue), want)
				}
				if v.Test != "fisher_exact_one_sided" {
					t.Errorf("Test = %q; want fisher_exact_one_sided", v.Test)
				}
				f := v.Basis.Fisher
				if f == nil || *f != (verdict.FisherTest{LowC: 1, LowRefused: 0, LowAnswered: 10, HighC: 10, HighRefused: 13, HighAnswered: 20, P: f.P}) || math.Abs(f.P-want) > 1e-12 {
					t.Errorf("Fisher = %+v; want c=1: 0/10 against c=10: 13/20, p=%g", f, want)
				}
				if !v.Basis.Dependent || v.NeedMore != 0 {
					t.Errorf("Dependent = %v, NeedMore = %d; want a rise with concurrency, nothing more asked", v.Basis.Dependent, v.NeedMore)
				}
			}},
		{"403 trend across three steps",
			newRun().add(1, 10, okAnswer).add(5, 8, okAnswer).add(5, 2, permAnswer).add(10, 10, okAnswer).add(10, 10, permAnswer), verdict.Intermittent403, verdict.High,
			func(t *testing.T, v verdict.Verdict) {
				if tr := v.Basis.Trend; tr == nil || !slices.Equal(tr.Levels, []int{1, 5, 10}) || v.PValue == nil || *v.PValue >= alpha {
					t.Errorf("Trend = %+v, PValue = %v; want a significant trend test across c=1,5,10", v.Basis.Trend, deref(v.PValue))
				}
			}},
		{"alternating ok, 403, 403", newRun().pattern(1, 10, okAnswer, permAnswer, permAnswer), verdict.Intermittent403, verdict.High,
			func(t *testing.T, v verdict.Verdict) {
				if v.Test != "runs_test_alternation" || v.PValue == nil || *v.PValue >= alpha {
					t.Errorf("Test, PValue = %q, %v; want runs_test_alternation, under %v", v.Test, deref(v.PValue), alpha)
				}
				if !v.Basis.Alternating || v.Basis.Dependent {
					t.Errorf("Alternating, Dependent = %v, %v; want the 403s to alternate", v.Basis.Alternating, v.Basis.Dependent)
				}
			}},
		{"few 403s among few ok", newRun().add(1, 2, okAnswer).add(1, 2, permAnswer), verdict.Intermittent403, verdict.Low, func(t *testing.T, v verdict.Verdict) {
			if v.NeedMore <= 0 || len(v.ExtendAt) == 0 {
				t.Errorf("NeedMore, ExtendAt = %d, %v; want more asked for", v.NeedMore, v.ExtendAt)
			}
		}},
		{"challenges under load", newRun().add(1, 10, okAnswer).add(10, 10, challengeAnswer).add(10, 10, okAnswer), verdict.Intermittent403, verdict.High, func(t *testing.T, v verdict.Verdict) {
			if v.Basis.Source != verdict.SourceChallenge {
				t.Errorf("Source = %q; want the edge's challenge pages", v.Basis.Source)
			}
		}},
		{"429 mixed with ok", newRun().add(1, 10, okAnswer).add(5, 5, okAnswer).add(5, 5, rateAnswer), verdict.RateLimited, verdict.High, nil},
		{"529 mixed with ok", newRun().pattern(1, 4, okAnswer, okAnswer, overAnswer), verdict.Overloaded, verdict.Medium, nil},
		{"500 everywhere", newRun().add(1, 6, serverAnswer), verdict.Overloaded, verdict.High, nil},
		{"TLS unknown authority", newRun().add(1, 5, tlsAnswer), verdict.ProxyInterference, verdict.High, func(t *testing.T, v verdict.Verdict) {
			if v.Basis.Kind.Outcome != classify.OutcomeTLS {
				t.Errorf("Kind = %+v; want the TLS failure named", v.Basis.Kind)
			}
		}},
		{"connection resets", newRun().add(1, 5, resetAnswer), verdict.NetworkError, verdict.High, nil},
		{"key stripped on the way", newRun().add(1, 5, keyMissingAnswer), verdict.ProxyInterference, verdict.High, nil},
		{"region blocked at the edge", newRun().add(1, 5, edgeAnswer), verdict.RegionBlocked, verdict.High, func(t *testing.T, v verdict.Verdict) {
			if cleared(v, verdict.ClearedRegionServed, verdict.ClearedRegionOrigin, verdict.ClearedAuthServed, verdict.ClearedAuthAccepted) {
				t.Errorf("Cleared = %q; the edge answered, so neither layer 1 nor 3 is cleared", v.Basis.Cleared)
			}
			if k := v.Basis.Kinds; len(k) == 0 || k[0].IDSource != classify.IDFromCFRay || k[0].RequestID == "" {
				t.Errorf("Kinds = %+v; want the cf-ray kept", k)
			}
		}},
		{"workspace denied by the API", newRun().add(1, 5, permAnswer), verdict.WorkspaceDenied, verdict.High, func(t *testing.T, v verdict.Verdict) {
			if !slices.Equal(v.Basis.Cleared, []verdict.Clearance{verdict.ClearedAuthAccepted, verdict.ClearedRegionOrigin, verdict.ClearedProxyOrigin}) {
				t.Errorf("Cleared = %q; want layers 1 and 3 (origin answers that are not 401) and Q4, not 2", v.Basis.Cleared)
			}
		}},
		{"model not enabled", newRun().add(1, 5, modelAnswer), verdict.ModelNotEnabled, verdict.High, nil},
		{"billing", newRun().add(1, 5, billingAnswer), verdict.BillingIssue, verdict.High, nil},
		{"mixed failures", newRun().add(1, 3, authAnswer).add(1, 3, permAnswer).add(1, 1, modelAnswer), verdict.AuthFailure, verdict.Low, nil},
		{"tie goes to the nearer layer", newRun().add(1, 3, permAnswer).add(1, 3, tlsAnswer), verdict.ProxyInterference, verdict.Medium, nil},
		// Requests that failed in probe itself (EMFILE) are no answers:
		// the step they were at was not tested, which the verdict says
		// instead of calling them cancelled or the run healthy (high).
		{"out of file descriptors at the top step", newRun().add(1, 10, okAnswer).add(20, 9, okAnswer).add(20, 31, toolAnswer), verdict.Healthy, verdict.Low, func(t *testing.T, v verdict.Verdict) {
			want := []verdict.ToolFailure{{Concurrency: 20, Failed: 31, Sent: 40}}
			if !slices.Equal(v.Basis.ToolFailures, want) {
				t.Errorf("ToolFailures = %+v; want %+v", v.Basis.ToolFailures, want)
			}
			if st := v.Basis.Steps; len(st) != 2 || st[1].ToolFailed != 31 || st[1].Answered != 9 {
				t.Errorf("Steps = %+v; want c=20 with 9 answered and 31 tool failures", st)
			}
		}},
		{"a few tool failures", newRun().add(1, 10, okAnswer).add(5, 18, okAnswer).add(5, 2, toolAnswer), verdict.Healthy, verdict.Medium, nil},
		{"tool failures and a clean auth failure", newRun().add(1, 10, authAnswer).add(5, 1, toolAnswer).add(5, 9, authAnswer), verdict.AuthFailure, verdict.Medium, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := c.run.summary()
			v := Decide(s)
			if v.Signature != c.sig || v.Confidence != c.confidence {
				t.Fatalf("Decide() = %s (%s): %+v; want %s (%s)", v.Signature, v.Confidence, v.Basis, c.sig, c.confidence)
			}
			if v.Layer != c.sig.Layer() {
				t.Errorf("Layer = %q; want %q", v.Layer, c.sig.Layer())
			}
			if v.Basis == nil || v.Basis.Path == "" {
				t.Fatalf("verdict has no basis: %+v", v)
			}
			if v.Summary != "" || v.Evidence != nil || v.RuledOut != nil || v.NextSteps != nil {
				t.Errorf("Decide wrote words (report.Explain makes them): %+v", v)
			}
			if cleared(v, ownLayer[v.Signature]...) {
				t.Errorf("Cleared = %q rules out the verdict's own layer %s", v.Basis.Cleared, v.Layer)
			}
			if c.check != nil {
				c.check(t, v)
			}
		})
	}
}

// TestSignatureLayers checks every signature against the design's table.
func TestSignatureLayers(t *testing.T) {
	t.Parallel()
	want := map[verdict.Signature]string{
		verdict.Healthy: "-", verdict.AuthFailure: "1", verdict.ProxyInterference: "Q4", verdict.WorkspaceDenied: "2", verdict.RegionBlocked: "3",
		verdict.ModelNotEnabled: "4", verdict.Intermittent403: "5", verdict.BillingIssue: "-", verdict.RateLimited: "-", verdict.Overloaded: "-",
		verdict.NetworkError: "-", verdict.Inconclusive: "-",
	}
	for sig, layer := range want {
		if got := sig.Layer(); got != layer {
			t.Errorf("%s.Layer() = %q; want %q", sig, got, layer)
		}
	}
}

func TestSummaryStaysBounded(t *testing.T) {
	t.Parallel()
	b := newRun()
	for i := range 300 {
		b.add(1, 1, answerKind{classify.OutcomePermission, 403, "permission_error", fmt.Sprintf("message %d", i), classify.IDFromRequestID})
	}
	s := b.summary()
	if len(s.Kinds) != maxKinds || s.OtherKinds != 300-maxKinds {
		t.Errorf("Kinds, OtherKinds = %d, %d; want %d, %d", len(s.Kinds), s.OtherKinds, maxKinds, 300-maxKinds)
	}
	if len(s.FailedIDs) != maxFailedIDs || s.FailedIDCount != 300 {
		t.Errorf("FailedIDs, FailedIDCount = %d, %d; want %d, 300", len(s.FailedIDs), s.FailedIDCount, maxFailedIDs)
	}
	if s.refused403() != 300 || s.Answered != 300 || s.OK != 0 {
		t.Errorf("Refused403, Answered, OK = %d, %d, %d", s.refused403(), s.Answered, s.OK)
	}
}

func TestSummaryLevels(t *testing.T) {
	t.Parallel()
	// Two steps at c=5 (a ramp step and an extension round) merge into one level.
	s := NewSummary([]target.Step{{Concurrency: 1, Requests: 2}, {Concurrency: 5, Requests: 2}})
	add := func(step, c int, k answerKind) {
		s.Add(&runfile.Record{Step: step, Concurrency: c, Status: k.status, Outcome: k.outcome})
	}
	add(0, 1, okAnswer)
	add(0, 1, okAnswer)
	add(1, 5, permAnswer)
	add(1, 5, okAnswer)
	add(2, 5, permAnswer) // a step beyond the plan: an extension
	add(0, 1, cancelledAnswer)
	got := s.Levels()
	want := []Level{{Concurrency: 1, Answered: 2, OK: 2}, {Concurrency: 5, Answered: 3, Refused403: 2, OK: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("Levels() = %+v; want %+v", got, want)
	}
	if s.Sent != 6 || s.Answered != 5 || s.Steps[0].Sent != 3 || s.Steps[0].Answered != 2 {
		t.Errorf("Sent %d, Answered %d, step 0 sent %d answered %d", s.Sent, s.Answered, s.Steps[0].Sent, s.Steps[0].Answered)
	}
	if o, uniform := s.Uniform(); uniform {
		t.Errorf("Uniform() = %s, true on mixed answers", o)
	}
}

// ownLayer lists, per signature, the clearances that would rule out its
// own layer.
var ownLayer = map[verdict.Signature][]verdict.Clearance{
	verdict.AuthFailure:       {verdict.ClearedAuthServed, verdict.ClearedAuthAccepted},
	verdict.WorkspaceDenied:   {verdict.ClearedWorkspaceServed},
	verdict.RegionBlocked:     {verdict.ClearedRegionServed, verdict.ClearedRegionOrigin},
	verdict.ModelNotEnabled:   {verdict.ClearedModelServed},
	verdict.ProxyInterference: {verdict.ClearedProxyServed, verdict.ClearedProxyOrigin},
}

// cleared reports whether the verdict rules out any of cs.
func cleared(v verdict.Verdict, cs ...verdict.Clearance) bool {
	for _, c := range cs {
		if slices.Contains(v.Basis.Cleared, c) {
			return true
		}
	}
	return false
}

// deref shows a p-value pointer in messages.
func deref(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}
