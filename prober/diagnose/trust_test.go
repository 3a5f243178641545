package diagnose

import (
	"net/http"
	"slices"
	"testing"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

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
		// notHigh forbids high confidence; notIn lists text the verdict
		// must not show (report's TestIssue16Trust reads the words).
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
			v := Decide(c.run.summary())
			if v.Signature != c.wantSig {
				t.Fatalf("signature %s (%s); want %s\nbasis: %+v", v.Signature, v.Confidence, c.wantSig, v.Basis)
			}
			if c.notHigh && v.Confidence == verdict.High {
				t.Errorf("confidence high; want at most medium\nbasis: %+v", v.Basis)
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
	v := Decide(b.summary())
	if v.Signature != verdict.Healthy || v.Confidence == verdict.High {
		t.Errorf("verdict %s (%s); want healthy below high", v.Signature, v.Confidence)
	}
	if !slices.Contains(v.Basis.Shortfalls, verdict.Shortfall{Concurrency: 10, MaxInFlight: 1}) {
		t.Errorf("Shortfalls = %+v; want c=10 never reached (at most 1 in flight)", v.Basis.Shortfalls)
	}
}

// TestEarlyStop: the early stop records what the first answers were and
// what the requests in flight then answered, so the words never claim the
// in-flight successes were failures (issue 16 #5).
func TestEarlyStop(t *testing.T) {
	t.Parallel()
	s := NewSummary([]target.Step{{Concurrency: 20, Requests: 40}})
	add := func(n int, k answerKind) {
		for range n {
			s.Add(&runfile.Record{Concurrency: 20, InFlight: 20, Status: k.status, Outcome: k.outcome, Message: k.message, RequestIDSource: k.idSource})
		}
	}
	add(5, authAnswer) // what triggered the stop
	add(16, okAnswer)  // in flight when it stopped
	add(3, authAnswer)
	got := *EarlyStop(s)
	want := verdict.EarlyStop{UniformRun: 5, Concurrency: 20, Outcome: classify.OutcomeAuth, Status: 401, StepOK: 16, StepAnswered: 24}
	if got != want {
		t.Errorf("EarlyStop = %+v; want %+v", got, want)
	}
}

// TestAccountFlagged: every answer a refusal saying the account is flagged
// is layer 5, and the next step is to stop probing.
func TestAccountFlagged(t *testing.T) {
	t.Parallel()
	api := http.Header{"Request-Id": {"req_011CFlag"}, "Content-Type": {"application/json"}}
	k := classified(t, 403, api, `{"type":"error","error":{"type":"permission_error","message":"Your account has been suspended for unusual activity."},"request_id":"req_011CFlag"}`)
	v := Decide(newRun().add(1, 5, k).summary())
	if v.Signature != verdict.AccountFlagged || v.Layer != "5" {
		t.Fatalf("verdict %s (layer %s); want account_flagged (layer 5)", v.Signature, v.Layer)
	}
}
