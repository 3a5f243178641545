package provider

// OpenAI is OpenAI's API and the many gateways that copy it: Bearer keys,
// the chat completions endpoint as the tiny probe, x-request-id.
var OpenAI = &Provider{
	Name:            "openai",
	Title:           "OpenAI API",
	DefaultBaseURL:  "https://api.openai.com",
	DefaultModel:    "gpt-4o-mini",
	BaseURLEnv:      "OPENAI_BASE_URL",
	Keys:            []KeyEnv{{"OPENAI_API_KEY", AuthToken}},
	ProbePath:       "/v1/chat/completions",
	ModelsPath:      "/v1/models",
	Body:            tinyBody,
	IDHeader:        "x-request-id",
	OrgHeader:       "openai-organization",
	RateLimitPrefix: "x-ratelimit-",
	Hosts:           []string{"api.openai.com"},
}
