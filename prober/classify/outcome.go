package classify

// Outcome is the class of one answer: what the request ran into.
type Outcome string

// The outcomes an answer is classified into. The names are stable: they are
// written to run files and read back by report, compare and export.
const (
	OutcomeOK             Outcome = "ok"               // 2xx with a message
	OutcomeAuth           Outcome = "auth"             // 401 authentication_error: key wrong, revoked, expired
	OutcomeKeyNotReceived Outcome = "key-not-received" // 401 "x-api-key header is required" although a key was sent
	OutcomePermission     Outcome = "permission"       // 403 permission_error or empty 403 from the API
	OutcomeWorkspace      Outcome = "workspace"        // organization disabled, credential restricted
	OutcomeModel          Outcome = "model"            // model unknown or not enabled
	OutcomeForbiddenEdge  Outcome = "forbidden-edge"   // 403 "Request not allowed" from the edge
	OutcomeEdgeBlock      Outcome = "edge-block"       // Cloudflare block page, Edge IP Restricted
	OutcomeChallenge      Outcome = "challenge"        // Cloudflare managed challenge
	OutcomeProxyPage      Outcome = "proxy-page"       // an HTML page from something that is not the API or Cloudflare
	OutcomeBilling        Outcome = "billing"          // credit balance, 402 billing_error
	OutcomeRateLimit      Outcome = "rate-limit"       // 429
	OutcomeOverloaded     Outcome = "overloaded"       // 529 overloaded_error
	OutcomeServer         Outcome = "server"           // other 5xx
	OutcomeBadRequest     Outcome = "bad-request"      // other 4xx; older run files only (now unrecognised)
	OutcomeNotFound       Outcome = "not-found"        // 404 for the path: the base URL is wrong
	OutcomeRedirect       Outcome = "redirect"         // 3xx: a portal or gateway, never followed
	OutcomeUnexpected     Outcome = "unexpected"       // a 2xx that is not the provider's success
	OutcomeFlagged        Outcome = "flagged"          // the account is flagged, suspended, blocked by safeguards
	OutcomeRegion         Outcome = "region"           // the API or cloud refuses the country or region
	OutcomeRequestSize    Outcome = "request-size"     // the request is too big: not the account
	OutcomeUnrecognised   Outcome = "unrecognised"     // nothing the classifier knows: shown, not guessed
	OutcomeDNS            Outcome = "network-dns"
	OutcomeRefused        Outcome = "network-refused"
	OutcomeReset          Outcome = "network-reset"
	OutcomeTimeout        Outcome = "network-timeout"
	OutcomeTLS            Outcome = "network-tls"
	OutcomeNetwork        Outcome = "network-other"
	OutcomeCanceled       Outcome = "canceled" // cut short by the user; not an answer
	OutcomeTool           Outcome = "tool"     // probe's own machine failed (out of file descriptors); not an answer
)

// IsNetwork reports whether no HTTP answer arrived.
func (o Outcome) IsNetwork() bool {
	switch o {
	case OutcomeDNS, OutcomeRefused, OutcomeReset, OutcomeTimeout, OutcomeTLS, OutcomeNetwork:
		return true
	}
	return false
}

// IsAnswer reports whether the outcome counts in the statistics: everything
// but requests the user cancelled and probe's own failures.
func (o Outcome) IsAnswer() bool { return o != OutcomeCanceled && o != OutcomeTool && o != "" }

// Deterministic reports whether the outcome, seen on every request at the
// lowest concurrency, makes ramping pointless: it does not depend on load.
func (o Outcome) Deterministic() bool {
	switch o {
	case OutcomeOK, OutcomeRateLimit, OutcomeOverloaded, OutcomeServer, OutcomeChallenge, OutcomeCanceled, OutcomeUnexpected, OutcomeUnrecognised:
		return false
	}
	return o != ""
}

// Recognised reports whether the outcome is a shape or meaning the
// classifier knows; an unrecognised answer supports at most medium
// confidence.
func (o Outcome) Recognised() bool {
	return o != OutcomeUnrecognised && o != OutcomeBadRequest && o.IsAnswer()
}

// Mark is the one-character symbol of the outcome in progress strips.
func (o Outcome) Mark() string {
	switch {
	case o == OutcomeOK:
		return "✓"
	case o == OutcomeRateLimit:
		return "R"
	case o == OutcomeOverloaded || o == OutcomeServer:
		return "5"
	case o.IsNetwork():
		return "·"
	case o == OutcomeCanceled:
		return " "
	case o == OutcomeAuth || o == OutcomeKeyNotReceived:
		return "A"
	}
	return "✗"
}
