// Package scenarios simulates the Anthropic Messages API failing in the ways
// real set-ups fail, so that probe can be exercised without a network, a key
// or a broken account.
//
// Each Scenario reproduces one failure shape faithfully enough for probe's
// classifier to tell it apart the way it would on the real thing: the status,
// the body, and above all who answers. The API itself stamps a request-id and
// an organization id; Cloudflare's edge, in front of it, answers with cf-ray
// but no request-id; a corporate proxy answers with neither. Whether a
// failure depends on load is simulated too, by how many messages the client
// has sent (never by how many are in flight, which depends on how fast the
// client's machine is), by arrival order, or by time.
//
// Options.Provider switches the whole simulation to another provider's API
// shapes: with "openai", OpenAI's routes (POST /v1/chat/completions, GET
// /v1/models), Bearer auth, x-request-id and its error envelope, and a
// catalogue of OpenAI scenarios (AllFor, LookupFor). All and Lookup are the
// Anthropic catalogue.
//
// Design notes: everything one provider's API says lives in a wire value
// (provider.go for Anthropic's, openai.go for OpenAI's): its routes, its
// validation, its answers and its catalogue. Behaviours of what stands in
// front of any API (Cloudflare's edge, a corporate proxy, a broken network)
// are shared. A third provider is one new file declaring its wire and its
// catalogue, reusing those edge behaviours, plus an entry in wires.
package scenarios

import (
	"net/http"
)

// DefaultModel is probe's built-in default model, an alias the API
// resolves to a dated id. The model-not-enabled and unknown-model scenarios
// list no model at all, so that listing models tells the same story as
// sending a message.
const DefaultModel = "claude-sonnet-4-5"

// Scenario is one named behaviour of the simulated API.
type Scenario struct {
	Name      string // kebab-case, e.g. "abuse"
	Summary   string // one line for `probe scenarios`
	Signature string // the verdict a default ramp should reach
	Layer     string // "1".."5", "Q4" or "-"
	// Source names what the scenario reproduces: the real answers it
	// replays (fixture names of testdata/realanswers, whose files cite the
	// threads), or "invented: …" for a shape no source documents.
	Source string

	// A pointer keeps Scenario comparable and lets copies share the behaviour.
	behave *behaviour
}

// behaviour is what a scenario does differently from a healthy API.
type behaviour struct {
	// scope is which requests edge and origin are asked about; all others
	// get a healthy answer.
	scope scope
	// edge sees the request before the API validates it, as Cloudflare or a
	// proxy would. It reports whether it answered; it may also rewrite the
	// headers the API will see.
	edge func(*call) bool
	// origin sees a request that passed validation. It reports whether it
	// answered; if not, the request gets a healthy answer.
	origin func(*call) bool
	// noModels is a key that may use no model: /v1/models lists none and
	// GET /v1/models/{id} answers 404 for every id.
	noModels bool
	// openAILimits are the limits OpenAI's x-ratelimit-* headers report;
	// nil means openAIDefaultLimits.
	openAILimits *openAILimits
}

// scope is a set of requests a behaviour applies to.
type scope int

const (
	scopeMessages   scope = iota // POST /v1/messages only
	scopeInference               // messages and count_tokens: requests that name a model
	scopeAPI                     // every known endpoint with its right method
	scopeEverything              // every request under the prefix, even to unknown paths
)

// Texts of the API's error messages that more than one scenario uses.
const (
	msgKeyRequired      = "x-api-key header is required"
	msgPermissionDenied = "Permission denied"
	msgRateLimited      = "Number of request tokens has exceeded your per-minute rate limit (https://docs.anthropic.com/en/api/rate-limits); see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase."
)

// catalogue is every scenario, healthy first, then roughly in the order a
// request meets the layers: the key, the account, the model, the edge, then
// load-dependent failures and failures that are not 403s at all.
var catalogue = []Scenario{
	{
		Name: "healthy", Summary: "every request succeeds",
		Signature: "healthy", Layer: "-", Source: "invented: the API's documented message and models shapes",
		behave: &behaviour{},
	},
	{
		Name: "revoked-key", Summary: "the key was revoked: 401 authentication_error \"invalid x-api-key\"",
		Signature: "auth_failure", Layer: "1", Source: "anthropic-invalid-x-api-key",
		behave: account(replay("anthropic-invalid-x-api-key")),
	},
	{
		Name: "key-missing", Summary: "a proxy strips the key, so the API answers 401 \"x-api-key header is required\"",
		Signature: "proxy_interference", Layer: "Q4", Source: "invented: a proxy that strips x-api-key; the 401 is the API's own validation",
		behave: &behaviour{scope: scopeEverything, edge: stripKey},
	},
	{
		Name: "empty-403", Summary: "the API answers 403 with an empty body",
		Signature: "workspace_denied", Layer: "2", Source: "invented: an empty 403 with the API's headers",
		behave: account(emptyForbidden),
	},
	{
		Name: "permission-denied", Summary: "403 permission_error: the key has no permission for the resource",
		Signature: "workspace_denied", Layer: "2", Source: "invented: the SDK's documented permission_error message",
		behave: account(fail(http.StatusForbidden, "permission_error", "Your API key does not have permission to use the specified resource.")),
	},
	{
		Name: "oauth-scope", Summary: "403 permission_error: the OAuth token lacks a scope (user:profile)",
		Signature: "auth_failure", Layer: "1", Source: "anthropic-oauth-scope",
		behave: account(replay("anthropic-oauth-scope")),
	},
	{
		Name: "org-disabled", Summary: "400 invalid_request_error: the organization has been disabled",
		Signature: "workspace_denied", Layer: "2", Source: "anthropic-organization-disabled",
		behave: account(replay("anthropic-organization-disabled")),
	},
	{
		Name: "credential-restricted", Summary: "400 invalid_request_error: the credential is only for Claude Code",
		Signature: "auth_failure", Layer: "1", Source: "anthropic-credential-only-claude-code",
		behave: account(replay("anthropic-credential-only-claude-code")),
	},
	{
		Name: "oauth-token-expired", Summary: "401 authentication_error: the OAuth token has expired",
		Signature: "auth_failure", Layer: "1", Source: "anthropic-oauth-token-expired",
		behave: account(replay("anthropic-oauth-token-expired")),
	},
	{
		Name: "account-flagged", Summary: "403 permission_error on every request: the account is flagged for unusual activity",
		Signature: "account_flagged", Layer: "5", Source: "synthetic-account-flagged-403",
		behave: account(replay("synthetic-account-flagged-403")),
	},
	{
		Name: "model-not-enabled", Summary: "404 not_found_error \"The model NAME is not available for your organization\"; no model listed",
		Signature: "model_not_enabled", Layer: "4", Source: "synthetic-model-not-available-404",
		behave: &behaviour{scope: scopeInference, origin: replayModel("synthetic-model-not-available-404", "claude-opus-4-1-20250805"), noModels: true},
	},
	{
		Name: "unknown-model", Summary: "404 not_found_error \"model: NAME\"",
		Signature: "model_not_enabled", Layer: "4", Source: "anthropic-model-not-found",
		behave: &behaviour{scope: scopeInference, origin: replayModel("anthropic-model-not-found", "claude-opus-4-5-20251101"), noModels: true},
	},
	{
		Name: "region-blocked", Summary: "Cloudflare's edge answers 403 \"Request not allowed\" (unsupported region)",
		Signature: "region_blocked", Layer: "3", Source: "anthropic-edge-forbidden",
		behave: edgeOnly(replay("anthropic-edge-forbidden")),
	},
	{
		Name: "edge-ip-restricted", Summary: "Cloudflare's Error 1034 page: Edge IP Restricted",
		Signature: "region_blocked", Layer: "3", Source: "invented: Cloudflare's documented 1034 page, abridged",
		behave: edgeOnly(edgeIPRestricted),
	},
	{
		Name: "cloudflare-block", Summary: "Cloudflare's \"Sorry, you have been blocked\" page",
		Signature: "region_blocked", Layer: "3", Source: "invented: Cloudflare's documented WAF block page, abridged",
		behave: edgeOnly(cloudflareBlock),
	},
	{
		Name: "cloudflare-1020", Summary: "Cloudflare's plain-text \"error code: 1020\" (a firewall rule denies access)",
		Signature: "region_blocked", Layer: "3", Source: "synthetic-cloudflare-1020-plain",
		behave: edgeOnly(replay("synthetic-cloudflare-1020-plain")),
	},
	{
		Name: "corporate-proxy", Summary: "a corporate proxy (Zscaler) answers 403 with its block page",
		Signature: "proxy_interference", Layer: "Q4", Source: "zscaler-block-page (page abridged)",
		behave: edgeOnly(corporateProxy),
	},
	{
		Name: "envoy-rbac", Summary: "a service mesh in the path answers 403 \"RBAC: access denied\" in plain text",
		Signature: "proxy_interference", Layer: "Q4", Source: "synthetic-envoy-rbac-denied",
		behave: edgeOnly(replay("synthetic-envoy-rbac-denied")),
	},
	{
		Name: "captive-portal", Summary: "a captive portal answers 200 with JSON that is no message",
		Signature: "proxy_interference", Layer: "Q4", Source: "synthetic-captive-portal-blocked-200",
		behave: edgeOnly(replay("synthetic-captive-portal-blocked-200")),
	},
	{
		Name: "cloudflare-challenge", Summary: "Cloudflare's managed challenge on every other message after the 30th",
		Signature: "intermittent_403", Layer: "5", Source: "anthropic-cloudflare-challenge (its page; the volume trigger is invented)",
		behave: &behaviour{scope: scopeMessages, edge: challengeUnderLoad},
	},
	{
		Name: "abuse", Summary: "abuse-flagged account: 403 permission_error, more often the more messages are sent",
		Signature: "intermittent_403", Layer: "5", Source: "invented: REAL-ANSWERS principle 5 (intermittent 403s); the body is the API's envelope",
		behave: &behaviour{scope: scopeMessages, origin: abuse},
	},
	{
		Name: "works-once-fails-twice", Summary: "every third message succeeds, the others get 403, at any concurrency",
		Signature: "intermittent_403", Layer: "5", Source: "invented: the pattern users report as works once, fails twice",
		behave: &behaviour{scope: scopeMessages, origin: onceInThree},
	},
	{
		Name: "cooldown", Summary: "abuse-flagged for the first 1.5 s (90% 403 at any concurrency), healthy after",
		Signature: "intermittent_403", Layer: "5", Source: "invented: an abuse flag that lifts",
		behave: &behaviour{scope: scopeMessages, origin: cooldown},
	},
	{
		Name: "low-credit", Summary: "400 invalid_request_error: the credit balance is too low",
		Signature: "billing_issue", Layer: "-", Source: "anthropic-credit-balance-too-low",
		behave: &behaviour{scope: scopeMessages, origin: replay("anthropic-credit-balance-too-low")},
	},
	{
		Name: "extra-usage", Summary: "400 invalid_request_error: third-party apps draw from extra usage, which is required",
		Signature: "billing_issue", Layer: "-", Source: "anthropic-third-party-extra-usage",
		behave: &behaviour{scope: scopeMessages, origin: replay("anthropic-third-party-extra-usage")},
	},
	{
		Name: "long-context-extra-usage", Summary: "429 rate_limit_error \"Extra usage is required for long context requests\": billing, not a rate limit",
		Signature: "billing_issue", Layer: "-", Source: "anthropic-extra-usage-long-context",
		behave: &behaviour{scope: scopeMessages, origin: replay("anthropic-extra-usage-long-context")},
	},
	{
		Name: "rate-limited", Summary: "429 rate_limit_error from the 31st message of a minute (RPM limit 30)",
		Signature: "rate_limited", Layer: "-", Source: "anthropic-rate-limit-request-tokens (its message; headers drawn live)",
		behave: &behaviour{scope: scopeMessages, origin: rateLimited},
	},
	{
		Name: "overloaded", Summary: "529 overloaded_error on about 35% of messages",
		Signature: "overloaded", Layer: "-", Source: "anthropic-overloaded-529",
		behave: &behaviour{scope: scopeMessages, origin: overloaded},
	},
	{
		Name: "server-error", Summary: "500 api_error on every message",
		Signature: "overloaded", Layer: "-", Source: "anthropic-api-error-500",
		behave: &behaviour{scope: scopeMessages, origin: replay("anthropic-api-error-500")},
	},
	{
		Name: "connection-reset", Summary: "every message's connection is reset without an answer",
		Signature: "network_error", Layer: "-", Source: "invented: a TCP reset, as a middlebox sends",
		behave: &behaviour{scope: scopeMessages, origin: resetConnection},
	},
	{
		Name: "slow", Summary: "messages take 2 minutes to answer, so the client times out",
		Signature: "network_error", Layer: "-", Source: "invented: an answer that never comes",
		behave: &behaviour{scope: scopeMessages, origin: slow},
	},
}

// account is a failure of the whole account or key: every endpoint shows it,
// /v1/models included, because the API checks the caller before the route.
func account(origin func(*call) bool) *behaviour {
	return &behaviour{scope: scopeAPI, origin: origin}
}

// edgeOnly is a failure in front of the API: whatever is asked, the edge
// or the proxy answers, so the API never sees the request.
func edgeOnly(edge func(*call) bool) *behaviour {
	return &behaviour{scope: scopeEverything, edge: edge}
}

// All returns every scenario of the Anthropic API in a stable order, healthy
// first. The slice is the caller's to keep.
func All() []Scenario {
	return append([]Scenario(nil), catalogue...)
}

// Lookup returns the scenario called name of the Anthropic API.
func Lookup(name string) (Scenario, error) {
	return anthropicWire.lookup(name)
}
