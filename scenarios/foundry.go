package scenarios

import (
	"net/http"
	"strings"
)

// Foundry is the provider name of Claude in Microsoft Foundry.
const Foundry = "foundry"

// Claude in Microsoft Foundry, as {resource}.services.ai.azure.com answers
// under /anthropic: Anthropic's Messages API with the resource key in
// api-key or x-api-key (or an Entra bearer), Azure's apim-request-id, and
// Azure's {"error":{"code":"…"}} for what Azure refuses before Claude.
var foundryWire = &wire{
	name:      Foundry,
	host:      "demo-resource.services.ai.azure.com",
	catalogue: foundryCatalogue,
	routeOf:   routeOf,
	orgID:     (*API).uuid,
	notFound:  func(c *call) { c.azureError(http.StatusNotFound, "404", "Resource not found") },
	wrongMethod: func(c *call) {
		c.azureError(http.StatusNotFound, "api_not_supported", "Requested API is currently not supported")
	},
	validHeaders: (*call).validFoundryKey,
	validBody:    (*call).validBody,
	answer: func(c *call) {
		c.w.Header().Set("Apim-Request-Id", c.api.uuid())
		c.answerAnthropic()
	},
	probePath: `\/anthropic\/v1\/messages`,
}

// Azure's messages, as REAL-ANSWERS.md quotes them.
const (
	msgAzureBadKey     = "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."
	msgAzureDeployment = "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."
)

// foundryCatalogue is Foundry's refusals, healthy first: Azure's own
// before the request reaches Claude, then Anthropic's.
var foundryCatalogue = []Scenario{
	{Name: "healthy", Summary: "every request succeeds", Signature: "healthy", Layer: "-", Source: "invented: Foundry's Anthropic-shaped success", behave: &behaviour{}},
	{Name: "invalid-key", Summary: "401 \"Access denied due to invalid subscription key or wrong API endpoint\"", Signature: "auth_failure", Layer: "1", Source: "azure-invalid-subscription-key",
		behave: account(func(c *call) bool { c.azureError(http.StatusUnauthorized, "401", msgAzureBadKey); return true })},
	{Name: "deployment-not-found", Summary: "404 DeploymentNotFound: no deployment of that name in the resource", Signature: "model_not_enabled", Layer: "4", Source: "azure-deployment-not-found",
		behave: invoke(func(c *call) bool {
			c.azureError(http.StatusNotFound, "DeploymentNotFound", msgAzureDeployment)
			return true
		})},
	{Name: "rate-limited", Summary: "429 rate_limit_error from the 31st message of a minute (limit 30)", Signature: "rate_limited", Layer: "-", Source: "invented: a 429 rate_limit_error in Anthropic's envelope, as Foundry passes it on",
		behave: invoke(rateLimited)},
	{Name: "overloaded", Summary: "529 overloaded_error on about 35% of messages", Signature: "overloaded", Layer: "-", Source: "invented: a 529 overloaded_error in Anthropic's envelope, as Foundry passes it on",
		behave: invoke(overloaded)},
}

// azureError writes Azure's error envelope with a string code.
func (c *call) azureError(status int, code, message string) {
	h := c.w.Header()
	h.Set("Apim-Request-Id", c.api.uuid())
	h.Set("Content-Type", "application/json")
	h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload")
	h.Set("X-Content-Type-Options", "nosniff")
	c.send(c.originDelay(), status, mustJSON(map[string]any{"error": map[string]string{"code": code, "message": message}}))
}

// validFoundryKey wants the resource key in api-key or x-api-key, or an
// Entra ID bearer, then Anthropic's version header.
func (c *call) validFoundryKey() bool {
	token, bearer := strings.CutPrefix(c.header.Get("Authorization"), "Bearer ")
	if c.header.Get("Api-Key") == "" && c.header.Get("X-Api-Key") == "" && (!bearer || strings.TrimSpace(token) == "") {
		c.azureError(http.StatusUnauthorized, "401", msgAzureBadKey)
		return false
	}
	if c.header.Get("Anthropic-Version") == "" {
		c.apiError(http.StatusBadRequest, "invalid_request_error", "anthropic-version: header is required")
		return false
	}
	return true
}
