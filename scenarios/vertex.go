package scenarios

import (
	"net/http"
	"strings"
)

// Vertex is the provider name of Claude on Google Vertex AI.
const Vertex = "vertex"

// Claude on Google Vertex AI, as aiplatform.googleapis.com answers: POST
// /v1/projects/{p}/locations/{l}/publishers/anthropic/models/{m}:rawPredict
// with an OAuth bearer, Anthropic's message on success, google.rpc errors
// (often inside a JSON array) on failure, no request id header.
var vertexWire = &wire{
	name:      Vertex,
	host:      "aiplatform.googleapis.com",
	catalogue: vertexCatalogue,
	routeOf:   vertexRouteOf,
	orgID:     func(*API) string { return "" },
	notFound: func(c *call) {
		c.googleError(http.StatusNotFound, "NOT_FOUND", "The requested URL "+c.r.URL.Path+" was not found on this server.", false)
	},
	wrongMethod: func(c *call) {
		c.googleError(http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "Method not allowed.", false)
	},
	validHeaders: (*call).validGoogleToken,
	validBody: func(c *call) bool {
		return c.validCloudBody("vertex-2023-10-16", func(problem string) { c.googleError(http.StatusBadRequest, "INVALID_ARGUMENT", problem, false) })
	},
	answer:    (*call).answerVertex,
	probePath: `:rawPredict`,
}

// Vertex AI's messages, as REAL-ANSWERS.md quotes them.
const (
	msgVertexQuota           = "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: anthropic-claude-haiku-4-5. Please submit a quota increase request. https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai."
	msgVertexNotAllowed      = "Project `demo-project` is not allowed to use Publisher Model `projects/demo-project/locations/us-east5/publishers/anthropic/models/%s`"
	msgVertexNotFound        = "Publisher Model `projects/demo-project/locations/us-east5/publishers/anthropic/models/%s` not found."
	msgVertexPermission      = "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/demo-project/locations/us-east5/publishers/anthropic/models/%s' (or it may not exist)."
	msgVertexDisabled        = "Vertex AI API has not been used in project 720070608347 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=720070608347 then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry."
	msgVertexUnauthenticated = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
	msgVertexUnavailable     = "The service is currently unavailable."
)

// vertexCatalogue is one scenario per Vertex AI row of REAL-ANSWERS.md,
// healthy first. Vertex has no listing probe uses, so every failure shows
// on the message.
var vertexCatalogue = []Scenario{
	{Name: "healthy", Summary: "every request succeeds", Signature: "healthy", Layer: "-", Source: "invented: Vertex AI rawPredict's documented success (Anthropic's message shape)", behave: &behaviour{}},
	{Name: "token-expired", Summary: "401 UNAUTHENTICATED: the access token is expired or invalid", Signature: "auth_failure", Layer: "1", Source: "invented: google.rpc UNAUTHENTICATED for an expired access token (documented shape)",
		behave: account(googleFail(http.StatusUnauthorized, "UNAUTHENTICATED", msgVertexUnauthenticated, false))},
	{Name: "permission-denied", Summary: "403 PERMISSION_DENIED: aiplatform.endpoints.predict denied (an IAM role is missing)", Signature: "auth_failure", Layer: "1", Source: "vertex-permission-denied",
		behave: invoke(googleModelFail(http.StatusForbidden, "PERMISSION_DENIED", msgVertexPermission))},
	{Name: "service-disabled", Summary: "403 PERMISSION_DENIED SERVICE_DISABLED: the Vertex AI API is off in the project", Signature: "workspace_denied", Layer: "2", Source: "vertex-service-disabled",
		behave: account(googleServiceDisabled)},
	{Name: "quota-zero", Summary: "429 RESOURCE_EXHAUSTED from the first request on: a quota of zero, no entitlement", Signature: "model_not_enabled", Layer: "4", Source: "vertex-quota-zero-base-model",
		behave: invoke(googleFail(http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", msgVertexQuota, true))},
	{Name: "model-not-enabled", Summary: "400 FAILED_PRECONDITION: the project is not allowed to use the Publisher Model", Signature: "model_not_enabled", Layer: "4", Source: "vertex-failed-precondition",
		behave: invoke(googleModelFail(http.StatusBadRequest, "FAILED_PRECONDITION", msgVertexNotAllowed))},
	{Name: "model-not-found", Summary: "404 NOT_FOUND: Publisher Model not found (a wrong id, or not in this region)", Signature: "model_not_enabled", Layer: "4", Source: "vertex-publisher-model-not-found",
		behave: invoke(googleModelFail(http.StatusNotFound, "NOT_FOUND", msgVertexNotFound))},
	{Name: "quota-exceeded", Summary: "429 RESOURCE_EXHAUSTED from the 31st request of a minute: a real limit", Signature: "rate_limited", Layer: "-", Source: "vertex-quota-zero-base-model (with successes around it: a real limit)",
		behave: invoke(googleThrottled)},
	{Name: "unavailable", Summary: "503 UNAVAILABLE on about 35% of requests", Signature: "overloaded", Layer: "-", Source: "invented: google.rpc UNAVAILABLE (documented shape)",
		behave: invoke(googleUnavailable)},
	{Name: "corporate-proxy", Summary: "a corporate proxy (Zscaler) answers 403 with its block page", Signature: "proxy_interference", Layer: "Q4", Source: "invented: a corporate proxy's block page in front of Vertex AI",
		behave: edgeOnly(corporateProxy)},
}

// vertexRouteOf matches .../publishers/anthropic/models/{model}:rawPredict.
func vertexRouteOf(path string) (route, string) {
	const marker = "/publishers/anthropic/models/"
	if i := strings.LastIndex(path, marker); i >= 0 && strings.HasSuffix(path, ":rawPredict") {
		if id := strings.TrimSuffix(path[i+len(marker):], ":rawPredict"); id != "" {
			return routeMessages, id
		}
	}
	return routeUnknown, ""
}

func googleFail(status int, rpcStatus, message string, array bool) func(*call) bool {
	return func(c *call) bool {
		c.googleError(status, rpcStatus, message, array)
		return true
	}
}

func googleModelFail(status int, rpcStatus, format string) func(*call) bool {
	return func(c *call) bool {
		c.googleError(status, rpcStatus, strings.ReplaceAll(format, "%s", c.model), false)
		return true
	}
}

func googleThrottled(c *call) bool {
	if !c.overRPM() {
		return false
	}
	c.googleError(http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", msgVertexQuota, true)
	return true
}

func googleUnavailable(c *call) bool {
	if c.api.coin(c.seq) >= 0.35 {
		return false
	}
	c.googleError(http.StatusServiceUnavailable, "UNAVAILABLE", msgVertexUnavailable, false)
	return true
}

// googleServiceDisabled is the API-off answer, with the details that name
// the reason.
func googleServiceDisabled(c *call) bool {
	body := map[string]any{"error": map[string]any{
		"code": http.StatusForbidden, "message": msgVertexDisabled, "status": "PERMISSION_DENIED",
		"details": []map[string]any{{
			"@type":  "type.googleapis.com/google.rpc.ErrorInfo",
			"reason": "SERVICE_DISABLED", "domain": "googleapis.com",
			"metadata": map[string]string{"service": "aiplatform.googleapis.com", "consumer": "projects/720070608347"},
		}},
	}}
	c.googleSend(http.StatusForbidden, mustJSON(body))
	return true
}

// googleSend answers from Google's front end.
func (c *call) googleSend(status int, body []byte) {
	h := c.w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("Server", "scaffolding on HTTPServer2")
	h.Set("Vary", "Origin, X-Origin, Referer")
	c.send(c.originDelay(), status, body)
}

// googleError writes a google.rpc status, inside a JSON array when array
// is set, as Vertex AI's prediction endpoints often do.
func (c *call) googleError(status int, rpcStatus, message string, array bool) {
	e := map[string]any{"error": map[string]any{"code": status, "message": message, "status": rpcStatus}}
	if array {
		c.googleSend(status, mustJSON([]any{e}))
		return
	}
	c.googleSend(status, mustJSON(e))
}

// validGoogleToken wants an OAuth bearer.
func (c *call) validGoogleToken() bool {
	token, ok := strings.CutPrefix(c.header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		c.googleError(http.StatusUnauthorized, "UNAUTHENTICATED", msgVertexUnauthenticated, false)
		return false
	}
	return true
}

// answerVertex is Anthropic's message, as rawPredict passes it on.
func (c *call) answerVertex() {
	c.googleSend(http.StatusOK, mustJSON(messageBody{
		ID: "msg_vrtx_01" + c.api.randomString(base62, 22), Type: "message", Role: "assistant",
		Model: cloudModelName(c.model), Content: []textBlock{{Type: "text", Text: "Hi"}},
		StopReason: "max_tokens", Usage: usage{InputTokens: inputTokens, OutputTokens: 1},
	}))
}
