package report

import (
	"fmt"

	"github.com/llm-probe/probe/prober/check"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/verdict"
)

// explainCheck is the verdict of `probe check` in words: the summary from
// where the walk settled, every finding as evidence, the layers that
// passed as ruled out, and next steps that neither export a run file the
// check did not write nor ask for the check just run, led by the fixes of
// the failed findings.
func explainCheck(res check.Result) verdict.Verdict {
	v := res.Verdict
	if v.Basis == nil || v.Basis.Check == nil {
		return v
	}
	v.Summary = checkSummary(v)
	v.Evidence, v.RuledOut = nil, []string{}
	for _, l := range res.Layers {
		for _, f := range l.Findings {
			v.Evidence = append(v.Evidence, fmt.Sprintf("%s: %s", l.ID, f.Message))
		}
		// The models layer only supports the message's answer: it rules
		// nothing out by itself. A warned layer worked, but its warning may
		// still be the cause: it is ruled out with that said, never simply
		// "passed".
		if l.ID == "models" {
			continue
		}
		switch l.Status {
		case keys.Passed:
			v.RuledOut = append(v.RuledOut, fmt.Sprintf("%s (layer %s): passed", l.Name, l.Layers))
		case keys.Warned:
			v.RuledOut = append(v.RuledOut, fmt.Sprintf("%s (layer %s): worked, with warnings (see above)", l.Name, l.Layers))
		}
	}
	v.NextSteps = nextSteps(v, adviceFor(""))
	if v.Signature == verdict.WorkspaceDenied && len(res.Requests) > 0 && res.Requests[len(res.Requests)-1].Status == 403 {
		v.NextSteps = append(v.NextSteps, "One 403 cannot tell a workspace setting from an abuse flag that comes and goes: run `probe ramp` to see whether it is consistent.")
	}
	if v.Signature == verdict.Healthy {
		v.NextSteps = []string{"The key works at concurrency 1; if you see intermittent 403s, run `probe ramp` to test under concurrency."}
	}
	for _, l := range res.Layers {
		for _, f := range l.Findings {
			if f.Fix != "" && f.Status == keys.Failed {
				v.NextSteps = append([]string{f.Fix}, v.NextSteps...)
			}
		}
	}
	return v
}

// checkSummary says where the walk settled, and what that means.
func checkSummary(v verdict.Verdict) string {
	r := v.Basis.Check
	switch r.Code {
	case verdict.CheckWorks:
		return "The key works at concurrency 1: the models list and a tiny message succeeded. If you see intermittent 403s, run `probe ramp`: they may only show under concurrency."
	case verdict.CheckClientBroken:
		return "Claude Code's configuration is broken before any request: " + r.Subject + ". Nothing was sent."
	case verdict.CheckKeyLocal:
		return "The key fails locally, before any request: " + r.Subject + ". Nothing was sent."
	case verdict.CheckCloudIncomplete:
		return "The cloud configuration is incomplete: " + r.Subject + ". Nothing was sent."
	case verdict.CheckNoCloudCred:
		return "No cloud credential. Nothing was sent."
	case verdict.CheckProxyBroken:
		return "The proxy settings are broken, so no request can leave."
	case verdict.CheckDNS:
		return fmt.Sprintf("%s does not resolve, so no request can reach it.", r.Subject)
	case verdict.CheckTCP:
		return fmt.Sprintf("No TCP connection to %s.", r.Subject)
	case verdict.CheckTLSIntercepted:
		return fmt.Sprintf("TLS to %s is intercepted: the certificate comes from %s, not from the API's certificate authority.", r.Subject, r.Issuer)
	case verdict.CheckTLSOtherName:
		return "TLS answers with a certificate for another name: something in between answers instead of the API."
	case verdict.CheckTLSFailed:
		return "The TLS handshake failed."
	case verdict.CheckAnswer:
		return fmt.Sprintf("%s answered %s. %s", r.Subject, r.Kind, meaning(v.Signature, r.Kind))
	}
	// CheckRequestError: the request could not be made; its error says why.
	return r.Subject
}
