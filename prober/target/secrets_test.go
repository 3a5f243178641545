package target

import (
	"net/url"
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
)

// TestHeaderSecret covers names the old narrow list missed and values that
// look like keys under harmless names (issue 16 #12).
func TestHeaderSecret(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		header Header
		secret bool
	}{
		{"x-credential", Header{"X-Credential", "abc123"}, true},
		{"bearer name", Header{"Bearer", "abc123"}, true},
		{"session", Header{"Session", "abc123"}, true},
		{"signature", Header{"Signature", "abc123"}, true},
		{"gateway token", Header{"X-Gateway-Token", "abc"}, true},
		{"key-shaped value", Header{"X-Trace", realKey}, true},
		{"bearer value", Header{"X-Forward", "Bearer abc.def"}, true},
		{"random value", Header{"X-Route", "Zx81Qp02Lm7Yt45Rk93Wd6Hs"}, true},
		{"team", Header{"X-Team", "probe"}, false},
		{"region", Header{"X-Region", "eu-west-1"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := c.header.Secret(); got != c.secret {
				t.Fatalf("%s.Secret() = %v; want %v", c.header.Name, got, c.secret)
			}
			if c.secret {
				for _, out := range []string{c.header.String(), c.header.Shown(), Target{BaseURL: &url.URL{Scheme: "https", Host: "h"}, Headers: []Header{c.header}}.Curl()} {
					assertNoLeak(t, c.header.Name, out, c.header.Value, 6)
				}
			}
		})
	}
}

// TestParseHeaderNeverEchoesTheValue: a malformed --header may be all value.
func TestParseHeaderNeverEchoesTheValue(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, arg string }{
		{"no colon", "X-Api-Key " + realKey},
		{"empty name", ": " + realKey},
		{"bad name", "X-Key " + realKey + ": x"},
		{"bad value", "X-Token: " + realKey + "\x01"},
		{"reserved", "Authorization: Bearer " + realKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseHeader(c.arg)
			if err == nil {
				t.Fatalf("ParseHeader(%q) accepted", c.name)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			assertNoLeak(t, "ParseHeader error", err.Error(), realKey, 4)
		})
	}
}

// TestParseBaseURLHidesPasswords covers URLs ParseBaseURL refuses for
// another reason than their credentials, and those url.Parse rejects.
func TestParseBaseURLHidesPasswords(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, raw string }{
		{"ftp", "ftp://user:hunter2secretpw@host/x"},
		{"bad escape", "https://user:hunter2secretpw%zz@host"},
		{"bad port", "https://user:hunter2secretpw@host:port"},
		{"space", "https://user:hunter2secretpw@ho st"},
		{"no scheme", "user:hunter2secretpw@host:3128"},
		{"query", "https://user:hunter2secretpw@host/?q"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseBaseURL(c.raw)
			if err == nil {
				t.Fatalf("ParseBaseURL(%q) accepted", c.raw)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "secretpw") {
				t.Errorf("ParseBaseURL error shows the password: %q", err)
			}
		})
	}
}

// TestScrubberKnowsEverySecret: each secret a request carries, and the
// proxy's password, is scrubbed from server text; harmless values are not.
func TestScrubberKnowsEverySecret(t *testing.T) {
	t.Parallel()
	tok := "Zq8wErTyUiOpAsDfGhJkLzXc"
	tg := Target{
		BaseURL: &url.URL{Scheme: "https", Host: "h"},
		Key:     keys.NewKey(oatToken, "test", provider.AuthToken),
		Headers: []Header{{"X-Credential", "Bearer " + tok}, {"Session", "Bearer abcd"}, {"X-Team", "probe"}},
	}
	env := map[string]string{"HTTPS_PROXY": "http://ops:pr0xy-pass-word@proxy:3128"}
	s := tg.WithScrubber(func(k string) string { return env[k] }).Scrubber
	cases := []struct{ name, in, want string }{
		{"key", "key " + oatToken + " is bad", "key [redacted] is bad"},
		{"bearer", "got Bearer " + oatToken[:40], "got Bearer [redacted]"},
		{"short bearer", "got Bearer abcd!", "got [redacted]!"},
		{"header credential", "token " + tok, "token [redacted]"},
		{"proxy password", "pw pr0xy-pass-word", "pw [redacted]"},
		{"harmless header", "team probe", "team probe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := s.Scrub(c.in); got != c.want {
				t.Errorf("Scrub(%q) = %q; want %q", c.in, got, c.want)
			}
		})
	}
}

// TestCurlPlaceholdersExpand: the ticket's curl names header values it did
// not keep as $VAR, in double quotes so the shell expands them; real values
// stay single-quoted and secret ones redacted.
func TestCurlPlaceholdersExpand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		header Header
		want   string
	}{
		{"secret name placeholder", Header{"X-Gateway-Token", "$X_GATEWAY_TOKEN"}, `-H "X-Gateway-Token: $X_GATEWAY_TOKEN"`},
		{"plain placeholder", Header{"X-Team", "$X_TEAM"}, `-H "X-Team: $X_TEAM"`},
		{"name with dollar", Header{"X-$a", "$X_A"}, `-H "X-\$a: $X_A"`},
		{"literal value", Header{"X-Team", "probe's"}, `-H 'X-Team: probe'\''s'`},
		{"dollar inside a value stays literal", Header{"X-Team", "a$b"}, `-H 'X-Team: a$b'`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Target{BaseURL: mustBase(t, "https://gw.example"), Headers: []Header{c.header}}.Curl()
			if !strings.Contains(got, c.want) {
				t.Errorf("Curl() = %s\nwant it to contain %s", got, c.want)
			}
		})
	}
}
