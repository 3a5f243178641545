package watch

import (
	"strconv"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/verdict"
)

// Label values come only from the config (target names, checked label-safe)
// and from the fixed vocabularies below: an outcome, signature or layer the
// prober makes up becomes "other", so no request id, key, fingerprint or IP
// can ever reach a label (they would also explode the series count).

// outcomes is the classifier's vocabulary, from package classify's own
// constants so that a new outcome cannot silently become "other".
var outcomes = vocabulary(
	classify.OutcomeOK, classify.OutcomeAuth, classify.OutcomeKeyNotReceived, classify.OutcomePermission,
	classify.OutcomeWorkspace, classify.OutcomeModel, classify.OutcomeForbiddenEdge, classify.OutcomeEdgeBlock,
	classify.OutcomeChallenge, classify.OutcomeProxyPage, classify.OutcomeBilling, classify.OutcomeRateLimit,
	classify.OutcomeOverloaded, classify.OutcomeServer, classify.OutcomeBadRequest, classify.OutcomeNotFound,
	classify.OutcomeRedirect, classify.OutcomeUnexpected, classify.OutcomeDNS, classify.OutcomeRefused,
	classify.OutcomeReset, classify.OutcomeTimeout, classify.OutcomeTLS, classify.OutcomeNetwork,
	classify.OutcomeCanceled)

// signatures is the verdict vocabulary, from package verdict's constants.
var signatures = vocabulary(
	verdict.Healthy, verdict.AuthFailure, verdict.ProxyInterference, verdict.WorkspaceDenied,
	verdict.RegionBlocked, verdict.ModelNotEnabled, verdict.Intermittent403, verdict.BillingIssue,
	verdict.RateLimited, verdict.Overloaded, verdict.NetworkError, verdict.Inconclusive)

// layers are the decision tree's layers; "-" is a look-alike with no layer.
var layers = vocabulary("1", "2", "3", "4", "5", "Q4", "-")

// ErrorReason is why a target could not be probed: a fixed, small set, so it
// can be a label value.
type ErrorReason string

// The reasons a target can fail before any answer.
const (
	ReasonKeyFile ErrorReason = "key_file"
	ReasonDNS     ErrorReason = "dns"
	ReasonConnect ErrorReason = "connect"
	ReasonBudget  ErrorReason = "budget"
	ReasonOther   ErrorReason = "other"
)

var reasons = []ErrorReason{ReasonKeyFile, ReasonDNS, ReasonConnect, ReasonBudget, ReasonOther}

func vocabulary[S ~string](words ...S) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[string(w)] = true
	}
	return m
}

// inVocab returns s when vocab knows it, else "other".
func inVocab(vocab map[string]bool, s string) string {
	if vocab[s] {
		return s
	}
	return "other"
}

// layerLabel maps an empty layer to "-" and anything unknown to "other".
func layerLabel(s string) string {
	if s == "" {
		return "-"
	}
	return inVocab(layers, s)
}

// statusLabel is an HTTP status, or "0" when there was no HTTP answer.
func statusLabel(code int) string {
	if code < 100 || code > 599 {
		return "0"
	}
	return strconv.Itoa(code)
}
