package classify

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"unicode/utf8"
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
	// Producer is who answered: the API, its edge, a gateway, a proxy, a
	// cloud provider, or unknown.
	Producer Producer
	// Rule names what decided the outcome: the fixture a rule cites,
	// "page", or "status" when only the status was left to read.
	Rule string
}

// Request-id sources, recorded so support knows which id they are looking at.
const (
	IDFromRequestID  = "request-id"
	IDFromXRequestID = "x-request-id"
	IDFromBody       = "body"
	IDFromCFRay      = "cf-ray"
)

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// Classify reads one HTTP answer. It never fails: whatever arrives is some
// outcome. It decides who answered first, then what the answer says (the
// rule table), and reads the status only when nothing else was recognised.
func Classify(a Answer) Classification {
	b := readBody(a.Header, a.Body)
	c := Classification{Producer: producerOf(a.Header, b, a.Body)}
	if cc, ok := classifyCloud(a, bytes.TrimSpace(a.Body)); ok {
		// A cloud's own error shapes (Bedrock, Vertex AI, Azure) have
		// rules of their own, in cloud.go.
		cc.Producer, cc.Rule = c.Producer, "cloud"
		return cc
	}
	c.RequestID, c.RequestIDSource = requestID(a.Header, b.requestID)
	if b.kind == bodyHTML {
		c.Outcome, c.ErrorType, c.Message = classifyPage(a.Status, a.Header, bytes.TrimSpace(a.Body), c.Producer)
		c.Rule = "page"
		return c
	}
	c.ErrorType = Printable(cmp.Or(b.code, b.errType), 60)
	if b.numericCode || b.code == "" {
		c.ErrorType = Printable(cmp.Or(b.errType, b.status, b.code), 60)
	}
	if amzn, _, _ := strings.Cut(Header(a.Header, "X-Amzn-Errortype"), ":"); amzn != "" && c.ErrorType == "" {
		c.ErrorType = Printable(amzn, 60)
	}
	// The rules read the message as kept: a capped one, so that a huge
	// text body costs no more than a short one.
	c.Message = Printable(b.message, MaxMessage)
	f := facts{status: a.Status, header: a.Header, producer: c.Producer, model: a.Model,
		success: b.success && a.Status >= 200 && a.Status < 300, lower: strings.ToLower(c.Message)}
	for _, t := range []string{b.errType, b.code, b.status, c.ErrorType} {
		if t != "" {
			f.types = append(f.types, strings.ToLower(t))
		}
	}
	o, cite, ok := applyRules(&f)
	if !ok {
		o, cite = statusOutcome(a.Status, c.Producer, f.success, b.errType != "" || b.code != ""), "status"
	}
	c.Outcome, c.Rule = cmp.Or(o, OutcomeUnrecognised), cite
	if c.Outcome == OutcomeUnrecognised || c.Outcome == OutcomeUnexpected {
		// What nothing recognised is shown as it came, escaped.
		c.Message = cmp.Or(c.Message, Printable(string(bytes.TrimSpace(a.Body)), 120))
	}
	return c
}

// classifyPage tells Cloudflare's pages (challenge, block, 1034, 1015)
// from pages of anything else in the path, such as a corporate proxy.
func classifyPage(status int, h http.Header, body []byte, p Producer) (Outcome, string, string) {
	title := ""
	if m := titleRE.FindSubmatch(body); m != nil {
		title = Printable(string(bytes.Join(bytes.Fields(m[1]), []byte(" "))), 120)
	}
	lower := bytes.ToLower(body)
	has := func(s string) bool { return bytes.Contains(lower, []byte(s)) }
	cloudflare := p == ProducerEdge
	switch {
	case strings.EqualFold(Header(h, "Cf-Mitigated"), "challenge") || has("just a moment...") || has("challenge-platform"):
		return OutcomeChallenge, "cloudflare_challenge", cmp.Or(title, "Cloudflare managed challenge")
	case cloudflare && (status == http.StatusTooManyRequests || has("error 1015") || has("you are being rate limited")):
		return OutcomeRateLimit, "cloudflare_1015", cmp.Or(title, "Cloudflare rate limit (1015)")
	case has("error 1034") || has("edge ip restricted"):
		return OutcomeEdgeBlock, "cloudflare_1034", cmp.Or(title, "Edge IP Restricted")
	case has("you have been blocked") || has("attention required! | cloudflare"):
		return OutcomeEdgeBlock, "cloudflare_block", cmp.Or(title, "Sorry, you have been blocked")
	case cloudflare && status >= 500:
		return OutcomeServer, "cloudflare_error", cmp.Or(title, fmt.Sprintf("Cloudflare %d page", status))
	case cloudflare && status == http.StatusForbidden:
		return OutcomeEdgeBlock, "cloudflare_page", cmp.Or(title, "Cloudflare 403 page")
	case cloudflare && status >= 200 && status < 300:
		return OutcomeUnexpected, "cloudflare_page", cmp.Or(title, "Cloudflare page")
	case cloudflare, p == ProducerAPI, p == ProducerCloud:
		return OutcomeUnrecognised, "html_page", cmp.Or(title, "HTML page")
	}
	return OutcomeProxyPage, "html_page", cmp.Or(title, "HTML page")
}

// requestID picks the identifier support asks for, best first.
func requestID(h http.Header, fromBody string) (id, source string) {
	for _, ih := range idHeaders {
		if v := Header(h, ih.name); v != "" {
			return Printable(v, 128), ih.source
		}
	}
	if fromBody != "" {
		return Printable(fromBody, 128), IDFromBody
	}
	if v := Header(h, "Cf-Ray"); v != "" {
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
	case strings.Contains(msg, "tls:") || strings.Contains(msg, "x509:") || interceptRE.MatchString(msg):
		return OutcomeTLS, msg
	case strings.Contains(msg, "connection reset") || strings.Contains(msg, "server closed") || strings.Contains(msg, "EOF"):
		return OutcomeReset, msg
	}
	return OutcomeNetwork, msg
}

// interceptRE is how a TLS-intercepting proxy's certificate shows in a
// transport error, in Go's words and Node's (fixtures 069, 070).
var interceptRE = regexp.MustCompile(`(?i)unknown authority|self[- ]signed certificate|unable to get (local )?issuer|SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER`)

// Intercepted reports whether a TLS failure's message shows a certificate
// that is not the API's: something in between intercepts TLS.
func Intercepted(o Outcome, message string) bool {
	return o == OutcomeTLS && interceptRE.MatchString(message)
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
