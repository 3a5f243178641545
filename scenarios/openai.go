package scenarios

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultOpenAIModel is the model probe asks OpenAI for unless told
// otherwise. The unknown-model and project-no-model-access scenarios list
// no model at all.
const DefaultOpenAIModel = "gpt-4o-mini"

// OpenAI's API, as api.openai.com answers: Bearer keys, POST
// /v1/chat/completions as the tiny probe, x-request-id, the error envelope
// {"error":{"message","type","param","code"}} and x-ratelimit-* headers. It
// sits behind Cloudflare too, so the edge scenarios are the same.
var openAIWire = &wire{
	name:         OpenAI,
	host:         "api.openai.com",
	catalogue:    openAICatalogue,
	routeOf:      openAIRouteOf,
	orgID:        func(a *API) string { return "org-" + a.randomString(base62, 24) },
	notFound:     (*call).invalidURL,
	wrongMethod:  (*call).invalidURL,
	validHeaders: (*call).validBearer,
	validBody:    (*call).validChat,
	answer:       (*call).answerOpenAI,
	probePath:    `\/v1\/chat\/completions`,
}

// Texts of OpenAI's error messages that more than one place uses.
const (
	msgOpenAINoKey = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys."
	// The API shows the start and end of the key it got; the simulation
	// shows a fixed one, so that no part of a real key is ever echoed.
	msgOpenAIBadKey        = "Incorrect API key provided: sk-proj-********************************abcd. You can find your API key at https://platform.openai.com/account/api-keys."
	msgOpenAINoOrg         = "You must be a member of an organization to use the API. Please contact us through our help center at help.openai.com."
	msgOpenAIQuota         = "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."
	msgOpenAIOverloaded    = "The engine is currently overloaded, please try again later"
	msgOpenAIServerError   = "The server had an error while processing your request. Sorry about that!"
	msgOpenAIFlagged       = "Your request was flagged by our abuse monitoring system."
	msgOpenAIModelNotFound = "The model `%s` does not exist or you do not have access to it."
	msgOpenAINoModelAccess = "Project `%s` does not have access to model `%s`"
	msgOpenAIRateLimited   = "Rate limit reached for %s in organization %s on requests per min (RPM): Limit %d, Used %d, Requested 1. Please try again in %s. Visit https://platform.openai.com/account/rate-limits to learn more."
)

// openAIRegionBlocked is the API's answer to a request from a country it
// does not serve, byte for byte: note the fields in alphabetical order.
const openAIRegionBlocked = `{"error":{"code":"unsupported_country_region_territory","message":"Country, region, or territory not supported","param":null,"type":"request_forbidden"}}`

// openAICatalogue is every OpenAI scenario, healthy first, then in the order
// a request meets the layers, as in the Anthropic catalogue. The edge, proxy
// and network scenarios reuse the Anthropic API's behaviours: whatever stands
// in front of an API does not care which one it is.
var openAICatalogue = []Scenario{
	{
		Name: "healthy", Summary: "every request succeeds",
		Signature: "healthy", Layer: "-", Source: "invented: OpenAI's documented completion and models shapes",
		behave: &behaviour{},
	},
	{
		Name: "revoked-key", Summary: "the key was revoked: 401 invalid_api_key \"Incorrect API key provided\"",
		Signature: "auth_failure", Layer: "1", Source: "openai-invalid-api-key",
		behave: account(openAIFail(http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", msgOpenAIBadKey)),
	},
	{
		Name: "no-organization", Summary: "401 no_organization: the key's user belongs to no organization",
		Signature: "workspace_denied", Layer: "2", Source: "openai-no-organization",
		behave: account(openAIFail(http.StatusUnauthorized, "invalid_request_error", "no_organization", msgOpenAINoOrg)),
	},
	{
		Name: "key-missing", Summary: "a proxy strips Authorization, so the API answers 401 \"You didn't provide an API key\"",
		Signature: "proxy_interference", Layer: "Q4", Source: "invented: a proxy that strips Authorization; the 401 is the API's own",
		behave: &behaviour{scope: scopeEverything, edge: stripKey},
	},
	{
		Name: "region-blocked", Summary: "403 unsupported_country_region_territory from the API, whatever is asked",
		Signature: "region_blocked", Layer: "3", Source: "invented: OpenAI's documented unsupported_country_region_territory error",
		behave: &behaviour{scope: scopeEverything, edge: openAIRegionBlock},
	},
	{
		Name: "cloudflare-block", Summary: "Cloudflare's \"Sorry, you have been blocked\" page",
		Signature: "region_blocked", Layer: "3", Source: "invented: Cloudflare's documented WAF block page, abridged",
		behave: edgeOnly(cloudflareBlock),
	},
	{
		Name: "corporate-proxy", Summary: "a corporate proxy (Zscaler) answers 403 with its block page",
		Signature: "proxy_interference", Layer: "Q4", Source: "zscaler-block-page (page abridged)",
		behave: edgeOnly(corporateProxy),
	},
	{
		Name: "unknown-model", Summary: "404 model_not_found: \"The model `NAME` does not exist or you do not have access to it.\"",
		Signature: "model_not_enabled", Layer: "4", Source: "invented: OpenAI's documented model_not_found message",
		behave: &behaviour{scope: scopeMessages, origin: openAIUnknownModel, noModels: true},
	},
	{
		Name: "project-no-model-access", Summary: "403 model_not_found: the key's project has no access to the model",
		Signature: "model_not_enabled", Layer: "4", Source: "synthetic-openai-project-model-not-found",
		behave: &behaviour{scope: scopeMessages, origin: openAINoModelAccess, noModels: true},
	},
	{
		Name: "cloudflare-challenge", Summary: "Cloudflare's managed challenge on every other completion after the 30th",
		Signature: "intermittent_403", Layer: "5", Source: "anthropic-cloudflare-challenge (its page; the volume trigger is invented)",
		behave: &behaviour{scope: scopeMessages, edge: challengeUnderLoad},
	},
	{
		Name: "abuse", Summary: "abuse-flagged account: 403 \"flagged\", more often the more completions are sent (shape invented)",
		Signature: "intermittent_403", Layer: "5", Source: "invented: the \"flagged\" 403 is no documented shape (the real flag is openai-flagged-fallback-200, a silent downgrade)",
		behave: &behaviour{scope: scopeMessages, origin: openAIAbuse},
	},
	{
		Name: "insufficient-quota", Summary: "429 insufficient_quota: the account is out of credit",
		Signature: "billing_issue", Layer: "-", Source: "openai-insufficient-quota",
		behave: &behaviour{scope: scopeMessages, origin: openAIFail(http.StatusTooManyRequests, "insufficient_quota", "insufficient_quota", msgOpenAIQuota)},
	},
	{
		Name: "rate-limited", Summary: "429 rate_limit_exceeded from the 31st completion of a minute (RPM limit 30)",
		Signature: "rate_limited", Layer: "-", Source: "openai-rate-limit-tpm (its shape, on requests per minute)",
		behave: &behaviour{scope: scopeMessages, origin: openAIRateLimited, openAILimits: &openAILimits{requests: rpmLimit, tokens: 40000}},
	},
	{
		Name: "overloaded", Summary: "503 server_error \"The engine is currently overloaded\" on about 35% of completions",
		Signature: "overloaded", Layer: "-", Source: "invented: OpenAI's documented 503 overloaded message",
		behave: &behaviour{scope: scopeMessages, origin: openAIOverloaded},
	},
	{
		Name: "server-error", Summary: "500 server_error on every completion",
		Signature: "overloaded", Layer: "-", Source: "invented: OpenAI's documented 500 server_error message",
		behave: &behaviour{scope: scopeMessages, origin: openAIFail(http.StatusInternalServerError, "server_error", "", msgOpenAIServerError)},
	},
	{
		Name: "connection-reset", Summary: "every completion's connection is reset without an answer",
		Signature: "network_error", Layer: "-", Source: "invented: a TCP reset, as a middlebox sends",
		behave: &behaviour{scope: scopeMessages, origin: resetConnection},
	},
	{
		Name: "slow", Summary: "completions take 2 minutes to answer, so the client times out",
		Signature: "network_error", Layer: "-", Source: "invented: an answer that never comes",
		behave: &behaviour{scope: scopeMessages, origin: slow},
	},
}

// openAIRouteOf matches by suffix, as routeOf does.
func openAIRouteOf(path string) (route, string) {
	switch {
	case strings.HasSuffix(path, "/v1/chat/completions"):
		return routeMessages, ""
	}
	return modelRoute(path)
}

// Behaviours of OpenAI's API.

// openAIFail answers every request in scope with the same API error; an
// empty code is null.
func openAIFail(status int, errType, code, message string) func(*call) bool {
	return func(c *call) bool {
		c.openAIError(status, errType, code, "", message)
		return true
	}
}

// openAIRegionBlock refuses the request before looking at the key, but from
// the API: it carries a request id, unlike Anthropic's edge block.
func openAIRegionBlock(c *call) bool {
	c.openAISend(http.StatusForbidden, []byte(openAIRegionBlocked))
	return true
}

func openAIUnknownModel(c *call) bool {
	c.openAIError(http.StatusNotFound, "invalid_request_error", "model_not_found", "", fmt.Sprintf(msgOpenAIModelNotFound, c.model))
	return true
}

func openAINoModelAccess(c *call) bool {
	c.openAIError(http.StatusForbidden, "invalid_request_error", "model_not_found", "", fmt.Sprintf(msgOpenAINoModelAccess, c.api.project, c.model))
	return true
}

// openAIAbuse refuses as the Anthropic abuse scenario does: never alone in
// flight, more often the more run at once.
func openAIAbuse(c *call) bool {
	if c.api.coin(c.seq) >= abuseRate(c.seq) {
		return false
	}
	c.openAIError(http.StatusForbidden, "invalid_request_error", "flagged", "", msgOpenAIFlagged)
	return true
}

// openAIRetryIn is when the rate-limited scenario says to try again.
const openAIRetryIn = 20 * time.Millisecond

func openAIRateLimited(c *call) bool {
	if !c.overRPM() {
		return false
	}
	c.w.Header().Set("Retry-After", "1")
	c.openAIRateLimitHeaders(true)
	limit := c.openAILimits().requests
	c.openAIError(http.StatusTooManyRequests, "requests", "rate_limit_exceeded", "",
		fmt.Sprintf(msgOpenAIRateLimited, c.model, c.api.orgID, limit, limit, openAIDuration(openAIRetryIn)))
	return true
}

func openAIOverloaded(c *call) bool {
	if c.api.coin(c.seq) >= 0.35 {
		return false
	}
	c.openAIError(http.StatusServiceUnavailable, "server_error", "", "", msgOpenAIOverloaded)
	return true
}

// Validation, in the API's order: the route, then the key, then the body.

// invalidURL is the API's answer to a path, or a method on it, that it does
// not serve.
func (c *call) invalidURL() {
	c.openAIError(http.StatusNotFound, "invalid_request_error", "", "",
		fmt.Sprintf("Invalid URL (%s %s)", c.r.Method, c.r.URL.Path))
}

// validBearer wants a Bearer key; OpenAI wants no version header.
func (c *call) validBearer() bool {
	token, bearer := strings.CutPrefix(c.header.Get("Authorization"), "Bearer ")
	if !bearer || strings.TrimSpace(token) == "" {
		c.openAIError(http.StatusUnauthorized, "invalid_request_error", "", "", msgOpenAINoKey)
		return false
	}
	c.keyed = true
	return true
}

// validChat checks a chat completions body and remembers its model. It
// answers and reports false if the body is wrong.
func (c *call) validChat() bool {
	var req struct {
		Model               string            `json:"model"`
		MaxTokens           *int              `json:"max_tokens"`
		MaxCompletionTokens *int              `json:"max_completion_tokens"`
		Messages            []json.RawMessage `json:"messages"`
	}
	data, problem := c.readBody()
	var param, code string
	switch {
	case problem != "":
	case json.Unmarshal(data, &req) != nil:
		problem = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)"
	case req.Model == "":
		problem = "you must provide a model parameter"
	case req.Messages == nil:
		param, code, problem = "messages", "missing_required_parameter", "Missing required parameter: 'messages'."
	case len(req.Messages) == 0:
		param, code, problem = "messages", "empty_array", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."
	case req.MaxTokens != nil && *req.MaxTokens < 1:
		param, code, problem = "max_tokens", "integer_below_min_value", fmt.Sprintf("Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got %d instead.", *req.MaxTokens)
	case req.MaxCompletionTokens != nil && *req.MaxCompletionTokens < 1:
		param, code, problem = "max_completion_tokens", "integer_below_min_value", fmt.Sprintf("Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, but got %d instead.", *req.MaxCompletionTokens)
	}
	if problem != "" {
		c.openAIError(http.StatusBadRequest, "invalid_request_error", code, param, problem)
		return false
	}
	c.model = req.Model
	return true
}

// Answers of OpenAI's API.

// openAIVersion is the API version every answer names.
const openAIVersion = "2020-10-01"

func (a *API) openAIRequestID() string { return "req_" + a.randomString(hex, 32) }
func (a *API) completionID() string    { return "chatcmpl-" + a.randomString(base62, 29) }

// openAISend answers from the API: a request id on everything, the key's
// organization and project once the key is known and accepted, and
// Cloudflare's headers, as OpenAI sits behind it.
func (c *call) openAISend(status int, body []byte) {
	delay := c.originDelay()
	h := c.w.Header()
	h.Set("X-Request-Id", c.api.openAIRequestID())
	if c.keyed && status != http.StatusUnauthorized {
		h.Set("Openai-Organization", c.api.orgID)
		h.Set("Openai-Project", c.api.project)
	}
	h.Set("Openai-Processing-Ms", strconv.FormatInt(delay.Milliseconds(), 10))
	h.Set("Openai-Version", openAIVersion)
	h.Set("Content-Type", "application/json")
	c.stampEdge()
	c.send(delay, status, body)
}

func (c *call) openAIJSON(status int, v any) { c.openAISend(status, mustJSON(v)) }

// openAIErrorBody is OpenAI's error envelope: no top-level type and no
// request id in the body. param and code are null when empty.
type openAIErrorBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func (c *call) openAIError(status int, errType, code, param, message string) {
	var body openAIErrorBody
	body.Error.Message = message
	body.Error.Type = errType
	if param != "" {
		body.Error.Param = &param
	}
	if code != "" {
		body.Error.Code = &code
	}
	c.openAIJSON(status, body)
}

// answerOpenAI is the API's healthy answer.
func (c *call) answerOpenAI() {
	switch c.route {
	case routeMessages:
		c.completion()
	case routeModels:
		c.openAIListModels()
	case routeModel:
		c.openAIGetModel()
	}
}

// systemFingerprint names the backend configuration that answered.
const systemFingerprint = "fp_34a54ae93c"

func (c *call) completion() {
	if _, ok := c.openAIFind(c.model); !ok {
		openAIUnknownModel(c)
		return
	}
	c.openAIRateLimitHeaders(false)
	c.openAIJSON(http.StatusOK, chatCompletion{
		ID:      c.api.completionID(),
		Object:  "chat.completion",
		Created: c.api.now().Unix(),
		Model:   c.model,
		Choices: []chatChoice{{
			Message:      chatMessage{Role: "assistant", Content: "Hi", Annotations: []string{}},
			FinishReason: "length",
		}},
		Usage:             chatUsage{PromptTokens: inputTokens, CompletionTokens: 1, TotalTokens: inputTokens + 1},
		ServiceTier:       "default",
		SystemFingerprint: systemFingerprint,
	})
}

type chatCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	Choices           []chatChoice `json:"choices"`
	Usage             chatUsage    `json:"usage"`
	ServiceTier       string       `json:"service_tier"`
	SystemFingerprint string       `json:"system_fingerprint"`
}

type chatChoice struct {
	Index        int         `json:"index"`
	Message      chatMessage `json:"message"`
	Logprobs     *struct{}   `json:"logprobs"`
	FinishReason string      `json:"finish_reason"`
}

type chatMessage struct {
	Role        string   `json:"role"`
	Content     string   `json:"content"`
	Refusal     *string  `json:"refusal"`
	Annotations []string `json:"annotations"`
}

type chatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// openAILimits are an account's per-minute limits, as x-ratelimit-* report.
type openAILimits struct {
	requests, tokens int64
}

// openAIDefaultLimits are a tier-4 account's limits for gpt-4o-mini.
var openAIDefaultLimits = &openAILimits{requests: 10000, tokens: 10000000}

func (c *call) openAILimits() *openAILimits {
	if l := c.api.scenario.behave.openAILimits; l != nil {
		return l
	}
	return openAIDefaultLimits
}

// openAIRateLimitHeaders reports the limits as the API does, with the same
// model as the Anthropic API's: what is used is what is in flight, and the
// reset is when that much will have refilled. An exhausted limit has
// nothing left and resets when the 429's message says to try again.
func (c *call) openAIRateLimitHeaders(exhausted bool) {
	h := c.w.Header()
	l := c.openAILimits()
	for _, k := range []struct {
		name       string
		limit      int64
		perRequest int64
	}{
		{"requests", l.requests, 1},
		{"tokens", l.tokens, inputTokens + 1},
	} {
		used := min(k.limit, k.perRequest*c.load(k.name))
		remaining := k.limit - used
		reset := time.Duration(used) * time.Minute / time.Duration(k.limit)
		if exhausted {
			remaining, reset = 0, openAIRetryIn
		}
		h.Set("X-Ratelimit-Limit-"+k.name, strconv.FormatInt(k.limit, 10))
		h.Set("X-Ratelimit-Remaining-"+k.name, strconv.FormatInt(remaining, 10))
		h.Set("X-Ratelimit-Reset-"+k.name, openAIDuration(reset))
	}
}

// openAIDuration writes a duration as OpenAI's headers and messages do:
// "6ms", "1.5s", "6m0s", to the millisecond.
func openAIDuration(d time.Duration) string {
	return d.Round(time.Millisecond).String()
}

// openAIModel is a model as /v1/models describes it.
type openAIModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// openAIModels is the API's listing, in no particular order as OpenAI's
// is: aliases and dated snapshots side by side, chat models among others.
var openAIModels = []openAIModel{
	{ID: "gpt-4o-mini", Object: "model", Created: 1721172741, OwnedBy: "system"},
	{ID: "gpt-4o-mini-2024-07-18", Object: "model", Created: 1721172717, OwnedBy: "system"},
	{ID: "gpt-4o", Object: "model", Created: 1715367049, OwnedBy: "system"},
	{ID: "text-embedding-3-small", Object: "model", Created: 1705948997, OwnedBy: "system"},
	{ID: "gpt-4.1-mini", Object: "model", Created: 1744318173, OwnedBy: "system"},
	{ID: "gpt-4.1-mini-2025-04-14", Object: "model", Created: 1744317547, OwnedBy: "system"},
	{ID: "gpt-4.1", Object: "model", Created: 1744316542, OwnedBy: "system"},
	{ID: "o4-mini", Object: "model", Created: 1744225351, OwnedBy: "system"},
	{ID: "gpt-5-mini", Object: "model", Created: 1754425928, OwnedBy: "system"},
	{ID: "gpt-5", Object: "model", Created: 1754425777, OwnedBy: "system"},
}

func (c *call) openAIListModels() {
	list := usableModels(c, openAIModels)
	if list == nil {
		list = []openAIModel{}
	}
	c.openAIJSON(http.StatusOK, struct {
		Object string        `json:"object"`
		Data   []openAIModel `json:"data"`
	}{"list", list})
}

// openAIFind returns the model called id if the key may use it.
func (c *call) openAIFind(id string) (openAIModel, bool) {
	for _, m := range usableModels(c, openAIModels) {
		if m.ID == id {
			return m, true
		}
	}
	return openAIModel{}, false
}

func (c *call) openAIGetModel() {
	if m, ok := c.openAIFind(c.modelID); ok {
		c.openAIJSON(http.StatusOK, m)
		return
	}
	c.openAIError(http.StatusNotFound, "invalid_request_error", "model_not_found", "model", fmt.Sprintf(msgOpenAIModelNotFound, c.modelID))
}
