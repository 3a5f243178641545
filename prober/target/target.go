package target

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/secret"
)

// Target is what a run probes: which API, where, with which model and key.
type Target struct {
	// Provider says how to talk to the API; nil means Anthropic.
	Provider *provider.Provider
	// BaseURL is the API root; a path prefix (a gateway's) is kept.
	BaseURL *url.URL
	Model   string
	Key     keys.Key
	// Headers are extra headers a gateway needs (--header).
	Headers []Header
	// UserAgent identifies the tool to the API and to support.
	UserAgent string
	// Cloud, for Bedrock, Vertex and Foundry, authenticates requests in
	// place of Key; Transport wraps the engine's transport with it.
	Cloud Cloud
	// ProbeURL and ModelsURL, when set, are the cloud endpoints resolved
	// from the region, project and model (and rebased onto --base-url);
	// they replace BaseURL joined with the provider's paths.
	ProbeURL, ModelsURL string
	// Scrubber removes the secrets above from server text before it is
	// stored or shown (see WithScrubber); nil scrubs nothing.
	Scrubber *secret.Scrubber
}

// API returns the target's provider.
func (t Target) API() *provider.Provider {
	if t.Provider == nil {
		return provider.Anthropic
	}
	return t.Provider
}

// ParseBaseURL checks a base URL given by the user: an absolute http or https
// URL with a host and no query or fragment, since those cannot be joined with
// API paths unambiguously.
func ParseBaseURL(raw string) (*url.URL, error) {
	trimmed := strings.TrimSpace(raw)
	shown := secret.RedactURL(raw) // a refused URL may still carry a password
	u, err := url.Parse(trimmed)
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %s", shown, urlProblem(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("base URL %q: needs an http:// or https:// scheme", shown)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL %q: no host", shown)
	}
	if u.User != nil {
		return nil, fmt.Errorf("base URL: credentials in the URL are refused; use ANTHROPIC_API_KEY or --key-file")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(trimmed, "#") {
		return nil, fmt.Errorf("base URL %q: a query or fragment cannot be joined with API paths", shown)
	}
	return u, nil
}

// urlProblem is what url.Parse found wrong, without the URL it quotes.
func urlProblem(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return secret.RedactURL(err.Error())
}

// endpoint returns the URL of an API path (such as "/v1/messages") under the
// base URL, keeping any path prefix the base carries. A base that already
// ends in /v1, as OPENAI_BASE_URL conventionally does, is not given another.
func (t Target) endpoint(path string) string {
	u := *t.BaseURL
	// The prefix is joined as the user wrote it: a gateway may route on an
	// escaped %2F that decoding would turn into a path separator.
	base := strings.TrimSuffix(u.EscapedPath(), "/")
	if strings.HasSuffix(base, "/v1") && strings.HasPrefix(path, "/v1/") {
		path = strings.TrimPrefix(path, "/v1")
	}
	u.RawPath = base + path
	if p, err := url.PathUnescape(u.RawPath); err == nil {
		u.Path = p
	} else {
		u.Path, u.RawPath = u.Path+path, ""
	}
	return u.String()
}

// MessageBody returns the JSON body of the tiny probe request.
func (t Target) MessageBody() []byte { return t.API().Body(t.Model) }

// ProbeLabel names the tiny request for people, e.g. "POST /v1/messages".
func (t Target) ProbeLabel() string { return "POST " + t.API().ProbePath }

// ModelsLabel names the listing request for people, e.g. "GET /v1/models".
func (t Target) ModelsLabel() string {
	return "GET " + strings.TrimSuffix(cmpOr(t.API().ModelsPath, "/v1/models"), "?byProvider=anthropic")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// NewMessageRequest builds the tiny probe (POST /v1/messages for Anthropic) with body.
// Callers that send many requests build body once with MessageBody.
func (t Target) NewMessageRequest(ctx context.Context, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.probeURL(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	t.setHeaders(req)
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// NewModelsRequest builds GET /v1/models, the free probe of which models the key can use.
func (t Target) NewModelsRequest(ctx context.Context) (*http.Request, error) {
	u := t.modelsURL()
	if u == "" {
		return nil, ErrNoListing
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	t.setHeaders(req)
	return req, nil
}

// setHeaders sets the provider's headers, probe's User-Agent, the user's
// --header values and the key, in that order: a User-Agent the user asked
// for is the one sent, as Info and the ticket's curl say (issue 16).
func (t Target) setHeaders(req *http.Request) {
	for name, v := range t.API().Headers {
		req.Header.Set(name, v)
	}
	if t.UserAgent != "" {
		req.Header.Set("User-Agent", t.UserAgent)
	}
	for _, h := range t.Headers {
		req.Header.Set(h.Name, h.Value)
	}
	t.Key.Apply(req)
}

// Curl returns a shell command that reproduces the probe request, with the
// key replaced by the environment variable it should come from.
func (t Target) Curl() string {
	p := t.API()
	if p.Cloud != "" {
		return t.cloudCurl()
	}
	env := p.Keys[0]
	for _, k := range p.Keys {
		if k.Kind == t.Key.Kind {
			env = k
			break
		}
	}
	auth := fmt.Sprintf(`-H "x-api-key: $%s"`, env.Name)
	if env.Kind == provider.AuthToken {
		auth = fmt.Sprintf(`-H "authorization: Bearer $%s"`, env.Name)
	}
	lines := []string{"curl -sS -i " + shellQuote(t.endpoint(p.ProbePath)), auth}
	for _, name := range sortedKeys(p.Headers) {
		lines = append(lines, "-H "+shellQuote(name+": "+p.Headers[name]))
	}
	for _, h := range t.Headers {
		if envPlaceholder.MatchString(h.Value) {
			// A $VAR stands for a value the user fills from the
			// environment: only double quotes let the shell expand it.
			lines = append(lines, `-H "`+dquoteEscape(h.Name)+": "+h.Value+`"`)
			continue
		}
		lines = append(lines, "-H "+shellQuote(h.Name+": "+h.Shown()))
	}
	lines = append(lines, "-H 'content-type: application/json'", "-d "+shellQuote(string(t.MessageBody())))
	return strings.Join(lines, " \\\n  ")
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// envPlaceholder matches a value that is only an environment variable.
var envPlaceholder = regexp.MustCompile(`^\$[A-Za-z_][A-Za-z0-9_]*$`)

// dquoteEscape makes s literal inside POSIX double quotes.
func dquoteEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(s)
}

// shellQuote wraps s in single quotes for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Info describes a target in files and outputs without its secret.
type Info struct {
	Provider       string `json:"provider,omitempty"`
	BaseURL        string `json:"base_url"`
	Model          string `json:"model"`
	Key            string `json:"key"` // redacted
	KeyFingerprint string `json:"key_fingerprint"`
	KeySource      string `json:"key_source,omitempty"`
	Scenario       string `json:"scenario,omitempty"`
	// Headers are the extra headers sent, secret values redacted.
	Headers []string `json:"headers,omitempty"`
	// Credential describes a cloud credential (source, region, project,
	// fingerprint; for AWS the key id's last four and the profile).
	Credential string `json:"credential,omitempty"`
	Region     string `json:"region,omitempty"`
	Project    string `json:"project,omitempty"`
}

// Info returns the printable description of t.
func (t Target) Info() Info {
	var headers []string
	for _, h := range t.Headers {
		headers = append(headers, h.String())
	}
	info := Info{
		Provider:       t.API().Name,
		Headers:        headers,
		BaseURL:        t.BaseURL.String(),
		Model:          t.Model,
		Key:            t.Key.Redacted(),
		KeyFingerprint: t.Key.Fingerprint(),
		KeySource:      t.Key.Source,
	}
	if t.Cloud != nil {
		t.cloudInfo(&info)
	}
	return info
}
