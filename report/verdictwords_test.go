package report

import (
	"fmt"
	"math"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// These tests read the words of verdicts decided on synthetic runs
// (diagnose.Decide, then Explain). The run builder is the one
// prober/diagnose's tests use, so a run means the same in both.

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

// summary folds the records into a diagnose.Summary.
func (b *runBuilder) summary() *diagnose.Summary {
	s := diagnose.NewSummary(b.steps)
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

func TestVerdictWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		run        *runBuilder
		sig        verdict.Signature
		confidence string
		check      func(t *testing.T, v verdict.Verdict)
	}{
		{"all ok", newRun().add(1, 10, okAnswer).add(5, 10, okAnswer), verdict.Healthy, verdict.High, func(t *testing.T, v verdict.Verdict) {
			for _, layer := range []string{"layer 1", "layer 2", "layer 3", "layer 4", "Q4"} {
				if !containsPart(v.RuledOut, layer) {
					t.Errorf("RuledOut = %q; want %s ruled out", v.RuledOut, layer)
				}
			}
		}},
		{"few ok", newRun().add(1, 2, okAnswer), verdict.Healthy, verdict.Low, nil},
		{"one failure among 20 ok", newRun().add(1, 10, okAnswer).add(5, 5, okAnswer).add(5, 1, serverAnswer).add(5, 5, okAnswer), verdict.Healthy, verdict.Medium, func(t *testing.T, v verdict.Verdict) {
			if !strings.Contains(v.Summary, "noise") {
				t.Errorf("Summary = %q; want it to call the failure noise", v.Summary)
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
			if v.NeedMore != 1 || !strings.Contains(v.Summary, string(verdict.AuthFailure)) {
				t.Errorf("NeedMore = %d, Summary = %q; want 1 more and a hint of %s", v.NeedMore, v.Summary, verdict.AuthFailure)
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
				if v.PValue == nil || *v.PValue < diagnose.Alpha {
					t.Fatalf("PValue = %v; want a run whose tests are not significant", deref(v.PValue))
				}
				if !strings.Contains(v.Summary, "Confidence is high on the counts alone") || !strings.Contains(v.Summary, "p="+formatP(*v.PValue)) {
					t.Errorf("Summary = %q; want the high confidence explained beside p=%s", v.Summary, formatP(*v.PValue))
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
				line := findPart(v.Evidence, "c=1: 0/10")
				if !strings.Contains(line, "c=10: 13/20") || !strings.Contains(line, "p="+formatP(want)) {
					t.Errorf("Evidence = %q; want a line with c=1: 0/10, c=10: 13/20 and p=%s", v.Evidence, formatP(want))
				}
				if !strings.Contains(v.Summary, "rise with concurrency") || v.NeedMore != 0 {
					t.Errorf("Summary = %q, NeedMore = %d", v.Summary, v.NeedMore)
				}
			}},
		{"403 trend across three steps",
			newRun().add(1, 10, okAnswer).add(5, 8, okAnswer).add(5, 2, permAnswer).add(10, 10, okAnswer).add(10, 10, permAnswer), verdict.Intermittent403, verdict.High,
			func(t *testing.T, v verdict.Verdict) {
				if findPart(v.Evidence, "Cochran-Armitage") == "" || v.PValue == nil || *v.PValue >= diagnose.Alpha {
					t.Errorf("Evidence = %q, PValue = %v; want a significant trend test", v.Evidence, deref(v.PValue))
				}
			}},
		{"alternating ok, 403, 403", newRun().pattern(1, 10, okAnswer, permAnswer, permAnswer), verdict.Intermittent403, verdict.High,
			func(t *testing.T, v verdict.Verdict) {
				if v.Test != "runs_test_alternation" || v.PValue == nil || *v.PValue >= diagnose.Alpha {
					t.Errorf("Test, PValue = %q, %v; want runs_test_alternation, under %v", v.Test, deref(v.PValue), diagnose.Alpha)
				}
				if !strings.Contains(v.Summary, "alternate") {
					t.Errorf("Summary = %q; want it to say the 403s alternate", v.Summary)
				}
			}},
		{"few 403s among few ok", newRun().add(1, 2, okAnswer).add(1, 2, permAnswer), verdict.Intermittent403, verdict.Low, func(t *testing.T, v verdict.Verdict) {
			if v.NeedMore <= 0 || len(v.ExtendAt) == 0 {
				t.Errorf("NeedMore, ExtendAt = %d, %v; want more asked for", v.NeedMore, v.ExtendAt)
			}
		}},
		{"challenges under load", newRun().add(1, 10, okAnswer).add(10, 10, challengeAnswer).add(10, 10, okAnswer), verdict.Intermittent403, verdict.High, func(t *testing.T, v verdict.Verdict) {
			if !strings.Contains(v.Summary, "Cloudflare") {
				t.Errorf("Summary = %q; want the edge named", v.Summary)
			}
		}},
		{"429 mixed with ok", newRun().add(1, 10, okAnswer).add(5, 5, okAnswer).add(5, 5, rateAnswer), verdict.RateLimited, verdict.High, nil},
		{"529 mixed with ok", newRun().pattern(1, 4, okAnswer, okAnswer, overAnswer), verdict.Overloaded, verdict.Medium, nil},
		{"500 everywhere", newRun().add(1, 6, serverAnswer), verdict.Overloaded, verdict.High, nil},
		{"TLS unknown authority", newRun().add(1, 5, tlsAnswer), verdict.ProxyInterference, verdict.High, func(t *testing.T, v verdict.Verdict) {
			if !strings.Contains(v.Summary, "intercepts TLS") {
				t.Errorf("Summary = %q", v.Summary)
			}
		}},
		{"connection resets", newRun().add(1, 5, resetAnswer), verdict.NetworkError, verdict.High, nil},
		{"key stripped on the way", newRun().add(1, 5, keyMissingAnswer), verdict.ProxyInterference, verdict.High, nil},
		{"region blocked at the edge", newRun().add(1, 5, edgeAnswer), verdict.RegionBlocked, verdict.High, func(t *testing.T, v verdict.Verdict) {
			if containsPart(v.RuledOut, "layer 3") || containsPart(v.RuledOut, "layer 1") {
				t.Errorf("RuledOut = %q; the edge answered, so neither layer 1 nor 3 is cleared", v.RuledOut)
			}
			if findPart(v.Evidence, "cf-ray") == "" {
				t.Errorf("Evidence = %q; want the cf-ray named", v.Evidence)
			}
		}},
		{"workspace denied by the API", newRun().add(1, 5, permAnswer), verdict.WorkspaceDenied, verdict.High, func(t *testing.T, v verdict.Verdict) {
			if !containsPart(v.RuledOut, "layer 1") || !containsPart(v.RuledOut, "layer 3") || containsPart(v.RuledOut, "layer 2") {
				t.Errorf("RuledOut = %q; want layers 1 and 3 (origin answers that are not 401), not 2", v.RuledOut)
			}
		}},
		{"model not enabled", newRun().add(1, 5, modelAnswer), verdict.ModelNotEnabled, verdict.High, nil},
		{"billing", newRun().add(1, 5, billingAnswer), verdict.BillingIssue, verdict.High, nil},
		{"mixed failures", newRun().add(1, 3, authAnswer).add(1, 3, permAnswer).add(1, 1, modelAnswer), verdict.AuthFailure, verdict.Low, nil},
		{"tie goes to the nearer layer", newRun().add(1, 3, permAnswer).add(1, 3, tlsAnswer), verdict.ProxyInterference, verdict.Medium, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := c.run.summary()
			v := Explain(diagnose.Decide(s))
			if v.Signature != c.sig || v.Confidence != c.confidence {
				t.Fatalf("Decide() = %s (%s): %s\nevidence %q; want %s (%s)", v.Signature, v.Confidence, v.Summary, v.Evidence, c.sig, c.confidence)
			}
			if v.Layer != c.sig.Layer() {
				t.Errorf("Layer = %q; want %q", v.Layer, c.sig.Layer())
			}
			if len(v.NextSteps) == 0 || v.Summary == "" || v.Evidence == nil || v.RuledOut == nil {
				t.Errorf("verdict lacks next steps, summary, evidence or ruled-out: %+v", v)
			}
			if containsPart(v.RuledOut, "layer "+v.Layer+" ") {
				t.Errorf("RuledOut = %q rules out the verdict's own layer %s", v.RuledOut, v.Layer)
			}
			if c.check != nil {
				c.check(t, v)
			}
		})
	}
}

// TestNextStepsEverySignature: every signature of the design's table has
// next steps.
func TestNextStepsEverySignature(t *testing.T) {
	t.Parallel()
	for _, sig := range []verdict.Signature{verdict.Healthy, verdict.AuthFailure, verdict.ProxyInterference, verdict.WorkspaceDenied, verdict.RegionBlocked,
		verdict.ModelNotEnabled, verdict.Intermittent403, verdict.AccountFlagged, verdict.BillingIssue, verdict.RateLimited, verdict.Overloaded,
		verdict.NetworkError, verdict.Inconclusive} {
		if steps := nextSteps(verdict.Verdict{Signature: sig}, footerAdvice); len(steps) == 0 {
			t.Errorf("nextSteps(%s) is empty", sig)
		}
	}
}

func TestFormatP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		p    float64
		want string
	}{
		{math.NaN(), "n/a"},
		{0, "<1e-12"},
		{1e-13, "<1e-12"},
		{5e-5, "5.0e-05"},
		{0.0001, "0.0001"},
		{0.0004, "0.0004"},
		{0.04999, "0.05"},
		{0.05, "0.05"},
		{0.12, "0.12"},
		{0.5, "0.5"},
		{1, "1"},
	}
	for _, c := range cases {
		if got := formatP(c.p); got != c.want {
			t.Errorf("formatP(%v) = %q; want %q", c.p, got, c.want)
		}
	}
}

// classified builds the answer kind the classifier makes of a raw answer,
// so these tests go through the real classifier.
func classified(t *testing.T, status int, h http.Header, body string) answerKind {
	t.Helper()
	c := classify.Classify(classify.Answer{Status: status, Header: h, Body: []byte(body), Model: "claude-sonnet-4-5"})
	return answerKind{c.Outcome, status, c.ErrorType, c.Message, c.RequestIDSource}
}

// from sets who answered on the records added so far that do not say, as
// the engine records it.
func (b *runBuilder) from(p classify.Producer) *runBuilder {
	for _, r := range b.recs {
		if r.Producer == "" {
			r.Producer = p
		}
	}
	return b
}

// TestIssue16Trust covers the verdict items of issue 16 that failed before:
// each row fails on the old classifier or verdict.
func TestIssue16Trust(t *testing.T) {
	t.Parallel()
	nginx := http.Header{"Content-Type": {"application/json"}, "Server": {"nginx"}}
	envoy := http.Header{"Content-Type": {"text/plain"}, "Server": {"envoy"}}
	cases := []struct {
		name    string
		run     *runBuilder
		wantSig verdict.Signature
		// notHigh forbids high confidence; notIn lists text the verdict must not show.
		notHigh bool
		notIn   []string
	}{
		{"#2 a 200 {} is not healthy",
			newRun().add(1, 10, classified(t, 200, nginx, `{}`)).from(classify.ProducerProxy),
			verdict.ProxyInterference, false, nil},
		{"#2 a captive portal's 200 is not healthy",
			newRun().add(1, 10, classified(t, 200, nginx, `{"status":"blocked","detail":"captive portal: log in first"}`)).from(classify.ProducerProxy),
			verdict.ProxyInterference, false, nil},
		{"#3 403s among dominating 429s name the rate limit",
			newRun().pattern(5, 5, okAnswer).pattern(10, 38, rateAnswer).pattern(10, 7, edgeAnswer),
			verdict.RateLimited, true, []string{"permission_error", "layer 3 (region/IP)"}},
		{"#3 403s among dominating 529s name the overload",
			newRun().pattern(5, 5, okAnswer).pattern(10, 38, overAnswer).pattern(10, 7, permAnswer),
			verdict.Overloaded, true, nil},
		{"#8 Envoy's plain-text 403 is not workspace_denied",
			newRun().add(1, 10, classified(t, 403, envoy, "RBAC: access denied")).from(classify.ProducerProxy),
			verdict.ProxyInterference, true, []string{"Anthropic", "support ticket"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// The producer is the record's own word, as the engine writes it.
			v := Explain(diagnose.Decide(c.run.summary()))
			if v.Signature != c.wantSig {
				t.Fatalf("signature %s (%s); want %s\nsummary: %s\nevidence: %q", v.Signature, v.Confidence, c.wantSig, v.Summary, v.Evidence)
			}
			if c.notHigh && v.Confidence == verdict.High {
				t.Errorf("confidence high; want at most medium\nevidence: %q", v.Evidence)
			}
			all := strings.Join(append(append(append([]string{v.Summary}, v.Evidence...), v.RuledOut...), v.NextSteps...), "\n")
			for _, bad := range c.notIn {
				if strings.Contains(all, bad) {
					t.Errorf("verdict says %q:\n%s", bad, all)
				}
			}
		})
	}
}

// TestRateBelowConcurrency: a step that never held its concurrency in
// flight is said so, and a healthy verdict resting on it is not high
// (issue 16 #13).
func TestRateBelowConcurrency(t *testing.T) {
	t.Parallel()
	b := newRun().add(1, 10, okAnswer).add(2, 10, okAnswer).add(5, 10, okAnswer).add(10, 20, okAnswer)
	for _, r := range b.recs {
		r.InFlight = 1 // --rate 8 on a fast server: never two at once
	}
	v := Explain(diagnose.Decide(b.summary()))
	if v.Signature != verdict.Healthy || v.Confidence == verdict.High {
		t.Errorf("verdict %s (%s); want healthy below high", v.Signature, v.Confidence)
	}
	if !strings.Contains(strings.Join(v.Evidence, "\n"), "c=10 never reached its concurrency") {
		t.Errorf("evidence does not say c=10 was never reached: %q", v.Evidence)
	}
}

// TestOutOfFileDescriptors: requests that failed in probe itself (EMFILE)
// are said so, never called cancelled, and the first next step is to
// raise the open-file limit (issue 16).
func TestOutOfFileDescriptors(t *testing.T) {
	t.Parallel()
	b := newRun().add(1, 10, okAnswer).add(20, 9, okAnswer).add(20, 31, toolAnswer).add(20, 2, cancelledAnswer)
	v := Explain(diagnose.Decide(b.summary()))
	if v.Signature != verdict.Healthy || v.Confidence != verdict.Low {
		t.Errorf("verdict %s (%s); want healthy (low): c=20 was not tested", v.Signature, v.Confidence)
	}
	for _, want := range []string{
		"c=20: 9/9 succeeded, 31 failed in probe itself, 2 cancelled",
		"31 requests failed in probe itself, not at the API (out of file descriptors: too many open files), so that step was not tested as planned (c=20: 31 of 42)",
	} {
		if !containsPart(v.Evidence, want) {
			t.Errorf("evidence lacks %q: %q", want, v.Evidence)
		}
	}
	if len(v.NextSteps) == 0 || !strings.Contains(v.NextSteps[0], "ulimit -n") {
		t.Errorf("NextSteps = %q; want the open-file limit first", v.NextSteps)
	}
	// Every request failing in probe itself: no answers, and the same words.
	v = Explain(diagnose.Decide(newRun().add(1, 5, toolAnswer).summary()))
	if v.Signature != verdict.Inconclusive || !containsPart(v.Evidence, "5 requests failed in probe itself") || !strings.Contains(v.NextSteps[0], "ulimit -n") {
		t.Errorf("all tool failures: %s, evidence %q, next steps %q", v.Signature, v.Evidence, v.NextSteps)
	}
}

// TestEarlyStopLine: the early-stop line says what the first answers
// were and never claims the in-flight successes were failures (issue 16 #5).
func TestEarlyStopLine(t *testing.T) {
	t.Parallel()
	s := diagnose.NewSummary([]target.Step{{Concurrency: 20, Requests: 40}})
	add := func(n int, k answerKind) {
		for range n {
			s.Add(&runfile.Record{Concurrency: 20, InFlight: 20, Status: k.status, Outcome: k.outcome, Message: k.message, RequestIDSource: k.idSource})
		}
	}
	add(5, authAnswer) // what triggered the stop
	add(16, okAnswer)  // in flight when it stopped
	add(3, authAnswer)
	got := earlyStopLine(*diagnose.EarlyStop(s))
	if strings.Contains(got, "first 24 answers") || strings.Contains(got, "were all the same deterministic failure, so") {
		t.Errorf("early stop claims every answer failed: %s", got)
	}
	if !strings.Contains(got, "first 5 answers") || !strings.Contains(got, "16 of 24") {
		t.Errorf("early stop does not say 5 failures then 16 of 24 successes: %s", got)
	}
}

// TestAccountFlagged: every answer a refusal saying the account is flagged
// is layer 5, and the next step is to stop probing.
func TestAccountFlagged(t *testing.T) {
	t.Parallel()
	api := http.Header{"Request-Id": {"req_011CFlag"}, "Content-Type": {"application/json"}}
	k := classified(t, 403, api, `{"type":"error","error":{"type":"permission_error","message":"Your account has been suspended for unusual activity."},"request_id":"req_011CFlag"}`)
	v := Explain(diagnose.Decide(newRun().add(1, 5, k).summary()))
	if v.Signature != verdict.AccountFlagged || v.Layer != "5" {
		t.Fatalf("verdict %s (layer %s); want account_flagged (layer 5)", v.Signature, v.Layer)
	}
	if !strings.HasPrefix(v.NextSteps[0], "Stop probing") {
		t.Errorf("next steps do not begin with stopping: %q", v.NextSteps)
	}
}

// TestDescribeKindEscapesOnce: messages are stored escaped, and a verdict
// shows them as stored, not escaped a second time.
func TestDescribeKindEscapesOnce(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, raw, want string }{
		{"newline", "denied\nby gateway", `403 permission_error "denied\nby gateway"`},
		{"escape", "a\x1b[31mb", `403 permission_error "a\u001b[31mb"`},
		{"bidi", "a\u202eb", `403 permission_error "a\u202eb"`},
		{"accent", "refusé", `403 permission_error "refusé"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			k := verdict.Kind{Outcome: classify.OutcomePermission, Status: 403, ErrorType: "permission_error", Message: classify.Printable(c.raw, classify.MaxMessage)}
			if got := k.String(); got != c.want {
				t.Errorf("Kind.String() = %s; want %s", got, c.want)
			}
		})
	}
}

// containsPart reports whether any line contains part.
func containsPart(lines []string, part string) bool { return findPart(lines, part) != "" }

// findPart returns the first line containing part, or "".
func findPart(lines []string, part string) string {
	for _, l := range lines {
		if strings.Contains(l, part) {
			return l
		}
	}
	return ""
}

// deref shows a p-value pointer in messages.
func deref(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}
