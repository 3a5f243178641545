package secret

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "http://user:s3cretpw@proxy:3128", "http://user:xxxxx@proxy:3128"},
		{"no password", "http://user@proxy:3128/x", "http://user@proxy:3128/x"},
		{"no userinfo", "https://api.anthropic.com/v1/messages", "https://api.anthropic.com/v1/messages"},
		{"empty password", "http://user:@h", "http://user:@h"},
		{"ftp", "ftp://user:pw@host/file", "ftp://user:xxxxx@host/file"},
		{"at in query kept", "http://u:pw@host/p?mail=a@b.c", "http://u:xxxxx@host/p?mail=a@b.c"},
		{"at in password", "http://u:p@ss@host/x", "http://u:xxxxx@host/x"},
		{"slash in password", "http://u:pa/ss@host", "http://u:xxxxx@host"},
		{"bad escape", "http://u:p%zzw@proxy:3128", "http://u:xxxxx@proxy:3128"},
		{"schemeless proxy", "user:s3cret@proxy:3128", "user:xxxxx@proxy:3128"},
		{"in an error", `parse "http://u:pw%zz@h": invalid URL escape "%zz"`, `parse "http://u:xxxxx@h": invalid URL escape "%zz"`},
		{"two urls", "from http://a:pw1@h1 to https://b:pw2@h2.", "from http://a:xxxxx@h1 to https://b:xxxxx@h2."},
		{"joined urls", "http://a:pw1@h1,https://b:pw2@h2", "http://a:xxxxx@h1,https://b:xxxxx@h2"},
		{"mailto kept", "mailto:ops@example.com", "mailto:ops@example.com"},
		{"plain text", "no URL here: just words", "no URL here: just words"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := RedactURL(tt.in); got != tt.want {
				t.Errorf("RedactURL(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactError(t *testing.T) {
	t.Parallel()
	_, parseErr := url.Parse("http://user:pw%zz@proxy:3128")
	_, spaceErr := url.Parse("http://user:pass word\"q@proxy\x7f")
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil)
	tests := []struct {
		name   string
		err    error
		s      *Scrubber
		secret string
	}{
		{"parse error", parseErr, nil, "pw%zz"},
		{"password with a space and a quote", spaceErr, nil, "pass word"},
		{"wrapped url error", fmt.Errorf("proxy: %w", &url.Error{Op: "Get", URL: "ftp://u:topsecret@h", Err: errors.New("unsupported")}), nil, "topsecret"},
		{"echoed key", fmt.Errorf("server said: key %s unknown", testKey), New(testKey), testKey[10:18]},
		{"request url", &url.Error{Op: req.Method, URL: "http://u:hunter2hunter2@127.0.0.1:1/", Err: errors.New("refused")}, New("hunter2hunter2"), "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.err == nil {
				t.Fatal("the test's error is nil")
			}
			got := RedactError(tt.err, tt.s)
			if strings.Contains(got, tt.secret) {
				t.Errorf("RedactError(%s) still holds the secret", tt.name)
			}
			if got == "" {
				t.Errorf("RedactError(%s) is empty", tt.name)
			}
		})
	}
	if got := RedactError(nil, nil); got != "" {
		t.Errorf("RedactError(nil, nil) = %q; want \"\"", got)
	}
}

func TestPasswords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{"none", "https://api.anthropic.com", nil},
		{"plain", "http://u:pw@h", []string{"pw"}},
		{"escaped", "http://u:p%40ss@h", []string{"p%40ss", "p@ss"}},
		{"bad escape", "http://u:p%zz@h", []string{"p%zz"}},
		{"schemeless", "u:pw@h:3128", []string{"pw"}},
		{"two", "http://a:x1@h http://b:x2@h", []string{"x1", "x2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Passwords(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Passwords(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}
