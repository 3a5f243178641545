package report

import (
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/check"
	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/verdict"
)

// TestExplainCheck: the words of `probe check`'s verdict come from where
// the walk settled and from its layers: the findings as evidence, the
// passed layers (not the models layer) as ruled out, the failed findings'
// fixes first among the next steps, nothing about a run file the check
// did not write, and no advice to run the check just run.
func TestExplainCheck(t *testing.T) {
	t.Parallel()
	layers := []check.Layer{
		{ID: "key", Name: "Key (local)", Layers: "1", Status: keys.Passed, Findings: []keys.Finding{{Status: keys.Passed, Message: "key from ANTHROPIC_API_KEY"}}},
		{ID: "models", Name: "API: GET /v1/models", Layers: "4", Status: keys.Passed, Findings: []keys.Finding{}},
		{ID: "message", Name: "API: one tiny message", Layers: "1-5", Status: keys.Failed, Findings: []keys.Finding{{Status: keys.Failed, Message: "POST /v1/messages: 403", Fix: "ask an admin"}}},
	}
	k := verdict.Kind{Outcome: classify.OutcomePermission, Status: 403, ErrorType: "permission_error", Message: "Permission denied"}
	tests := []struct {
		name    string
		v       verdict.Verdict
		summary string
		steps   []string
	}{
		{"a 403 from the API",
			verdict.Verdict{Signature: verdict.WorkspaceDenied, Basis: &verdict.Basis{Path: verdict.PathCheck, Check: &verdict.CheckReason{Code: verdict.CheckAnswer, Subject: "POST /v1/messages", Kind: k}}},
			`POST /v1/messages answered 403 permission_error "Permission denied". The API refuses this key's workspace or organization consistently (layer 2).`,
			[]string{"ask an admin",
				"Check in the Console that the key belongs to the workspace you expect and that the organization is active.",
				"A disabled organization or restricted credential can only be changed by Anthropic: open a support ticket with the request ids (`probe ramp` records the requests in a run file; `probe export <run file> -o ticket` then writes the ticket).",
				"One 403 cannot tell a workspace setting from an abuse flag that comes and goes: run `probe ramp` to see whether it is consistent."}},
		{"a wrong key: no second check advised",
			verdict.Verdict{Signature: verdict.AuthFailure, Basis: &verdict.Basis{Path: verdict.PathCheck, Check: &verdict.CheckReason{Code: verdict.CheckKeyLocal, Subject: "the key has a stray newline"}}},
			"The key fails locally, before any request: the key has a stray newline. Nothing was sent.",
			[]string{"ask an admin", "Copy the key again from the Console (API keys page) with no quotes, spaces or newline, or create a new one if it was revoked or expired."}},
		{"TLS intercepted",
			verdict.Verdict{Signature: verdict.ProxyInterference, Basis: &verdict.Basis{Path: verdict.PathCheck, Check: &verdict.CheckReason{Code: verdict.CheckTLSIntercepted, Subject: "api.anthropic.com", Issuer: `"O=Corp CA"`}}},
			`TLS to api.anthropic.com is intercepted: the certificate comes from "O=Corp CA", not from the API's certificate authority.`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := check.Result{Layers: layers, Requests: []*runfile.Record{{Status: 403}}, Verdict: tt.v}
			v := explainCheck(res)
			if v.Summary != tt.summary {
				t.Errorf("Summary = %q; want %q", v.Summary, tt.summary)
			}
			if want := []string{"key: key from ANTHROPIC_API_KEY", "message: POST /v1/messages: 403"}; strings.Join(v.Evidence, "\n") != strings.Join(want, "\n") {
				t.Errorf("Evidence = %q; want %q", v.Evidence, want)
			}
			if want := "Key (local) (layer 1): passed"; len(v.RuledOut) != 1 || v.RuledOut[0] != want {
				t.Errorf("RuledOut = %q; want only %q (the models layer rules nothing out)", v.RuledOut, want)
			}
			if tt.steps != nil && strings.Join(v.NextSteps, "\n") != strings.Join(tt.steps, "\n") {
				t.Errorf("NextSteps = %q; want %q", v.NextSteps, tt.steps)
			}
			if all := strings.Join(v.NextSteps, "\n"); strings.Contains(all, "RUN.jsonl") || strings.Contains(all, "`probe check` to") {
				t.Errorf("NextSteps = %q; want no run file to export and no second check", v.NextSteps)
			}
		})
	}
}

// TestChangeSummary: every change of a comparison is said in a sentence
// with both runs' counts and, when there is one, the p-value (two-sided
// Fisher exact, worked by hand: 2/C(20,10) for 10/10 against 0/10,
// 2*C(25,20)/C(40,20) for 20/20 against 5/20, 2*C(30,15)/C(60,15) for
// 0/30 against 15/30).
func TestChangeSummary(t *testing.T) {
	t.Parallel()
	run := func(ok, refused int) *diagnose.Summary {
		return newRun().add(1, ok, okAnswer).add(1, refused, permAnswer).summary()
	}
	tests := []struct {
		name          string
		before, after *diagnose.Summary
		want          string
	}{
		{"cleared", run(0, 10), run(10, 0), "The 403s cleared: 10 of 10 refused (100%) before, none of 10 refused after (two-sided Fisher exact p=1.1e-05)."},
		{"persists", run(5, 5), run(5, 5), "The 403s persist: 5 of 10 refused (50%) before, 5 of 10 refused (50%) after (two-sided Fisher exact p=1), no significant difference."},
		{"improved", run(0, 20), run(15, 5), "Fewer 403s, but not none: 20 of 20 refused (100%) before, 5 of 20 refused (25%) after (two-sided Fisher exact p=7.7e-07)."},
		{"worse", run(15, 5), run(0, 20), "More 403s than before: 5 of 20 refused (25%) before, 20 of 20 refused (100%) after (two-sided Fisher exact p=7.7e-07)."},
		{"appeared", run(30, 0), run(15, 15), "403s appeared: none of 30 refused before, 15 of 30 refused (50%) after (two-sided Fisher exact p=5.8e-06)."},
		{"unchanged", run(10, 0), run(10, 0), "No 403s in either run: none of 10 refused before, none of 10 refused after."},
		{"too few", run(0, 2), run(10, 0), "Inconclusive: 2 of 2 refused (100%) before, none of 10 refused after (two-sided Fisher exact p=0.0152): a run needs at least 3 answers to be compared."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := diagnose.Compare(tt.before, tt.after)
			if string(c.Change) != tt.name && tt.name != "too few" {
				t.Fatalf("Change = %s; want %s", c.Change, tt.name)
			}
			if got := changeSummary(c); got != tt.want {
				t.Errorf("changeSummary = %q; want %q", got, tt.want)
			}
		})
	}
}
