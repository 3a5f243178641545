package classify

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// rule maps what an answer says onto an outcome. Every condition that is
// set must hold; the first rule that matches decides. Meaning comes before
// status (REAL-ANSWERS.md, principle 2): the message rules come first,
// then the error types and codes, and the status is read only when no
// rule matched (statusOutcome).
//
// To teach the classifier a new answer, add a rule here with the fixture
// that motivated it, and the fixture under scenarios/testdata/realanswers.
type rule struct {
	// cite names the fixture (scenarios/testdata/realanswers) behind the rule.
	cite    string
	outcome Outcome
	// message must match the lower-cased message; unless must not.
	message, unless *regexp.Regexp
	// types holds lower-cased error types or codes: error.type, error.code,
	// google.rpc's status, the x-amzn-ErrorType code.
	types []string
	// producers limits the rule to answers from these producers.
	producers []Producer
	// statuses limits the rule to these statuses.
	statuses []int
	// onSuccess makes the rule read successes (their notices and headers);
	// other rules read only answers that are not a success.
	onSuccess bool
	// header, when set, must be present with headerValue (any case).
	header, headerValue string
	// namesModel asks that the message name the model probe requested.
	namesModel bool
}

// re compiles a rule's pattern; the patterns are matched against
// lower-cased text.
func re(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// rules is the classifier's reading of what answers say. Order matters:
// a dead token is layer 1 whatever else the message mentions, and a
// rate-limit quota is not billing.
var rules = []rule{
	// On a success: the answer worked, but says something that outranks it.
	{cite: "017-anthropic-unified-rejected-200", outcome: OutcomeRateLimit, onSuccess: true,
		header: "Anthropic-Ratelimit-Unified-Status", headerValue: "rejected"},
	{cite: "055-openai-flagged-fallback-200", outcome: OutcomeFlagged, onSuccess: true, message: flaggedRE},

	// A header probe always sends did not arrive: something stripped it.
	{cite: "008-anthropic-version-header-required", outcome: OutcomeKeyNotReceived,
		message: re(`header is required|didn't provide an api key|no api key provided|missing (an? )?(api[ -]?)?key|api key (is )?missing|no (auth|authentication|authorization) (header|credentials)`)},

	// Layer 1: the credential is dead, wrong or of the wrong kind, whatever the status.
	{cite: "072-synthetic-oauth-token-revoked-403", outcome: OutcomeAuth,
		message: re(`\b(token|key|credentials?|bearer)\b[^.]{0,80}\b(revoked|expired|invalid|malformed|not found|not valid|incorrect|rejected)\b`)},
	{cite: "006-anthropic-invalid-oauth-token", outcome: OutcomeAuth,
		message: re(`\b(invalid|incorrect|expired|revoked|malformed|rejected|unknown|bad)\b[^.]{0,40}\b(token|key|credentials?|bearer|x-api-key)\b`)},
	{cite: "002-anthropic-credential-only-claude-code", outcome: OutcomeAuth,
		message: re(`only authorized for use with|scope requirement|insufficient scope|oauth authentication is (currently )?not supported`)},
	{cite: "031-bedrock-iam-no-identity-policy", outcome: OutcomeAuth,
		message: re(`is not authorized to perform|permission '[^']*' denied`), unless: re(`explicit deny|model access|access to this model`)},

	// Layer 5: a flag, a suspension, a safeguard.
	{cite: "073-synthetic-account-flagged-403", outcome: OutcomeFlagged, message: flaggedRE},

	// Billing: credit, spend, usage limits, budgets, quotas that are not a rate.
	{cite: "013-anthropic-extra-usage-long-context", outcome: OutcomeBilling,
		message: re(`\bcredits?\b|spend(ing)? limit|usage limits?\b|\bbudget\b|\bquota\b|\bbilling\b|extra usage|payment required|insufficient (funds|balance)|can only afford|plan limits`),
		unless:  re(`rate limit|per[- ](minute|second|hour|day)|_per_|requests per|tokens per|\b(tpm|rpm)\b`)},

	// Not the account: the request itself is too big.
	{cite: "023-anthropic-context-window-413", outcome: OutcomeRequestSize,
		message: re(`request too large|exceeds the maximum size|request size exceeds|context window|maximum context length|prompt is too long`)},

	// Layer 3: the country or region.
	{cite: "037-bedrock-unsupported-country", outcome: OutcomeRegion,
		message: re(`\b(countr(y|ies)|regions?|territor(y|ies))\b.{0,60}\b(not (allowed|supported|available)|unsupported|restricted|blocked)|\b(unsupported|not supported|not available in (your|this))\b.{0,40}\b(countr|region|territor|location)`)},

	// Layer 4: the model.
	{cite: "077-synthetic-model-not-available-404", outcome: OutcomeModel,
		message: re(`^model: |\bmodel\b.{0,120}\b(not found|does not exist|not available|not enabled|not allowed|not supported|isn.t supported|is invalid|is not valid|legacy|use case)|(no|not have|n't have|without) access to (the )?model|not allowed to use (publisher )?model|\bmodel access\b|\b(unknown|invalid|unsupported|no such) model\b|\bdeployment\b.{0,60}\b(does not exist|not found)`)},

	// Layer 2: the organization, workspace or project.
	{cite: "083-synthetic-workspace-archived-400", outcome: OutcomeWorkspace,
		message: re(`organization (has been|is) (disabled|deactivated)|member of an organization|not a member of|\b(workspace|organization|project)\b.{0,60}\b(archived|disabled|deleted|deactivated|inactive)\b|oauth.{0,40}not (allowed|enabled) for (this|your) organi|has not been used in project|explicit deny`)},

	// Cloudflare's plain-text refusals for clients that are not browsers.
	{cite: "074-synthetic-cloudflare-1020-plain", outcome: OutcomeRateLimit, producers: []Producer{ProducerEdge}, message: re(`^error code: 1015\b`)},
	{cite: "074-synthetic-cloudflare-1020-plain", outcome: OutcomeEdgeBlock, producers: []Producer{ProducerEdge}, message: re(`^error code: 10\d\d\b`)},

	// Then the error types and codes.
	{cite: "001-anthropic-edge-forbidden", outcome: OutcomeForbiddenEdge, producers: []Producer{ProducerEdge}, types: []string{"forbidden"}},
	{cite: "007-anthropic-invalid-x-api-key", outcome: OutcomeAuth,
		types: []string{"authentication_error", "invalid_api_key", "token_not_found_in_db", "unrecognizedclientexception", "expiredtokenexception", "unauthenticated"}},
	{cite: "009-anthropic-oauth-scope", outcome: OutcomePermission, producers: []Producer{ProducerAPI}, types: []string{"permission_error"}},
	{cite: "051-openai-insufficient-quota", outcome: OutcomeBilling,
		types: []string{"billing_error", "insufficient_quota", "budget_exceeded", "billing_hard_limit_reached"}},
	{cite: "014-anthropic-rate-limit-request-tokens", outcome: OutcomeRateLimit,
		types: []string{"rate_limit_error", "rate_limit_exceeded", "throttlingexception", "resource_exhausted", "tokens"}},
	{cite: "025-anthropic-overloaded-529", outcome: OutcomeOverloaded, types: []string{"overloaded_error", "serviceunavailableexception"}},
	{cite: "024-anthropic-api-error-500", outcome: OutcomeServer, types: []string{"api_error", "timeout_error", "internalserverexception"}},
	{cite: "022-anthropic-request-too-large-edge", outcome: OutcomeRequestSize, types: []string{"request_too_large"}},
	{cite: "082-synthetic-openai-project-model-not-found", outcome: OutcomeModel, types: []string{"model_not_found", "deploymentnotfound"}},
	{cite: "REAL-ANSWERS.md OpenAI codes", outcome: OutcomeRegion, types: []string{"unsupported_country_region_territory"}},

	// The API's own 404 for a path it does not serve: the base URL is wrong.
	{cite: "DESIGN.md: 404 for the path", outcome: OutcomeNotFound, types: []string{"not_found_error"}, message: re(`^not found\.?$`)},

	// A message naming the requested model, under a status that refuses it.
	{cite: "018-anthropic-model-not-found", outcome: OutcomeModel, namesModel: true, statuses: []int{400, 403, 404}},
}

// flaggedRE is what a flag, a suspension or a safeguard says (fixtures
// 055, 060, 073).
var flaggedRE = re(`\b(flagged|suspended|unusual activity|suspicious activity|safeguards?|violat\w*|acceptable use|usage polic(y|ies)|banned)\b`)

// facts is what the rules read from one answer.
type facts struct {
	status   int
	header   http.Header
	producer Producer
	success  bool
	lower    string   // the message, lower-cased
	types    []string // error type, code, google.rpc status, x-amzn-ErrorType code; lower-cased
	model    string
}

// matches reports whether every condition of the rule holds.
func (r *rule) matches(f *facts) bool {
	switch {
	case r.onSuccess != f.success,
		r.message != nil && !r.message.MatchString(f.lower),
		r.unless != nil && r.unless.MatchString(f.lower),
		r.types != nil && !slices.ContainsFunc(f.types, func(t string) bool { return slices.Contains(r.types, t) }),
		r.producers != nil && !slices.Contains(r.producers, f.producer),
		r.statuses != nil && !slices.Contains(r.statuses, f.status),
		r.header != "" && !strings.EqualFold(f.header.Get(r.header), r.headerValue),
		r.namesModel && (f.model == "" || !strings.Contains(f.lower, strings.ToLower(f.model))):
		return false
	}
	return true
}

// applyRules returns the outcome of the first rule that matches, and the
// fixture it cites.
func applyRules(f *facts) (Outcome, string, bool) {
	for i := range rules {
		if rules[i].matches(f) {
			return rules[i].outcome, rules[i].cite, true
		}
	}
	return "", "", false
}

// statusOutcome is the status's reading when nothing the answer says was
// recognised: the last resort, and modest where the producer is not known.
func statusOutcome(status int, p Producer, success, typed bool) Outcome {
	switch {
	case status >= 200 && status < 300:
		if success {
			return OutcomeOK
		}
		return OutcomeUnexpected // a 2xx that is not the provider's success: issue 16 #2
	case status >= 300 && status < 400:
		return OutcomeRedirect
	case status == http.StatusUnauthorized:
		return OutcomeAuth
	case status == http.StatusPaymentRequired:
		return OutcomeBilling
	case status == http.StatusForbidden && typed:
		return "" // an error type nothing knows: principle 3, said and not guessed
	case status == http.StatusForbidden:
		// Only the API's and the edge's bare 403s are known shapes; a proxy's
		// plain-text 403 (fixture 075) is said, not guessed.
		return map[Producer]Outcome{ProducerAPI: OutcomePermission, ProducerEdge: OutcomeEdgeBlock}[p]
	case status == http.StatusNotFound && p != ProducerAPI && p != ProducerCloud:
		return OutcomeNotFound // the path does not exist: the base URL is wrong
	case status == http.StatusProxyAuthRequired:
		return OutcomeProxyPage
	case status == http.StatusRequestEntityTooLarge:
		return OutcomeRequestSize
	case status == http.StatusTooManyRequests:
		return OutcomeRateLimit
	case status == 529:
		return OutcomeOverloaded
	case status >= 500 && status < 600:
		return OutcomeServer
	}
	return ""
}
