package provider

import "encoding/json"

// Bedrock is Claude on Amazon Bedrock: InvokeModel with the model in the
// path, signed with SigV4 (package cloudauth), x-amzn-RequestId. The paths
// are templates: package target fills them from the region and model with
// cloudauth's endpoint builders, since the host carries the region.
var Bedrock = &Provider{
	Name:         "bedrock",
	Title:        "Claude on Amazon Bedrock",
	DefaultModel: "us.anthropic.claude-haiku-4-5-20251001-v1:0",
	// AWS_BEARER_TOKEN_BEDROCK is a Bedrock API key; probe signs with the
	// SDK's credential chain and names the variable only in messages.
	Keys:       []KeyEnv{{"AWS_BEARER_TOKEN_BEDROCK", AuthToken}},
	ProbePath:  "/model/{model}/invoke",
	ModelsPath: "/foundation-models?byProvider=anthropic",
	Body:       cloudBody("bedrock-2023-05-31"),
	IDHeader:   "x-amzn-RequestId",
	Cloud:      CloudAWS,
}

// Vertex is Claude on Google Vertex AI: rawPredict with the model in the
// path and an OAuth bearer from Application Default Credentials. Vertex
// has no cheap listing of Anthropic's models, so ModelsPath is empty.
var Vertex = &Provider{
	Name:         "vertex",
	Title:        "Claude on Google Vertex AI",
	DefaultModel: "claude-haiku-4-5@20251001",
	// A ready access token (gcloud auth print-access-token) may come from
	// this variable, as Google's own tools read it, or --key-file.
	Keys:      []KeyEnv{{"GOOGLE_OAUTH_ACCESS_TOKEN", AuthToken}},
	ProbePath: "/v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict",
	Body:      cloudBody("vertex-2023-10-16"),
	// Google's front end answers with no request id header; the body's
	// google.rpc status is what support reads.
	Hosts: []string{"aiplatform.googleapis.com"},
	Cloud: CloudGoogle,
}

// Foundry is Claude in Microsoft Foundry: Anthropic's Messages API under
// https://{resource}.services.ai.azure.com/anthropic, with the resource key
// in the api-key header (cloudauth.FoundryKeyHeader) or an Entra ID bearer.
// The model is the deployment's name.
var Foundry = &Provider{
	Name:         "foundry",
	Title:        "Claude in Microsoft Foundry",
	DefaultModel: "claude-haiku-4-5",
	BaseURLEnv:   "ANTHROPIC_FOUNDRY_BASE_URL",
	Keys:         []KeyEnv{{"ANTHROPIC_FOUNDRY_API_KEY", APIKey}},
	ProbePath:    "/anthropic/v1/messages",
	Body:         tinyBody,
	Headers:      map[string]string{"anthropic-version": apiVersion},
	IDHeader:     "apim-request-id",
	Hosts:        []string{"services.ai.azure.com"},
	Cloud:        CloudAzure,
}

// cloudBody builds the tiny request of a cloud that takes the model in the
// path and the API version in the body.
func cloudBody(version string) func(string) []byte {
	return func(string) []byte {
		b, _ := json.Marshal(struct {
			Version   string        `json:"anthropic_version"`
			MaxTokens int           `json:"max_tokens"`
			Messages  []messageTurn `json:"messages"`
		}{version, 1, []messageTurn{{Role: "user", Content: "hi"}}})
		return b
	}
}
