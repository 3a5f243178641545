package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// Fake secrets for the echo test of the API providers: long and distinctive,
// so that any 8-character slice found in an output is a leak.
const (
	echoAPIKey     = "sk-ant-api03-EchoTestKeyQq7Rr9Ss1Tt3Uu5Vv7Ww9Xx1Yy3Zz5-AAAA"
	echoAuthToken  = "sk-ant-oat01-EchoTestTokenAa2Bb4Cc6Dd8Ee0Ff2Gg4Hh6-BBBB"
	echoOpenAIKey  = "sk-proj-EchoTestOpenAIKeyIi3Jj5Kk7Ll9Mm1Nn3Oo5Pp7"
	echoHeaderCred = "hdrEchoValueQq8Rr0Ss2Tt4Uu6Vv8Ww0"
)

// echoCases are the API providers, each with the key probe sends and the
// secrets that must never come back out of probe: the key and a secret
// --header value. (A base URL with a password is refused before anything
// is sent: secrets.txtar shows that refusal never echoes it.)
var echoCases = []struct {
	name string
	args []string
	env  map[string]string
	key  string
}{
	{"anthropic api key", nil, map[string]string{"ANTHROPIC_API_KEY": echoAPIKey}, echoAPIKey},
	{"anthropic auth token", nil, map[string]string{"ANTHROPIC_AUTH_TOKEN": echoAuthToken}, echoAuthToken},
	{"openai", []string{"--provider", "openai"}, map[string]string{"OPENAI_API_KEY": echoOpenAIKey}, echoOpenAIKey},
}

// echoEverything refuses every request and echoes whatever secret it
// received (the key headers and the secret header) in every
// field probe keeps, in three bodies by turn: the API's JSON envelope, an
// HTML page whose title carries it, and plain text.
func echoEverything() http.HandlerFunc {
	// The handler runs on one goroutine per connection: probe's workers
	// send in parallel, so the turn counter is atomic.
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		echo := strings.Join([]string{r.Header.Get("X-Api-Key"), r.Header.Get("Authorization"), r.Header.Get("X-Credential")}, " ")
		h := w.Header()
		for _, name := range []string{"Request-Id", "X-Request-Id", "Cf-Ray", "Anthropic-Organization-Id", "Openai-Organization", "Server", "Retry-After",
			"Anthropic-Ratelimit-Requests-Remaining", "X-Ratelimit-Remaining-Requests", "Location"} {
			h.Set(name, echo)
		}
		switch n.Add(1) % 3 {
		case 0:
			h.Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "<html><head><title>Blocked %s</title></head><body>%s</body></html>", echo, echo)
		case 1:
			h.Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]any{
				"type": "error", "request_id": echo,
				"error": map[string]any{"type": "permission_error", "message": "key " + echo + " is not valid here", "code": echo},
			})
		default:
			h.Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "denied: %s", echo)
		}
	}
}

// TestSecretsSurviveEchoingServers runs every command against servers that
// echo what they receive, over HTTP/1.1 and HTTP/2 (TLS), for each API
// provider, and finds no 8-character slice of any secret in stdout, stderr
// or any file written (issue 16 #1).
func TestSecretsSurviveEchoingServers(t *testing.T) {
	t.Parallel()
	for _, proto := range []string{"http1", "http2"} {
		for _, tc := range echoCases {
			t.Run(proto+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				srv := httptest.NewUnstartedServer(echoEverything())
				if proto == "http2" {
					srv.EnableHTTP2 = true
					srv.StartTLS()
				} else {
					srv.Start()
				}
				t.Cleanup(srv.Close)
				var roots = srv.Client().Transport.(*http.Transport).TLSClientConfig
				args := append([]string{"--base-url", srv.URL, "--timeout", "2s", "--header", "X-Credential: " + echoHeaderCred}, tc.args...)
				// The redacted forms show a key's first 15 and a header
				// value's first 2 characters, and the last 4 of each: the
				// part between must never appear.
				secrets := []string{tc.key[15 : len(tc.key)-4], echoHeaderCred[2 : len(echoHeaderCred)-4]}
				if roots != nil {
					runEveryCommand(t, tc.env, roots.RootCAs, args, secrets)
				} else {
					runEveryCommand(t, tc.env, nil, args, secrets)
				}
			})
		}
	}
}
