package classify

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/llm-probe/probe/prober/provider"
)

// Producer is who answered a request: the API itself, its edge, a gateway
// or relay, a proxy or filter in between, a cloud provider's front, or
// unknown. It is decided before what the answer means (REAL-ANSWERS.md,
// principle 1): an answer that carries the API's own marks cannot come
// from something in between.
type Producer string

// The producers an answer is attributed to. The names are stable: they are
// written to run files.
const (
	ProducerAPI     Producer = "api"     // the provider's own API: its request id
	ProducerEdge    Producer = "edge"    // Cloudflare in front of it: cf-ray, no request id
	ProducerGateway Producer = "gateway" // LiteLLM, OpenRouter, a relay; JSON without the API's marks
	ProducerProxy   Producer = "proxy"   // a corporate proxy or filter: its own pages and text
	ProducerCloud   Producer = "cloud"   // Bedrock, Vertex AI: x-amzn-*, google.rpc
	ProducerUnknown Producer = "unknown" // nothing tells
)

// Identified reports whether the producer is known: an answer of unknown
// origin cannot support a confident verdict.
func (p Producer) Identified() bool { return p != "" && p != ProducerUnknown }

// apiMarks are the headers only the providers' own APIs set, from the
// provider descriptors: an id header whose value is the API's ("req_…"),
// or the organization header. x-request-id alone is not enough: many
// proxies add one.
var apiMarks = func() (m struct{ ids, orgs []string }) {
	for _, p := range provider.All() {
		if p.IDHeader != "" {
			m.ids = append(m.ids, http.CanonicalHeaderKey(p.IDHeader))
		}
		if p.OrgHeader != "" {
			m.orgs = append(m.orgs, http.CanonicalHeaderKey(p.OrgHeader))
		}
	}
	// Azure's API management stamps every answer of Azure OpenAI and
	// Foundry (fixtures 056-058).
	m.orgs = append(m.orgs, "Apim-Request-Id")
	return m
}()

// proxyServers are Server header values of proxies and filters, and of
// the web servers a captive portal or a company's front runs on: none of
// them is a provider's API (fixtures 067, 075, 080).
var proxyServers = regexp.MustCompile(`(?i)\b(zscaler|netskope|squid|envoy|nginx|apache|haproxy|varnish|bluecoat|forcepoint|fortigate|websense|mcafee|sophos|privoxy|traefik|caddy|iis)\b`)

// proxyBodyMarks are the hosts and names proxies' own pages carry (fixtures
// 067, 069).
var proxyBodyMarks = regexp.MustCompile(`(?i)zscloud\.net|zscaler|goskope\.com|netskope|bluecoat|forcepoint|fortiguard`)

// producerOf decides who answered from the headers and the body's shape,
// most specific marks first.
func producerOf(h http.Header, b body, raw []byte) Producer {
	switch {
	case gatewayHeaders(h) || b.metadata || b.userID && b.isError:
		return ProducerGateway // fixtures 059, 063, 078
	case Header(h, "X-Amzn-Requestid") != "" || Header(h, "X-Amzn-Errortype") != "" || b.numericCode && isGoogleStatus(b.status):
		return ProducerCloud // fixtures 029, 044
	case hasAPIMarks(h, b):
		return ProducerAPI // fixtures 002, 049, 056
	case Header(h, "Cf-Ray") != "" || strings.EqualFold(Header(h, "Server"), "cloudflare"):
		return ProducerEdge // fixtures 001, 027, 074
	case proxyServers.MatchString(Header(h, "Server")) || b.kind == bodyHTML || proxyBodyMarks.Match(raw[:min(len(raw), 4096)]):
		return ProducerProxy // fixtures 067, 068, 075, 080
	case b.kind == bodyJSON || b.kind == bodySSE:
		return ProducerGateway // JSON without the API's marks: fixtures 008, 061, 062
	}
	return ProducerUnknown
}

// gatewayHeaders reports the marks of a gateway: LiteLLM's x-litellm-*,
// Cloudflare AI Gateway's cf-aig-*, GitLab's AI gateway's x-gitlab-meta.
// Names are compared without regard to case and without lowering them:
// this runs on every answer.
func gatewayHeaders(h http.Header) bool {
	for k := range h {
		if hasPrefixFold(k, "x-litellm-") || hasPrefixFold(k, "cf-aig-") || strings.EqualFold(k, "x-gitlab-meta") {
			return true
		}
	}
	return false
}

// hasPrefixFold is strings.HasPrefix without regard to ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// hasAPIMarks reports the API's own marks: its request id in a header or the
// body, or its organization header.
func hasAPIMarks(h http.Header, b body) bool {
	if strings.HasPrefix(b.requestID, "req_") {
		return true
	}
	for _, name := range apiMarks.ids {
		if v := Header(h, name); strings.HasPrefix(v, "req_") || name == "Request-Id" && v != "" {
			return true
		}
	}
	for _, name := range apiMarks.orgs {
		if Header(h, name) != "" {
			return true
		}
	}
	return false
}

// isGoogleStatus reports a google.rpc status name such as PERMISSION_DENIED.
func isGoogleStatus(s string) bool {
	return s != "" && strings.ToUpper(s) == s && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == ""
}
