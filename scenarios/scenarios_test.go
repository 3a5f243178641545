package scenarios

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fast keeps single-request tests quick; burst tests use a longer latency so
// that concurrent requests are sure to overlap.
const (
	fast  = time.Millisecond
	burst = 100 * time.Millisecond
)

var (
	requestIDRE = regexp.MustCompile(`^req_011C[0-9A-Za-z]{20}$`)
	orgIDRE     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	cfRayRE     = regexp.MustCompile(`^([0-9a-f]{16})-SJC$`)
	messageIDRE = regexp.MustCompile(`^msg_01[0-9A-Za-z]{22}$`)
	kebabRE     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

func start(t *testing.T, name string, opts Options) (*API, *httptest.Server) {
	t.Helper()
	api, err := New(name, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv
}

// answer is one HTTP answer, read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// probeHeaders are the headers probe sends.
func probeHeaders() http.Header {
	return http.Header{
		"X-Api-Key":         {"sk-ant-test"},
		"Anthropic-Version": {"2023-06-01"},
		"Content-Type":      {"application/json"},
	}
}

const probeBody = `{"model":"` + DefaultModel + `","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`

func do(ctx context.Context, client *http.Client, method, url string, header http.Header, body string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header = header
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, data}, err
}

// request sends one request and fails the test if no answer comes back.
func request(t *testing.T, srv *httptest.Server, method, path string, header http.Header, body string) answer {
	t.Helper()
	a, err := do(t.Context(), srv.Client(), method, srv.URL+path, header, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return a
}

// message sends the request probe sends.
func message(t *testing.T, srv *httptest.Server) answer {
	t.Helper()
	return request(t, srv, http.MethodPost, "/v1/messages", probeHeaders(), probeBody)
}

// burstOf sends n messages at once, released together, and returns the
// statuses in no particular order.
func burstOf(t *testing.T, srv *httptest.Server, n int) []answer {
	t.Helper()
	return sendTogether(t, srv, n, "/v1/messages", probeHeaders(), probeBody)
}

// sendTogether sends n POSTs of body to path at once, released together, and
// returns the answers in no particular order.
func sendTogether(t *testing.T, srv *httptest.Server, n int, path string, h http.Header, body string) []answer {
	t.Helper()
	var (
		wg      sync.WaitGroup
		release = make(chan struct{})
		answers = make([]answer, n)
		errs    = make([]error, n)
	)
	for i := range n {
		h := h.Clone()
		wg.Go(func() {
			<-release
			answers[i], errs[i] = do(t.Context(), srv.Client(), http.MethodPost, srv.URL+path, h, body)
		})
	}
	close(release)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return answers
}

func count(answers []answer, status int) int {
	n := 0
	for _, a := range answers {
		if a.status == status {
			n++
		}
	}
	return n
}

// apiError decodes the API's error envelope, failing the test if the body
// is not one or does not repeat the request-id header.
func apiError(t *testing.T, a answer) (errType, message string) {
	t.Helper()
	var env struct {
		Type  string `json:"type"`
		Error *struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(a.body, &env); err != nil || env.Type != "error" || env.Error == nil {
		t.Fatalf("body is not the API's error envelope: %s", a.body)
	}
	// Older answers carry no request_id in the body (anthropic-oauth-token-expired).
	if env.RequestID != "" && env.RequestID != a.header.Get("Request-Id") {
		t.Errorf("request_id %q in body, %q in header", env.RequestID, a.header.Get("Request-Id"))
	}
	return env.Error.Type, env.Error.Message
}

// Who answered, told by the headers as probe tells it.
const (
	fromAPI   = "api"
	fromEdge  = "edge"
	fromProxy = "proxy"
)

func checkFrom(t *testing.T, a answer, from string) {
	t.Helper()
	h := a.header
	switch from {
	case fromAPI:
		if !requestIDRE.MatchString(h.Get("Request-Id")) {
			t.Errorf("request-id %q, want req_011C + 20 base62", h.Get("Request-Id"))
		}
		if h.Get("Via") != "1.1 google" {
			t.Errorf("via %q, want the origin's 1.1 google", h.Get("Via"))
		}
		if !orgIDRE.MatchString(h.Get("Anthropic-Organization-Id")) {
			t.Errorf("anthropic-organization-id %q, want a uuid", h.Get("Anthropic-Organization-Id"))
		}
	case fromEdge, fromProxy:
		for _, k := range []string{"Request-Id", "Anthropic-Organization-Id"} {
			if v := h.Get(k); v != "" {
				t.Errorf("%s %q on an answer the API never saw", k, v)
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
		if s := h.Get("Server"); s == "" || s == "cloudflare" {
			t.Errorf("server %q, want the proxy's", s)
		}
	}
}

func checkMessage(t *testing.T, a answer) {
	t.Helper()
	var m struct {
		ID           string          `json:"id"`
		Type         string          `json:"type"`
		Role         string          `json:"role"`
		Model        string          `json:"model"`
		Content      []textBlock     `json:"content"`
		StopReason   string          `json:"stop_reason"`
		StopSequence json.RawMessage `json:"stop_sequence"`
		Usage        usage           `json:"usage"`
	}
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("success body: %v: %s", err, a.body)
	}
	if !messageIDRE.MatchString(m.ID) || m.Type != "message" || m.Role != "assistant" || m.Model != "claude-sonnet-4-5-20250929" ||
		len(m.Content) != 1 || m.Content[0].Text == "" || m.StopReason != "max_tokens" ||
		string(m.StopSequence) != "null" || m.Usage.OutputTokens != 1 {
		t.Errorf("not a message: %s", a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content-type %q", ct)
	}
	for _, l := range []string{"requests", "tokens", "input-tokens", "output-tokens"} {
		p := "Anthropic-Ratelimit-" + l
		if a.header.Get(p+"-Limit") == "" || a.header.Get(p+"-Remaining") == "" {
			t.Errorf("no %s limit headers", l)
		}
		if _, err := time.Parse(time.RFC3339, a.header.Get(p+"-Reset")); err != nil {
			t.Errorf("%s-reset: %v", p, err)
		}
	}
	if a.header.Get("Anthropic-Ratelimit-Requests-Limit") != "50" {
		t.Errorf("requests limit %q, want 50", a.header.Get("Anthropic-Ratelimit-Requests-Limit"))
	}
}

func TestCatalogue(t *testing.T) {
	signatures := []string{"healthy", "auth_failure", "proxy_interference", "workspace_denied", "region_blocked",
		"model_not_enabled", "intermittent_403", "account_flagged", "billing_issue", "rate_limited", "overloaded", "network_error", "inconclusive"}
	layers := []string{"1", "2", "3", "4", "5", "Q4", "-"}
	all := All()
	if len(all) == 0 || all[0].Name != "healthy" {
		t.Fatal("healthy must come first")
	}
	seen := map[string]bool{}
	for _, s := range all {
		if !kebabRE.MatchString(s.Name) || seen[s.Name] {
			t.Errorf("name %q: not kebab-case or not unique", s.Name)
		}
		seen[s.Name] = true
		if !slices.Contains(signatures, s.Signature) {
			t.Errorf("%s: signature %q is no verdict", s.Name, s.Signature)
		}
		if !slices.Contains(layers, s.Layer) {
			t.Errorf("%s: layer %q", s.Name, s.Layer)
		}
		if s.Source == "" {
			t.Errorf("%s: no source", s.Name)
		}
		if fixture, _, _ := strings.Cut(s.Source, " "); !strings.HasPrefix(s.Source, "invented: ") {
			if _, ok := mustRealAnswers(t)[fixture]; !ok {
				t.Errorf("%s: source %q is no fixture", s.Name, fixture)
			}
		}
		if s.Summary == "" || strings.Contains(s.Summary, "\n") {
			t.Errorf("%s: summary %q is not one line", s.Name, s.Summary)
		}
		got, err := Lookup(s.Name)
		if err != nil || got != s {
			t.Errorf("Lookup(%q) = %v, %v", s.Name, got.Name, err)
		}
	}

	all[0].Name = "changed"
	if All()[0].Name != "healthy" {
		t.Error("All shares its slice with the catalogue")
	}

	_, err := Lookup("nope")
	if err == nil {
		t.Fatal("Lookup of an unknown name succeeded")
	}
	names := make([]string, len(catalogue))
	for i, s := range catalogue {
		names[i] = s.Name
	}
	want := `unknown scenario "nope" (known: ` + strings.Join(names, ", ") + ")"
	if err.Error() != want {
		t.Errorf("error %q\nwant  %q", err, want)
	}
	if _, err := New("nope", Options{}); err == nil {
		t.Error("New of an unknown name succeeded")
	}
}

// TestEachScenario sends each scenario the request probe sends, once, alone.
func TestEachScenario(t *testing.T) {
	type want struct {
		statuses []int  // acceptable statuses; none means no answer at all
		from     string // who answers
		errType  string // the API's error type, for the API's errors
		contains []string
	}
	wants := map[string]want{
		"healthy":                  {statuses: []int{200}, from: fromAPI},
		"revoked-key":              {statuses: []int{401}, from: fromAPI, errType: "authentication_error", contains: []string{"invalid x-api-key"}},
		"key-missing":              {statuses: []int{401}, from: fromAPI, errType: "authentication_error", contains: []string{msgKeyRequired}},
		"empty-403":                {statuses: []int{403}, from: fromAPI},
		"permission-denied":        {statuses: []int{403}, from: fromAPI, errType: "permission_error", contains: []string{"does not have permission"}},
		"oauth-scope":              {statuses: []int{403}, from: fromAPI, errType: "permission_error", contains: []string{"OAuth token does not meet scope requirement user:profile"}},
		"oauth-token-expired":      {statuses: []int{401}, from: fromAPI, errType: "authentication_error", contains: []string{"OAuth token has expired"}},
		"account-flagged":          {statuses: []int{403}, from: fromAPI, errType: "permission_error", contains: []string{"flagged for unusual activity"}},
		"cloudflare-1020":          {statuses: []int{403}, from: fromEdge, contains: []string{"error code: 1020"}},
		"envoy-rbac":               {statuses: []int{403}, from: fromProxy, contains: []string{"RBAC: access denied"}},
		"captive-portal":           {statuses: []int{200}, from: fromProxy, contains: []string{"captive portal"}},
		"extra-usage":              {statuses: []int{400}, from: fromAPI, errType: "invalid_request_error", contains: []string{"extra usage"}},
		"long-context-extra-usage": {statuses: []int{429}, from: fromAPI, errType: "rate_limit_error", contains: []string{"Extra usage is required"}},
		"org-disabled":             {statuses: []int{400}, from: fromAPI, errType: "invalid_request_error", contains: []string{"This organization has been disabled."}},
		"credential-restricted":    {statuses: []int{400}, from: fromAPI, errType: "invalid_request_error", contains: []string{"only authorized for use with Claude Code"}},
		"model-not-enabled":        {statuses: []int{404}, from: fromAPI, errType: "not_found_error", contains: []string{"The model " + DefaultModel + " is not available"}},
		"unknown-model":            {statuses: []int{404}, from: fromAPI, errType: "not_found_error", contains: []string{"model: " + DefaultModel}},
		"region-blocked":           {statuses: []int{403}, from: fromEdge},
		"edge-ip-restricted":       {statuses: []int{403}, from: fromEdge, contains: []string{"<title>Edge IP Restricted | api.anthropic.com | Cloudflare</title>", "Error 1034", "Edge IP Restricted"}},
		"cloudflare-block":         {statuses: []int{403}, from: fromEdge, contains: []string{"<title>Attention Required! | Cloudflare</title>", "Sorry, you have been blocked"}},
		"corporate-proxy":          {statuses: []int{403}, from: fromProxy, contains: []string{"Website blocked", "Internet Security by Zscaler", "127.0.0.1"}},
		"cloudflare-challenge":     {statuses: []int{200}, from: fromAPI},
		"abuse":                    {statuses: []int{200}, from: fromAPI},
		"works-once-fails-twice":   {statuses: []int{200}, from: fromAPI},
		"cooldown":                 {statuses: []int{200, 403}, from: fromAPI, errType: "permission_error"},
		"low-credit":               {statuses: []int{400}, from: fromAPI, errType: "invalid_request_error", contains: []string{"credit balance is too low"}},
		"rate-limited":             {statuses: []int{200}, from: fromAPI},
		"overloaded":               {statuses: []int{200, 529}, from: fromAPI, errType: "overloaded_error"},
		"server-error":             {statuses: []int{500}, from: fromAPI, errType: "api_error", contains: []string{"Internal server error"}},
		"connection-reset":         {},
		"slow":                     {},
	}
	for _, s := range All() {
		t.Run(s.Name, func(t *testing.T) {
			w, ok := wants[s.Name]
			if !ok {
				t.Fatal("no expectation for this scenario: add one")
			}
			api, srv := start(t, s.Name, Options{Latency: fast})
			if api.Scenario() != s {
				t.Errorf("Scenario() = %q", api.Scenario().Name)
			}
			a, answered := probeScenario(t, srv, "/v1/messages", probeHeaders(), probeBody, w.statuses)
			if !answered {
				return
			}
			checkFrom(t, a, w.from)
			checkContains(t, a, w.contains)
			switch {
			case a.status == http.StatusOK && w.from == fromAPI:
				checkMessage(t, a)
			case w.from == fromAPI && len(a.body) > 0:
				if typ, _ := apiError(t, a); typ != w.errType {
					t.Errorf("error type %q, want %q", typ, w.errType)
				}
			}
			if api.MessageRequests() != 1 || api.Requests() != 1 {
				t.Errorf("counted %d requests, %d messages; want 1, 1", api.Requests(), api.MessageRequests())
			}
		})
	}
}

// probeScenario sends one probe to srv and requires its status to be one
// of statuses. With none, the scenario must not answer within 100 ms; then
// probeScenario reports false and there is nothing more to check.
func probeScenario(t *testing.T, srv *httptest.Server, path string, h http.Header, body string, statuses []int) (answer, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // a hang guard
	defer cancel()
	if len(statuses) == 0 {
		ctx, cancel = context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
	}
	a, err := do(ctx, srv.Client(), http.MethodPost, srv.URL+path, h, body)
	if len(statuses) == 0 {
		if err == nil {
			t.Fatalf("got an answer %d, want none", a.status)
		}
		return a, false
	}
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(statuses, a.status) {
		t.Fatalf("status %d, want one of %v: %s", a.status, statuses, a.body)
	}
	return a, true
}

// checkContains requires each of parts in the answer's body.
func checkContains(t *testing.T, a answer, parts []string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(string(a.body), p) {
			t.Errorf("body lacks %q: %s", p, a.body)
		}
	}
}

func TestEmpty403(t *testing.T) {
	_, srv := start(t, "empty-403", Options{Latency: fast})
	if a := message(t, srv); a.status != 403 || len(a.body) != 0 {
		t.Errorf("status %d body %q, want 403 and nothing", a.status, a.body)
	}
}

func TestRegionBlockedBody(t *testing.T) {
	_, srv := start(t, "region-blocked", Options{Latency: fast})
	a := message(t, srv)
	if got, want := string(a.body), `{"error":{"type":"forbidden","message":"Request not allowed"}}`; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content-type %q", ct)
	}
}

func TestCloudflarePagesShowTheRay(t *testing.T) {
	for _, name := range []string{"edge-ip-restricted", "cloudflare-block"} {
		_, srv := start(t, name, Options{Latency: fast})
		a := message(t, srv)
		ray := cfRayRE.FindStringSubmatch(a.header.Get("Cf-Ray"))
		if ray == nil {
			t.Fatalf("%s: cf-ray %q", name, a.header.Get("Cf-Ray"))
		}
		if !strings.Contains(string(a.body), "Cloudflare Ray ID: "+ray[1]) {
			t.Errorf("%s: page does not show ray %s", name, ray[1])
		}
		if ct := a.header.Get("Content-Type"); ct != "text/html; charset=UTF-8" {
			t.Errorf("%s: content-type %q", name, ct)
		}
	}
}

func TestPrefix(t *testing.T) {
	for _, prefix := range []string{"/some/prefix", "some/prefix/"} {
		api, srv := start(t, "healthy", Options{Latency: fast, Prefix: prefix})
		if a := request(t, srv, http.MethodPost, "/some/prefix/v1/messages", probeHeaders(), probeBody); a.status != 200 {
			t.Errorf("prefix %q: under the prefix: status %d", prefix, a.status)
		}
		for _, path := range []string{"/v1/messages", "/some/prefixed/v1/messages", "/other/v1/messages"} {
			a := request(t, srv, http.MethodPost, path, probeHeaders(), probeBody)
			if a.status != 404 {
				t.Errorf("prefix %q: %s: status %d, want 404", prefix, path, a.status)
				continue
			}
			checkFrom(t, a, fromAPI)
			if typ, msg := apiError(t, a); typ != "not_found_error" || msg != "Not Found" {
				t.Errorf("%s: %s %q", path, typ, msg)
			}
		}
		if n := api.MessageRequests(); n != 1 {
			t.Errorf("%d message requests counted, want only the one under the prefix", n)
		}
	}

	// Without a prefix, any base path in front of /v1 is served.
	_, srv := start(t, "healthy", Options{Latency: fast})
	if a := request(t, srv, http.MethodPost, "/any/base/v1/messages", probeHeaders(), probeBody); a.status != 200 {
		t.Errorf("any base path: status %d", a.status)
	}
}

func TestRouting(t *testing.T) {
	_, srv := start(t, "healthy", Options{Latency: fast})
	a := request(t, srv, http.MethodGet, "/v1/nothing", probeHeaders(), "")
	if a.status != 404 {
		t.Fatalf("unknown path: %d", a.status)
	}
	if typ, msg := apiError(t, a); typ != "not_found_error" || msg != "Not Found" {
		t.Errorf("unknown path: %s %q", typ, msg)
	}
	a = request(t, srv, http.MethodGet, "/v1/messages", probeHeaders(), "")
	if a.status != 405 || a.header.Get("Allow") != http.MethodPost {
		t.Errorf("GET /v1/messages: %d, allow %q", a.status, a.header.Get("Allow"))
	}
	a = request(t, srv, http.MethodPost, "/v1/models", probeHeaders(), "")
	if a.status != 405 {
		t.Errorf("POST /v1/models: %d", a.status)
	}
}

func TestValidation(t *testing.T) {
	_, srv := start(t, "healthy", Options{Latency: fast})
	without := func(keys ...string) http.Header {
		h := probeHeaders()
		for _, k := range keys {
			h.Del(k)
		}
		return h
	}
	bearer := without("X-Api-Key")
	bearer.Set("Authorization", "Bearer sk-ant-oat-test")

	cases := []struct {
		name    string
		path    string
		header  http.Header
		body    string
		status  int
		message string // a part of it
	}{
		{"no key", "/v1/messages", without("X-Api-Key"), probeBody, 401, msgKeyRequired},
		{"no key, no version", "/v1/messages", without("X-Api-Key", "Anthropic-Version"), probeBody, 401, msgKeyRequired},
		{"no version", "/v1/messages", without("Anthropic-Version"), probeBody, 400, "anthropic-version: header is required"},
		{"not JSON", "/v1/messages", probeHeaders(), "hi", 400, "JSON"},
		{"body over the limit", "/v1/messages", probeHeaders(), strings.Repeat(" ", maxBody+1), 400, "Request body is larger than"},
		{"no model", "/v1/messages", probeHeaders(), `{"max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`, 400, "model"},
		{"no max_tokens", "/v1/messages", probeHeaders(), `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, 400, "max_tokens"},
		{"zero max_tokens", "/v1/messages", probeHeaders(), `{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}`, 400, "max_tokens"},
		{"no messages", "/v1/messages", probeHeaders(), `{"model":"m","max_tokens":1}`, 400, "messages"},
		{"empty messages", "/v1/messages", probeHeaders(), `{"model":"m","max_tokens":1,"messages":[]}`, 400, "messages"},
		{"bearer token", "/v1/messages", bearer, probeBody, 200, ""},
		{"empty bearer token", "/v1/messages", func() http.Header { h := without("X-Api-Key"); h.Set("Authorization", "Bearer "); return h }(), probeBody, 401, msgKeyRequired},
		{"count_tokens", "/v1/messages/count_tokens", probeHeaders(), `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, 200, ""},
		{"count_tokens without key", "/v1/messages/count_tokens", without("X-Api-Key"), probeBody, 401, msgKeyRequired},
		{"models without key", "/v1/models", without("X-Api-Key"), "", 401, msgKeyRequired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := http.MethodPost
			if c.path == "/v1/models" {
				method = http.MethodGet
			}
			a := request(t, srv, method, c.path, c.header, c.body)
			if a.status != c.status {
				t.Fatalf("status %d, want %d: %s", a.status, c.status, a.body)
			}
			checkFrom(t, a, fromAPI)
			if c.status == 200 {
				return
			}
			typ, msg := apiError(t, a)
			wantType := "invalid_request_error"
			if c.status == 401 {
				wantType = "authentication_error"
			}
			if typ != wantType || !strings.Contains(msg, c.message) {
				t.Errorf("%s %q, want %s containing %q", typ, msg, wantType, c.message)
			}
		})
	}
}

// TestWhoAnswersFirst checks the order of the path: the edge answers before
// the API validates, and a key-stripping proxy makes the API's validation
// answer although a key was sent.
func TestWhoAnswersFirst(t *testing.T) {
	noKey := probeHeaders()
	noKey.Del("X-Api-Key")

	_, srv := start(t, "region-blocked", Options{Latency: fast})
	if a := request(t, srv, http.MethodPost, "/v1/messages", noKey, "not json"); a.status != 403 {
		t.Errorf("region-blocked without a key: %d, want the edge's 403", a.status)
	}
	_, srv = start(t, "revoked-key", Options{Latency: fast})
	a := request(t, srv, http.MethodPost, "/v1/messages", noKey, probeBody)
	if _, msg := apiError(t, a); msg != msgKeyRequired {
		t.Errorf("revoked-key without a key: %q, want validation's answer", msg)
	}
	_, srv = start(t, "key-missing", Options{Latency: fast})
	for _, path := range []string{"/v1/messages", "/v1/messages/count_tokens"} {
		a := request(t, srv, http.MethodPost, path, probeHeaders(), probeBody)
		if _, msg := apiError(t, a); a.status != 401 || msg != msgKeyRequired {
			t.Errorf("key-missing %s: %d %q", path, a.status, msg)
		}
	}
}

// modelsPage is one page of the Anthropic models list as a client reads it.
type modelsPage struct {
	Data    []modelInfo `json:"data"`
	HasMore bool        `json:"has_more"`
	FirstID *string     `json:"first_id"`
	LastID  *string     `json:"last_id"`
}

// listPage asks for one page of /v1/models with the query q.
func listPage(t *testing.T, srv *httptest.Server, q string) (modelsPage, answer) {
	t.Helper()
	a := request(t, srv, http.MethodGet, "/v1/models"+q, probeHeaders(), "")
	var p modelsPage
	if a.status == 200 {
		if err := json.Unmarshal(a.body, &p); err != nil {
			t.Fatalf("listing: %v %s", err, a.body)
		}
	}
	return p, a
}

func pageIDs(p modelsPage) []string {
	var ids []string
	for _, m := range p.Data {
		ids = append(ids, m.ID)
	}
	return ids
}

// TestModelsPagination walks the list as a client does, by after_id, and
// checks the page fields against the API's documented shape.
func TestModelsPagination(t *testing.T) {
	t.Parallel()
	_, srv := start(t, "healthy", Options{Latency: -1})
	all := make([]string, len(models))
	for i, m := range models {
		all[i] = m.ID
	}
	cases := []struct {
		name    string
		query   string
		want    []string
		hasMore bool
	}{
		{"default limit 20 holds all", "", all, false},
		{"first page of 4", "?limit=4", all[:4], true},
		{"after the 4th", "?limit=4&after_id=" + all[3], all[4:8], true},
		{"last page", "?limit=4&after_id=" + all[7], all[8:], false},
		{"before the 5th", "?limit=2&before_id=" + all[4], all[2:4], true},
		{"before the 2nd", "?limit=4&before_id=" + all[1], all[:1], false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, a := listPage(t, srv, c.query)
			if a.status != 200 {
				t.Fatalf("%d %s", a.status, a.body)
			}
			if got := pageIDs(p); !slices.Equal(got, c.want) || p.HasMore != c.hasMore {
				t.Errorf("ids %v has_more %v, want %v %v", got, p.HasMore, c.want, c.hasMore)
			}
			if *p.FirstID != c.want[0] || *p.LastID != c.want[len(c.want)-1] {
				t.Errorf("first_id %s last_id %s", *p.FirstID, *p.LastID)
			}
		})
	}
	for _, bad := range []string{"0", "1001", "x"} {
		if _, a := listPage(t, srv, "?limit="+bad); a.status != 400 {
			t.Errorf("limit=%s: %d", bad, a.status)
		}
	}
	// Walking every page by after_id gives the whole list once.
	var walked []string
	after := ""
	for range 10 {
		p, _ := listPage(t, srv, "?limit=3"+after)
		walked = append(walked, pageIDs(p)...)
		if !p.HasMore {
			break
		}
		after = "&after_id=" + *p.LastID
	}
	if !slices.Equal(walked, all) {
		t.Errorf("walked %v", walked)
	}
}

func TestModels(t *testing.T) {
	t.Parallel()
	_, srv := start(t, "healthy", Options{Latency: fast})
	p, _ := listPage(t, srv, "")
	dated := regexp.MustCompile(`^claude-[a-z0-9-]+-20[0-9]{6}$`)
	for _, m := range p.Data {
		if m.Type != "model" || m.DisplayName == "" || m.CreatedAt == "" || !dated.MatchString(m.ID) {
			t.Errorf("model %+v: not a dated model", m)
		}
	}
	for _, id := range []string{"claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001", "claude-opus-4-1-20250805"} {
		if !slices.Contains(pageIDs(p), id) {
			t.Errorf("healthy listing lacks %s", id)
		}
	}
	resolves := []struct{ name, want string }{
		{DefaultModel, "claude-sonnet-4-5-20250929"},
		{"claude-haiku-4-5", "claude-haiku-4-5-20251001"},
		{"claude-opus-4-0", "claude-opus-4-20250514"},
		{"claude-3-5-haiku-latest", "claude-3-5-haiku-20241022"},
		{"claude-opus-4-1-20250805", "claude-opus-4-1-20250805"},
	}
	for _, r := range resolves {
		a := request(t, srv, http.MethodGet, "/v1/models/"+r.name, probeHeaders(), "")
		if a.status != 200 || !strings.Contains(string(a.body), `"id":"`+r.want+`"`) {
			t.Errorf("get %s: %d %s, want %s", r.name, a.status, a.body, r.want)
		}
	}
	a := request(t, srv, http.MethodGet, "/v1/models/claude-nope", probeHeaders(), "")
	if _, msg := apiError(t, a); a.status != 404 || msg != "model: claude-nope" {
		t.Errorf("get unknown model: %d %q", a.status, msg)
	}
	a = request(t, srv, http.MethodPost, "/v1/messages", probeHeaders(), strings.Replace(probeBody, DefaultModel, "claude-nope", 1))
	if _, msg := apiError(t, a); a.status != 404 || msg != "model: claude-nope" {
		t.Errorf("message to an unknown model: %d %q", a.status, msg)
	}

	for _, name := range []string{"model-not-enabled", "unknown-model"} {
		_, srv := start(t, name, Options{Latency: fast})
		if p, a := listPage(t, srv, ""); a.status != 200 || len(p.Data) != 0 || p.HasMore || p.FirstID != nil {
			t.Errorf("%s lists %d %s", name, a.status, a.body)
		}
		for _, id := range []string{DefaultModel, "claude-haiku-4-5-20251001"} {
			if a := request(t, srv, http.MethodGet, "/v1/models/"+id, probeHeaders(), ""); a.status != 404 {
				t.Errorf("%s: get %s: %d", name, id, a.status)
			}
		}
	}

	// Failures of the key, the account or the edge show on /v1/models too;
	// failures of inference alone do not.
	fails := map[string]int{
		"revoked-key": 401, "key-missing": 401,
		"empty-403": 403, "permission-denied": 403, "oauth-scope": 403, "org-disabled": 400, "credential-restricted": 400,
		"region-blocked": 403, "edge-ip-restricted": 403, "cloudflare-block": 403, "corporate-proxy": 403,
		"oauth-token-expired": 401, "account-flagged": 403, "cloudflare-1020": 403, "envoy-rbac": 403,
	}
	for _, s := range All() {
		_, srv := start(t, s.Name, Options{Latency: fast})
		a := request(t, srv, http.MethodGet, "/v1/models", probeHeaders(), "")
		want, ok := fails[s.Name]
		if !ok {
			want = 200
		}
		if a.status != want {
			t.Errorf("%s: /v1/models answered %d, want %d", s.Name, a.status, want)
		}
	}
}

func TestCountTokens(t *testing.T) {
	for name, want := range map[string]int{"healthy": 200, "abuse": 200, "connection-reset": 200, "slow": 200,
		"model-not-enabled": 404, "revoked-key": 401, "cloudflare-block": 403} {
		_, srv := start(t, name, Options{Latency: fast})
		a := request(t, srv, http.MethodPost, "/v1/messages/count_tokens", probeHeaders(), probeBody)
		if a.status != want {
			t.Errorf("%s: %d, want %d", name, a.status, want)
		}
		if want == 200 && string(a.body) != `{"input_tokens":8}` {
			t.Errorf("%s: %s", name, a.body)
		}
	}
}

// TestLoadDependence: the first messages are always healthy; volume makes
// these scenarios fail, the same way however fast the client is.
func TestLoadDependence(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		from   string
		// cleanFor is how many messages are sure to succeed.
		cleanFor int
	}{
		{"abuse", 403, fromAPI, stageMessages},
		{"cloudflare-challenge", 403, fromEdge, challengeAfter},
		{"rate-limited", 429, fromAPI, rpmLimit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, srv := start(t, c.name, Options{Latency: -1})
			var failed []int
			for i := range 60 {
				a := message(t, srv)
				switch {
				case a.status == 200:
				case a.status == c.status && i >= c.cleanFor:
					failed = append(failed, i)
					checkFrom(t, a, c.from)
				default:
					t.Fatalf("message %d: %d %s", i, a.status, a.body)
				}
			}
			if len(failed) == 0 {
				t.Fatalf("none of 60 messages failed with %d", c.status)
			}
			// The same run again fails the same messages: nothing depends
			// on timing.
			_, srv = start(t, c.name, Options{Latency: -1})
			var again []int
			for i := range 60 {
				if a := message(t, srv); a.status == c.status {
					again = append(again, i)
				}
			}
			if !slices.Equal(failed, again) {
				t.Errorf("failed %v, then %v", failed, again)
			}
		})
	}
}

// TestLoadIgnoresInFlight: a burst, however concurrent, is no more refused
// than the same messages sent one by one.
func TestLoadIgnoresInFlight(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"abuse", "cloudflare-challenge", "rate-limited"} {
		_, srv := start(t, name, Options{Latency: burst})
		if answers := burstOf(t, srv, stageMessages); count(answers, 200) != stageMessages {
			t.Errorf("%s: a first burst of %d: only %d succeeded", name, stageMessages, count(answers, 200))
		}
	}
}

// sequential sends n messages one after the other and returns the answers.
func sequential(t *testing.T, srv *httptest.Server, n int) []answer {
	t.Helper()
	answers := make([]answer, n)
	for i := range answers {
		answers[i] = message(t, srv)
	}
	return answers
}

func TestChallengeAndRateLimitHeaders(t *testing.T) {
	_, srv := start(t, "cloudflare-challenge", Options{Latency: -1})
	for _, a := range sequential(t, srv, 40) {
		if a.status == 403 && (a.header.Get("Cf-Mitigated") != "challenge" ||
			!strings.Contains(string(a.body), "<title>Just a moment...</title>")) {
			t.Fatalf("challenge without its marks: %v %s", a.header, a.body)
		}
	}
	_, srv = start(t, "rate-limited", Options{Latency: -1})
	for _, a := range sequential(t, srv, 40) {
		if a.status != 429 {
			continue
		}
		h := a.header
		if h.Get("Retry-After") != "1" || h.Get("X-Should-Retry") != "true" ||
			h.Get("Anthropic-Ratelimit-Requests-Limit") != "50" || h.Get("Anthropic-Ratelimit-Tokens-Remaining") != "0" {
			t.Fatalf("429 without its headers: %v", h)
		}
		if typ, msg := apiError(t, a); typ != "rate_limit_error" || msg != msgRateLimited {
			t.Fatalf("%s %q", typ, msg)
		}
	}
}

func TestWorksOnceFailsTwice(t *testing.T) {
	_, srv := start(t, "works-once-fails-twice", Options{Latency: fast})
	for i := range 9 {
		a := message(t, srv)
		want := 403
		if i%3 == 0 {
			want = 200
		}
		if a.status != want {
			t.Fatalf("request %d: %d, want %d", i, a.status, want)
		}
		if a.status == 403 {
			if typ, msg := apiError(t, a); typ != "permission_error" || msg != msgPermissionDenied {
				t.Errorf("%s %q", typ, msg)
			}
		}
	}

	// Concurrency changes which request gets which number, not how many fail.
	_, srv = start(t, "works-once-fails-twice", Options{Latency: burst})
	if answers := burstOf(t, srv, 9); count(answers, 200) != 3 || count(answers, 403) != 6 {
		t.Errorf("burst of 9: %d succeeded, %d failed; want 3 and 6", count(answers, 200), count(answers, 403))
	}
}

func TestOverloaded(t *testing.T) {
	_, srv := start(t, "overloaded", Options{Latency: -1})
	var overloaded int
	for range 60 {
		a := message(t, srv)
		switch a.status {
		case 200:
		case 529:
			overloaded++
			checkFrom(t, a, fromAPI)
			if typ, _ := apiError(t, a); typ != "overloaded_error" || a.header.Get("X-Should-Retry") != "true" {
				t.Fatalf("529: %s, x-should-retry %q", typ, a.header.Get("X-Should-Retry"))
			}
		default:
			t.Fatalf("status %d", a.status)
		}
	}
	if overloaded < 8 || overloaded > 35 {
		t.Errorf("%d of 60 overloaded, want about 35%%", overloaded)
	}
}

func TestCooldown(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	_, srv := start(t, "cooldown", Options{Latency: fast, Now: now})

	failed := 0
	for range 20 {
		if message(t, srv).status == 403 {
			failed++
		}
	}
	if failed < 12 {
		t.Errorf("while flagged, %d of 20 sequential requests failed, want about 90%%", failed)
	}
	clock.Add(int64(2 * time.Second))
	for range 20 {
		if a := message(t, srv); a.status != 200 {
			t.Fatalf("after the cooldown: %d", a.status)
		}
	}
}

func TestSlowLetsGo(t *testing.T) {
	api, srv := start(t, "slow", Options{Latency: fast})
	began := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := do(ctx, srv.Client(), http.MethodPost, srv.URL+"/v1/messages", probeHeaders(), probeBody); err == nil {
		t.Fatal("slow answered")
	}
	srv.Close() // waits for the handler, which must notice the client left
	// 30s: far short of slow's 2 minutes, with room for a loaded machine.
	if d := time.Since(began); d > 30*time.Second {
		t.Errorf("took %v to give up", d)
	}
	if n := api.inFlight.Load(); n != 0 {
		t.Errorf("%d still in flight", n)
	}
}

func TestConnectionReset(t *testing.T) {
	_, srv := start(t, "connection-reset", Options{Latency: fast})
	for range 3 {
		if _, err := do(t.Context(), srv.Client(), http.MethodPost, srv.URL+"/v1/messages", probeHeaders(), probeBody); err == nil {
			t.Fatal("got an answer, want a reset connection")
		}
	}
	if a := request(t, srv, http.MethodGet, "/v1/models", probeHeaders(), ""); a.status != 200 {
		t.Errorf("/v1/models: %d", a.status)
	}
}

func TestCounters(t *testing.T) {
	api, srv := start(t, "healthy", Options{Latency: fast})
	if api.Requests() != 0 || api.MessageRequests() != 0 {
		t.Fatal("a new API has counted requests")
	}
	message(t, srv)
	message(t, srv)
	request(t, srv, http.MethodGet, "/v1/models", probeHeaders(), "")
	request(t, srv, http.MethodPost, "/v1/messages/count_tokens", probeHeaders(), probeBody)
	request(t, srv, http.MethodGet, "/elsewhere", nil, "")
	if api.Requests() != 5 || api.MessageRequests() != 2 {
		t.Errorf("Requests %d, MessageRequests %d; want 5, 2", api.Requests(), api.MessageRequests())
	}
}

func TestSeedMakesRunsRepeatable(t *testing.T) {
	first := func(seed int64) answer {
		_, srv := start(t, "healthy", Options{Latency: fast, Seed: seed})
		return message(t, srv)
	}
	a, b, c := first(0), first(0), first(7)
	for _, k := range []string{"Request-Id", "Anthropic-Organization-Id", "Cf-Ray"} {
		if a.header.Get(k) != b.header.Get(k) {
			t.Errorf("%s differs between runs with the same seed", k)
		}
		if a.header.Get(k) == c.header.Get(k) {
			t.Errorf("%s is the same for different seeds", k)
		}
	}
	if string(a.body) != string(b.body) {
		t.Errorf("bodies differ with the same seed:\n%s\n%s", a.body, b.body)
	}
}

// mustRealAnswers is the fixtures by name.
func mustRealAnswers(t *testing.T) map[string]RealAnswer {
	t.Helper()
	m, err := realAnswersByName()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEdgeAnswersAreGzipped: Cloudflare's edge answers gzip-encoded to a
// client that takes it, and Go's transport, which asked on its own, decodes
// them transparently; a client that asks for nothing gets plain text.
func TestEdgeAnswersAreGzipped(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"region-blocked", "cloudflare-block"} {
		_, srv := start(t, name, Options{Latency: -1})
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/v1/messages", strings.NewReader(probeBody))
		req.Header = probeHeaders()
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !resp.Uncompressed || !strings.Contains(string(body), "ot allowed") && !strings.Contains(string(body), "blocked") {
			t.Errorf("%s: uncompressed %v, body %.80s", name, resp.Uncompressed, body)
		}
		h := probeHeaders()
		h.Set("Accept-Encoding", "identity")
		if a := request(t, srv, http.MethodPost, "/v1/messages", h, probeBody); a.header.Get("Content-Encoding") != "" {
			t.Errorf("%s: %q to a client that takes no gzip", name, a.header.Get("Content-Encoding"))
		}
	}
}
