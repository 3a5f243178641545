package classify

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

const testModel = "claude-sonnet-4-5"

// hdr builds an http.Header from name, value pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// fromAPI returns the headers the API itself stamps on an answer.
func fromAPI(id string) http.Header {
	return hdr("Request-Id", id, "Content-Type", "application/json", "Server", "cloudflare", "Cf-Ray", "8f00aa11bb22cc33-SJC", "Anthropic-Organization-Id", "0c3e2f1a-0000-4000-8000-000000000000")
}

// envelope returns the API's error envelope as JSON.
func envelope(errType, message, requestID string) []byte {
	var e struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
		RequestID string `json:"request_id"`
	}
	e.Type, e.Error.Type, e.Error.Message, e.RequestID = "error", errType, message, requestID
	b, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	return b
}

func TestClassify(t *testing.T) {
	t.Parallel()
	const ray = "8f00aa11bb22cc33-SJC"
	edge := hdr("Server", "cloudflare", "Cf-Ray", ray, "Content-Type", "application/json")
	edgePage := hdr("Server", "cloudflare", "Cf-Ray", ray, "Content-Type", "text/html; charset=UTF-8")
	challenge := hdr("Server", "cloudflare", "Cf-Ray", ray, "Content-Type", "text/html; charset=UTF-8", "Cf-Mitigated", "challenge")
	const apiID = "req_011CTestRequestId0000001"
	api := fromAPI(apiID)
	fromID := func(c Classification) Classification {
		c.RequestID, c.RequestIDSource = apiID, IDFromRequestID
		return c
	}
	fromRay := func(c Classification) Classification {
		c.RequestID, c.RequestIDSource = ray, IDFromCFRay
		return c
	}

	cases := []struct {
		name   string
		answer Answer
		want   Classification
	}{
		{"2xx message",
			Answer{200, api, []byte(`{"id":"msg_01X","type":"message","role":"assistant","content":[{"type":"text","text":"Hi"}],"stop_reason":"max_tokens"}`), testModel},
			fromID(Classification{Outcome: OutcomeOK})},
		{"201 message",
			Answer{201, api, []byte(`{"id":"msg_01X","type":"message"}`), testModel},
			fromID(Classification{Outcome: OutcomeOK})},
		{"401 invalid x-api-key",
			Answer{401, api, envelope("authentication_error", "invalid x-api-key", apiID), testModel},
			fromID(Classification{Outcome: OutcomeAuth, ErrorType: "authentication_error", Message: "invalid x-api-key"})},
		{"401 oauth token expired",
			Answer{401, api, envelope("authentication_error", "OAuth token has expired. Please obtain a new token or refresh your existing token.", apiID), testModel},
			fromID(Classification{Outcome: OutcomeAuth, ErrorType: "authentication_error", Message: "OAuth token has expired. Please obtain a new token or refresh your existing token."})},
		{"401 x-api-key header is required",
			Answer{401, api, envelope("authentication_error", "x-api-key header is required", apiID), testModel},
			fromID(Classification{Outcome: OutcomeKeyNotReceived, ErrorType: "authentication_error", Message: "x-api-key header is required"})},
		{"403 permission_error",
			Answer{403, api, envelope("permission_error", "Permission denied", apiID), testModel},
			fromID(Classification{Outcome: OutcomePermission, ErrorType: "permission_error", Message: "Permission denied"})},
		{"403 oauth scope",
			Answer{403, api, envelope("permission_error", "OAuth token does not meet scope requirement user:inference", apiID), testModel},
			fromID(Classification{Outcome: OutcomeAuth, ErrorType: "permission_error", Message: "OAuth token does not meet scope requirement user:inference"})},
		{"403 empty body from the API",
			Answer{403, hdr("Request-Id", apiID, "Server", "cloudflare", "Cf-Ray", ray, "Content-Length", "0"), nil, testModel},
			fromID(Classification{Outcome: OutcomePermission})},
		{"403 unknown new error type",
			Answer{403, api, envelope("some_new_error", "Something new", apiID), testModel},
			fromID(Classification{Outcome: OutcomeUnrecognised, ErrorType: "some_new_error", Message: "Something new"})},
		{"403 naming the model",
			Answer{403, api, envelope("permission_error", "Your organization does not have access to model claude-sonnet-4-5.", apiID), testModel},
			fromID(Classification{Outcome: OutcomeModel, ErrorType: "permission_error", Message: "Your organization does not have access to model claude-sonnet-4-5."})},
		{"404 model: NAME",
			Answer{404, api, envelope("not_found_error", "model: claude-nope", apiID), testModel},
			fromID(Classification{Outcome: OutcomeModel, ErrorType: "not_found_error", Message: "model: claude-nope"})},
		{"404 Not Found",
			Answer{404, api, envelope("not_found_error", "Not Found", apiID), testModel},
			fromID(Classification{Outcome: OutcomeNotFound, ErrorType: "not_found_error", Message: "Not Found"})},
		{"404 plain text from elsewhere",
			Answer{404, hdr("Content-Type", "text/plain"), []byte("404 page not found\n"), testModel},
			Classification{Outcome: OutcomeNotFound, Message: "404 page not found"}},
		{"403 forbidden at the edge",
			Answer{403, edge, []byte(`{"error":{"type":"forbidden","message":"Request not allowed"}}`), testModel},
			fromRay(Classification{Outcome: OutcomeForbiddenEdge, ErrorType: "forbidden", Message: "Request not allowed"})},
		{"cloudflare 1034",
			Answer{403, edgePage, []byte("<!DOCTYPE html>\n<html><head>\n<title>Edge IP Restricted | api.anthropic.com | Cloudflare</title></head><body><span>Error 1034</span></body></html>"), testModel},
			fromRay(Classification{Outcome: OutcomeEdgeBlock, ErrorType: "cloudflare_1034", Message: "Edge IP Restricted | api.anthropic.com | Cloudflare"})},
		{"cloudflare block page",
			Answer{403, edgePage, []byte("<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body><h1>Sorry, you have been blocked</h1></body></html>"), testModel},
			fromRay(Classification{Outcome: OutcomeEdgeBlock, ErrorType: "cloudflare_block", Message: "Attention Required! | Cloudflare"})},
		{"cloudflare block page without a title",
			Answer{403, edgePage, []byte("<html><body><h1>Sorry, you have been blocked</h1></body></html>"), testModel},
			fromRay(Classification{Outcome: OutcomeEdgeBlock, ErrorType: "cloudflare_block", Message: "Sorry, you have been blocked"})},
		{"managed challenge",
			Answer{403, challenge, []byte(`<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>`), testModel},
			fromRay(Classification{Outcome: OutcomeChallenge, ErrorType: "cloudflare_challenge", Message: "Just a moment..."})},
		{"challenge recognised by its header alone",
			Answer{403, challenge, []byte(`<html><head><title>Checking</title></head></html>`), testModel},
			fromRay(Classification{Outcome: OutcomeChallenge, ErrorType: "cloudflare_challenge", Message: "Checking"})},
		{"zscaler block page",
			Answer{403, hdr("Server", "Zscaler/6.2", "Content-Type", "text/html"), []byte("<html>\n<head>\n<title>Website blocked</title>\n</head><body><div>Internet Security by Zscaler</div></body></html>"), testModel},
			Classification{Outcome: OutcomeProxyPage, ErrorType: "html_page", Message: "Website blocked"}},
		{"html page without content type",
			Answer{200, hdr(), []byte("<!doctype html><html><head><title>\n  Captive\n  portal </title></head></html>"), testModel},
			Classification{Outcome: OutcomeProxyPage, ErrorType: "html_page", Message: "Captive portal"}},
		{"cloudflare 502 page",
			Answer{502, edgePage, []byte("<html><head><title>502 Bad Gateway</title></head></html>"), testModel},
			fromRay(Classification{Outcome: OutcomeServer, ErrorType: "cloudflare_error", Message: "502 Bad Gateway"})},
		{"cloudflare 403 page of another kind",
			Answer{403, edgePage, []byte("<html><head><title>403 Forbidden</title></head></html>"), testModel},
			fromRay(Classification{Outcome: OutcomeEdgeBlock, ErrorType: "cloudflare_page", Message: "403 Forbidden"})},
		{"400 organization disabled",
			Answer{400, api, envelope("invalid_request_error", "This organization has been disabled.", apiID), testModel},
			fromID(Classification{Outcome: OutcomeWorkspace, ErrorType: "invalid_request_error", Message: "This organization has been disabled."})},
		{"400 credential only for Claude Code",
			Answer{400, api, envelope("invalid_request_error", "This credential is only authorized for use with Claude Code and cannot be used for other API requests.", apiID), testModel},
			fromID(Classification{Outcome: OutcomeAuth, ErrorType: "invalid_request_error", Message: "This credential is only authorized for use with Claude Code and cannot be used for other API requests."})},
		{"400 credit balance too low",
			Answer{400, api, envelope("invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.", apiID), testModel},
			fromID(Classification{Outcome: OutcomeBilling, ErrorType: "invalid_request_error", Message: "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."})},
		{"402 billing_error",
			Answer{402, api, envelope("billing_error", "Spend limit reached", apiID), testModel},
			fromID(Classification{Outcome: OutcomeBilling, ErrorType: "billing_error", Message: "Spend limit reached"})},
		{"400 other invalid request",
			Answer{400, api, envelope("invalid_request_error", "max_tokens: Field required", apiID), testModel},
			fromID(Classification{Outcome: OutcomeUnrecognised, ErrorType: "invalid_request_error", Message: "max_tokens: Field required"})},
		{"413 request_too_large",
			Answer{413, api, envelope("request_too_large", "Request exceeds the maximum allowed number of bytes.", apiID), testModel},
			fromID(Classification{Outcome: OutcomeRequestSize, ErrorType: "request_too_large", Message: "Request exceeds the maximum allowed number of bytes."})},
		{"429 rate_limit_error",
			Answer{429, api, envelope("rate_limit_error", "Number of requests has exceeded your per-minute rate limit", apiID), testModel},
			fromID(Classification{Outcome: OutcomeRateLimit, ErrorType: "rate_limit_error", Message: "Number of requests has exceeded your per-minute rate limit"})},
		{"429 without a body",
			Answer{429, hdr("Retry-After", "3"), nil, testModel},
			Classification{Outcome: OutcomeRateLimit}},
		{"529 overloaded_error",
			Answer{529, api, envelope("overloaded_error", "Overloaded", apiID), testModel},
			fromID(Classification{Outcome: OutcomeOverloaded, ErrorType: "overloaded_error", Message: "Overloaded"})},
		{"500 api_error",
			Answer{500, api, envelope("api_error", "Internal server error", apiID), testModel},
			fromID(Classification{Outcome: OutcomeServer, ErrorType: "api_error", Message: "Internal server error"})},
		{"504 timeout_error",
			Answer{504, api, envelope("timeout_error", "Request timed out", apiID), testModel},
			fromID(Classification{Outcome: OutcomeServer, ErrorType: "timeout_error", Message: "Request timed out"})},
		{"302 redirect",
			Answer{302, hdr("Location", "https://login.example/portal"), nil, testModel},
			Classification{Outcome: OutcomeRedirect}},
		{"407 proxy authentication required",
			Answer{407, hdr("Proxy-Authenticate", "Basic"), nil, testModel},
			Classification{Outcome: OutcomeProxyPage}},
		{"200 not JSON",
			Answer{200, hdr("Content-Type", "text/plain"), []byte("hello\n"), testModel},
			Classification{Outcome: OutcomeUnexpected, Message: "hello"}},
		{"200 JSON that is an error", // as a stream's error event after a 200
			Answer{200, api, envelope("api_error", "odd", apiID), testModel},
			fromID(Classification{Outcome: OutcomeServer, ErrorType: "api_error", Message: "odd"})},
		{"200 JSON array",
			Answer{200, hdr(), []byte(`[1,2]`), testModel},
			Classification{Outcome: OutcomeUnexpected, Message: "[1,2]"}},
		{"status 999",
			Answer{999, hdr(), []byte("?"), testModel},
			Classification{Outcome: OutcomeUnrecognised, Message: "?"}},
		{"status 0",
			Answer{0, nil, nil, testModel},
			Classification{Outcome: OutcomeUnrecognised}},
		{"binary body",
			Answer{500, hdr(), []byte{0xff, 0x00, 0x1b, 'x'}, testModel},
			Classification{Outcome: OutcomeServer, Message: `\xff\u0000\u001bx`}},

		// Where the request id comes from, best first.
		{"request-id wins",
			Answer{403, hdr("Request-Id", "req_h", "X-Request-Id", "xr", "Cf-Ray", ray), envelope("permission_error", "p", "req_b"), testModel},
			Classification{Outcome: OutcomePermission, ErrorType: "permission_error", Message: "p", RequestID: "req_h", RequestIDSource: IDFromRequestID}},
		{"x-request-id before the body",
			Answer{403, hdr("X-Request-Id", "xr", "Cf-Ray", ray), envelope("permission_error", "p", "req_b"), testModel},
			Classification{Outcome: OutcomePermission, ErrorType: "permission_error", Message: "p", RequestID: "xr", RequestIDSource: IDFromXRequestID}},
		{"body request_id before cf-ray",
			Answer{403, hdr("Cf-Ray", ray), envelope("permission_error", "p", "req_b"), testModel},
			Classification{Outcome: OutcomePermission, ErrorType: "permission_error", Message: "p", RequestID: "req_b", RequestIDSource: IDFromBody}},
		{"cf-ray as the last resort", // the API's envelope without its id: not the API's answer
			Answer{403, hdr("Cf-Ray", ray), []byte(`{"type":"error","error":{"type":"permission_error","message":"p"}}`), testModel},
			fromRay(Classification{Outcome: OutcomeUnrecognised, ErrorType: "permission_error", Message: "p"})},
		{"no id at all",
			Answer{403, hdr(), []byte(`{"type":"error","error":{"type":"permission_error","message":"p"}}`), testModel},
			Classification{Outcome: OutcomeUnrecognised, ErrorType: "permission_error", Message: "p"}},
		{"hostile request id",
			Answer{200, hdr("Request-Id", "req_\x1b[31m\nInjected"), []byte(`{"type":"message"}`), testModel},
			Classification{Outcome: OutcomeOK, RequestID: `req_\u001b[31m\nInjected`, RequestIDSource: IDFromRequestID}},
		{"hostile error message",
			Answer{403, api, envelope("permission_error", "\x1b[2J\x1b[31mPWNED\r\n"+strings.Repeat("x", 400), apiID), testModel},
			fromID(Classification{Outcome: OutcomePermission, ErrorType: "permission_error", Message: `\u001b[2J\u001b[31mPWNED\u000d\n` + strings.Repeat("x", MaxMessage-16) + "…"})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Classify(c.answer)
			// Who answered and the rule that decided have tests of their
			// own (TestRealAnswers).
			got.Producer, got.Rule = "", ""
			if got != c.want {
				t.Errorf("Classify(%d %.60q) = %+v; want %+v", c.answer.Status, string(c.answer.Body), got, c.want)
			}
		})
	}
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"plain", "Permission denied", 300, "Permission denied"},
		{"unicode kept", "héllo ✓ 日本", 300, "héllo ✓ 日本"},
		{"newline and tab", "a\nb\tc", 300, `a\nb\tc`},
		{"carriage return", "a\rb", 300, `a\u000db`},
		{"ansi escape", "\x1b[31mred\x1b[0m", 300, `\u001b[31mred\u001b[0m`},
		{"NUL and BEL", "a\x00\x07", 300, `a\u0000\u0007`},
		{"DEL", "a\x7fb", 300, `a\u007fb`},
		{"C1 control", "a\u0085b\u009bc", 300, `a\u0085b\u009bc`},
		{"bidi and line separators", "a\u202eb\u2028c\u2029d\u202de", 300, `a\u202eb\u2028c\u2029d\u202de`},
		{"invalid UTF-8", "a\xffb\xc3", 300, `a\xffb\xc3`},
		{"capped", strings.Repeat("a", 10), 4, "aaaa…"},
		{"exactly the cap", "abcd", 4, "abcd"},
		{"cap counts runes", "ééééé", 3, "ééé…"},
		{"escapes count as one", "\n\n\n\n", 2, `\n\n…`},
		{"empty", "", 10, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := Printable(c.in, c.max); got != c.want {
				t.Errorf("Printable(%q, %d) = %q; want %q", c.in, c.max, got, c.want)
			}
		})
	}
}

// TestPrintableIsSafe checks, over random bytes, that nothing a terminal
// acts on survives and that the result stays within its cap.
func TestPrintableIsSafe(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		b := make([]byte, rng.IntN(200))
		for j := range b {
			b[j] = byte(rng.IntN(256))
		}
		max := 1 + rng.IntN(100)
		got := Printable(string(b), max)
		if !utf8.ValidString(got) {
			t.Fatalf("input %d: Printable(%q) = %q; not valid UTF-8", i, b, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("input %d: Printable(%q) = %q; contains %U", i, b, got, r)
			}
		}
		// Each input rune becomes at most 6 runes (\u0000), plus the ellipsis.
		if n := utf8.RuneCountInString(got); n > 6*max+1 {
			t.Fatalf("input %d: Printable(%q, %d) has %d runes", i, b, max, n)
		}
	}
}
