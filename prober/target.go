package prober

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

const (
	// DefaultBaseURL is the Anthropic API.
	DefaultBaseURL = "https://api.anthropic.com"
	// DefaultModel is probed when no --model is given.
	DefaultModel = "claude-sonnet-4-5"
	// APIVersion is the anthropic-version header every request carries.
	APIVersion = "2023-06-01"
)

// Target is what a run probes: where, with which model and which key.
type Target struct {
	// BaseURL is the API root; a path prefix (a gateway's) is kept.
	BaseURL *url.URL
	Model   string
	Key     Key
	// UserAgent identifies the tool to the API and to support.
	UserAgent string
}

// ParseBaseURL checks a base URL given by the user: an absolute http or https
// URL with a host and no query or fragment, since those cannot be joined with
// API paths unambiguously.
func ParseBaseURL(raw string) (*url.URL, error) {
	trimmed := strings.TrimSpace(raw)
	u, err := url.Parse(trimmed)
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("base URL %q: needs an http:// or https:// scheme", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL %q: no host", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("base URL: credentials in the URL are refused; use ANTHROPIC_API_KEY or --key-file")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(trimmed, "#") {
		return nil, fmt.Errorf("base URL %q: a query or fragment cannot be joined with API paths", raw)
	}
	return u, nil
}

// Endpoint returns the URL of an API path (such as "/v1/messages") under the
// base URL, keeping any path prefix the base carries.
func (t Target) Endpoint(path string) string {
	u := *t.BaseURL
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawPath = ""
	return u.String()
}

// messageBody is the smallest request the Messages API accepts.
type messageBody struct {
	Model     string        `json:"model"`
	MaxTokens int           `json:"max_tokens"`
	Messages  []messageTurn `json:"messages"`
}

type messageTurn struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// MessageBody returns the JSON body of the tiny probe request.
func (t Target) MessageBody() []byte {
	b, _ := json.Marshal(messageBody{
		Model:     t.Model,
		MaxTokens: 1,
		Messages:  []messageTurn{{Role: "user", Content: "hi"}},
	})
	return b
}

// NewMessageRequest builds the tiny POST /v1/messages probe with body.
// Callers that send many requests build body once with MessageBody.
func (t Target) NewMessageRequest(ctx context.Context, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Endpoint("/v1/messages"), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	t.setHeaders(req)
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// NewModelsRequest builds GET /v1/models, the free probe of which models the key can use.
func (t Target) NewModelsRequest(ctx context.Context) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.Endpoint("/v1/models"), nil)
	if err != nil {
		return nil, err
	}
	t.setHeaders(req)
	return req, nil
}

func (t Target) setHeaders(req *http.Request) {
	t.Key.Apply(req)
	req.Header.Set("Anthropic-Version", APIVersion)
	if t.UserAgent != "" {
		req.Header.Set("User-Agent", t.UserAgent)
	}
}

// Curl returns a shell command that reproduces the probe request, with the
// key replaced by the environment variable it should come from.
func (t Target) Curl() string {
	auth := `-H "x-api-key: $ANTHROPIC_API_KEY"`
	if t.Key.Kind == AuthToken {
		auth = `-H "authorization: Bearer $ANTHROPIC_AUTH_TOKEN"`
	}
	return fmt.Sprintf("curl -sS -i %s \\\n  %s \\\n  -H 'anthropic-version: %s' \\\n  -H 'content-type: application/json' \\\n  -d %s",
		shellQuote(t.Endpoint("/v1/messages")), auth, APIVersion, shellQuote(string(t.MessageBody())))
}

// shellQuote wraps s in single quotes for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
