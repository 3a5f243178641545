package report

import (
	"fmt"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/verdict"
)

// evidence is the lines behind a run's verdict, in the order a reader
// needs them: the steps, the tests, the failures, what limits the
// confidence, then how the run went (a step short of its load, an early
// stop).
func evidence(v verdict.Verdict) []string {
	b := v.Basis
	var out []string
	switch b.Path {
	case verdict.PathNoAnswers:
		out = append(out, fmt.Sprintf("%d requests sent, none answered", b.Sent))
	case verdict.PathHealthy, verdict.PathNoise:
		out = stepLines(b)
	case verdict.PathOneFailure, verdict.PathTooFew:
		out = append(stepLines(b), kindLines(b)...)
	case verdict.PathDominant:
		out = append(append(stepLines(b), kindLines(b)...), caveatLines(v)...)
	case verdict.PathIntermittent:
		out = append(append(stepLines(b), testLines(b)...), kindLines(b)...)
		if len(b.Senders) > 0 {
			out = append(out, sendersLine(b.Senders))
		}
	}
	for _, sf := range b.Shortfalls {
		out = append(out, fmt.Sprintf("c=%d never reached its concurrency: at most %d %s in flight (a --rate cap or a slow start kept it lower), so the step tested less load than its name says",
			sf.Concurrency, sf.MaxInFlight, Plural(sf.MaxInFlight, "request was", "requests were")))
	}
	if line := toolLine(b.ToolFailures); line != "" {
		out = append(out, line)
	}
	if b.EarlyStop != nil {
		out = append(out, earlyStopLine(*b.EarlyStop))
	}
	out = append(out, b.Carried...)
	if out == nil {
		out = []string{}
	}
	return out
}

// stepLines gives one line per step: answered, ok, refused.
func stepLines(b *verdict.Basis) []string {
	var out []string
	for _, st := range b.Steps {
		line := fmt.Sprintf("c=%d: %d/%d succeeded", st.Concurrency, st.OK, st.Answered)
		if st.Refused403 > 0 {
			line += fmt.Sprintf(", %d refused with 403", st.Refused403)
		}
		if other := st.Answered - st.OK - st.Refused403; other > 0 {
			line += fmt.Sprintf(", %d other %s", other, Plural(other, "failure", "failures"))
		}
		if st.ToolFailed > 0 {
			line += fmt.Sprintf(", %d failed in probe itself", st.ToolFailed)
		}
		if cancelled := st.Sent - st.Answered - st.ToolFailed; cancelled > 0 {
			line += fmt.Sprintf(", %d cancelled", cancelled)
		}
		out = append(out, line)
	}
	return out
}

// kindLines lists the distinct failures, most frequent first.
func kindLines(b *verdict.Basis) []string {
	var out []string
	for _, k := range b.Kinds {
		line := fmt.Sprintf("%d× %s", k.Count, k)
		if k.Producer != "" {
			line += ", from " + producerName(k.Producer)
		}
		switch {
		case k.IDSource == classify.IDFromCFRay && k.RequestID != "":
			line += fmt.Sprintf(" (no request id; cf-ray %s)", k.RequestID)
		case k.RequestID != "":
			line += fmt.Sprintf(" (e.g. %s %s)", k.IDSource, k.RequestID)
		default:
			line += " (no request id)"
		}
		out = append(out, line)
	}
	if b.MoreKinds > 0 {
		out = append(out, fmt.Sprintf("… and %d other kinds of failure", b.MoreKinds))
	}
	return out
}

// testLines are the tests of an intermittent run: the 403 rate against
// concurrency, its trend, and the alternation in time.
func testLines(b *verdict.Basis) []string {
	var out []string
	if f := b.Fisher; f != nil {
		out = append(out, fmt.Sprintf("c=%d: %d/%d refused; c=%d: %d/%d refused, one-sided Fisher exact p=%s",
			f.LowC, f.LowRefused, f.LowAnswered, f.HighC, f.HighRefused, f.HighAnswered, formatP(f.P)))
	}
	if tr := b.Trend; tr != nil {
		out = append(out, fmt.Sprintf("trend of the 403 rate across c=%s: Cochran-Armitage z=%.2f, one-sided p=%s", diagnose.JoinInts(tr.Levels), tr.Z, formatP(tr.P)))
	}
	if rt := b.Runs; rt != nil {
		out = append(out, fmt.Sprintf("time order: %d runs of successes and 403s where %.1f were expected by chance; runs test p=%s for alternation", rt.Runs, rt.Expected, formatP(rt.P)))
	}
	return out
}

// caveatLines say why a dominant verdict's confidence is no higher.
func caveatLines(v verdict.Verdict) []string {
	b := v.Basis
	var out []string
	for _, c := range b.Caveats {
		switch c.Code {
		case verdict.CaveatUnrecognised:
			out = append(out, fmt.Sprintf("the answers are of a shape probe does not recognise (status %d from %s): shown as they came, they cannot support high confidence", c.Status, producerName(c.Producer)))
		case verdict.CaveatUnidentified:
			out = append(out, "who sent these answers cannot be told (no request id, no Cloudflare, gateway or proxy marks)")
		case verdict.CaveatMixedSenders:
			out = append(out, sendersLine(b.Senders))
		case verdict.CaveatZeroQuota:
			out = append(out, "no request got through: a limit that lets nothing through cannot be told from a quota of zero (no entitlement to the model)")
		case verdict.CaveatSecondFinding:
			what := map[verdict.Signature]string{verdict.RateLimited: "rate limit", verdict.Overloaded: "overload"}[v.Signature]
			out = append(out, fmt.Sprintf("second finding: %d %s refused with 403 by %s; judge them once the %s is gone",
				c.Refused, Plural(c.Refused, "request was", "requests were"), refusalReadings[b.Source][0], what))
		}
	}
	return out
}

// sendersLine says the answers of a run came from more than one sender.
func sendersLine(ss []verdict.Sender) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = fmt.Sprintf("%s %d", producerName(s.Producer), s.Count)
	}
	return "the answers came from more than one sender (" + strings.Join(parts, ", ") + "): something in the path answers some requests itself"
}

// producerName names a producer in evidence.
func producerName(p classify.Producer) string {
	switch p {
	case classify.ProducerAPI:
		return "the API"
	case classify.ProducerEdge:
		return "the edge (Cloudflare)"
	case classify.ProducerGateway:
		return "a gateway or relay"
	case classify.ProducerProxy:
		return "a proxy or filter"
	case classify.ProducerCloud:
		return "the cloud provider"
	case "":
		return "no HTTP answer"
	}
	return "an unidentified sender"
}

// earlyStopLine words an early stop truthfully: how many answers, from the
// first, were the same deterministic failure that stopped the run, and what
// the requests still in flight then answered (issue 16 #5).
func earlyStopLine(e verdict.EarlyStop) string {
	if e.UniformRun == 0 {
		return "stopped early"
	}
	what := fmt.Sprintf("%s (%d)", e.Outcome, e.Status)
	if e.StepAnswered <= e.UniformRun {
		return fmt.Sprintf("stopped early: the first %d answers at c=%d were all the same deterministic failure, %s, so ramping would add nothing", e.UniformRun, e.Concurrency, what)
	}
	return fmt.Sprintf("stopped early after the first %d answers at c=%d were all %s; the requests still in flight then answered otherwise (%d of %d answers at c=%d succeeded), and the verdict reads every answer",
		e.UniformRun, e.Concurrency, what, e.StepOK, e.StepAnswered, e.Concurrency)
}

// Plural is one for a count of 1 and many for any other: the one place a
// count picks its noun, for the reports and the command's notes alike.
func Plural[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// toolLine says which steps lost requests in probe itself (out of file
// descriptors), and that those steps were not tested as planned; "" when
// none did.
func toolLine(tf []verdict.ToolFailure) string {
	if len(tf) == 0 {
		return ""
	}
	n := 0
	var at []string
	for _, t := range tf {
		n += t.Failed
		at = append(at, fmt.Sprintf("c=%d: %d of %d", t.Concurrency, t.Failed, t.Sent))
	}
	return fmt.Sprintf("%d %s failed in probe itself, not at the API (out of file descriptors: too many open files), so %s not tested as planned (%s)",
		n, Plural(n, "request", "requests"), Plural(len(tf), "that step was", "those steps were"), strings.Join(at, "; "))
}
