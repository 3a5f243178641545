package report

import (
	"fmt"

	"github.com/llm-probe/probe/prober/verdict"
)

// nextSteps is the fix from the decision tree, fitted to what the advice
// may point at (the run file to export, or the check just run).
func nextSteps(v verdict.Verdict, a advice) []string {
	ticket := "open a support ticket with the request ids (" + a.export + ")."
	var out []string
	// local is advice to run `probe check`, left out after the check.
	local := func(s string) {
		if !a.check {
			out = append(out, s)
		}
	}
	add := func(ss ...string) { out = append(out, ss...) }
	switch v.Signature {
	case verdict.Healthy:
		local("The key works at every step tested. If your application still sees 403s, compare its base URL, headers and proxy settings with `probe check`.")
		add("Ramp to the concurrency your application really uses: `probe ramp --steps 1,5,10,20`.")
	case verdict.AuthFailure:
		add("Copy the key again from the Console (API keys page) with no quotes, spaces or newline, or create a new one if it was revoked or expired.")
		local("Run `probe check` to inspect the key's shape and source locally, without sending requests.")
	case verdict.ProxyInterference:
		add("Run the same probe from a network without the proxy (or with NO_PROXY=api.anthropic.com) and compare.",
			"Ask your network team to pass x-api-key, authorization and anthropic-* headers through unchanged and not to intercept TLS for api.anthropic.com.",
			"Check ANTHROPIC_BASE_URL / --base-url: it must point at the Messages API or a gateway that forwards it.")
	case verdict.WorkspaceDenied:
		add("Check in the Console that the key belongs to the workspace you expect and that the organization is active.",
			"A disabled organization or restricted credential can only be changed by Anthropic: "+ticket)
	case verdict.RegionBlocked:
		add("Turn off the VPN or choose an exit in a supported country, then run `probe check` again.",
			"If you are in a supported region, "+ticket+" The cf-ray ids identify the edge's answers.")
	case verdict.ModelNotEnabled:
		local("List the models this key can use with `probe check` (GET /v1/models) and pass one with --model.")
		add("Ask a workspace admin to enable the model for this workspace in the Console.")
	case verdict.Intermittent403:
		add("Lower your application's concurrency to 1-2 and pause before retrying; measure the effect with `probe cooldown --wait 5m`.",
			"Then "+ticket,
			"Look for usage-policy notices on the account (email, Console).")
	case verdict.AccountFlagged:
		add("Stop probing: more requests from a flagged account do not clear the flag and may count against it.",
			"Open a support ticket with the request ids ("+a.export+").",
			"Look for usage-policy notices on the account (email, Console).")
	case verdict.BillingIssue:
		add("Add credits or raise the spend limit in the Console's billing settings; changes can take a few minutes to apply.")
	case verdict.RateLimited:
		add("Not a permission problem: honour retry-after, lower concurrency, or ask for a higher rate-limit tier.")
	case verdict.Overloaded:
		add("The service is overloaded or failing: retry with backoff, and check the provider's status page.")
	case verdict.NetworkError:
		local("No HTTP answer arrived: check DNS, firewall and proxy settings with `probe check`.")
		add("If the network is just slow, raise --timeout.")
	case verdict.Inconclusive:
		if v.NeedMore == 0 {
			add("Read the answers shown in the evidence: probe does not recognise them, or they say nothing about the account (a request too big, a gateway's rewrite).",
				"Probe the API directly (without the gateway or proxy) to see its own answer, or show the evidence to support.")
		}
	}
	if out == nil {
		// Undecided, or a signature the tree has no fix for.
		out = []string{fmt.Sprintf("Send more requests: about %d more per decisive step (raise --requests or --max-requests).", max(v.NeedMore, 1))}
	}
	if v.Basis != nil && len(v.Basis.ToolFailures) > 0 {
		// The run did not test what it planned: that comes first.
		out = append([]string{"Raise the open-file limit (`ulimit -n`) or lower the concurrency, and run again: some requests failed in probe itself."}, out...)
	}
	return out
}
