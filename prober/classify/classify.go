package classify

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/llm-probe/probe/prober/internal/jsonscan"
)

// MaxMessage caps the error message kept per answer; messages longer than
// this are evidence enough at this length.
const MaxMessage = 300

// Answer is what came back for one request, as the classifier sees it.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
	// Model is the model that was requested, to recognise messages naming it.
	Model string
}

// Classification is the classifier's reading of an answer.
type Classification struct {
	Outcome   Outcome
	ErrorType string // the API's error.type, or a short label for pages
	Message   string // the error message or page title, capped and made printable
	// RequestID is the identifier support asks for; RequestIDSource says where it came from.
	RequestID       string
	RequestIDSource string
}

// errorEnvelope is the API's error shape; the edge's "forbidden" answer has
// the same inner object without the top-level type.
type errorEnvelope struct {
	Type  string `json:"type"`
	Error *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
		// Code is OpenAI's finer error name (invalid_api_key, model_not_found, ...).
		Code any `json:"code"`
	} `json:"error"`
	RequestID string `json:"request_id"`
}

// quickEnvelope reads the top-level "type" and "request_id" of a JSON
// object without an "error": a success, which is nearly every answer of a
// run, read here without encoding/json's reflection. It reports false (and
// a zero envelope) for anything else, including a key that only
// encoding/json's case-insensitive matching would take for one of the
// envelope's, and Classify then decodes the body with encoding/json; so the
// classification is the same either way.
func quickEnvelope(body []byte) (errorEnvelope, bool) {
	const maxDepth = 32 // deeper bodies are left to encoding/json
	var env errorEnvelope
	if !quickEnvelopeFits {
		return env, false
	}
	d := jsonscan.Scanner{B: body}
	if !d.Eat('{') {
		return errorEnvelope{}, false
	}
	d.WS()
	if d.Eat('}') {
		return env, d.End()
	}
	for {
		d.WS()
		key, ok := d.PlainString()
		if !ok {
			return errorEnvelope{}, false
		}
		d.WS()
		if !d.Eat(':') {
			return errorEnvelope{}, false
		}
		d.WS()
		switch k := string(key); {
		case k == "type":
			env.Type, ok = d.Str()
		case k == "request_id":
			env.RequestID, ok = d.Str()
		case strings.EqualFold(k, "type"), strings.EqualFold(k, "request_id"), strings.EqualFold(k, "error"):
			ok = false // "error" itself, or a key encoding/json would match to a field
		default:
			ok = d.Skip(maxDepth)
		}
		if !ok {
			return errorEnvelope{}, false
		}
		d.WS()
		if d.Eat(',') {
			continue
		}
		if d.Eat('}') && d.End() {
			return env, true
		}
		return errorEnvelope{}, false
	}
}

// quickEnvelopeFits says errorEnvelope still has the top-level fields
// quickEnvelope reads (and "error", which it leaves to encoding/json); a
// field added there turns the fast path off rather than leave it unread.
var quickEnvelopeFits = func() bool {
	t := reflect.TypeFor[errorEnvelope]()
	var have []string
	for i := range t.NumField() {
		have = append(have, t.Field(i).Tag.Get("json"))
	}
	return slices.Equal(have, []string{"type", "error", "request_id"})
}()

// Request-id sources, recorded so support knows which id they are looking at.
const (
	IDFromRequestID  = "request-id"
	IDFromXRequestID = "x-request-id"
	IDFromBody       = "body"
	IDFromCFRay      = "cf-ray"
)

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// Classify reads one HTTP answer. It never fails: whatever arrives is some outcome.
func Classify(a Answer) Classification {
	var c Classification
	var env errorEnvelope
	body := bytes.TrimSpace(a.Body)
	isJSON := false
	if len(body) > 0 && body[0] == '{' {
		var quick bool
		env, quick = quickEnvelope(body)
		isJSON = quick || json.Unmarshal(body, &env) == nil
	}
	code := ""
	if isJSON && env.Error != nil {
		c.ErrorType = Printable(env.Error.Type, 60)
		c.Message = Printable(env.Error.Message, MaxMessage)
		if s, ok := env.Error.Code.(string); ok && s != "" {
			code = Printable(s, 60)
			// OpenAI's code names the error better than its type does.
			c.ErrorType = code
		}
	}
	c.RequestID, c.RequestIDSource = requestID(a.Header, env.RequestID)

	html := !isJSON && looksHTML(a.Header, body)
	if html {
		c.Outcome, c.ErrorType, c.Message = classifyPage(a.Status, a.Header, body)
		return c
	}
	c.Outcome = classifyStatus(a.Status, c.ErrorType, c.Message, a.Model, isJSON, env, len(body))
	if o, ok := openAICodes[code]; ok {
		c.Outcome = o
	}
	if c.Message == "" && !isJSON && len(body) > 0 {
		c.Message = Printable(string(body), 120)
	}
	return c
}

func classifyStatus(status int, errType, msg, model string, isJSON bool, env errorEnvelope, bodyLen int) Outcome {
	lower := strings.ToLower(msg)
	switch {
	case errType == "rate_limit_error" || status == http.StatusTooManyRequests:
		return OutcomeRateLimit
	case errType == "overloaded_error" || status == 529:
		return OutcomeOverloaded
	case errType == "billing_error" || status == http.StatusPaymentRequired || strings.Contains(lower, "credit balance"):
		return OutcomeBilling
	case errType == "authentication_error" || status == http.StatusUnauthorized:
		if strings.Contains(lower, "header is required") || strings.Contains(lower, "didn't provide an api key") || strings.Contains(lower, "missing") && strings.Contains(lower, "key") {
			return OutcomeKeyNotReceived
		}
		return OutcomeAuth
	case strings.Contains(lower, "organization has been disabled") || strings.Contains(lower, "only authorized for use with"):
		return OutcomeWorkspace
	case mentionsModel(lower, model) && (status == 403 || status == 404 || status == 400 || errType == "not_found_error"):
		return OutcomeModel
	}
	switch {
	case status >= 200 && status < 300:
		// A message says type "message"; lists and other providers' answers
		// carry no type. Any other type is not an answer to this request.
		if isJSON && env.Error == nil && (env.Type == "" || env.Type == "message") {
			return OutcomeOK
		}
		return OutcomeUnexpected // a 2xx that is no message: something else answered
	case status == http.StatusForbidden:
		if errType == "forbidden" || strings.Contains(lower, "request not allowed") {
			return OutcomeForbiddenEdge
		}
		return OutcomePermission
	case status == http.StatusNotFound:
		return OutcomeNotFound
	case status == http.StatusProxyAuthRequired:
		return OutcomeProxyPage
	case status >= 300 && status < 400:
		return OutcomeRedirect
	case status >= 400 && status < 500:
		return OutcomeBadRequest
	case status >= 500 && status < 600:
		return OutcomeServer
	}
	return OutcomeUnexpected
}

// openAICodes are OpenAI's error codes whose meaning the status alone does
// not carry: a 429 may be a rate limit or an empty account.
var openAICodes = map[string]Outcome{
	"invalid_api_key":                      OutcomeAuth,
	"unsupported_country_region_territory": OutcomeForbiddenEdge,
	"model_not_found":                      OutcomeModel,
	"insufficient_quota":                   OutcomeBilling,
	"billing_hard_limit_reached":           OutcomeBilling,
	"rate_limit_exceeded":                  OutcomeRateLimit,
}

// mentionsModel reports whether an error message is about the model: it names
// the requested model, or has the API's "model: NAME" form.
func mentionsModel(lowerMsg, model string) bool {
	if lowerMsg == "" {
		return false
	}
	if model != "" && strings.Contains(lowerMsg, strings.ToLower(model)) {
		return true
	}
	return strings.HasPrefix(lowerMsg, "model: ") || strings.Contains(lowerMsg, "does not have access to model")
}

func looksHTML(h http.Header, body []byte) bool {
	if strings.Contains(strings.ToLower(h.Get("Content-Type")), "text/html") {
		return true
	}
	head := bytes.ToLower(body[:min(len(body), 512)])
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) || bytes.Contains(head, []byte("<head"))
}

// classifyPage tells Cloudflare's pages (challenge, block, 1034) from pages
// of anything else in the path, such as a corporate proxy.
func classifyPage(status int, h http.Header, body []byte) (Outcome, string, string) {
	title := ""
	if m := titleRE.FindSubmatch(body); m != nil {
		title = Printable(string(bytes.Join(bytes.Fields(m[1]), []byte(" "))), 120)
	}
	lower := bytes.ToLower(body)
	cloudflare := h.Get("Cf-Ray") != "" || strings.EqualFold(h.Get("Server"), "cloudflare")
	switch {
	case strings.EqualFold(h.Get("Cf-Mitigated"), "challenge") || bytes.Contains(lower, []byte("just a moment...")) || bytes.Contains(lower, []byte("challenge-platform")):
		return OutcomeChallenge, "cloudflare_challenge", orDefault(title, "Cloudflare managed challenge")
	case bytes.Contains(lower, []byte("error 1034")) || bytes.Contains(lower, []byte("edge ip restricted")):
		return OutcomeEdgeBlock, "cloudflare_1034", orDefault(title, "Edge IP Restricted")
	case bytes.Contains(lower, []byte("you have been blocked")) || bytes.Contains(lower, []byte("attention required! | cloudflare")):
		return OutcomeEdgeBlock, "cloudflare_block", orDefault(title, "Sorry, you have been blocked")
	case cloudflare && status >= 500:
		return OutcomeServer, "cloudflare_error", orDefault(title, fmt.Sprintf("Cloudflare %d page", status))
	case cloudflare && status == http.StatusForbidden:
		return OutcomeEdgeBlock, "cloudflare_page", orDefault(title, "Cloudflare 403 page")
	case cloudflare:
		return OutcomeUnexpected, "cloudflare_page", orDefault(title, "Cloudflare page")
	}
	return OutcomeProxyPage, "html_page", orDefault(title, "HTML page")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// requestID picks the identifier support asks for, best first.
func requestID(h http.Header, fromBody string) (id, source string) {
	for _, ih := range idHeaders {
		if v := h.Get(ih.name); v != "" {
			return Printable(v, 128), ih.source
		}
	}
	if fromBody != "" {
		return Printable(fromBody, 128), IDFromBody
	}
	if v := h.Get("Cf-Ray"); v != "" {
		return Printable(v, 128), IDFromCFRay
	}
	return "", ""
}

// ClassifyError names the transport failure behind err, and a message for it.
func ClassifyError(err error) (Outcome, string) {
	var (
		dnsErr    *net.DNSError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   x509.CertificateInvalidError
		recErr    tls.RecordHeaderError
		alertErr  tls.AlertError
		opErr     *net.OpError
	)
	msg := Printable(err.Error(), MaxMessage)
	switch {
	case errors.As(err, &dnsErr):
		return OutcomeDNS, msg
	case errors.As(err, &unknownCA):
		issuer := "unknown issuer"
		if unknownCA.Cert != nil {
			issuer = unknownCA.Cert.Issuer.String()
		}
		return OutcomeTLS, Printable("certificate signed by unknown authority (issuer: "+issuer+"): something intercepts TLS", MaxMessage)
	case errors.As(err, &hostErr), errors.As(err, &certErr), errors.As(err, &recErr), errors.As(err, &alertErr):
		return OutcomeTLS, msg
	case errors.Is(err, os.ErrDeadlineExceeded), isTimeout(err):
		return OutcomeTimeout, msg
	case errors.Is(err, syscall.ECONNREFUSED):
		return OutcomeRefused, msg
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		return OutcomeReset, msg
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return OutcomeRefused, msg
	case strings.Contains(msg, "tls:") || strings.Contains(msg, "x509:"):
		return OutcomeTLS, msg
	case strings.Contains(msg, "connection reset") || strings.Contains(msg, "server closed") || strings.Contains(msg, "EOF"):
		return OutcomeReset, msg
	}
	return OutcomeNetwork, msg
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout() || strings.Contains(err.Error(), "deadline exceeded") || strings.Contains(err.Error(), "Client.Timeout")
}

// Printable makes text from a server safe to print and store: invalid UTF-8,
// control characters, escapes, and bidi and zero-width characters are shown
// as Go escapes so a terminal never acts on them and text reads as it is,
// and the result is capped at max runes.
func Printable(s string, max int) string {
	if len(s) <= max && plainASCII(s) {
		return s // the common case: nothing to escape or cut, no copy
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if n >= max {
			b.WriteString("…")
			break
		}
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || invisible(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		n++
		i += size
	}
	return b.String()
}

// invisible reports whether r reorders or hides text without showing
// itself: bidi embeddings, overrides and isolates, zero-width characters,
// the Arabic letter mark and the byte-order mark. A server could use them to
// make a message or id read differently from what it is.
func invisible(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' ||
		r >= '\u200b' && r <= '\u200f' || r == '\u061c' || r == '\ufeff'
}

// plainASCII reports whether s is printable ASCII only, which Printable
// leaves as it is.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
