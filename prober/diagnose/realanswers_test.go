package diagnose_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/llm-probe/probe/scenarios"
)

// record is what the engine would write for one answer of a fixture.
func record(t *testing.T, a scenarios.RealAnswer, seq int) *runfile.Record {
	t.Helper()
	r := &runfile.Record{Kind: "request", Concurrency: 1, Seq: int64(seq), InFlight: 1, Status: a.Status,
		Started: time.Unix(0, 0).Add(time.Duration(seq) * time.Second), Finished: time.Unix(0, 0).Add(time.Duration(seq)*time.Second + time.Millisecond)}
	if a.Status == 0 {
		r.Outcome, r.Message = classify.ClassifyError(errors.New(a.TransportError))
		return r
	}
	h := http.Header{}
	for k, v := range a.Headers {
		h.Set(k, v)
	}
	c := classify.Classify(classify.Answer{Status: a.Status, Header: h, Body: []byte(a.Body), Model: "claude-sonnet-4-5"})
	r.Outcome, r.ErrorType, r.Message, r.Producer = c.Outcome, c.ErrorType, c.Message, c.Producer
	r.RequestID, r.RequestIDSource = c.RequestID, c.RequestIDSource
	return r
}

// decide folds records into a summary and decides, as a run does.
func decide(recs []*runfile.Record) verdict.Verdict {
	s := diagnose.NewSummary([]target.Step{{Concurrency: 1, Requests: len(recs)}})
	for _, r := range recs {
		s.Add(r)
	}
	return diagnose.Decide(s)
}

// copies returns n records of the same fixture.
func copies(t *testing.T, a scenarios.RealAnswer, n int) []*runfile.Record {
	t.Helper()
	out := make([]*runfile.Record, n)
	for i := range out {
		out[i] = record(t, a, i)
	}
	return out
}

func realAnswers(t *testing.T) []scenarios.RealAnswer {
	t.Helper()
	all, err := scenarios.RealAnswers()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// TestRealAnswers classifies every real answer (and every synthetic
// generalisation case): who answered, and what five identical copies of it
// mean through the real Summary and Decide.
func TestRealAnswers(t *testing.T) {
	t.Parallel()
	for _, a := range realAnswers(t) {
		t.Run(a.Name, func(t *testing.T) {
			t.Parallel()
			r := record(t, a, 0)
			if got := diagnose.ProducerOf(r); string(got) != a.Expect.Producer {
				t.Errorf("producer = %q; want %q (outcome %s)", got, a.Expect.Producer, r.Outcome)
			}
			v := decide(copies(t, a, diagnose.MinHigh))
			if string(v.Signature) == a.Expect.Signature {
				return
			}
			t.Errorf("five copies of %s (outcome %s, %q) = %s (%s); want %s\nevidence: %q", a.File, r.Outcome, r.Message, v.Signature, v.Confidence, a.Expect.Signature, v.Evidence)
		})
	}
}

// TestHighIsNeverWrongOnRealAnswers decides runs of every fixture, alone
// and mixed with successes, in counts from one to twelve: a high verdict
// must be the fixture's expected signature (or, mixed with successes, the
// intermittent or healthy reading the mix allows).
func TestHighIsNeverWrongOnRealAnswers(t *testing.T) {
	t.Parallel()
	ok := okFixture(t)
	for _, a := range realAnswers(t) {
		t.Run(a.Name, func(t *testing.T) {
			t.Parallel()
			for n := 1; n <= 12; n++ {
				v := decide(copies(t, a, n))
				if v.Confidence == verdict.High && string(v.Signature) != a.Expect.Signature {
					t.Errorf("%d copies: %s with high confidence; want %s or lower confidence", n, v.Signature, a.Expect.Signature)
				}
			}
			// Mixed with successes the signature may be intermittent (403s)
			// or healthy (a lone failure), never another layer at high.
			recs := append(copies(t, a, 6), copies(t, ok, 6)...)
			v := decide(recs)
			allowed := map[verdict.Signature]bool{verdict.Signature(a.Expect.Signature): true, verdict.Intermittent403: true, verdict.Healthy: true}
			if v.Confidence == verdict.High && !allowed[v.Signature] {
				t.Errorf("6 copies and 6 successes: %s with high confidence", v.Signature)
			}
		})
	}
}

// okFixture is a plain success of the API, in the fixtures' form.
func okFixture(t *testing.T) scenarios.RealAnswer {
	t.Helper()
	return scenarios.RealAnswer{Name: "ok", Status: 200,
		Headers: map[string]string{"content-type": "application/json", "request-id": "req_011CokOkOkOkOkOkOkOkOkOk", "server": "cloudflare", "cf-ray": "8f00aa11bb22cc33-SJC"},
		Body:    `{"id":"msg_01X","type":"message","role":"assistant","content":[{"type":"text","text":"Hi"}],"stop_reason":"max_tokens"}`,
		Expect:  scenarios.RealAnswerExpectation{Signature: "healthy", Producer: "api"}}
}
