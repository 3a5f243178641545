package watch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestProbeEndpoint(t *testing.T) {
	t.Parallel()
	clock := newAutoClock()
	p := &fakeProber{clock: clock, answer: func(string, int) (Answer, error) { return okAnswer, nil }}
	w, _ := newTestWatcher(t, clock, p, target("one-an-hour", time.Minute, 1), target("roomy", time.Minute, 600))
	h := w.Handler()
	tests := []struct {
		name     string
		path     string
		wantCode int
		wantBody []string
	}{
		{"first probe within budget", "/probe?target=one-an-hour", 200,
			[]string{"probe_success 1", "probe_http_status_code 200", `probe_llm_verdict_info{layer="-",signature="healthy"} 1`, "probe_duration_seconds"}},
		{"second probe over budget", "/probe?target=one-an-hour", 429, []string{"hourly budget spent"}},
		{"another target has its own budget", "/probe?target=roomy", 200, []string{"probe_success 1"}},
		{"unknown target", "/probe?target=nope", 404, []string{"unknown target"}},
		{"no target", "/probe", 404, []string{"unknown target"}},
		{"index", "/", 200, []string{"/probe?target=NAME", "one-an-hour", "roomy"}},
		{"metrics", "/metrics", 200, []string{`probe_llm_requests_total{outcome="ok",status="200",target="roomy"} 1`, "go_goroutines", "process_"}},
	}
	for _, tt := range tests { // in order: the budget rows depend on each other
		code, body := get(t, h, tt.path)
		if code != tt.wantCode {
			t.Errorf("%s: GET %s = %d; want %d (%s)", tt.name, tt.path, code, tt.wantCode, body)
		}
		for _, s := range tt.wantBody {
			if !strings.Contains(body, s) {
				t.Errorf("%s: GET %s body lacks %q:\n%s", tt.name, tt.path, s, body)
			}
		}
	}
}

func TestProbeEndpointFailure(t *testing.T) {
	t.Parallel()
	clock := newAutoClock()
	p := &fakeProber{clock: clock, answer: func(string, int) (Answer, error) {
		return Answer{}, errors.New("dial tcp: connection refused")
	}}
	w, _ := newTestWatcher(t, clock, p, target("down", time.Minute, 60))
	code, body := get(t, w.Handler(), "/probe?target=down")
	if code != 200 || !strings.Contains(body, "probe_success 0") || !strings.Contains(body, "probe_http_status_code 0") {
		t.Errorf("GET /probe = %d\n%s\nwant 200 with probe_success 0", code, body)
	}
}

func TestExposition(t *testing.T) {
	t.Parallel()
	clock := newAutoClock()
	p := &fakeProber{clock: clock, answer: func(_ string, call int) (Answer, error) {
		if call == 2 {
			return forbiddenAnswer, nil
		}
		return okAnswer, nil
	}}
	w, _ := newTestWatcher(t, clock, p, target("a", time.Minute, 600, 1, 2))
	for range 2 {
		_, _ = w.probe(context.Background(), w.byName["a"])
		clock.Advance(time.Minute)
	}
	want := `
# HELP probe_llm_403_ratio Share of answers in the rolling window that were 403s.
# TYPE probe_llm_403_ratio gauge
probe_llm_403_ratio{target="a"} 0.5
# HELP probe_llm_requests_total Probe requests sent, by outcome and HTTP status (0: no HTTP answer).
# TYPE probe_llm_requests_total counter
probe_llm_requests_total{outcome="ok",status="200",target="a"} 3
probe_llm_requests_total{outcome="permission",status="403",target="a"} 3
# HELP probe_llm_verdict_changes_total Times the target's verdict changed (the first verdict is not a change).
# TYPE probe_llm_verdict_changes_total counter
probe_llm_verdict_changes_total{target="a"} 1
# HELP probe_llm_verdict_info The current verdict over the rolling window (always 1; the labels say it).
# TYPE probe_llm_verdict_info gauge
probe_llm_verdict_info{layer="5",signature="intermittent_403",target="a"} 1
`
	names := []string{"probe_llm_403_ratio", "probe_llm_requests_total", "probe_llm_verdict_changes_total", "probe_llm_verdict_info"}
	if err := testutil.GatherAndCompare(w.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(w.Registry(), "probe_llm_request_duration_seconds"); err != nil || n != 1 {
		t.Errorf("duration histograms = %d, %v; want 1", n, err)
	}
}

// TestNoSecretInLabels feeds the watcher answers whose ids, outcomes and
// verdicts look like keys, and errors that quote a key and an IP, then
// searches every scrape for them.
func TestNoSecretInLabels(t *testing.T) {
	t.Parallel()
	const key = "sk-ant-api03-SECRETSECRETSECRET"
	clock := newAutoClock()
	p := &fakeProber{clock: clock, answer: func(name string, call int) (Answer, error) {
		if call%3 == 0 {
			return Answer{}, errors.New("bad key " + key + " from 10.9.8.7")
		}
		return Answer{Outcome: key, Status: 403, Is403: true, RequestID: "req_011CSECRETID"}, nil
	}}
	judge := func([]Answer) Verdict {
		return Verdict{Signature: key, Layer: "10.9.8.7", RequestIDs: []string{"req_011CSECRETID"}}
	}
	w, err := New(&Config{Targets: []Target{target("a", time.Minute, 600)}},
		Options{Prober: p, Judge: judge, Clock: clock, Events: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	var scrapes []string
	for range 6 {
		_, probe := get(t, w.Handler(), "/probe?target=a")
		_, metrics := get(t, w.Handler(), "/metrics")
		scrapes = append(scrapes, probe, metrics)
		clock.Advance(time.Minute)
	}
	for _, s := range scrapes {
		for _, secret := range []string{"SECRET", "sk-ant", "req_", "10.9.8.7"} {
			if strings.Contains(s, secret) {
				t.Fatalf("scrape carries %q:\n%s", secret, s)
			}
		}
	}
	if !strings.Contains(scrapes[len(scrapes)-1], `probe_llm_verdict_info{layer="other",signature="other",target="a"} 1`) {
		t.Errorf("unknown verdict words not mapped to other:\n%s", scrapes[len(scrapes)-1])
	}
}
