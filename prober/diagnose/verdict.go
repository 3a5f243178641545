package diagnose

import (
	"fmt"
	"math"
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
	// extendLimit bounds the extra requests the verdict may ask for per level.
	extendLimit = 200
)

// Decide reads a summary and names the failing layer.
func Decide(s *Summary) verdict.Verdict {
	v := decide(s)
	if lines, far := shortfall(s); len(lines) > 0 {
		v.Evidence = append(v.Evidence, lines...)
		if far && v.Confidence == verdict.High && (v.Signature == verdict.Healthy || v.Signature == verdict.Intermittent403) {
			v.Confidence = verdict.Medium
		}
	}
	v.Layer = v.Signature.Layer()
	v.RuledOut = ruledOut(s, v.Signature)
	v.NextSteps = NextSteps(v)
	if v.Evidence == nil {
		v.Evidence = []string{}
	}
	return v
}

func decide(s *Summary) verdict.Verdict {
	if s.Answered == 0 {
		return verdict.Verdict{Signature: verdict.Inconclusive, Confidence: verdict.Low, Summary: "No answers were recorded, so nothing can be decided.", NeedMore: minDecisive, Evidence: []string{fmt.Sprintf("%d requests sent, none answered", s.Sent)}}
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
			k := s.topKinds()[0]
			v.Summary = fmt.Sprintf("The key works: %d of %d requests succeeded; the one failure (%s) is noise unless it recurs.", s.OK, s.Answered, DescribeKind(k))
			return v
		}
		more := noiseAfter - s.OK
		return verdict.Verdict{
			Signature: verdict.Inconclusive, Confidence: verdict.Low, NeedMore: more, ExtendAt: extendLevels(s),
			Summary:  fmt.Sprintf("One failure among %d answers: too few to tell noise from an intermittent problem; about %d more requests would decide.", s.Answered, more),
			Evidence: append(stepEvidence(s), kindEvidence(s)...),
		}
	}
	return dominant(s)
}

func healthy(s *Summary) verdict.Verdict {
	v := verdict.Verdict{Signature: verdict.Healthy, Confidence: verdict.High, Evidence: stepEvidence(s)}
	switch {
	case s.OK < minDecisive:
		v.Confidence = verdict.Low
	case s.OK < 10:
		v.Confidence = verdict.Medium
	}
	v.Summary = fmt.Sprintf("The key works: all %d requests succeeded, up to %d in flight.", s.Answered, s.MaxInFlight)
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
	v := verdict.Verdict{Signature: sig, Evidence: append(stepEvidence(s), kindEvidence(s)...)}
	if s.OK == 0 && s.Answered < minDecisive {
		more := minDecisive - s.Answered
		v.Signature, v.Confidence, v.NeedMore, v.ExtendAt = verdict.Inconclusive, verdict.Low, more, extendLevels(s)
		v.Summary = fmt.Sprintf("Only %d answer(s), all %s: it looks like %s, but %d more would decide.", s.Answered, DescribeKind(k), sig, more)
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
	conf, why := capConfidence(s, sig, k, v.Confidence)
	v.Confidence, v.Evidence = conf, append(v.Evidence, why...)
	if s.OK > 0 {
		v.Summary = fmt.Sprintf("%d of %d requests failed, mostly %s; %d succeeded. %s", failed, s.Answered, DescribeKind(k), s.OK, Meaning(sig, k))
	} else {
		v.Summary = fmt.Sprintf("Every answer failed: %d of %d were %s. %s", n, s.Answered, DescribeKind(k), Meaning(sig, k))
	}
	return v
}

// intermittent decides a run where 403s and successes are mixed, and measures
// whether the 403s depend on concurrency or alternate in time.
func intermittent(s *Summary) verdict.Verdict {
	refused := s.refused403()
	v := verdict.Verdict{Signature: verdict.Intermittent403, Evidence: stepEvidence(s)}
	levels := s.Levels()
	var best float64 = 1
	bestTest := ""
	dependent, alternating := false, false
	if len(levels) >= 2 {
		lo, hi := levels[0], levels[len(levels)-1]
		p := stats.RateIncrease(lo.Refused403, lo.Answered, hi.Refused403, hi.Answered)
		v.Evidence = append(v.Evidence, fmt.Sprintf("c=%d: %d/%d refused; c=%d: %d/%d refused, one-sided Fisher exact p=%s",
			lo.Concurrency, lo.Refused403, lo.Answered, hi.Concurrency, hi.Refused403, hi.Answered, FormatP(p)))
		best, bestTest = p, "fisher_exact_one_sided"
		if len(levels) >= 3 {
			fails, totals, scores := make([]int, len(levels)), make([]int, len(levels)), make([]float64, len(levels))
			for i, l := range levels {
				fails[i], totals[i], scores[i] = l.Refused403, l.Answered, float64(l.Concurrency)
			}
			if tr, err := stats.CochranArmitage(fails, totals, scores); err == nil {
				v.Evidence = append(v.Evidence, fmt.Sprintf("trend of the 403 rate across c=%s: Cochran-Armitage z=%.2f, one-sided p=%s", joinLevels(levels), tr.Z, FormatP(tr.PIncreasing)))
				if tr.PIncreasing < best {
					best, bestTest = tr.PIncreasing, "cochran_armitage_trend"
				}
			}
		}
		dependent = best < alpha
		if !dependent && lo.Answered > 0 && hi.Answered > 0 {
			if more := stats.MoreToDecide(lo.Refused403, lo.Answered, hi.Refused403, hi.Answered, alpha, extendLimit); more > 0 {
				v.NeedMore, v.ExtendAt = more, []int{lo.Concurrency, hi.Concurrency}
			}
		}
	}
	rt := s.runsTest()
	if rt.N1 > 0 && rt.N2 > 0 {
		v.Evidence = append(v.Evidence, fmt.Sprintf("time order: %d runs of successes and 403s where %.1f were expected by chance; runs test p=%s for alternation", rt.Runs, rt.Expected, FormatP(rt.PTooMany)))
		if rt.PTooMany < alpha {
			alternating = true
			// The concurrency test stays the headline when it is
			// significant: it is the stronger, more specific finding.
			if !dependent {
				best, bestTest = rt.PTooMany, "runs_test_alternation"
			}
		}
	}
	v.Evidence = append(v.Evidence, kindEvidence(s)...)
	if bestTest != "" {
		p := best
		v.PValue, v.Test = &p, bestTest
	}
	switch {
	case refused >= minDecisive && s.OK >= minDecisive && (dependent || alternating || refused >= MinHigh && s.OK >= MinHigh):
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
	src, reading := refusalSource(s)
	if line := mixedProducers(s); line != "" {
		v.Evidence = append(v.Evidence, line)
	}
	pct := 100 * float64(refused) / float64(s.Answered)
	switch {
	case dependent:
		v.Summary = fmt.Sprintf("403s come and go and rise with concurrency: %d of %d requests (%.0f%%) were refused by %s while %d succeeded. %s", refused, s.Answered, pct, src, s.OK, reading)
	case alternating:
		v.Summary = fmt.Sprintf("403s alternate with successes whatever the load: %d of %d requests (%.0f%%) were refused by %s while %d succeeded. %s", refused, s.Answered, pct, src, s.OK, reading)
	default:
		v.Summary = fmt.Sprintf("403s mixed with successes: %d of %d requests (%.0f%%) were refused by %s while %d succeeded. A permission setting would refuse every request. %s", refused, s.Answered, pct, src, s.OK, reading)
		v.Summary += highOnCount(v, refused, s.OK)
	}
	return v
}

// highOnCount explains a high confidence that rests on the counts alone,
// beside a p-value that is not significant: the confidence is in the mix
// (a permission setting refuses every request), while the p-value is of
// the tests for a link to concurrency or time, which found none. Without
// it, "confidence high, p=0.34" reads as a contradiction.
func highOnCount(v verdict.Verdict, refused, ok int) string {
	if v.Confidence != verdict.High || v.PValue == nil || *v.PValue < alpha {
		return ""
	}
	return fmt.Sprintf(" Confidence is high on the counts alone (%d refused and %d succeeded; %d of each suffice): the p=%s is of the tests for a link to concurrency or time, and it says there is none, not that the 403s are in doubt.",
		refused, ok, MinHigh, FormatP(*v.PValue))
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

// Meaning is the one-sentence reading of a signature for the summary.
func Meaning(sig verdict.Signature, k *FailureKind) string {
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
func inconclusiveMeaning(k *FailureKind) string {
	switch {
	case k == nil:
		return ""
	case k.Outcome == classify.OutcomeRequestSize:
		return "The request is too big for the API or the edge: nothing about the account."
	case k.Producer == classify.ProducerGateway && (k.Outcome == classify.OutcomeOverloaded || k.Outcome == classify.OutcomeServer):
		return "A gateway or relay says the service behind it failed; gateways rewrite errors, so the cause cannot be told from here."
	}
	return "probe does not recognise these answers, so it names no layer: they are shown as they came."
}

// DescribeKind renders a failure kind in a few words, e.g. `403 permission_error "Permission denied"`.
func DescribeKind(k *FailureKind) string {
	var b strings.Builder
	if k.Status != 0 {
		fmt.Fprintf(&b, "%d ", k.Status)
	}
	if k.ErrorType != "" {
		b.WriteString(k.ErrorType)
	} else {
		b.WriteString(string(k.Outcome))
	}
	if k.Message != "" {
		// The message is stored escaped already (classify.Printable):
		// %q would escape its escapes again ("\\n" for "\n").
		fmt.Fprintf(&b, ` "%s"`, truncate(k.Message, 90))
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// stepEvidence gives one line per step: answered, ok, refused.
func stepEvidence(s *Summary) []string {
	var out []string
	for _, st := range s.Steps {
		if st.Sent == 0 {
			continue
		}
		line := fmt.Sprintf("c=%d: %d/%d succeeded", st.Concurrency, st.OK, st.Answered)
		if st.Refused403 > 0 {
			line += fmt.Sprintf(", %d refused with 403", st.Refused403)
		}
		if other := st.failed() - st.Refused403; other > 0 {
			line += fmt.Sprintf(", %d other %s", other, plural(other, "failure", "failures"))
		}
		if st.Sent > st.Answered {
			line += fmt.Sprintf(", %d cancelled", st.Sent-st.Answered)
		}
		out = append(out, line)
	}
	return out
}

// kindEvidence lists the distinct failures, most frequent first.
func kindEvidence(s *Summary) []string {
	var out []string
	for i, k := range s.topKinds() {
		if i == 4 {
			out = append(out, fmt.Sprintf("… and %d other kinds of failure", len(s.Kinds)-4+s.OtherKinds))
			break
		}
		line := fmt.Sprintf("%d× %s", k.Count, DescribeKind(k))
		if k.Producer != "" {
			line += ", from " + producerName(k.Producer)
		}
		switch {
		case k.IDSource == classify.IDFromCFRay && len(k.RequestIDs) > 0:
			line += fmt.Sprintf(" (no request id; cf-ray %s)", k.RequestIDs[0])
		case len(k.RequestIDs) > 0:
			line += fmt.Sprintf(" (e.g. %s %s)", k.IDSource, k.RequestIDs[0])
		default:
			line += " (no request id)"
		}
		out = append(out, line)
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

func joinLevels(ls []Level) string {
	cs := make([]int, len(ls))
	for i, l := range ls {
		cs[i] = l.Concurrency
	}
	return JoinInts(cs)
}

// FormatP prints a p-value the way a reader expects: four significant
// digits, and "<1e-12" rather than a meaningless tiny number.
func FormatP(p float64) string {
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

// ruledOut lists the layers the answers clear, with the reason. The edge's
// own refusals keep layer 3 open, and answers from anything but the API
// keep Q4 open, whatever else succeeded.
func ruledOut(s *Summary, sig verdict.Signature) []string {
	out := []string{}
	add := func(layer verdict.Signature, why string) {
		if layer != sig {
			out = append(out, why)
		}
	}
	edge := s.Outcomes[classify.OutcomeForbiddenEdge] + s.Outcomes[classify.OutcomeEdgeBlock] + s.Outcomes[classify.OutcomeChallenge] + s.Outcomes[classify.OutcomeRegion]
	between := s.Producers[classify.ProducerProxy] + s.Producers[classify.ProducerGateway] + s.Producers[classify.ProducerUnknown]
	if s.OK > 0 {
		add(verdict.AuthFailure, "layer 1 (auth): requests with this key succeeded")
		add(verdict.WorkspaceDenied, "layer 2 (workspace): the workspace served requests")
		if edge == 0 {
			add(verdict.RegionBlocked, "layer 3 (region/IP): the API answered from this network")
		}
		add(verdict.ModelNotEnabled, "layer 4 (model): the model answered")
		if between == 0 {
			add(verdict.ProxyInterference, "Q4 (proxy): successful answers came through the same route")
		}
		return out
	}
	if s.OriginNon401 > 0 {
		add(verdict.AuthFailure, "layer 1 (auth): the API accepted the key (its answers did not refuse it)")
	}
	if s.OriginAnswers > 0 && edge == 0 {
		add(verdict.RegionBlocked, "layer 3 (region/IP): the API itself answered (its request ids are present), so the edge let the request through")
	}
	if s.OriginAnswers > 0 && between == 0 {
		add(verdict.ProxyInterference, "Q4 (proxy): the answers are the API's own, with its request ids")
	}
	return out
}

// NextSteps is the fix from the decision tree.
func NextSteps(v verdict.Verdict) []string {
	sig := v.Signature
	ticket := "open a support ticket with the request ids (`probe export RUN.jsonl --format ticket` writes it for you)."
	switch sig {
	case verdict.Healthy:
		return []string{
			"The key works at every step tested. If your application still sees 403s, compare its base URL, headers and proxy settings with `probe check`.",
			"Ramp to the concurrency your application really uses: `probe ramp --steps 1,5,10,20`.",
		}
	case verdict.AuthFailure:
		return []string{
			"Copy the key again from the Console (API keys page) with no quotes, spaces or newline, or create a new one if it was revoked or expired.",
			"Run `probe check` to inspect the key's shape and source locally, without sending requests.",
		}
	case verdict.ProxyInterference:
		return []string{
			"Run the same probe from a network without the proxy (or with NO_PROXY=api.anthropic.com) and compare.",
			"Ask your network team to pass x-api-key, authorization and anthropic-* headers through unchanged and not to intercept TLS for api.anthropic.com.",
			"Check ANTHROPIC_BASE_URL / --base-url: it must point at the Messages API or a gateway that forwards it.",
		}
	case verdict.WorkspaceDenied:
		return []string{
			"Check in the Console that the key belongs to the workspace you expect and that the organization is active.",
			"A disabled organization or restricted credential can only be changed by Anthropic: " + ticket,
		}
	case verdict.RegionBlocked:
		return []string{
			"Turn off the VPN or choose an exit in a supported country, then run `probe check` again.",
			"If you are in a supported region, " + ticket + " The cf-ray ids identify the edge's answers.",
		}
	case verdict.ModelNotEnabled:
		return []string{
			"List the models this key can use with `probe check` (GET /v1/models) and pass one with --model.",
			"Ask a workspace admin to enable the model for this workspace in the Console.",
		}
	case verdict.Intermittent403:
		return []string{
			"Lower your application's concurrency to 1-2 and pause before retrying; measure the effect with `probe cooldown --wait 5m`.",
			"Then " + ticket,
			"Look for usage-policy notices on the account (email, Console).",
		}
	case verdict.AccountFlagged:
		return []string{
			"Stop probing: more requests from a flagged account do not clear the flag and may count against it.",
			"Open a support ticket with the request ids (`probe export RUN.jsonl --format ticket` writes it for you).",
			"Look for usage-policy notices on the account (email, Console).",
		}
	case verdict.Inconclusive:
		if v.NeedMore == 0 {
			return []string{
				"Read the answers shown in the evidence: probe does not recognise them, or they say nothing about the account (a request too big, a gateway's rewrite).",
				"Probe the API directly (without the gateway or proxy) to see its own answer, or show the evidence to support.",
			}
		}
	case verdict.BillingIssue:
		return []string{"Add credits or raise the spend limit in the Console's billing settings; changes can take a few minutes to apply."}
	case verdict.RateLimited:
		return []string{"Not a permission problem: honour retry-after, lower concurrency, or ask for a higher rate-limit tier."}
	case verdict.Overloaded:
		return []string{"The service is overloaded or failing: retry with backoff, and check the provider's status page."}
	case verdict.NetworkError:
		return []string{
			"No HTTP answer arrived: check DNS, firewall and proxy settings with `probe check`.",
			"If the network is just slow, raise --timeout.",
		}
	}
	return []string{fmt.Sprintf("Send more requests: about %d more per decisive step (raise --requests or --max-requests).", max(v.NeedMore, 1))}
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
