package watch

import "strconv"

// Label values come only from the config (target names, checked label-safe)
// and from the fixed vocabularies below: an outcome, signature or layer the
// prober makes up becomes "other", so no request id, key, fingerprint or IP
// can ever reach a label (they would also explode the series count).

// outcomes is the classifier's vocabulary (prober's Outcome constants).
var outcomes = vocabulary("ok", "auth", "key-not-received", "permission", "workspace", "model",
	"forbidden-edge", "edge-block", "challenge", "proxy-page", "billing", "rate-limit",
	"overloaded", "server", "bad-request", "not-found", "redirect", "unexpected",
	"network-dns", "network-refused", "network-reset", "network-timeout", "network-tls",
	"network-other", "canceled", "unrecognised")

// signatures is the verdict vocabulary of DESIGN.md, plus account_flagged.
var signatures = vocabulary("healthy", "auth_failure", "proxy_interference", "workspace_denied",
	"region_blocked", "model_not_enabled", "intermittent_403", "account_flagged",
	"billing_issue", "rate_limited", "overloaded", "network_error", "inconclusive")

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

func vocabulary(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
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
