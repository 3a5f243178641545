package classify_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/llm-probe/probe/scenarios"
)

// TestCloudRealAnswers classifies every Bedrock, Vertex AI, Azure and
// Foundry fixture to the signature five copies of it should produce. A
// fixture that asks for inconclusive is checked on its layer instead;
// one with no layer of the five (client) is only required not to be
// called healthy.
func TestCloudRealAnswers(t *testing.T) {
	t.Parallel()
	answers, err := scenarios.RealAnswers()
	if err != nil {
		t.Fatal(err)
	}
	clouds := []string{"bedrock", "vertex", "azure", "foundry"}
	n := 0
	for _, a := range answers {
		if !slices.Contains(clouds, a.Provider) {
			continue
		}
		n++
		t.Run(a.Name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range a.Headers {
				h.Set(k, v)
			}
			c := classify.Classify(classify.Answer{Status: a.Status, Header: h, Body: []byte(a.Body)})
			sig := diagnose.SignatureFor(c.Outcome, c.Message)
			if c.ErrorType == classify.QuotaExhausted {
				sig = verdict.ModelNotEnabled // five copies and no success: a quota of zero
			}
			switch {
			case a.Expect.Signature != "inconclusive":
				if string(sig) != a.Expect.Signature {
					t.Errorf("Classify(%s) = %s (%s %q), signature %s; want %s", a.File, c.Outcome, c.ErrorType, c.Message, sig, a.Expect.Signature)
				}
			case a.Expect.Layer == "client":
				if sig == verdict.Healthy {
					t.Errorf("Classify(%s) = %s: healthy", a.File, c.Outcome)
				}
			case sig != verdict.Inconclusive && sig.Layer() != a.Expect.Layer:
				// Where the fixture itself expects no verdict, saying so is
				// right; any verdict given must name the fixture's layer.
				t.Errorf("Classify(%s) = %s, layer %s; want layer %s", a.File, c.Outcome, sig.Layer(), a.Expect.Layer)
			}
			if a.Header("x-amzn-RequestId") != "" && c.RequestID != a.Header("x-amzn-RequestId") {
				t.Errorf("Classify(%s) request id = %q; want x-amzn-RequestId %q", a.File, c.RequestID, a.Header("x-amzn-RequestId"))
			}
		})
	}
	if n < 20 {
		t.Errorf("only %d cloud fixtures found", n)
	}
}

// TestCloudRulesLeaveOthersAlone checks that the cloud rules do not take
// answers that are not the clouds': Anthropic's and OpenAI's envelopes and
// a success.
func TestCloudRulesLeaveOthersAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   classify.Outcome
	}{
		{"anthropic permission", 403, `{"type":"error","error":{"type":"permission_error","message":"Permission denied"},"request_id":"req_1"}`, classify.OutcomePermission},
		{"openai quota", 429, `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`, classify.OutcomeBilling},
		{"success", 200, `{"type":"message","content":[]}`, classify.OutcomeOK},
		{"google array rate limit", 429, `[{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}]`, classify.OutcomeRateLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := classify.Classify(classify.Answer{Status: tt.status, Header: http.Header{}, Body: []byte(tt.body)})
			if c.Outcome != tt.want {
				t.Errorf("Classify(%s) = %v; want %v", tt.body, c.Outcome, tt.want)
			}
		})
	}
}
