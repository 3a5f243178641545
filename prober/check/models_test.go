package check

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/engine"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/llm-probe/probe/scenarios"
)

// testKey looks like a key to the local checks and is nobody's secret.
const testKey = "sk-ant-api03-CHECKTEST-not-a-secret-000000000000000000000000000000000000000000000000000000000000000000AA"

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func TestPickModel(t *testing.T) {
	t.Parallel()
	anthropic := []Model{
		{"claude-opus-4-5-20251101", day("2025-11-24")},
		{"claude-haiku-4-5-20251001", day("2025-10-15")},
		{"claude-sonnet-4-5-20250929", day("2025-09-29")},
		{"claude-3-5-haiku-20241022", day("2024-10-22")},
	}
	openai := []Model{
		{"gpt-4o-mini", day("2024-07-18")},
		{"gpt-4.1-mini", day("2025-04-14")},
		{"o4-mini", day("2025-04-16")},
		{"gpt-5-mini", day("2025-08-07")},
		{"gpt-4.1", day("2025-04-14")},
	}
	cases := []struct {
		name     string
		provider string
		models   []Model
		want     string
	}{
		{"newest Haiku", "anthropic", anthropic, "claude-haiku-4-5-20251001"},
		{"Haiku whatever the order", "anthropic", []Model{anthropic[3], anthropic[1]}, "claude-haiku-4-5-20251001"},
		{"no Haiku", "anthropic", anthropic[2:3], ""},
		{"empty list", "anthropic", nil, ""},
		{"newest chat mini, not a reasoning model", "openai", openai, "gpt-4.1-mini"},
		{"only reasoning minis", "openai", openai[2:4], ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			id, why, ok := PickModel(c.provider, c.models)
			if id != c.want || ok != (c.want != "") || (ok && why == "") {
				t.Errorf("PickModel = %q, %q, %v; want %q", id, why, ok, c.want)
			}
		})
	}
}

// serve starts a simulated API whose handler passes through wrap.
func serve(t *testing.T, provider, scenario string, wrap func(http.Handler) http.Handler) (*scenarios.API, *httptest.Server, *atomic.Int64) {
	t.Helper()
	api, err := scenarios.New(scenario, scenarios.Options{Provider: provider, Latency: -1})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = api
	if wrap != nil {
		h = wrap(api)
	}
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return api, srv, &n
}

func testTarget(t *testing.T, base, model string) target.Target {
	t.Helper()
	u, err := target.ParseBaseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	return target.Target{Provider: provider.Anthropic, BaseURL: u, Model: model, Key: keys.NewKey(testKey, "test", provider.Anthropic.Keys[0].Kind)}
}

// sender sends with a plain transport and records nothing.
func sender() Sender {
	tr := engine.NewTransport(1, nil)
	return func(ctx context.Context, req *http.Request) (*runfile.Record, []byte) {
		rec := &runfile.Record{}
		_, body := engine.Exchange(ctx, tr, req, "", engine.DefaultBodyCap, time.Now, rec)
		return rec, body
	}
}

// smallPages makes the list answer pages of three unless asked otherwise.
func smallPages(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/v1/models") && r.URL.Query().Get("limit") == "" {
			q := r.URL.Query()
			q.Set("limit", "3")
			r.URL.RawQuery = q.Encode()
		}
		h.ServeHTTP(w, r)
	})
}

func TestListModelsReadsEveryPage(t *testing.T) {
	t.Parallel()
	_, srv, n := serve(t, "", "healthy", smallPages)
	models, _, err := ListModels(t.Context(), testTarget(t, srv.URL, scenarios.DefaultModel), sender(), MaxModelPages)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range models {
		ids = append(ids, m.ID)
	}
	if len(ids) != 9 || ids[0] != "claude-opus-4-5-20251101" || ids[8] != "claude-3-haiku-20240307" || n.Load() != 3 {
		t.Errorf("%d requests read %v", n.Load(), ids)
	}
	if !slices.ContainsFunc(models, func(m Model) bool { return m.ID == "claude-haiku-4-5-20251001" && m.Created.Equal(day("2025-10-15")) }) {
		t.Errorf("created_at not read: %v", models)
	}
}

func TestListModelsIsBounded(t *testing.T) {
	t.Parallel()
	var page atomic.Int64
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := page.Add(1)
		fmt.Fprintf(w, `{"data":[{"type":"model","id":"m-%d"}],"has_more":true,"first_id":"m-%[1]d","last_id":"m-%[1]d"}`, p)
	}))
	t.Cleanup(endless.Close)
	models, _, err := ListModels(t.Context(), testTarget(t, endless.URL, "m"), sender(), 4)
	if err == nil || len(models) != 4 || page.Load() != 4 {
		t.Errorf("read %d models in %d pages, err %v; want 4, 4 and an error", len(models), page.Load(), err)
	}
}

// emptyList answers the list with no model at all, as a key restricted to
// models the list does not show might see.
func emptyList(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/v1/models") {
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/v1/models") {
				fmt.Fprint(w, `{"data":[],"has_more":false,"first_id":null,"last_id":null}`)
				return
			}
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"type":"error","error":{"type":"not_found_error","message":"model: x"}}`)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func TestCheckTrustsTheMessage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		scenario  string
		wrap      func(http.Handler) http.Handler
		model     string // "" lets check pick
		want      verdict.Signature
		wantModel string
		requests  int64
	}{
		{"healthy picks the newest Haiku", "healthy", nil, "", verdict.Healthy, "claude-haiku-4-5-20251001", 2},
		{"healthy with the alias", "healthy", nil, scenarios.DefaultModel, verdict.Healthy, scenarios.DefaultModel, 3},
		{"healthy with a dated id", "healthy", nil, "claude-opus-4-1-20250805", verdict.Healthy, "claude-opus-4-1-20250805", 3},
		{"absent from the list, the message works", "healthy", emptyList, scenarios.DefaultModel, verdict.Healthy, scenarios.DefaultModel, 3},
		{"empty list falls back to the default", "healthy", emptyList, "", verdict.Healthy, scenarios.DefaultModel, 3},
		{"a key that cannot use the model", "model-not-enabled", nil, "", verdict.ModelNotEnabled, scenarios.DefaultModel, 3},
		{"an unknown model", "unknown-model", nil, "claude-nope", verdict.ModelNotEnabled, "claude-nope", 3},
		{"a gzip-encoded edge answer, decoded", "region-blocked", nil, "", verdict.RegionBlocked, scenarios.DefaultModel, 3},
		{"every page read", "healthy", smallPages, scenarios.DefaultModel, verdict.Healthy, scenarios.DefaultModel, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			api, srv, n := serve(t, "", c.scenario, c.wrap)
			model := cmp.Or(c.model, scenarios.DefaultModel)
			ch := &Checker{
				Transport:     engine.NewTransport(1, nil),
				Target:        testTarget(t, srv.URL, model),
				Keys:          keys.KeySources{Getenv: func(k string) string { return map[string]string{"ANTHROPIC_API_KEY": testKey}[k] }},
				Timeout:       5 * time.Second,
				ModelExplicit: c.model != "",
			}
			res := ch.Run(t.Context())
			if res.Verdict.Signature != c.want {
				t.Errorf("verdict %s, want %s: %s", res.Verdict.Signature, c.want, res.Verdict.Summary)
			}
			if ch.Target.Model != c.wantModel {
				t.Errorf("probed %s, want %s", ch.Target.Model, c.wantModel)
			}
			if n.Load() != c.requests || int64(len(res.Requests)) != c.requests {
				t.Errorf("%d requests sent, %d recorded; want %d", n.Load(), len(res.Requests), c.requests)
			}
			// The message is always sent, and last: its answer decides.
			if api.MessageRequests() != 1 {
				t.Errorf("%d messages sent", api.MessageRequests())
			}
			if strings.Contains(fmt.Sprint(res), testKey) {
				t.Error("the key appears in the result")
			}
		})
	}
}
