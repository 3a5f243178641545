package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/stats"
	"github.com/llm-probe/probe/prober/verdict"
)

// Thresholds of the decision, named so the tests and the README can cite them.
const (
	// minDecisive is the fewest answers a consistent failure needs for a verdict.
	minDecisive = 3
	// MinHigh is the fewest identical answers for high confidence.
	MinHigh = 5
	// noiseAfter is how many successes make one lone failure noise.
	noiseAfter = 9
	// alpha is the significance level of the tests.
	alpha = 0.05
	// Alpha is alpha, for the words that say a test found nothing.
	Alpha = alpha
	// extendLimit bounds the extra requests the verdict may ask for per level.
	extendLimit = 200
)

// Decide reads a summary and names the failing layer. The verdict carries
// its Basis, the branch and facts it was decided on, and no words: package
// report makes those (report.Explain).
func Decide(s *Summary) verdict.Verdict {
	v := decide(s)
	b := v.Basis
	b.Sent, b.Answered, b.OK, b.Refused, b.MaxInFlight = s.Sent, s.Answered, s.OK, s.refused403(), s.MaxInFlight
	var far bool
	if b.Shortfalls, far = shortfall(s); far && v.Confidence == verdict.High && (v.Signature == verdict.Healthy || v.Signature == verdict.Intermittent403) {
		v.Confidence = verdict.Medium
	}
	var toolConf string
	if b.ToolFailures, toolConf = toolFailures(s); len(b.ToolFailures) > 0 {
		v.Confidence = lowerTo(v.Confidence, toolConf)
	}
	v.Layer = v.Signature.Layer()
	b.Cleared = ruledOut(s, v.Signature)
	b.Source, b.Senders = refusalSource(s), senders(s)
	return v
}

func decide(s *Summary) verdict.Verdict {
	if s.Answered == 0 {
		return verdict.Verdict{Signature: verdict.Inconclusive, Confidence: verdict.Low, NeedMore: minDecisive, Basis: &verdict.Basis{Path: verdict.PathNoAnswers}}
	}
	refused := s.refused403()
	failed := s.Answered - s.OK
	switch {
	case failed == 0:
		return healthy(s)
	case s.OK > 0 && refused >= 2 && !throttleDominates(s):
		return intermittent(s)
	case s.OK > 0 && failed == 1:
		if s.OK >= noiseAfter {
			v := healthy(s)
			v.Confidence = verdict.Medium
			v.Basis.Path, v.Basis.Kind = verdict.PathNoise, kindOf(s.topKinds()[0])
			return v
		}
		return verdict.Verdict{
			Signature: verdict.Inconclusive, Confidence: verdict.Low, NeedMore: noiseAfter - s.OK, ExtendAt: extendLevels(s),
			Basis: withKinds(s, &verdict.Basis{Path: verdict.PathOneFailure, Steps: stepFacts(s)}),
		}
	}
	return dominant(s)
}

func healthy(s *Summary) verdict.Verdict {
	v := verdict.Verdict{Signature: verdict.Healthy, Confidence: verdict.High, Basis: &verdict.Basis{Path: verdict.PathHealthy, Steps: stepFacts(s)}}
	switch {
	case s.OK < minDecisive:
		v.Confidence = verdict.Low
	case s.OK < 10:
		v.Confidence = verdict.Medium
	}
	return v
}

// dominant decides a run whose failures are not a mix of successes and 403s:
// the most frequent failure names the layer.
func dominant(s *Summary) verdict.Verdict {
	kinds := s.topKinds()
	byOutcome := map[verdict.Signature]int{}
	first := map[verdict.Signature]*FailureKind{}
	for _, k := range kinds {
		sig := cloudSignature(s, k, signatureOf(k))
		byOutcome[sig] += k.Count
		if first[sig] == nil {
			first[sig] = k
		}
	}
	sigs := make([]verdict.Signature, 0, len(byOutcome))
	for sig := range byOutcome {
		sigs = append(sigs, sig)
	}
	sort.Slice(sigs, func(i, j int) bool {
		if byOutcome[sigs[i]] != byOutcome[sigs[j]] {
			return byOutcome[sigs[i]] > byOutcome[sigs[j]]
		}
		return priority(sigs[i]) < priority(sigs[j])
	})
	sig := sigs[0]
	n := byOutcome[sig]
	k := first[sig]
	failed := s.Answered - s.OK
	b := withKinds(s, &verdict.Basis{Path: verdict.PathDominant, Steps: stepFacts(s), Kind: kindOf(k), Count: n})
	v := verdict.Verdict{Signature: sig, Basis: b}
	if s.OK == 0 && s.Answered < minDecisive {
		b.Path, b.Apparent = verdict.PathTooFew, sig
		v.Signature, v.Confidence, v.NeedMore, v.ExtendAt = verdict.Inconclusive, verdict.Low, minDecisive-s.Answered, extendLevels(s)
		return v
	}
	// With successes in the mix, the question is what the failures are, so
	// the share is of the failures.
	share := float64(n) / float64(failed)
	switch {
	case n >= MinHigh && share >= 0.9:
		v.Confidence = verdict.High
	case n >= minDecisive && share >= 0.5:
		v.Confidence = verdict.Medium
	default:
		v.Confidence = verdict.Low
	}
	v.Confidence, b.Caveats = capConfidence(s, sig, k, v.Confidence)
	return v
}

// intermittent decides a run where 403s and successes are mixed, and measures
// whether the 403s depend on concurrency or alternate in time.
func intermittent(s *Summary) verdict.Verdict {
	refused := s.refused403()
	b := &verdict.Basis{Path: verdict.PathIntermittent, Steps: stepFacts(s)}
	v := verdict.Verdict{Signature: verdict.Intermittent403, Basis: b}
	best, bestTest := concurrencyTests(s, &v)
	if rt := s.runsTest(); rt.N1 > 0 && rt.N2 > 0 {
		b.Runs = &verdict.RunsTest{Runs: rt.Runs, Expected: rt.Expected, P: rt.PTooMany}
		if rt.PTooMany < alpha {
			b.Alternating = true
			// The concurrency test stays the headline when it is
			// significant: it is the stronger, more specific finding.
			if !b.Dependent {
				best, bestTest = rt.PTooMany, "runs_test_alternation"
			}
		}
	}
	withKinds(s, b)
	if bestTest != "" {
		p := best
		v.PValue, v.Test = &p, bestTest
	}
	switch {
	case refused >= minDecisive && s.OK >= minDecisive && (b.Dependent || b.Alternating || refused >= MinHigh && s.OK >= MinHigh):
		v.Confidence = verdict.High
	case refused >= minDecisive && s.OK >= minDecisive:
		v.Confidence = verdict.Medium
	default:
		v.Confidence = verdict.Low
		if v.NeedMore == 0 {
			v.NeedMore, v.ExtendAt = 10, extendLevels(s)
		}
	}
	if v.Confidence == verdict.High {
		v.NeedMore, v.ExtendAt = 0, nil
	}
	return v
}

// concurrencyTests runs the tests of the 403 rate against concurrency (the
// Fisher exact test of the lowest level against the highest, and the
// Cochran-Armitage trend across three or more), records them in v's Basis,
// asks for more requests when they could still decide, and returns the
// smaller p-value and its test.
func concurrencyTests(s *Summary, v *verdict.Verdict) (float64, string) {
	levels := s.Levels()
	if len(levels) < 2 {
		return 1, ""
	}
	b := v.Basis
	lo, hi := levels[0], levels[len(levels)-1]
	p := stats.RateIncrease(lo.Refused403, lo.Answered, hi.Refused403, hi.Answered)
	b.Fisher = &verdict.FisherTest{LowC: lo.Concurrency, LowRefused: lo.Refused403, LowAnswered: lo.Answered,
		HighC: hi.Concurrency, HighRefused: hi.Refused403, HighAnswered: hi.Answered, P: p}
	best, bestTest := p, "fisher_exact_one_sided"
	if len(levels) >= 3 {
		fails, totals, scores := make([]int, len(levels)), make([]int, len(levels)), make([]float64, len(levels))
		cs := make([]int, len(levels))
		for i, l := range levels {
			fails[i], totals[i], scores[i], cs[i] = l.Refused403, l.Answered, float64(l.Concurrency), l.Concurrency
		}
		if tr, err := stats.CochranArmitage(fails, totals, scores); err == nil {
			b.Trend = &verdict.TrendTest{Levels: cs, Z: tr.Z, P: tr.PIncreasing}
			if tr.PIncreasing < best {
				best, bestTest = tr.PIncreasing, "cochran_armitage_trend"
			}
		}
	}
	b.Dependent = best < alpha
	if !b.Dependent && lo.Answered > 0 && hi.Answered > 0 {
		if more := stats.MoreToDecide(lo.Refused403, lo.Answered, hi.Refused403, hi.Answered, alpha, extendLimit); more > 0 {
			v.NeedMore, v.ExtendAt = more, []int{lo.Concurrency, hi.Concurrency}
		}
	}
	return best, bestTest
}

// signatureOf maps a failure kind onto the layer it points at.
func signatureOf(k *FailureKind) verdict.Signature {
	return SignatureFrom(k.Outcome, k.Producer, k.Message)
}

// SignatureFor maps one failed answer onto the layer it points at, when
// who answered is not known; see SignatureFrom.
func SignatureFor(o classify.Outcome, message string) verdict.Signature {
	return SignatureFrom(o, "", message)
}

// SignatureFrom maps one failed answer, and who sent it, onto the layer it
// points at. Who answered decides where the outcome alone cannot: an
// answer nothing recognised points in between when a proxy sent it and
// nowhere otherwise; a gateway's claim of overload hides the cause behind
// it (REAL-ANSWERS.md, principle 4).
func SignatureFrom(o classify.Outcome, p classify.Producer, message string) verdict.Signature {
	switch o {
	case classify.OutcomeAuth:
		return verdict.AuthFailure
	case classify.OutcomeKeyNotReceived, classify.OutcomeProxyPage:
		return verdict.ProxyInterference
	case classify.OutcomeRedirect, classify.OutcomeNotFound, classify.OutcomeBadRequest:
		// The API or the cloud answering "no such path" or "bad request"
		// is no sign of anything in between (it carries their marks): the
		// request or its URL is wrong, which the answer alone cannot place.
		if p == classify.ProducerAPI || p == classify.ProducerCloud {
			return verdict.Inconclusive
		}
		return verdict.ProxyInterference
	case classify.OutcomeUnexpected, classify.OutcomeUnrecognised:
		if p == classify.ProducerProxy || o == classify.OutcomeUnexpected && p != classify.ProducerAPI {
			return verdict.ProxyInterference
		}
		return verdict.Inconclusive
	case classify.OutcomeTLS:
		if classify.Intercepted(o, message) {
			return verdict.ProxyInterference
		}
		return verdict.NetworkError
	case classify.OutcomePermission, classify.OutcomeWorkspace:
		return verdict.WorkspaceDenied
	case classify.OutcomeForbiddenEdge, classify.OutcomeEdgeBlock, classify.OutcomeChallenge, classify.OutcomeRegion:
		return verdict.RegionBlocked
	case classify.OutcomeModel:
		return verdict.ModelNotEnabled
	case classify.OutcomeFlagged:
		return verdict.AccountFlagged
	case classify.OutcomeBilling:
		return verdict.BillingIssue
	case classify.OutcomeRateLimit:
		return verdict.RateLimited
	case classify.OutcomeOverloaded, classify.OutcomeServer:
		if p == classify.ProducerGateway {
			return verdict.Inconclusive
		}
		return verdict.Overloaded
	case classify.OutcomeRequestSize:
		return verdict.Inconclusive
	case classify.OutcomeOK:
		return verdict.Healthy
	}
	return verdict.NetworkError
}

// priority breaks ties between equally frequent failures: the layer nearer
// the user is checked first, as an operator would.
func priority(s verdict.Signature) int {
	order := []verdict.Signature{verdict.ProxyInterference, verdict.AuthFailure, verdict.RegionBlocked, verdict.WorkspaceDenied, verdict.ModelNotEnabled, verdict.AccountFlagged, verdict.BillingIssue, verdict.Intermittent403, verdict.RateLimited, verdict.Overloaded, verdict.NetworkError, verdict.Inconclusive}
	for i, o := range order {
		if o == s {
			return i
		}
	}
	return len(order)
}

// stepFacts gives the answers of every step that sent requests.
func stepFacts(s *Summary) []verdict.Step {
	var out []verdict.Step
	for _, st := range s.Steps {
		if st.Sent == 0 {
			continue
		}
		out = append(out, verdict.Step{Concurrency: st.Concurrency, Sent: st.Sent, Answered: st.Answered, OK: st.OK, Refused403: st.Refused403, ToolFailed: st.ToolFailed})
	}
	return out
}

// evidenceKinds is how many failure kinds the evidence lists.
const evidenceKinds = 4

// withKinds adds the run's most frequent failures to b, and how many other
// kinds there were.
func withKinds(s *Summary, b *verdict.Basis) *verdict.Basis {
	top := s.topKinds()
	for i, k := range top {
		if i == evidenceKinds {
			b.MoreKinds = len(s.Kinds) - evidenceKinds + s.OtherKinds
			break
		}
		b.Kinds = append(b.Kinds, kindOf(k))
	}
	return b
}

// kindOf is a failure kind as a verdict names it, with its first request id.
func kindOf(k *FailureKind) verdict.Kind {
	out := verdict.Kind{Outcome: k.Outcome, Producer: k.Producer, Status: k.Status, ErrorType: k.ErrorType, Message: k.Message, Count: k.Count, IDSource: k.IDSource}
	if len(k.RequestIDs) > 0 {
		out.RequestID = k.RequestIDs[0]
	}
	return out
}

func extendLevels(s *Summary) []int {
	levels := s.Levels()
	if len(levels) == 0 {
		if len(s.Steps) > 0 {
			return []int{s.Steps[0].Concurrency}
		}
		return nil
	}
	if len(levels) == 1 {
		return []int{levels[0].Concurrency}
	}
	return []int{levels[0].Concurrency, levels[len(levels)-1].Concurrency}
}

// ruledOut lists the layers the answers clear. The edge's own refusals
// keep layer 3 open, and answers from anything but the API keep Q4 open,
// whatever else succeeded.
func ruledOut(s *Summary, sig verdict.Signature) []verdict.Clearance {
	var out []verdict.Clearance
	add := func(layer verdict.Signature, c verdict.Clearance) {
		if layer != sig {
			out = append(out, c)
		}
	}
	edge := s.Outcomes[classify.OutcomeForbiddenEdge] + s.Outcomes[classify.OutcomeEdgeBlock] + s.Outcomes[classify.OutcomeChallenge] + s.Outcomes[classify.OutcomeRegion]
	between := s.Producers[classify.ProducerProxy] + s.Producers[classify.ProducerGateway] + s.Producers[classify.ProducerUnknown]
	if s.OK > 0 {
		add(verdict.AuthFailure, verdict.ClearedAuthServed)
		add(verdict.WorkspaceDenied, verdict.ClearedWorkspaceServed)
		if edge == 0 {
			add(verdict.RegionBlocked, verdict.ClearedRegionServed)
		}
		add(verdict.ModelNotEnabled, verdict.ClearedModelServed)
		if between == 0 {
			add(verdict.ProxyInterference, verdict.ClearedProxyServed)
		}
		return out
	}
	if s.OriginNon401 > 0 {
		add(verdict.AuthFailure, verdict.ClearedAuthAccepted)
	}
	if s.OriginAnswers > 0 && edge == 0 {
		add(verdict.RegionBlocked, verdict.ClearedRegionOrigin)
	}
	if s.OriginAnswers > 0 && between == 0 {
		add(verdict.ProxyInterference, verdict.ClearedProxyOrigin)
	}
	return out
}

// JoinInts joins concurrency levels with commas, as the reports and the
// engine's notices show them (1,5,10).
func JoinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ",")
}
