package diagnose_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/engine"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/llm-probe/probe/scenarios"
)

// TestHighIsNeverWrongOnScenarios ramps every scenario of every provider
// with the default plan, against a loopback server, through the real
// engine: a high verdict must be the scenario's signature.
func TestHighIsNeverWrongOnScenarios(t *testing.T) {
	t.Parallel()
	for _, prov := range []string{scenarios.Anthropic, scenarios.OpenAI} {
		p, err := provider.ByName(prov)
		if err != nil {
			t.Fatal(err)
		}
		model := map[string]string{scenarios.Anthropic: scenarios.DefaultModel, scenarios.OpenAI: scenarios.DefaultOpenAIModel}[prov]
		for _, sc := range scenarios.AllFor(prov) {
			if sc.Name == "slow" {
				continue // it never answers: nothing to be wrong about
			}
			t.Run(prov+"/"+sc.Name, func(t *testing.T) {
				t.Parallel()
				v := rampScenario(t, p, model, sc.Name)
				if v.Confidence == verdict.High && string(v.Signature) != sc.Signature {
					t.Errorf("%s: %s with high confidence; the scenario is %s\nevidence: %q", sc.Name, v.Signature, sc.Signature, v.Evidence)
				}
			})
		}
	}
}

// rampScenario runs a default ramp against one scenario and returns the verdict.
func rampScenario(t *testing.T, p *provider.Provider, model, name string) verdict.Verdict {
	t.Helper()
	api, err := scenarios.New(name, scenarios.Options{Seed: 1, Provider: p.Name})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	base, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var steps []target.Step
	for _, c := range target.DefaultSteps {
		steps = append(steps, target.Step{Concurrency: c, Requests: target.RequestsFor(c)})
	}
	plan := target.Plan{Steps: steps, Timeout: target.Duration(5 * time.Second), MaxWait: target.Duration(2 * time.Second), EarlyStop: true, Extend: true}
	plan.MaxRequests = plan.Planned() * 2
	tr := engine.NewTransport(10, nil)
	t.Cleanup(tr.CloseIdleConnections)
	e := &engine.Engine{Transport: tr, Plan: plan,
		Target: target.Target{BaseURL: base, Model: model, Provider: p, Key: keys.NewKey("sk-test-0000000000000000", "test", p.Keys[0].Kind), UserAgent: "probe/test"}}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res, err := e.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return res.Verdict
}
