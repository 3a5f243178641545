package cloudauth

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/smithy-go/encoding/httpbinding"
)

// Tiny request bodies: one token of output, so a probe costs next to nothing.
const (
	// BedrockBody is the InvokeModel body; the model goes in the path.
	BedrockBody = `{"anthropic_version":"bedrock-2023-05-31","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`
	// VertexBody is the rawPredict body; the model goes in the path.
	VertexBody = `{"anthropic_version":"vertex-2023-10-16","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`
)

// BedrockSigningName is the SigV4 service name for both bedrock and
// bedrock-runtime hosts.
const BedrockSigningName = "bedrock"

// BedrockInvokeURL is the InvokeModel endpoint for model (a model id such as
// "anthropic.claude-3-5-haiku-20241022-v1:0", an inference profile such as
// "us.anthropic…", or an ARN). The id is escaped as the AWS SDK escapes it,
// every byte but letters, digits and "-._~", so ":" travels as %3A and "/"
// in an ARN as %2F.
func BedrockInvokeURL(region, model string) string {
	return "https://bedrock-runtime." + region + ".amazonaws.com/model/" +
		httpbinding.EscapePath(model, true) + "/invoke"
}

// BedrockModelsURL lists the Anthropic foundation models of a region: the
// cheap call that tells whether the credential reaches Bedrock at all.
func BedrockModelsURL(region string) string {
	return "https://bedrock." + region + ".amazonaws.com/foundation-models?byProvider=anthropic"
}

// VertexRawPredictURL is the rawPredict endpoint of an Anthropic model
// (such as "claude-haiku-4-5@20251001") in a project and location. The
// location "global" is served by aiplatform.googleapis.com, any other by
// {location}-aiplatform.googleapis.com.
func VertexRawPredictURL(location, project, model string) string {
	host := location + "-aiplatform.googleapis.com"
	if location == "global" {
		host = "aiplatform.googleapis.com"
	}
	return "https://" + host + "/v1/projects/" + url.PathEscape(project) +
		"/locations/" + url.PathEscape(location) +
		"/publishers/anthropic/models/" + url.PathEscape(model) + ":rawPredict"
}

// FoundryMessagesURL is the Messages endpoint of a Foundry resource. It
// takes either a resource name ("my-resource") or a base URL such as
// ANTHROPIC_FOUNDRY_BASE_URL ("https://my-resource.services.ai.azure.com/anthropic");
// a base that already ends in /v1/messages or /v1 is not extended again,
// since doubling it is a classic cause of Foundry's 404 api_not_supported.
func FoundryMessagesURL(resourceOrBase string) string {
	s := strings.TrimRight(resourceOrBase, "/")
	if !strings.Contains(s, "://") {
		return "https://" + s + ".services.ai.azure.com/anthropic/v1/messages"
	}
	switch {
	case strings.HasSuffix(s, "/v1/messages"):
		return s
	case strings.HasSuffix(s, "/v1"):
		return s + "/messages"
	}
	return s + "/v1/messages"
}

// Rebase moves endpoint onto base (a --base-url: a gateway, or a simulated
// API on loopback), keeping base's path prefix in front of endpoint's path
// and query. The escaped path is kept as is, so a Bedrock model id's %3A
// survives and the signature covers what is sent.
func Rebase(base, endpoint string) (string, error) {
	b, err := url.Parse(base)
	if err != nil || b.Scheme == "" || b.Host == "" {
		return "", fmt.Errorf("base URL %q is not an absolute http(s) URL", redactURL(base))
	}
	if b.Scheme != "http" && b.Scheme != "https" {
		return "", fmt.Errorf("base URL %q is not an absolute http(s) URL", redactURL(base))
	}
	e, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("endpoint %q: %v", endpoint, err)
	}
	out := b.Scheme + "://" + b.Host + strings.TrimRight(b.EscapedPath(), "/") + e.EscapedPath()
	if e.RawQuery != "" {
		out += "?" + e.RawQuery
	}
	return out, nil
}

// redactURL hides a password in a URL given by the user.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return "…" + raw[i:]
		}
		return raw
	}
	return u.Redacted()
}
