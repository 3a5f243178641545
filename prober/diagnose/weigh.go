package diagnose

import (
	"maps"
	"slices"

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
// run, and no second finding. It returns the caveats that say why.
func capConfidence(s *Summary, sig verdict.Signature, k *FailureKind, conf string) (string, []verdict.Caveat) {
	var why []verdict.Caveat
	lower := func(c *verdict.Caveat) {
		if conf == verdict.High {
			conf = verdict.Medium
		}
		if c != nil {
			why = append(why, *c)
		}
	}
	switch {
	case sig == verdict.Inconclusive:
		lower(nil)
	case !k.Outcome.Recognised():
		lower(&verdict.Caveat{Code: verdict.CaveatUnrecognised, Status: k.Status, Producer: k.Producer})
	case k.Count < MinHigh:
		lower(nil)
	case !k.Producer.Identified() && !k.Outcome.IsNetwork():
		lower(&verdict.Caveat{Code: verdict.CaveatUnidentified})
	}
	if len(s.Producers) >= 2 {
		lower(&verdict.Caveat{Code: verdict.CaveatMixedSenders})
	}
	if sig == verdict.RateLimited && s.OK == 0 {
		// Fixture 044: a quota of zero answers as a rate limit would.
		lower(&verdict.Caveat{Code: verdict.CaveatZeroQuota})
	}
	if refused := s.refused403(); refused > 0 && (sig == verdict.RateLimited || sig == verdict.Overloaded) {
		lower(&verdict.Caveat{Code: verdict.CaveatSecondFinding, Refused: refused})
	}
	return conf, why
}

// senders counts the answers of a run by who sent them, when more than one
// sender answered: something in the path answers some requests itself.
func senders(s *Summary) []verdict.Sender {
	if len(s.Producers) < 2 {
		return nil
	}
	var out []verdict.Sender
	for _, p := range slices.Sorted(maps.Keys(s.Producers)) {
		out = append(out, verdict.Sender{Producer: p, Count: s.Producers[p]})
	}
	return out
}

// refusalSource names who sent a run's 403s: the API, the edge's challenge
// pages, the edge's own refusals, a proxy, or an unidentified sender.
func refusalSource(s *Summary) verdict.Source {
	by := map[verdict.Source]int{}
	for _, k := range s.Kinds {
		if k.Status != 403 && k.Outcome != classify.OutcomeChallenge {
			continue
		}
		switch {
		case k.Outcome == classify.OutcomeChallenge:
			by[verdict.SourceChallenge] += k.Count
		case k.Producer == classify.ProducerAPI:
			by[verdict.SourceAPI] += k.Count
		case k.Producer == classify.ProducerEdge:
			by[verdict.SourceEdge] += k.Count
		case k.Producer == classify.ProducerProxy:
			by[verdict.SourceProxy] += k.Count
		default:
			by[verdict.SourceOther] += k.Count
		}
	}
	top := verdict.SourceNone
	for _, c := range []verdict.Source{verdict.SourceAPI, verdict.SourceChallenge, verdict.SourceEdge, verdict.SourceProxy, verdict.SourceOther} {
		if by[c] > by[top] {
			top = c
		}
	}
	return top
}

// shortfall returns the steps that never held their concurrency in flight
// (a --rate cap keeps requests from overlapping: issue 16 #13), and
// whether any held at most half of it, which lowers a verdict that rests
// on load.
func shortfall(s *Summary) (out []verdict.Shortfall, far bool) {
	for _, st := range s.Steps {
		if st.Concurrency < 2 || st.Answered < st.Concurrency || st.MaxInFlight == 0 || st.MaxInFlight >= st.Concurrency {
			continue
		}
		out = append(out, verdict.Shortfall{Concurrency: st.Concurrency, MaxInFlight: st.MaxInFlight})
		far = far || 2*st.MaxInFlight <= st.Concurrency
	}
	return out, far
}

// EarlyStop is what the first answers of a run stopped early were, for
// the words that explain the stop: the same deterministic failure, how
// many, and what the requests still in flight then answered (issue 16 #5).
func EarlyStop(s *Summary) *verdict.EarlyStop {
	if len(s.Steps) == 0 || s.UniformRun == 0 {
		return &verdict.EarlyStop{}
	}
	st := s.Steps[0]
	return &verdict.EarlyStop{UniformRun: s.UniformRun, Concurrency: st.Concurrency, Outcome: s.firstOutcome, Status: s.firstStatus, StepOK: st.OK, StepAnswered: st.Answered}
}

// toolFailures gives the steps where requests failed in probe itself (out
// of file descriptors): they are no answers, so those steps were not
// tested as planned and the verdict cannot be as sure as its answers alone
// suggest. It also returns the most confidence left: medium, or low once
// any step lost at least half its requests.
func toolFailures(s *Summary) ([]verdict.ToolFailure, string) {
	conf := verdict.High
	var out []verdict.ToolFailure
	for _, st := range s.Steps {
		if st.ToolFailed == 0 {
			continue
		}
		out = append(out, verdict.ToolFailure{Concurrency: st.Concurrency, Failed: st.ToolFailed, Sent: st.Sent})
		conf = lowerTo(conf, verdict.Medium)
		if 2*st.ToolFailed >= st.Sent {
			conf = verdict.Low
		}
	}
	return out, conf
}

// lowerTo returns conf, or most if that is lower.
func lowerTo(conf, most string) string {
	rank := map[string]int{verdict.Low: 0, verdict.Medium: 1, verdict.High: 2}
	if rank[most] < rank[conf] {
		return most
	}
	return conf
}
