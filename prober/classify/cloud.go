package classify

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/go-json-experiment/json"
)

// QuotaExhausted is the ErrorType of Vertex AI's RESOURCE_EXHAUSTED. The
// outcome is a rate limit, as it is when it comes and goes; but on a
// project's first request, with no success before, it is a quota of zero:
// no entitlement to the model (layer 4). Only a caller that has seen the
// run can tell, so it keys on this type.
const QuotaExhausted = "RESOURCE_EXHAUSTED"

// classifyCloud reads answers written by a cloud in front of Claude, by who
// answered first: Bedrock (x-amzn-ErrorType, IAM's capital-M Message),
// Google's front end (google.rpc errors, often inside a JSON array) and
// Azure (a string error code). It reports false for anything else, which
// the generic rules then read. Successes never reach its decoding.
func classifyCloud(a Answer, body []byte) (Classification, bool) {
	if a.Status < 400 {
		return Classification{}, false
	}
	if code := Header(a.Header, "X-Amzn-Errortype"); code != "" {
		return classifyBedrock(a, body, code)
	}
	if len(body) > 0 && (body[0] == '[' || body[0] == '{') && bytes.Contains(body, []byte(`"error"`)) {
		return classifyGoogleOrAzure(a, body)
	}
	return Classification{}, false
}

// bedrockBody is Bedrock's {"message"} or IAM's {"Message"}; encoding/json
// matches both to Message, and the capital is looked for in the bytes.
// Bedrock also passes on Anthropic's envelope.
type bedrockBody struct {
	Message string `json:"message"`
	Error   *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// classifyBedrock reads an answer carrying x-amzn-ErrorType: the code
// (before the first colon), then what the message says, which outranks it.
func classifyBedrock(a Answer, body []byte, header string) (Classification, bool) {
	code, _, _ := strings.Cut(header, ":")
	var b bedrockBody
	_ = json.Unmarshal(body, &b, v1)
	msg := b.Message
	if b.Error != nil && b.Error.Message != "" {
		msg = b.Error.Message
	}
	c := Classification{ErrorType: Printable(code, 60), Message: Printable(msg, MaxMessage)}
	c.RequestID, c.RequestIDSource = requestID(a.Header, "")
	iam := bytes.Contains(body, []byte(`"Message"`))
	c.Outcome = bedrockOutcome(a.Status, code, strings.ToLower(msg), iam)
	return c, true
}

// bedrockOutcome is REAL-ANSWERS.md's Bedrock table as rules: the message
// first, then the code, then the status.
func bedrockOutcome(status int, code, lower string, iam bool) Outcome {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(lower, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("security token", "signature", "authentication token", "credential should be scoped") || code == "ExpiredTokenException" || code == "UnrecognizedClientException" || strings.Contains(code, "Signature") || code == "MissingAuthenticationTokenException":
		return OutcomeAuth
	case has("explicit deny"):
		// A service control or identity policy refuses: an organization's
		// rule, not a missing grant.
		return OutcomeWorkspace
	case iam && has("not authorized to perform"):
		return OutcomeAuth // IAM's policy engine: no policy allows the action
	case has("unsupported countries", "unsupported country", "unsupported region"):
		return OutcomeRegion
	case has("marketplace", "use case", "legacy", "on-demand throughput", "model identifier", "access to the model", "model access"):
		return OutcomeModel
	case code == "ThrottlingException" || status == http.StatusTooManyRequests:
		return OutcomeRateLimit
	case code == "ServiceUnavailableException" || code == "ModelNotReadyException" || status >= 500:
		return OutcomeServer
	case code == "ResourceNotFoundException":
		return OutcomeModel
	case code == "AccessDeniedException":
		// A denial that names neither the model, a policy nor a credential
		// ("Your account is not authorized to invoke this API operation."
		// was model access granted in another region) cannot be placed
		// from the answer alone: it is shown, not guessed.
		return OutcomeUnrecognised
	case status == http.StatusForbidden:
		return OutcomePermission
	}
	return OutcomeBadRequest
}

// rpcError is a google.rpc status as Google's front end writes it, and
// Azure's {"error":{"code":"…"}} with a string code.
type rpcError struct {
	Error *struct {
		Code    any    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
	} `json:"error"`
}

// classifyGoogleOrAzure reads a google.rpc error (Vertex AI), bare or the
// first of an array, or an Azure error with a known string code.
func classifyGoogleOrAzure(a Answer, body []byte) (Classification, bool) {
	var e rpcError
	if body[0] == '[' {
		var arr []rpcError
		if json.Unmarshal(body, &arr, v1) != nil || len(arr) == 0 {
			return Classification{}, false
		}
		e = arr[0]
	} else if json.Unmarshal(body, &e, v1) != nil {
		return Classification{}, false
	}
	if e.Error == nil {
		return Classification{}, false
	}
	c := Classification{Message: Printable(e.Error.Message, MaxMessage)}
	c.RequestID, c.RequestIDSource = requestID(a.Header, "")
	lower := strings.ToLower(e.Error.Message)
	if _, numeric := e.Error.Code.(float64); numeric && e.Error.Status != "" {
		c.ErrorType = Printable(e.Error.Status, 60)
		c.Outcome = googleOutcome(e.Error.Status, lower, bytes.Contains(body, []byte("SERVICE_DISABLED")))
		return c, true
	}
	code, _ := e.Error.Code.(string)
	if o, ok := azureCodes[code]; ok {
		c.ErrorType, c.Outcome = code, o
		return c, true
	}
	return Classification{}, false
}

// googleOutcome is REAL-ANSWERS.md's Vertex AI table as rules.
func googleOutcome(status, lower string, serviceDisabled bool) Outcome {
	switch status {
	case QuotaExhausted:
		return OutcomeRateLimit
	case "FAILED_PRECONDITION", "NOT_FOUND":
		if strings.Contains(lower, "publisher model") || strings.Contains(lower, "model") {
			return OutcomeModel // not enabled in Model Garden, a wrong id, or not in that region
		}
		if status == "NOT_FOUND" {
			return OutcomeNotFound
		}
		return OutcomeBadRequest
	case "PERMISSION_DENIED":
		if serviceDisabled || strings.Contains(lower, "has not been used in project") || strings.Contains(lower, "is disabled") {
			return OutcomeWorkspace // the API is off in the project: set-up, layer 2
		}
		return OutcomeAuth // an IAM role is missing: authorization, layer 1
	case "UNAUTHENTICATED":
		return OutcomeAuth
	case "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED":
		return OutcomeServer
	}
	return OutcomeBadRequest
}

// azureCodes are Azure's string error codes for Claude in Foundry and
// Azure OpenAI whose meaning the status does not carry.
var azureCodes = map[string]Outcome{
	"DeploymentNotFound": OutcomeModel,    // the model (deployment) name is wrong
	"api_not_supported":  OutcomeNotFound, // a base URL already ending in /v1/messages
}
