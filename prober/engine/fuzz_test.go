package engine

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/scenarios"
)

// scenarioAnswers collects one real answer from every scenario that gives an
// HTTP answer, as seeds: the fuzzers start from the shapes seen in the wild.
func scenarioAnswers(f *testing.F) []classify.Answer {
	f.Helper()
	var out []classify.Answer
	for _, sc := range scenarios.All() {
		if sc.Name == "slow" || sc.Name == "connection-reset" {
			continue
		}
		api, err := scenarios.New(sc.Name, scenarios.Options{Latency: -1})
		if err != nil {
			f.Fatal(err)
		}
		srv := httptest.NewServer(api)
		u, _ := target.ParseBaseURL(srv.URL)
		t := target.Target{BaseURL: u, Model: provider.DefaultModel, Key: keys.NewKey("sk-ant-api03-FUZZ", "fuzz", provider.APIKey)}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		req, _ := t.NewMessageRequest(ctx, t.MessageBody())
		resp, err := srv.Client().Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			out = append(out, classify.Answer{Status: resp.StatusCode, Header: resp.Header, Body: body})
		}
		cancel()
		srv.Close()
	}
	return out
}

func assertPrintable(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if r == 0x1b || r == 0x7f || r < 0x20 || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("%s keeps control character %U: %q", what, r, s)
		}
	}
}

// FuzzClassify feeds arbitrary answers to the classifier: it must always
// name an outcome and never keep a character a terminal would act on.
func FuzzClassify(f *testing.F) {
	for _, a := range scenarioAnswers(f) {
		f.Add(a.Status, a.Header.Get("Content-Type"), a.Header.Get("Request-Id"), a.Header.Get("Cf-Ray"), a.Header.Get("Cf-Mitigated"), a.Body)
	}
	f.Add(403, "text/html", "", "", "challenge", []byte("<title>\x1b[2J</title>"))
	f.Add(999, "", "\x1b]0;x\x07", "", "", []byte{0xff, 0xfe})
	f.Fuzz(func(t *testing.T, status int, ctype, reqID, ray, mitigated string, body []byte) {
		h := http.Header{}
		h.Set("Content-Type", ctype)
		h.Set("Request-Id", reqID)
		h.Set("Cf-Ray", ray)
		h.Set("Cf-Mitigated", mitigated)
		c := classify.Classify(classify.Answer{Status: status, Header: h, Body: body, Model: provider.DefaultModel})
		if c.Outcome == "" {
			t.Fatalf("Classify(%d, %q) gave no outcome", status, body)
		}
		assertPrintable(t, "message", c.Message)
		assertPrintable(t, "request id", c.RequestID)
		assertPrintable(t, "error type", c.ErrorType)
		diagnose.SignatureFor(c.Outcome, c.Message) // must not panic
	})
}

// FuzzParseRetryAfter: any header value gives a bounded, non-negative wait.
func FuzzParseRetryAfter(f *testing.F) {
	for _, v := range []string{"1", "0.5", "-1", "NaN", "1e308", "Wed, 21 Oct 2015 07:28:00 GMT", "", "  7 "} {
		f.Add(v, "")
	}
	f.Add("", "200")
	f.Fuzz(func(t *testing.T, ra, ms string) {
		h := http.Header{}
		h.Set("Retry-After", ra)
		h.Set("Retry-After-Ms", ms)
		d, ok := parseRetryAfter(h, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
		if d < 0 || d > maxRetryAfter || !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q, %q) = %v, %v", ra, ms, d, ok)
		}
	})
}
