package target

import (
	"strings"

	"github.com/llm-probe/probe/prober/secret"
)

// ProxyVars are the environment variables whose URLs may carry a password
// that probe sends to a proxy.
var ProxyVars = []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"}

// minScrubbed is the shortest secret header value scrubbed from server text:
// scrubbing a value of two or three characters would cut ordinary words and
// status codes out of every message, and such a value guards nothing.
const minScrubbed = 4

// Secrets returns every secret a request to t carries: the key, each secret
// header value (and its credential after an auth scheme such as "Bearer"),
// any password in the base URL, and the cloud credential's secrets as far
// as they are known now (see WithScrubber for those fetched later). A
// "Bearer …" value is listed whole only when its credential is too short to
// be scrubbed by its slices: listed whole, its " " would eat the space
// before every echoed key.
func (t Target) Secrets() []string {
	var out []string
	add := func(v string) {
		v = strings.TrimSpace(v)
		scheme, cred, ok := strings.Cut(v, " ")
		cred = strings.TrimSpace(cred)
		switch {
		case ok && scheme != "" && len(cred) >= secret.MinSlice:
			out = append(out, cred)
		case len(v) >= minScrubbed:
			out = append(out, v)
		}
	}
	if k := t.Key.Secret(); k != "" {
		out = append(out, k)
		add("Bearer " + k)
	}
	for _, h := range t.Headers {
		if h.Secret() {
			add(h.Value)
		}
	}
	if t.BaseURL != nil {
		out = append(out, secret.Passwords(t.BaseURL.String())...)
	}
	if t.Cloud != nil {
		out = append(out, t.Cloud.Secrets()...)
	}
	return out
}

// WithScrubber returns t with a Scrubber for its Secrets and the passwords of
// the proxy variables getenv sees (nil getenv means none). Build it once the
// key is known, and again if the key changes. A cloud credential's secrets
// are followed as the run goes on, so that a Google access token fetched
// for a request is scrubbed from that request's answer.
func (t Target) WithScrubber(getenv func(string) string) Target {
	all := t.Secrets()
	if getenv != nil {
		for _, name := range ProxyVars {
			all = append(all, secret.Passwords(getenv(name))...)
		}
	}
	t.Scrubber = secret.New(all...)
	if t.Cloud != nil {
		t.Scrubber.Follow(t.Cloud.Secrets)
	}
	return t
}
