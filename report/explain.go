package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/verdict"
)

// Explain fills a verdict's words (Summary, Evidence, RuledOut, NextSteps)
// from the Basis it was decided on, as a run file's footer and the JSON of
// `probe compare` carry them: the ticket advice names the run file
// RUN.jsonl, since the words may outlive the file's name. A verdict without
// a Basis (read back from a footer) keeps the words it has.
func Explain(v verdict.Verdict) verdict.Verdict {
	return explain(v, footerAdvice)
}

// advice is what a verdict's next steps may point at.
type advice struct {
	// export is how the advice to open a ticket names the command that
	// writes it.
	export string
	// check drops the advice to run `probe check`, for the check just run
	// (a second check makes sense only after a change, "again").
	check bool
}

// footerAdvice names the run file RUN.jsonl, as stored words always have.
var footerAdvice = advice{export: "`probe export RUN.jsonl --format ticket` writes it for you"}

// adviceFor fits the advice to a run recorded in runFile, or to none
// (`probe check`, or a ramp that wrote no file): no export it cannot make,
// and no advice to run the check just run.
func adviceFor(runFile string) advice {
	if runFile == "" {
		return advice{export: "`probe ramp` records the requests in a run file; `probe export <run file> -o ticket` then writes the ticket", check: true}
	}
	name := runFile
	if strings.ContainsAny(name, " \t'\"$`\\") {
		name = "'" + strings.ReplaceAll(name, "'", `'\''`) + "'"
	}
	return advice{export: "`probe export " + name + " -o ticket` writes it for you"}
}

// explainRun is a verdict in the words a report of a run shows: its next
// steps name the run file it was recorded in.
func explainRun(v verdict.Verdict, runFile string) verdict.Verdict {
	return explain(v, adviceFor(runFile))
}

func explain(v verdict.Verdict, a advice) verdict.Verdict {
	b := v.Basis
	if b == nil {
		return v
	}
	v.Summary = summary(v)
	v.Evidence = evidence(v)
	v.RuledOut = []string{}
	for _, c := range b.Cleared {
		v.RuledOut = append(v.RuledOut, clearances[c])
	}
	v.NextSteps = nextSteps(v, a)
	return v
}

// summary is the verdict in a sentence or two, by the branch it was
// decided on.
func summary(v verdict.Verdict) string {
	b := v.Basis
	k := b.Kind.String()
	switch b.Path {
	case verdict.PathNoAnswers:
		return "No answers were recorded, so nothing can be decided."
	case verdict.PathHealthy:
		return fmt.Sprintf("The key works: all %d requests succeeded, up to %d in flight.", b.Answered, b.MaxInFlight)
	case verdict.PathNoise:
		return fmt.Sprintf("The key works: %d of %d requests succeeded; the one failure (%s) is noise unless it recurs.", b.OK, b.Answered, k)
	case verdict.PathOneFailure:
		return fmt.Sprintf("One failure among %d answers: too few to tell noise from an intermittent problem; about %d more requests would decide.", b.Answered, v.NeedMore)
	case verdict.PathTooFew:
		return fmt.Sprintf("Only %d answer(s), all %s: it looks like %s, but %d more would decide.", b.Answered, k, b.Apparent, v.NeedMore)
	case verdict.PathDominant:
		if b.OK > 0 {
			return fmt.Sprintf("%d of %d requests failed, mostly %s; %d succeeded. %s", b.Answered-b.OK, b.Answered, k, b.OK, meaning(v.Signature, b.Kind))
		}
		return fmt.Sprintf("Every answer failed: %d of %d were %s. %s", b.Count, b.Answered, k, meaning(v.Signature, b.Kind))
	case verdict.PathIntermittent:
		return intermittentSummary(v)
	}
	return ""
}

// intermittentSummary says what the mix of 403s and successes shows: a
// rise with concurrency, an alternation in time, or neither.
func intermittentSummary(v verdict.Verdict) string {
	b := v.Basis
	src, reading := refusalReadings[b.Source][0], refusalReadings[b.Source][1]
	pct := 100 * float64(b.Refused) / float64(b.Answered)
	switch {
	case b.Dependent:
		return fmt.Sprintf("403s come and go and rise with concurrency: %d of %d requests (%.0f%%) were refused by %s while %d succeeded. %s", b.Refused, b.Answered, pct, src, b.OK, reading)
	case b.Alternating:
		return fmt.Sprintf("403s alternate with successes whatever the load: %d of %d requests (%.0f%%) were refused by %s while %d succeeded. %s", b.Refused, b.Answered, pct, src, b.OK, reading)
	}
	return fmt.Sprintf("403s mixed with successes: %d of %d requests (%.0f%%) were refused by %s while %d succeeded. A permission setting would refuse every request. %s", b.Refused, b.Answered, pct, src, b.OK, reading) +
		highOnCount(v)
}

// highOnCount explains a high confidence that rests on the counts alone,
// beside a p-value that is not significant: the confidence is in the mix
// (a permission setting refuses every request), while the p-value is of
// the tests for a link to concurrency or time, which found none. Without
// it, "confidence high, p=0.34" reads as a contradiction.
func highOnCount(v verdict.Verdict) string {
	if v.Confidence != verdict.High || v.PValue == nil || *v.PValue < diagnose.Alpha {
		return ""
	}
	return fmt.Sprintf(" Confidence is high on the counts alone (%d refused and %d succeeded; %d of each suffice): the p=%s is of the tests for a link to concurrency or time, and it says there is none, not that the 403s are in doubt.",
		v.Basis.Refused, v.Basis.OK, diagnose.MinHigh, formatP(*v.PValue))
}

// refusalReadings are, per sender of a run's 403s, how to name it and what
// that reading means for an intermittent run.
var refusalReadings = map[verdict.Source][2]string{
	verdict.SourceAPI:       {"the API (permission_error)", "This is the signature of an abuse flag on the account, not a permission setting."},
	verdict.SourceChallenge: {"Cloudflare's edge (managed challenge pages)", "The edge's bot protection reacts to bursts from this network: the intermittent-403 signature, from the edge rather than the account."},
	verdict.SourceEdge:      {"Cloudflare's edge (its own 403s, no request id), not the API", "The edge, not the account, refuses some requests from this network: its IP or bot rules reacting to load."},
	verdict.SourceProxy:     {"a proxy or filter in between, not the API", "Something between you and the API refuses some requests (Q4)."},
	verdict.SourceOther:     {"an unidentified sender (no request id, no Cloudflare marks)", "Who refuses cannot be told from the answers: compare from another network."},
	verdict.SourceNone:      {"an unidentified sender", ""},
}

// meaning is the one-sentence reading of a signature for the summary.
func meaning(sig verdict.Signature, k verdict.Kind) string {
	switch sig {
	case verdict.AuthFailure:
		return "The key is wrong, revoked or expired (layer 1)."
	case verdict.ProxyInterference:
		switch k.Outcome {
		case classify.OutcomeKeyNotReceived:
			return "The key was sent but the API says none arrived: something between you and the API strips it (Q4)."
		case classify.OutcomeTLS:
			return "The TLS certificate is not the API's: something intercepts TLS (Q4)."
		case classify.OutcomeNotFound, classify.OutcomeRedirect, classify.OutcomeBadRequest, classify.OutcomeUnexpected:
			return "The answers are not the Messages API's: the base URL, a gateway or a proxy in between is answering (Q4)."
		}
		return "An HTML page that is neither the API's nor Cloudflare's answered: a proxy or filter in between blocks the request (Q4)."
	case verdict.WorkspaceDenied:
		return "The API refuses this key's workspace or organization consistently (layer 2)."
	case verdict.RegionBlocked:
		return "The edge refuses this network: the country, VPN exit or IP is blocked (layer 3)."
	case verdict.ModelNotEnabled:
		return "The model is unknown or not enabled for this key (layer 4)."
	case verdict.AccountFlagged:
		return "The refusals say the account is flagged, suspended or blocked by safeguards (layer 5): more requests will not clear it."
	case verdict.Inconclusive:
		return inconclusiveMeaning(k)
	case verdict.BillingIssue:
		return "A billing problem, not a permission one."
	case verdict.RateLimited:
		return "A rate limit, not a permission problem."
	case verdict.Overloaded:
		return "The service is overloaded or failing, not your account."
	case verdict.NetworkError:
		return "No HTTP answer arrived: the network path failed."
	}
	return ""
}

// inconclusiveMeaning says why a run of answers names no layer.
func inconclusiveMeaning(k verdict.Kind) string {
	switch {
	case k.Outcome == classify.OutcomeRequestSize:
		return "The request is too big for the API or the edge: nothing about the account."
	case k.Producer == classify.ProducerGateway && (k.Outcome == classify.OutcomeOverloaded || k.Outcome == classify.OutcomeServer):
		return "A gateway or relay says the service behind it failed; gateways rewrite errors, so the cause cannot be told from here."
	}
	return "probe does not recognise these answers, so it names no layer: they are shown as they came."
}

// clearances are the words of each layer ruled out, with the reason.
var clearances = map[verdict.Clearance]string{
	verdict.ClearedAuthServed:      "layer 1 (auth): requests with this key succeeded",
	verdict.ClearedWorkspaceServed: "layer 2 (workspace): the workspace served requests",
	verdict.ClearedRegionServed:    "layer 3 (region/IP): the API answered from this network",
	verdict.ClearedModelServed:     "layer 4 (model): the model answered",
	verdict.ClearedProxyServed:     "Q4 (proxy): successful answers came through the same route",
	verdict.ClearedAuthAccepted:    "layer 1 (auth): the API accepted the key (its answers did not refuse it)",
	verdict.ClearedRegionOrigin:    "layer 3 (region/IP): the API itself answered (its request ids are present), so the edge let the request through",
	verdict.ClearedProxyOrigin:     "Q4 (proxy): the answers are the API's own, with its request ids",
}

// formatP prints a p-value the way a reader expects: four significant
// digits, and "<1e-12" rather than a meaningless tiny number.
func formatP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "n/a"
	case p < 1e-12:
		return "<1e-12"
	case p < 0.0001:
		return fmt.Sprintf("%.1e", p)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", p), "0"), ".")
}
