package diagnose

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/verdict"
)

// throttleDominates reports whether rate limits and overload outnumber
// the 403s and make up at least half the failures: the run is then about
// the limit, and the 403s are a second finding (issue 16 #3), not an
// abuse signature of their own.
func throttleDominates(s *Summary) bool {
	throttled := s.Outcomes[classify.OutcomeRateLimit] + s.Outcomes[classify.OutcomeOverloaded] + s.Outcomes[classify.OutcomeServer]
	return throttled > s.refused403() && 2*throttled >= s.Answered-s.OK
}

// capConfidence lowers a dominant verdict's confidence to what its
// evidence supports: high needs at least MinHigh identical answers of a
// recognised shape from an identified producer, one producer across the
// run, and no second finding. It returns the lines that say why.
func capConfidence(s *Summary, sig verdict.Signature, k *FailureKind, conf string) (string, []string) {
	var why []string
	lower := func(line string) {
		if conf == verdict.High {
			conf = verdict.Medium
		}
		if line != "" {
			why = append(why, line)
		}
	}
	switch {
	case sig == verdict.Inconclusive:
		lower("")
	case !k.Outcome.Recognised():
		lower(fmt.Sprintf("the answers are of a shape probe does not recognise (status %d from %s): shown as they came, they cannot support high confidence", k.Status, producerName(k.Producer)))
	case k.Count < MinHigh:
		lower("")
	case !k.Producer.Identified() && !k.Outcome.IsNetwork():
		lower("who sent these answers cannot be told (no request id, no Cloudflare, gateway or proxy marks)")
	}
	if line := mixedProducers(s); line != "" {
		lower(line)
	}
	if sig == verdict.RateLimited && s.OK == 0 {
		// Fixture 044: a quota of zero answers as a rate limit would.
		lower("no request got through: a limit that lets nothing through cannot be told from a quota of zero (no entitlement to the model)")
	}
	if refused := s.refused403(); refused > 0 && (sig == verdict.RateLimited || sig == verdict.Overloaded) {
		src, _ := refusalSource(s)
		lower(fmt.Sprintf("second finding: %d %s refused with 403 by %s; judge them once the %s is gone", refused, plural(refused, "request was", "requests were"), src, map[verdict.Signature]string{verdict.RateLimited: "rate limit", verdict.Overloaded: "overload"}[sig]))
	}
	return conf, why
}

// mixedProducers says when the answers of a run came from more than one
// sender: something in the path answers some requests itself.
func mixedProducers(s *Summary) string {
	if len(s.Producers) < 2 {
		return ""
	}
	var parts []string
	for _, p := range slices.Sorted(maps.Keys(s.Producers)) {
		parts = append(parts, fmt.Sprintf("%s %d", producerName(p), s.Producers[p]))
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

// refusalSource names who sent a run's 403s, truly: the API, the edge's
// challenge pages, the edge's own refusals, a proxy, or an unidentified
// sender; and what that reading means for an intermittent run.
func refusalSource(s *Summary) (src, reading string) {
	by := map[string]int{}
	for _, k := range s.Kinds {
		if k.Status != 403 && k.Outcome != classify.OutcomeChallenge {
			continue
		}
		switch {
		case k.Outcome == classify.OutcomeChallenge:
			by["challenge"] += k.Count
		case k.Producer == classify.ProducerAPI:
			by["api"] += k.Count
		case k.Producer == classify.ProducerEdge:
			by["edge"] += k.Count
		case k.Producer == classify.ProducerProxy:
			by["proxy"] += k.Count
		default:
			by["other"] += k.Count
		}
	}
	top := ""
	for _, c := range []string{"api", "challenge", "edge", "proxy", "other"} {
		if by[c] > by[top] {
			top = c
		}
	}
	return refusalReadings[top][0], refusalReadings[top][1]
}

// refusalReadings are refusalSource's words per sender.
var refusalReadings = map[string][2]string{
	"api":       {"the API (permission_error)", "This is the signature of an abuse flag on the account, not a permission setting."},
	"challenge": {"Cloudflare's edge (managed challenge pages)", "The edge's bot protection reacts to bursts from this network: the intermittent-403 signature, from the edge rather than the account."},
	"edge":      {"Cloudflare's edge (its own 403s, no request id), not the API", "The edge, not the account, refuses some requests from this network: its IP or bot rules reacting to load."},
	"proxy":     {"a proxy or filter in between, not the API", "Something between you and the API refuses some requests (Q4)."},
	"other":     {"an unidentified sender (no request id, no Cloudflare marks)", "Who refuses cannot be told from the answers: compare from another network."},
	"":          {"an unidentified sender", ""},
}

// shortfall returns a line per step that never held its concurrency in
// flight (a --rate cap keeps requests from overlapping: issue 16 #13), and
// whether any held at most half of it, which lowers a verdict that rests
// on load.
func shortfall(s *Summary) (lines []string, far bool) {
	for _, st := range s.Steps {
		if st.Concurrency < 2 || st.Answered < st.Concurrency || st.MaxInFlight == 0 || st.MaxInFlight >= st.Concurrency {
			continue
		}
		lines = append(lines, fmt.Sprintf("c=%d never reached its concurrency: at most %d %s in flight (a --rate cap or a slow start kept it lower), so the step tested less load than its name says",
			st.Concurrency, st.MaxInFlight, plural(st.MaxInFlight, "request was", "requests were")))
		far = far || 2*st.MaxInFlight <= st.Concurrency
	}
	return lines, far
}

// EarlyStopEvidence words an early stop truthfully: how many answers, from
// the first, were the same deterministic failure that stopped the run, and
// what the requests still in flight then answered (issue 16 #5).
func EarlyStopEvidence(s *Summary) string {
	if len(s.Steps) == 0 || s.UniformRun == 0 {
		return "stopped early"
	}
	st := s.Steps[0]
	what := fmt.Sprintf("%s (%d)", s.firstOutcome, s.firstStatus)
	if st.Answered <= s.UniformRun {
		return fmt.Sprintf("stopped early: the first %d answers at c=%d were all the same deterministic failure, %s, so ramping would add nothing", s.UniformRun, st.Concurrency, what)
	}
	return fmt.Sprintf("stopped early after the first %d answers at c=%d were all %s; the requests still in flight then answered otherwise (%d of %d answers at c=%d succeeded), and the verdict reads every answer",
		s.UniformRun, st.Concurrency, what, st.OK, st.Answered, st.Concurrency)
}
