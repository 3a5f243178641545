package scenarios

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Bedrock is the provider name of Claude on Amazon Bedrock.
const Bedrock = "bedrock"

// Claude on Amazon Bedrock, as bedrock-runtime and bedrock answer: POST
// /model/{modelId}/invoke signed with SigV4 for the bedrock service, GET
// /foundation-models as the listing, x-amzn-RequestId on every answer,
// errors as {"message"} with x-amzn-ErrorType, IAM's as {"Message"}.
var bedrockWire = &wire{
	name:         Bedrock,
	host:         "bedrock-runtime.us-east-1.amazonaws.com",
	catalogue:    bedrockCatalogue,
	routeOf:      bedrockRouteOf,
	orgID:        func(*API) string { return "" },
	notFound:     func(c *call) { c.awsError(http.StatusNotFound, "UnknownOperationException", "", false) },
	wrongMethod:  func(c *call) { c.awsError(http.StatusNotFound, "UnknownOperationException", "", false) },
	validHeaders: (*call).validSigV4,
	validBody: func(c *call) bool {
		return c.validCloudBody("bedrock-2023-05-31", func(problem string) { c.awsError(http.StatusBadRequest, "ValidationException", problem, false) })
	},
	answer:    (*call).answerBedrock,
	probePath: `\/model\/invoke`,
}

// Bedrock's messages, as REAL-ANSWERS.md quotes them.
const (
	msgBedrockNoAccess    = "You don't have access to the model with the specified model ID."
	msgBedrockAccount     = "Your account is not authorized to invoke this API operation."
	msgBedrockIAM         = "User: arn:aws:sts::123456789012:assumed-role/DeveloperRole/session is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/%s because no identity-based policy allows the bedrock:InvokeModel action"
	msgBedrockDenySCP     = "User: arn:aws:sts::123456789012:assumed-role/DeveloperRole/session is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-west-2::foundation-model/%s with an explicit deny in a service control policy"
	msgBedrockDenyPolicy  = "User: arn:aws:sts::123456789012:assumed-role/DeveloperRole/session is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-west-2::foundation-model/%s with an explicit deny in an identity-based policy"
	msgBedrockMarketplace = "Model access is denied due to IAM user or service role is not authorized to perform the required AWS Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to this model. Refer to the Amazon Bedrock documentation for further details. Your AWS Marketplace subscription for this model cannot be completed at this time. If you recently fixed this issue, try again after 15 minutes."
	msgBedrockLegacy      = "Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 15 days. Please upgrade to an active model on Amazon Bedrock"
	msgBedrockUseCase     = "Model use case details have not been submitted for this account. Fill out the Anthropic use case details form before using the model. If you have already filled out the form, try again in 15 minutes."
	msgBedrockCountry     = "Access to Anthropic models is not allowed from unsupported countries, regions, or territories. Please refer to https://www.anthropic.com/supported-countries for more information on the countries and regions Anthropic currently supports."
	msgBedrockOnDemand    = "Invocation of model ID %s with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model."
	msgBedrockBadID       = "The provided model identifier is invalid."
	msgBedrockExpired     = "The security token included in the request is expired"
	msgBedrockInvalid     = "The security token included in the request is invalid."
	msgBedrockThrottled   = "Too many tokens, please wait before trying again."
	msgBedrockConnections = "Too many connections, please wait before trying again."
)

// bedrockCatalogue is one scenario per Bedrock row of REAL-ANSWERS.md,
// healthy first. A failure of the credential shows on the listing too; a
// failure about the model only on the invocation, as on Bedrock, whose
// listing names every foundation model whatever access was granted.
var bedrockCatalogue = []Scenario{
	{Name: "healthy", Summary: "every request succeeds", Signature: "healthy", Layer: "-", Source: "invented: Bedrock InvokeModel's documented success (Anthropic's message shape)", behave: &behaviour{}},
	{Name: "token-expired", Summary: "403 ExpiredTokenException: the security token included in the request is expired", Signature: "auth_failure", Layer: "1", Source: "bedrock-security-token-expired",
		behave: account(awsFail(http.StatusForbidden, "ExpiredTokenException", msgBedrockExpired, false))},
	{Name: "token-invalid", Summary: "403 UnrecognizedClientException: the security token included in the request is invalid", Signature: "auth_failure", Layer: "1", Source: "bedrock-security-token-invalid",
		behave: account(awsFail(http.StatusForbidden, "UnrecognizedClientException", msgBedrockInvalid, false))},
	{Name: "iam-no-policy", Summary: "403 {\"Message\"} from IAM: no identity-based policy allows bedrock:InvokeModel", Signature: "auth_failure", Layer: "1", Source: "bedrock-iam-no-identity-policy",
		behave: invoke(awsModelFail(http.StatusForbidden, "AccessDeniedException", msgBedrockIAM, true))},
	{Name: "explicit-deny-scp", Summary: "403 {\"Message\"} from IAM: an explicit deny in a service control policy", Signature: "workspace_denied", Layer: "2", Source: "bedrock-explicit-deny-scp",
		behave: invoke(awsModelFail(http.StatusForbidden, "AccessDeniedException", msgBedrockDenySCP, true))},
	{Name: "explicit-deny-policy", Summary: "403 {\"Message\"} from IAM: an explicit deny in an identity-based policy", Signature: "workspace_denied", Layer: "2", Source: "bedrock-explicit-deny-identity-policy",
		behave: invoke(awsModelFail(http.StatusForbidden, "AccessDeniedException", msgBedrockDenyPolicy, true))},
	{Name: "unsupported-country", Summary: "400 ValidationException: Anthropic models are not allowed from unsupported countries", Signature: "region_blocked", Layer: "3", Source: "bedrock-unsupported-country",
		behave: account(awsFail(http.StatusBadRequest, "ValidationException", msgBedrockCountry, false))},
	{Name: "account-not-authorized", Summary: "403 AccessDeniedException: the account is not authorized (access granted in another region; the answer alone cannot say so)", Signature: "inconclusive", Layer: "-", Source: "bedrock-account-not-authorized",
		behave: invoke(awsFail(http.StatusForbidden, "AccessDeniedException", msgBedrockAccount, false))},
	{Name: "model-access-denied", Summary: "403 AccessDeniedException: no access to the model with the specified model ID", Signature: "model_not_enabled", Layer: "4", Source: "bedrock-model-access-denied",
		behave: invoke(awsFail(http.StatusForbidden, "AccessDeniedException", msgBedrockNoAccess, false))},
	{Name: "marketplace-subscription", Summary: "403 AccessDeniedException: the AWS Marketplace subscription for the model is missing", Signature: "model_not_enabled", Layer: "4", Source: "bedrock-marketplace-subscription",
		behave: invoke(awsFail(http.StatusForbidden, "AccessDeniedException", msgBedrockMarketplace, false))},
	{Name: "use-case-form", Summary: "404 ResourceNotFoundException: Anthropic's use case form was not submitted", Signature: "model_not_enabled", Layer: "4", Source: "bedrock-use-case-form",
		behave: invoke(awsFail(http.StatusNotFound, "ResourceNotFoundException", msgBedrockUseCase, false))},
	{Name: "legacy-model", Summary: "404 ResourceNotFoundException: the model is Legacy and was not used in 15 days", Signature: "model_not_enabled", Layer: "4", Source: "bedrock-legacy-model",
		behave: invoke(awsFail(http.StatusNotFound, "ResourceNotFoundException", msgBedrockLegacy, false))},
	{Name: "on-demand-not-supported", Summary: "400 ValidationException: the model needs an inference profile id (us.…)", Signature: "model_not_enabled", Layer: "4", Source: "bedrock-on-demand-not-supported",
		behave: invoke(awsModelFail(http.StatusBadRequest, "ValidationException", msgBedrockOnDemand, false))},
	{Name: "invalid-model-id", Summary: "400 ValidationException: the provided model identifier is invalid", Signature: "model_not_enabled", Layer: "4", Source: "bedrock-invalid-model-identifier",
		behave: invoke(awsFail(http.StatusBadRequest, "ValidationException", msgBedrockBadID, false))},
	{Name: "throttling", Summary: "429 ThrottlingException from the 31st invocation of a minute (tiny default quotas)", Signature: "rate_limited", Layer: "-", Source: "bedrock-throttling",
		behave: invoke(awsThrottled)},
	{Name: "too-many-connections", Summary: "503 ServiceUnavailableException on about 35% of invocations", Signature: "overloaded", Layer: "-", Source: "bedrock-too-many-connections",
		behave: invoke(awsUnavailable)},
	{Name: "corporate-proxy", Summary: "a corporate proxy (Zscaler) answers 403 with its block page", Signature: "proxy_interference", Layer: "Q4", Source: "invented: a corporate proxy's block page in front of Bedrock (shape of the in-between rows)",
		behave: edgeOnly(corporateProxy)},
	{Name: "connection-reset", Summary: "every invocation's connection is reset without an answer", Signature: "network_error", Layer: "-", Source: "invented: a connection reset with no HTTP answer",
		behave: invoke(resetConnection)},
}

// invoke is a failure of the inference call alone.
func invoke(origin func(*call) bool) *behaviour {
	return &behaviour{scope: scopeMessages, origin: origin}
}

// bedrockRouteOf matches /model/{id}/invoke (the id path-escaped, as the
// SDK sends it) and the listing, by suffix so a path prefix works.
func bedrockRouteOf(path string) (route, string) {
	if strings.HasSuffix(path, "/foundation-models") {
		return routeModels, ""
	}
	if i := strings.LastIndex(path, "/model/"); i >= 0 && strings.HasSuffix(path, "/invoke") {
		id := strings.TrimSuffix(path[i+len("/model/"):], "/invoke")
		if id != "" {
			return routeMessages, id
		}
	}
	return routeUnknown, ""
}

// awsFail answers with a Bedrock error; iam writes IAM's capital Message.
func awsFail(status int, code, message string, iam bool) func(*call) bool {
	return func(c *call) bool {
		c.awsError(status, code, message, iam)
		return true
	}
}

// awsModelFail is awsFail with the model id in the message's %s.
func awsModelFail(status int, code, format string, iam bool) func(*call) bool {
	return func(c *call) bool {
		c.awsError(status, code, fmt.Sprintf(format, c.model), iam)
		return true
	}
}

func awsThrottled(c *call) bool {
	if !c.overRPM() {
		return false
	}
	c.awsError(http.StatusTooManyRequests, "ThrottlingException", msgBedrockThrottled, false)
	return true
}

func awsUnavailable(c *call) bool {
	if c.api.coin(c.seq) >= 0.35 {
		return false
	}
	c.awsError(http.StatusServiceUnavailable, "ServiceUnavailableException", msgBedrockConnections, false)
	return true
}

// awsSend answers from AWS: a request id on everything, no Cloudflare.
func (c *call) awsSend(status int, body []byte) {
	h := c.w.Header()
	h.Set("X-Amzn-Requestid", c.api.uuid())
	h.Set("Content-Type", "application/json")
	c.send(c.originDelay(), status, body)
}

// awsError writes Bedrock's error: the code in x-amzn-ErrorType, the
// message in {"message"}, or in {"Message"} when IAM wrote it.
func (c *call) awsError(status int, code, message string, iam bool) {
	c.w.Header().Set("X-Amzn-Errortype", code+":http://internal.amazon.com/coral/com.amazon.bedrock/")
	if message == "" {
		c.awsSend(status, []byte(`{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"}`))
		return
	}
	key := "message"
	if iam {
		key = "Message"
	}
	c.awsSend(status, mustJSON(map[string]string{key: message}))
}

// validSigV4 wants a SigV4 signature scoped to the bedrock service, as
// AWS checks before anything else (the signature itself cannot be checked
// without the secret), or a Bedrock API key as a bearer.
func (c *call) validSigV4() bool {
	auth := c.header.Get("Authorization")
	switch {
	case strings.HasPrefix(auth, "Bearer ") && strings.TrimSpace(auth[len("Bearer "):]) != "":
		return true
	case auth == "":
		c.awsError(http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token", false)
		return false
	case !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=") || !strings.Contains(auth, "/bedrock/aws4_request"):
		c.awsError(http.StatusForbidden, "InvalidSignatureException", "Credential should be scoped to correct service: 'bedrock'.", false)
		return false
	case c.header.Get("X-Amz-Date") == "":
		c.awsError(http.StatusBadRequest, "IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", false)
		return false
	}
	return true
}

// validCloudBody checks the body of a cloud that takes the model in the
// path and the API version in the body; the model is the path's.
func (c *call) validCloudBody(version string, refuse func(problem string)) bool {
	var req struct {
		Version   string            `json:"anthropic_version"`
		MaxTokens *int              `json:"max_tokens"`
		Messages  []json.RawMessage `json:"messages"`
	}
	data, problem := c.readBody()
	switch {
	case problem != "":
	case json.Unmarshal(data, &req) != nil:
		problem = "Malformed input request, please reformat your input and try again."
	case req.Version != version:
		problem = "anthropic_version: Invalid value, expected " + version
	case req.MaxTokens == nil || *req.MaxTokens < 1:
		problem = "max_tokens: Field required"
	case len(req.Messages) == 0:
		problem = "messages: at least one message is required"
	}
	if problem != "" {
		refuse(problem)
		return false
	}
	c.model, _ = url.PathUnescape(c.modelID)
	return true
}

// answerBedrock is the healthy answer: Anthropic's message, with Bedrock's
// headers, or the listing.
func (c *call) answerBedrock() {
	h := c.w.Header()
	if c.route == routeModels {
		c.awsSend(http.StatusOK, mustJSON(map[string]any{"modelSummaries": bedrockModels()}))
		return
	}
	h.Set("X-Amzn-Bedrock-Invocation-Latency", strconv.FormatInt(c.api.latency.Milliseconds(), 10))
	h.Set("X-Amzn-Bedrock-Input-Token-Count", strconv.Itoa(inputTokens))
	h.Set("X-Amzn-Bedrock-Output-Token-Count", "1")
	c.awsSend(http.StatusOK, mustJSON(messageBody{
		ID: "msg_bdrk_01" + c.api.randomString(base62, 22), Type: "message", Role: "assistant",
		Model: cloudModelName(c.model), Content: []textBlock{{Type: "text", Text: "Hi"}},
		StopReason: "max_tokens", Usage: usage{InputTokens: inputTokens, OutputTokens: 1},
	}))
}

// bedrockModelIDs are the Anthropic foundation models the listing names.
var bedrockModelIDs = []string{
	"anthropic.claude-haiku-4-5-20251001-v1:0",
	"anthropic.claude-sonnet-4-5-20250929-v1:0",
	"anthropic.claude-opus-4-1-20250805-v1:0",
}

func bedrockModels() []map[string]any {
	out := make([]map[string]any, 0, len(bedrockModelIDs))
	for _, id := range bedrockModelIDs {
		out = append(out, map[string]any{
			"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/" + id, "modelId": id,
			"providerName": "Anthropic", "inputModalities": []string{"TEXT", "IMAGE"}, "outputModalities": []string{"TEXT"},
			"responseStreamingSupported": true, "inferenceTypesSupported": []string{"INFERENCE_PROFILE"},
			"modelLifecycle": map[string]string{"status": "ACTIVE"},
		})
	}
	return out
}

// cloudModelName is the model as the message names it: without Bedrock's
// geography and provider prefix and version suffix.
func cloudModelName(id string) string {
	if i := strings.Index(id, "anthropic."); i >= 0 {
		id = id[i+len("anthropic."):]
	}
	id, _, _ = strings.Cut(id, "-v1:")
	id, _, _ = strings.Cut(id, "@")
	return id
}
