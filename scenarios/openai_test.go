package scenarios

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	openAIRequestIDRE = regexp.MustCompile(`^req_[0-9a-f]{32}$`)
	openAIOrgRE       = regexp.MustCompile(`^org-[0-9A-Za-z]{24}$`)
	openAIProjectRE   = regexp.MustCompile(`^proj_[0-9A-Za-z]{24}$`)
	completionIDRE    = regexp.MustCompile(`^chatcmpl-[0-9A-Za-z]{29}$`)
)

// The key the OpenAI tests send; no part of it may come back.
const openAITestKey = "sk-proj-TESTsecretKEY0123456789wxyz"

// openAIHeaders are the headers probe sends to OpenAI.
func openAIHeaders() http.Header {
	return http.Header{
		"Authorization": {"Bearer " + openAITestKey},
		"Content-Type":  {"application/json"},
	}
}

const openAIBody = `{"model":"` + DefaultOpenAIModel + `","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`

func startOpenAI(t *testing.T, name string, opts Options) (*API, *httptest.Server) {
	t.Helper()
	opts.Provider = OpenAI
	return start(t, name, opts)
}

// completionRequest sends the request probe sends to OpenAI.
func completionRequest(t *testing.T, srv *httptest.Server) answer {
	t.Helper()
	return request(t, srv, http.MethodPost, "/v1/chat/completions", openAIHeaders(), openAIBody)
}

// openAIBurst sends n completions at once, released together.
func openAIBurst(t *testing.T, srv *httptest.Server, n int) []answer {
	t.Helper()
	return sendTogether(t, srv, n, "/v1/chat/completions", openAIHeaders(), openAIBody)
}

// openAIErr is OpenAI's error envelope, decoded strictly.
type openAIErr struct {
	Message string
	Type    string
	Param   *string
	Code    *string
}

func (e openAIErr) code() string {
	if e.Code == nil {
		return ""
	}
	return *e.Code
}

// openAIError decodes OpenAI's error envelope, failing the test if the body
// is not exactly one: a lone "error" object with message, type, param and
// code, and nothing of Anthropic's envelope.
func openAIError(t *testing.T, a answer) openAIErr {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(a.body, &top); err != nil || len(top) != 1 || top["error"] == nil {
		t.Fatalf("body is not OpenAI's error envelope: %s", a.body)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(top["error"], &fields); err != nil {
		t.Fatalf("error is no object: %s", a.body)
	}
	for _, k := range []string{"message", "type", "param", "code"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("error lacks %q: %s", k, a.body)
		}
	}
	if len(fields) != 4 {
		t.Errorf("error has fields beyond message, type, param, code: %s", a.body)
	}
	var e openAIErr
	if err := json.Unmarshal(top["error"], &e); err != nil || e.Message == "" || e.Type == "" {
		t.Fatalf("error without message or type: %s", a.body)
	}
	return e
}

// checkOpenAIFrom checks who answered, by the headers, as probe tells it.
func checkOpenAIFrom(t *testing.T, a answer, from string) {
	t.Helper()
	h := a.header
	for k := range h {
		if k == "Request-Id" || strings.HasPrefix(k, "Anthropic-") {
			t.Errorf("Anthropic header %s on an OpenAI answer", k)
		}
	}
	switch from {
	case fromAPI:
		if !openAIRequestIDRE.MatchString(h.Get("X-Request-Id")) {
			t.Errorf("x-request-id %q, want req_ + 32 lowercase hex", h.Get("X-Request-Id"))
		}
		if h.Get("Openai-Version") != "2020-10-01" {
			t.Errorf("openai-version %q", h.Get("Openai-Version"))
		}
		if _, err := strconv.Atoi(h.Get("Openai-Processing-Ms")); err != nil {
			t.Errorf("openai-processing-ms %q", h.Get("Openai-Processing-Ms"))
		}
		if ct := h.Get("Content-Type"); ct != "application/json" {
			t.Errorf("content-type %q", ct)
		}
	case fromEdge, fromProxy:
		for k := range h {
			if k == "X-Request-Id" || strings.HasPrefix(k, "Openai-") {
				t.Errorf("%s %q on an answer the API never saw", k, h.Get(k))
			}
		}
	}
	switch from {
	case fromAPI, fromEdge:
		if h.Get("Server") != "cloudflare" || !cfRayRE.MatchString(h.Get("Cf-Ray")) {
			t.Errorf("server %q cf-ray %q, want Cloudflare's", h.Get("Server"), h.Get("Cf-Ray"))
		}
	case fromProxy:
		if v := h.Get("Cf-Ray"); v != "" {
			t.Errorf("cf-ray %q on a proxy's answer", v)
		}
	}
}

// checkOrganization checks that the answer names the key's organization and
// project when it should, and does not when it should not.
func checkOrganization(t *testing.T, a answer, want bool) {
	t.Helper()
	org, project := a.header.Get("Openai-Organization"), a.header.Get("Openai-Project")
	if !want {
		if org != "" || project != "" {
			t.Errorf("openai-organization %q, openai-project %q on an answer to an unknown key", org, project)
		}
		return
	}
	if !openAIOrgRE.MatchString(org) || !openAIProjectRE.MatchString(project) {
		t.Errorf("openai-organization %q, openai-project %q", org, project)
	}
}

func checkCompletion(t *testing.T, a answer) {
	t.Helper()
	var c struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		Model   string `json:"model"`
		Choices []struct {
			Index   int `json:"index"`
			Message struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(a.body, &c); err != nil {
		t.Fatalf("success body: %v: %s", err, a.body)
	}
	if !completionIDRE.MatchString(c.ID) || c.Object != "chat.completion" || c.Created < 1700000000 || c.Model != DefaultOpenAIModel ||
		len(c.Choices) != 1 || c.Choices[0].Index != 0 || c.Choices[0].Message.Role != "assistant" ||
		c.Choices[0].Message.Content == "" || c.Choices[0].FinishReason != "length" ||
		c.Usage.PromptTokens != 8 || c.Usage.CompletionTokens != 1 || c.Usage.TotalTokens != 9 {
		t.Errorf("not a chat completion: %s", a.body)
	}
	checkOpenAIFrom(t, a, fromAPI)
	checkOrganization(t, a, true)
	for _, l := range []string{"requests", "tokens"} {
		for _, k := range []string{"Limit", "Remaining", "Reset"} {
			if a.header.Get("X-Ratelimit-"+k+"-"+l) == "" {
				t.Errorf("no x-ratelimit-%s-%s", strings.ToLower(k), l)
			}
		}
	}
}

func TestOpenAICatalogue(t *testing.T) {
	// The contract the CLI and its testscripts are written against.
	want := []struct{ name, signature, layer string }{
		{"healthy", "healthy", "-"},
		{"revoked-key", "auth_failure", "1"},
		{"no-organization", "workspace_denied", "2"},
		{"key-missing", "proxy_interference", "Q4"},
		{"region-blocked", "region_blocked", "3"},
		{"cloudflare-block", "region_blocked", "3"},
		{"corporate-proxy", "proxy_interference", "Q4"},
		{"unknown-model", "model_not_enabled", "4"},
		{"project-no-model-access", "model_not_enabled", "4"},
		{"cloudflare-challenge", "intermittent_403", "5"},
		{"abuse", "intermittent_403", "5"},
		{"insufficient-quota", "billing_issue", "-"},
		{"rate-limited", "rate_limited", "-"},
		{"overloaded", "overloaded", "-"},
		{"server-error", "overloaded", "-"},
		{"connection-reset", "network_error", "-"},
		{"slow", "network_error", "-"},
	}
	signatures := []string{"healthy", "auth_failure", "proxy_interference", "workspace_denied", "region_blocked",
		"model_not_enabled", "intermittent_403", "billing_issue", "rate_limited", "overloaded", "network_error", "inconclusive"}
	all := AllFor(OpenAI)
	if len(all) != len(want) {
		t.Fatalf("%d openai scenarios, want %d", len(all), len(want))
	}
	seen := map[string]bool{}
	for i, s := range all {
		if s.Name != want[i].name || s.Signature != want[i].signature || s.Layer != want[i].layer {
			t.Errorf("scenario %d: %s %s %s, want %v", i, s.Name, s.Signature, s.Layer, want[i])
		}
		if !kebabRE.MatchString(s.Name) || seen[s.Name] {
			t.Errorf("name %q: not kebab-case or not unique", s.Name)
		}
		seen[s.Name] = true
		if !slices.Contains(signatures, s.Signature) {
			t.Errorf("%s: signature %q is no verdict", s.Name, s.Signature)
		}
		if s.Summary == "" || strings.Contains(s.Summary, "\n") {
			t.Errorf("%s: summary %q is not one line", s.Name, s.Summary)
		}
		got, err := LookupFor(OpenAI, s.Name)
		if err != nil || got != s {
			t.Errorf("LookupFor(openai, %q) = %v, %v", s.Name, got.Name, err)
		}
	}
	all[0].Name = "changed"
	if AllFor(OpenAI)[0].Name != "healthy" {
		t.Error("AllFor shares its slice with the catalogue")
	}

	for _, p := range []string{Anthropic, ""} {
		if !slices.Equal(AllFor(p), All()) {
			t.Errorf("AllFor(%q) differs from All()", p)
		}
		for _, s := range All() {
			if got, err := LookupFor(p, s.Name); err != nil || got != s {
				t.Errorf("LookupFor(%q, %q) = %v, %v", p, s.Name, got.Name, err)
			}
		}
	}
	if got := AllFor("nope"); got != nil {
		t.Errorf("AllFor(nope) = %d scenarios", len(got))
	}

	names := make([]string, len(want))
	for i, w := range want {
		names[i] = w.name
	}
	_, err := LookupFor(OpenAI, "model-not-enabled")
	if err == nil {
		t.Fatal("an Anthropic-only scenario was found for openai")
	}
	if wantErr := `unknown scenario "model-not-enabled" for provider openai (known: ` + strings.Join(names, ", ") + ")"; err.Error() != wantErr {
		t.Errorf("error %q\nwant  %q", err, wantErr)
	}
	_, errA := LookupFor(Anthropic, "nope")
	_, errL := Lookup("nope")
	if errA == nil || errL == nil || errA.Error() != errL.Error() {
		t.Errorf("LookupFor(anthropic) error %v, Lookup error %v", errA, errL)
	}

	const unknownProvider = `unknown provider "x" (known: anthropic, openai, bedrock, vertex, foundry)`
	if _, err := New("healthy", Options{Provider: "x"}); err == nil || err.Error() != unknownProvider {
		t.Errorf("New with provider x: %v", err)
	}
	if _, err := LookupFor("x", "healthy"); err == nil || err.Error() != unknownProvider {
		t.Errorf("LookupFor with provider x: %v", err)
	}
	if _, err := New("no-organization", Options{}); err == nil {
		t.Error("New found an OpenAI-only scenario for Anthropic")
	}
	if _, err := New("no-organization", Options{Provider: Anthropic}); err == nil {
		t.Error("New found an OpenAI-only scenario for anthropic")
	}
}

// TestOpenAIEachScenario sends each OpenAI scenario the request probe sends,
// once, alone.
func TestOpenAIEachScenario(t *testing.T) {
	type want struct {
		statuses []int  // acceptable statuses; none means no answer at all
		from     string // who answers
		errType  string // for the API's errors
		code     string // the API's error code; "" is null
		org      bool   // the answer names the organization
		contains []string
	}
	wants := map[string]want{
		"healthy":                 {statuses: []int{200}, from: fromAPI, org: true},
		"revoked-key":             {statuses: []int{401}, from: fromAPI, errType: "invalid_request_error", code: "invalid_api_key", contains: []string{msgOpenAIBadKey}},
		"no-organization":         {statuses: []int{401}, from: fromAPI, errType: "invalid_request_error", code: "no_organization", contains: []string{"You must be a member of an organization to use the API."}},
		"key-missing":             {statuses: []int{401}, from: fromAPI, errType: "invalid_request_error", contains: []string{"You didn't provide an API key."}},
		"region-blocked":          {statuses: []int{403}, from: fromAPI, errType: "request_forbidden", code: "unsupported_country_region_territory", contains: []string{"Country, region, or territory not supported"}},
		"cloudflare-block":        {statuses: []int{403}, from: fromEdge, contains: []string{"Sorry, you have been blocked", "You are unable to access</span> api.openai.com"}},
		"corporate-proxy":         {statuses: []int{403}, from: fromProxy, contains: []string{"Website blocked", "Internet Security by Zscaler", "/v1/chat/completions"}},
		"unknown-model":           {statuses: []int{404}, from: fromAPI, errType: "invalid_request_error", code: "model_not_found", org: true, contains: []string{"The model `" + DefaultOpenAIModel + "` does not exist or you do not have access to it."}},
		"project-no-model-access": {statuses: []int{403}, from: fromAPI, errType: "invalid_request_error", code: "model_not_found", org: true, contains: []string{"does not have access to model `" + DefaultOpenAIModel + "`"}},
		"cloudflare-challenge":    {statuses: []int{200}, from: fromAPI, org: true},
		"abuse":                   {statuses: []int{200}, from: fromAPI, org: true},
		"insufficient-quota":      {statuses: []int{429}, from: fromAPI, errType: "insufficient_quota", code: "insufficient_quota", org: true, contains: []string{"You exceeded your current quota"}},
		"rate-limited":            {statuses: []int{200}, from: fromAPI, org: true},
		"overloaded":              {statuses: []int{200, 503}, from: fromAPI, errType: "server_error", org: true},
		"server-error":            {statuses: []int{500}, from: fromAPI, errType: "server_error", org: true, contains: []string{msgOpenAIServerError}},
		"connection-reset":        {},
		"slow":                    {},
	}
	for _, s := range AllFor(OpenAI) {
		t.Run(s.Name, func(t *testing.T) {
			w, ok := wants[s.Name]
			if !ok {
				t.Fatal("no expectation for this scenario: add one")
			}
			api, srv := startOpenAI(t, s.Name, Options{Latency: fast})
			if api.Scenario() != s {
				t.Errorf("Scenario() = %q", api.Scenario().Name)
			}
			a, answered := probeScenario(t, srv, "/v1/chat/completions", openAIHeaders(), openAIBody, w.statuses)
			if !answered {
				return
			}
			checkOpenAIFrom(t, a, w.from)
			if w.from == fromAPI {
				checkOrganization(t, a, w.org)
			}
			checkContains(t, a, w.contains)
			if strings.Contains(string(a.body), "TESTsecret") || strings.Contains(string(a.body), "6789wxyz") {
				t.Errorf("the key comes back: %s", a.body)
			}
			switch {
			case a.status == http.StatusOK:
				checkCompletion(t, a)
			case w.from == fromAPI:
				e := openAIError(t, a)
				if e.Type != w.errType || e.code() != w.code {
					t.Errorf("error type %q code %q, want %q %q", e.Type, e.code(), w.errType, w.code)
				}
			}
			if api.MessageRequests() != 1 || api.Requests() != 1 {
				t.Errorf("counted %d requests, %d completions; want 1, 1", api.Requests(), api.MessageRequests())
			}
		})
	}
}

func TestOpenAIExactBodies(t *testing.T) {
	cases := []struct {
		scenario, path, method string
		header                 http.Header
		status                 int
		body                   string
		org                    bool // the key was accepted
	}{
		{"healthy", "/v1/foo", http.MethodPost, openAIHeaders(), 404,
			`{"error":{"message":"Invalid URL (POST /v1/foo)","type":"invalid_request_error","param":null,"code":null}}`, false},
		{"healthy", "/v1/chat/completions", http.MethodPost, http.Header{"Content-Type": {"application/json"}}, 401,
			`{"error":{"message":"` + msgOpenAINoKey + `","type":"invalid_request_error","param":null,"code":null}}`, false},
		{"region-blocked", "/v1/chat/completions", http.MethodPost, openAIHeaders(), 403, openAIRegionBlocked, false},
		{"revoked-key", "/v1/chat/completions", http.MethodPost, openAIHeaders(), 401,
			`{"error":{"message":"Incorrect API key provided: sk-proj-********************************abcd. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`, false},
		{"insufficient-quota", "/v1/chat/completions", http.MethodPost, openAIHeaders(), 429,
			`{"error":{"message":"You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`, true},
		{"server-error", "/v1/chat/completions", http.MethodPost, openAIHeaders(), 500,
			`{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}`, true},
	}
	for _, c := range cases {
		_, srv := startOpenAI(t, c.scenario, Options{Latency: fast})
		body := openAIBody
		if c.method == http.MethodGet {
			body = ""
		}
		a := request(t, srv, c.method, c.path, c.header, body)
		if a.status != c.status || string(a.body) != c.body {
			t.Errorf("%s %s %s: %d %s\nwant %d %s", c.scenario, c.method, c.path, a.status, a.body, c.status, c.body)
		}
		checkOpenAIFrom(t, a, fromAPI)
		checkOrganization(t, a, c.org)
	}
}

func TestOpenAIValidation(t *testing.T) {
	_, srv := startOpenAI(t, "healthy", Options{Latency: fast})
	with := func(k, v string) http.Header {
		h := openAIHeaders()
		h.Del("Authorization")
		if k != "" {
			h.Set(k, v)
		}
		return h
	}
	chat := "/v1/chat/completions"
	cases := []struct {
		name, method, path string
		header             http.Header
		body               string
		status             int
		message, param     string // a part of the message; the param, if any
		code               string
	}{
		{"no key", http.MethodPost, chat, with("", ""), openAIBody, 401, "You didn't provide an API key", "", ""},
		{"empty bearer", http.MethodPost, chat, with("Authorization", "Bearer "), openAIBody, 401, "You didn't provide an API key", "", ""},
		{"basic auth", http.MethodPost, chat, with("Authorization", "Basic dXNlcjpwYXNz"), openAIBody, 401, "You didn't provide an API key", "", ""},
		{"x-api-key is not OpenAI's", http.MethodPost, chat, with("X-Api-Key", openAITestKey), openAIBody, 401, "You didn't provide an API key", "", ""},
		{"models without key", http.MethodGet, "/v1/models", with("", ""), "", 401, "You didn't provide an API key", "", ""},
		{"not JSON", http.MethodPost, chat, openAIHeaders(), "hi", 400, "We could not parse the JSON body", "", ""},
		{"body over the limit", http.MethodPost, chat, openAIHeaders(), strings.Repeat(" ", maxBody+1), 400, "Request body is larger than", "", ""},
		{"no model", http.MethodPost, chat, openAIHeaders(), `{"max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`, 400, "you must provide a model parameter", "", ""},
		{"no messages", http.MethodPost, chat, openAIHeaders(), `{"model":"m","max_tokens":1}`, 400, "Missing required parameter: 'messages'.", "messages", "missing_required_parameter"},
		{"empty messages", http.MethodPost, chat, openAIHeaders(), `{"model":"m","max_tokens":1,"messages":[]}`, 400, "empty array", "messages", "empty_array"},
		{"zero max_tokens", http.MethodPost, chat, openAIHeaders(), `{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}`, 400, "Invalid 'max_tokens'", "max_tokens", "integer_below_min_value"},
		{"zero max_completion_tokens", http.MethodPost, chat, openAIHeaders(), `{"model":"m","max_completion_tokens":0,"messages":[{"role":"user","content":"hi"}]}`, 400, "Invalid 'max_completion_tokens'", "max_completion_tokens", "integer_below_min_value"},
		{"max_completion_tokens", http.MethodPost, chat, openAIHeaders(), `{"model":"` + DefaultOpenAIModel + `","max_completion_tokens":1,"messages":[{"role":"user","content":"hi"}]}`, 200, "", "", ""},
		{"no max tokens at all", http.MethodPost, chat, openAIHeaders(), `{"model":"` + DefaultOpenAIModel + `","messages":[{"role":"user","content":"hi"}]}`, 200, "", "", ""},
		{"no anthropic-version needed", http.MethodPost, chat, openAIHeaders(), openAIBody, 200, "", "", ""},
		{"GET completions", http.MethodGet, chat, openAIHeaders(), "", 404, "Invalid URL (GET /v1/chat/completions)", "", ""},
		{"POST models", http.MethodPost, "/v1/models", openAIHeaders(), "", 404, "Invalid URL (POST /v1/models)", "", ""},
		{"Anthropic's endpoint", http.MethodPost, "/v1/messages", openAIHeaders(), openAIBody, 404, "Invalid URL (POST /v1/messages)", "", ""},
		{"unknown path without key", http.MethodGet, "/v1/nothing", with("", ""), "", 404, "Invalid URL (GET /v1/nothing)", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := request(t, srv, c.method, c.path, c.header, c.body)
			if a.status != c.status {
				t.Fatalf("status %d, want %d: %s", a.status, c.status, a.body)
			}
			checkOpenAIFrom(t, a, fromAPI)
			if c.status == 200 {
				return
			}
			e := openAIError(t, a)
			if e.Type != "invalid_request_error" || !strings.Contains(e.Message, c.message) || e.code() != c.code {
				t.Errorf("%s %q %q, want invalid_request_error containing %q, code %q", e.Type, e.Message, e.code(), c.message, c.code)
			}
			if (e.Param == nil) != (c.param == "") || (e.Param != nil && *e.Param != c.param) {
				t.Errorf("param %v, want %q", e.Param, c.param)
			}
			// Past the key, the API knows whose request it is.
			checkOrganization(t, a, c.status == 400)
		})
	}
}

func TestOpenAIPrefix(t *testing.T) {
	api, srv := startOpenAI(t, "healthy", Options{Latency: fast, Prefix: "/gateway/openai"})
	if a := request(t, srv, http.MethodPost, "/gateway/openai/v1/chat/completions", openAIHeaders(), openAIBody); a.status != 200 {
		t.Errorf("under the prefix: %d %s", a.status, a.body)
	}
	if a := request(t, srv, http.MethodGet, "/gateway/openai/v1/models", openAIHeaders(), ""); a.status != 200 {
		t.Errorf("models under the prefix: %d %s", a.status, a.body)
	}
	for _, path := range []string{"/v1/chat/completions", "/gateway/openaix/v1/chat/completions", "/other/v1/chat/completions"} {
		a := request(t, srv, http.MethodPost, path, openAIHeaders(), openAIBody)
		if a.status != 404 {
			t.Errorf("%s: status %d, want 404", path, a.status)
			continue
		}
		checkOpenAIFrom(t, a, fromAPI)
		if e := openAIError(t, a); e.Message != "Invalid URL (POST "+path+")" {
			t.Errorf("%s: %q", path, e.Message)
		}
	}
	if n := api.MessageRequests(); n != 1 {
		t.Errorf("%d completions counted, want only the one under the prefix", n)
	}

	// Without a prefix, any base path in front of /v1 is served.
	_, srv = startOpenAI(t, "healthy", Options{Latency: fast})
	if a := request(t, srv, http.MethodPost, "/any/base/v1/chat/completions", openAIHeaders(), openAIBody); a.status != 200 {
		t.Errorf("any base path: status %d", a.status)
	}
}

func TestOpenAIModels(t *testing.T) {
	ids := func(t *testing.T, srv *httptest.Server) []string {
		t.Helper()
		a := request(t, srv, http.MethodGet, "/v1/models", openAIHeaders(), "")
		if a.status != 200 {
			t.Fatalf("list: %d %s", a.status, a.body)
		}
		checkOpenAIFrom(t, a, fromAPI)
		checkOrganization(t, a, true)
		var l struct {
			Object string        `json:"object"`
			Data   []openAIModel `json:"data"`
		}
		if err := json.Unmarshal(a.body, &l); err != nil || l.Object != "list" || len(l.Data) == 0 {
			t.Fatalf("listing: %v %s", err, a.body)
		}
		var ids []string
		for _, m := range l.Data {
			if m.Object != "model" || m.Created == 0 || m.OwnedBy != "system" {
				t.Errorf("model %+v", m)
			}
			ids = append(ids, m.ID)
		}
		return ids
	}

	_, srv := startOpenAI(t, "healthy", Options{Latency: fast})
	if got := ids(t, srv); len(got) != len(openAIModels) || !slices.Contains(got, "gpt-4.1-mini") {
		t.Errorf("healthy listing %v", got)
	}
	a := request(t, srv, http.MethodGet, "/v1/models/"+DefaultOpenAIModel, openAIHeaders(), "")
	if want := `{"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"}`; a.status != 200 || string(a.body) != want {
		t.Errorf("get %s: %d %s", DefaultOpenAIModel, a.status, a.body)
	}
	a = request(t, srv, http.MethodGet, "/v1/models/gpt-nope", openAIHeaders(), "")
	if e := openAIError(t, a); a.status != 404 || e.code() != "model_not_found" || !strings.Contains(e.Message, "gpt-nope") {
		t.Errorf("get unknown model: %d %+v", a.status, e)
	}

	for _, name := range []string{"unknown-model", "project-no-model-access"} {
		_, srv := startOpenAI(t, name, Options{Latency: fast})
		a := request(t, srv, http.MethodGet, "/v1/models", openAIHeaders(), "")
		if a.status != 200 || string(a.body) != `{"object":"list","data":[]}` {
			t.Errorf("%s lists %d %s", name, a.status, a.body)
		}
		for _, id := range []string{DefaultOpenAIModel, "gpt-4o"} {
			if a := request(t, srv, http.MethodGet, "/v1/models/"+id, openAIHeaders(), ""); a.status != 404 {
				t.Errorf("%s: get %s: %d", name, id, a.status)
			}
		}
	}

	// Failures of the key, the account or the edge show on /v1/models too;
	// failures of inference alone do not.
	fails := map[string]int{
		"revoked-key": 401, "no-organization": 401, "key-missing": 401,
		"region-blocked": 403, "cloudflare-block": 403, "corporate-proxy": 403,
	}
	for _, s := range AllFor(OpenAI) {
		_, srv := startOpenAI(t, s.Name, Options{Latency: fast})
		a := request(t, srv, http.MethodGet, "/v1/models", openAIHeaders(), "")
		want, ok := fails[s.Name]
		if !ok {
			want = 200
		}
		if a.status != want {
			t.Errorf("%s: /v1/models answered %d, want %d", s.Name, a.status, want)
		}
	}
}

// TestOpenAIWhoAnswersFirst: the region block answers before the key is
// checked; a key-stripping proxy makes the API's validation answer although
// a key was sent.
func TestOpenAIWhoAnswersFirst(t *testing.T) {
	noKey := openAIHeaders()
	noKey.Del("Authorization")
	_, srv := startOpenAI(t, "region-blocked", Options{Latency: fast})
	if a := request(t, srv, http.MethodPost, "/v1/chat/completions", noKey, "not json"); a.status != 403 {
		t.Errorf("region-blocked without a key: %d, want 403", a.status)
	}
	_, srv = startOpenAI(t, "revoked-key", Options{Latency: fast})
	a := request(t, srv, http.MethodPost, "/v1/chat/completions", noKey, openAIBody)
	if e := openAIError(t, a); e.Message != msgOpenAINoKey {
		t.Errorf("revoked-key without a key: %q, want validation's answer", e.Message)
	}
	_, srv = startOpenAI(t, "key-missing", Options{Latency: fast})
	for _, path := range []string{"/v1/chat/completions", "/v1/models"} {
		method := http.MethodPost
		if path == "/v1/models" {
			method = http.MethodGet
		}
		a := request(t, srv, method, path, openAIHeaders(), openAIBody)
		if e := openAIError(t, a); a.status != 401 || e.Message != msgOpenAINoKey {
			t.Errorf("key-missing %s: %d %q", path, a.status, e.Message)
		}
	}
}

// TestOpenAILoadDependence: the first completions are always healthy;
// volume makes these scenarios fail, whatever the timing.
func TestOpenAILoadDependence(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		from     string
		cleanFor int
	}{
		{"abuse", 403, fromAPI, stageMessages},
		{"cloudflare-challenge", 403, fromEdge, challengeAfter},
		{"rate-limited", 429, fromAPI, rpmLimit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, srv := startOpenAI(t, c.name, Options{Latency: -1})
			failed := 0
			for i := range 60 {
				a := completionRequest(t, srv)
				if a.status == 200 {
					continue
				}
				if a.status != c.status || i < c.cleanFor {
					t.Fatalf("completion %d: %d %s", i, a.status, a.body)
				}
				failed++
				checkOpenAIFrom(t, a, c.from)
				if c.name == "abuse" {
					if e := openAIError(t, a); e.Type != "invalid_request_error" || e.code() != "flagged" || e.Message != msgOpenAIFlagged {
						t.Errorf("abuse 403: %+v", e)
					}
				}
				if c.name == "cloudflare-challenge" && (a.header.Get("Cf-Mitigated") != "challenge" ||
					!strings.Contains(string(a.body), "<title>Just a moment...</title>") ||
					!strings.Contains(string(a.body), `cZone: "api.openai.com"`) ||
					!strings.Contains(string(a.body), `\/v1\/chat\/completions?__cf_chl_tk`)) {
					t.Errorf("challenge without its marks: %v %s", a.header, a.body)
				}
			}
			if failed == 0 {
				t.Fatalf("none of 60 completions failed with %d", c.status)
			}
		})
	}
}

func TestOpenAIRateLimitHeaders(t *testing.T) {
	_, srv := startOpenAI(t, "healthy", Options{Latency: fast})
	h := completionRequest(t, srv).header
	for k, want := range map[string]string{
		"X-Ratelimit-Limit-Requests": "10000", "X-Ratelimit-Remaining-Requests": "9999", "X-Ratelimit-Reset-Requests": "6ms",
		"X-Ratelimit-Limit-Tokens": "10000000", "X-Ratelimit-Remaining-Tokens": "9999991", "X-Ratelimit-Reset-Tokens": "0s",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("healthy %s: %q, want %q", k, got, want)
		}
	}

	api, srv := startOpenAI(t, "rate-limited", Options{Latency: -1})
	var limited int
	for range rpmLimit + 5 {
		a := completionRequest(t, srv)
		if a.status != 429 {
			if a.header.Get("X-Ratelimit-Limit-Requests") != "30" {
				t.Errorf("success reports limit %q, want 30", a.header.Get("X-Ratelimit-Limit-Requests"))
			}
			continue
		}
		limited++
		h := a.header
		for k, want := range map[string]string{
			"Retry-After":                "1",
			"X-Ratelimit-Limit-Requests": "30", "X-Ratelimit-Remaining-Requests": "0", "X-Ratelimit-Reset-Requests": "20ms",
			"X-Ratelimit-Remaining-Tokens": "0",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("429 %s: %q, want %q", k, got, want)
			}
		}
		checkOrganization(t, a, true)
		e := openAIError(t, a)
		want := "Rate limit reached for gpt-4o-mini in organization " + api.orgID + " on requests per min (RPM): Limit 30, Used 30, Requested 1. Please try again in 20ms."
		if e.Type != "requests" || e.code() != "rate_limit_exceeded" || !strings.HasPrefix(e.Message, want) {
			t.Errorf("429: %s %s %q", e.Type, e.code(), e.Message)
		}
	}
	if limited != 5 {
		t.Errorf("%d of %d completions limited, want 5", limited, rpmLimit+5)
	}
}

func TestOpenAIOverloaded(t *testing.T) {
	_, srv := startOpenAI(t, "overloaded", Options{Latency: -1})
	var overloaded int
	for range 60 {
		a := completionRequest(t, srv)
		switch a.status {
		case 200:
		case 503:
			overloaded++
			checkOpenAIFrom(t, a, fromAPI)
			if e := openAIError(t, a); e.Type != "server_error" || e.Message != msgOpenAIOverloaded || e.Code != nil {
				t.Fatalf("503: %+v", e)
			}
		default:
			t.Fatalf("status %d", a.status)
		}
	}
	if overloaded < 8 || overloaded > 35 {
		t.Errorf("%d of 60 overloaded, want about 35%%", overloaded)
	}
}

func TestOpenAINetworkFailures(t *testing.T) {
	_, srv := startOpenAI(t, "connection-reset", Options{Latency: fast})
	for range 3 {
		if _, err := do(t.Context(), srv.Client(), http.MethodPost, srv.URL+"/v1/chat/completions", openAIHeaders(), openAIBody); err == nil {
			t.Fatal("got an answer, want a reset connection")
		}
	}
	if a := request(t, srv, http.MethodGet, "/v1/models", openAIHeaders(), ""); a.status != 200 {
		t.Errorf("/v1/models: %d", a.status)
	}

	api, srv := startOpenAI(t, "slow", Options{Latency: fast})
	began := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := do(ctx, srv.Client(), http.MethodPost, srv.URL+"/v1/chat/completions", openAIHeaders(), openAIBody); err == nil {
		t.Fatal("slow answered")
	}
	srv.Close()
	// 30s: far short of slow's 2 minutes, with room for a loaded machine.
	if d := time.Since(began); d > 30*time.Second {
		t.Errorf("took %v to give up", d)
	}
	if n := api.inFlight.Load(); n != 0 {
		t.Errorf("%d still in flight", n)
	}
}

func TestOpenAISeedMakesRunsRepeatable(t *testing.T) {
	first := func(seed int64) (*API, answer) {
		api, srv := startOpenAI(t, "healthy", Options{Latency: fast, Seed: seed})
		return api, completionRequest(t, srv)
	}
	apiA, a := first(0)
	_, b := first(0)
	_, c := first(7)
	for _, k := range []string{"X-Request-Id", "Openai-Organization", "Openai-Project", "Cf-Ray"} {
		if a.header.Get(k) != b.header.Get(k) {
			t.Errorf("%s differs between runs with the same seed", k)
		}
		if a.header.Get(k) == c.header.Get(k) {
			t.Errorf("%s is the same for different seeds", k)
		}
	}
	if a.header.Get("Openai-Organization") != apiA.orgID {
		t.Errorf("organization %q, API's %q", a.header.Get("Openai-Organization"), apiA.orgID)
	}

}
