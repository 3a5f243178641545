package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/provider"
)

// realKey is shaped like a Console API key (sk-ant-api03- and 95 more
// characters); it is made up and unusable.
const realKey = "sk-ant-api03-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ-_0123456789AbCdEfGhIjKlMnOpxyz9AA"

// oatToken is shaped like a Claude Code OAuth token; made up as well.
const oatToken = "sk-ant-oat01-Zq8wErTyUiOpAsDfGhJkLzXcVbNm1234567890QwErTyUiOpAsDfGhJkLzXcVbNm-AbCdEfGhIjKlMnOpQrSt-abcdAA"

// secretPart returns what of secret lies past its public prefix: the part
// no output may show.
func secretPart(secret string) string {
	for _, p := range knownPrefixes {
		if strings.HasPrefix(secret, p) {
			return secret[len(p):]
		}
	}
	return secret
}

// assertNoLeak fails the test if out contains any window of window bytes
// of the secret part of secret. Every line of output that a key could reach
// is checked this way.
func assertNoLeak(t *testing.T, what, out, secret string, window int) {
	t.Helper()
	s := secretPart(secret)
	if len(s) < window {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("%s contains the secret %q: %q", what, s, out)
		}
		return
	}
	for i := 0; i+window <= len(s); i++ {
		if w := s[i : i+window]; strings.Contains(out, w) {
			t.Errorf("%s contains %q, a %d-byte window of the secret: %q", what, w, window, out)
			return
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, secret, want string
	}{
		{"api key", realKey, "sk-ant-api03-Ab…z9AA"},
		{"oauth token", oatToken, "sk-ant-oat01-Zq…cdAA"},
		{"admin key", "sk-ant-admin01-" + strings.Repeat("k", 30) + "WXYZ", "sk-ant-admin01-kk…WXYZ"},
		{"openai project key", "sk-proj-" + strings.Repeat("p", 40) + "tail", "sk-proj-pp…tail"},
		{"unknown prefix", "gw_" + strings.Repeat("g", 30) + "1234", "gw…1234"},
		{"short key", "sk-ant-api03-short", "sk-ant-api03-…"},
		{"15 characters after the prefix", "sk-ant-api03-" + strings.Repeat("a", 15), "sk-ant-api03-…"},
		{"16 characters after the prefix", "sk-ant-api03-" + "ab" + strings.Repeat("x", 10) + "wxyz", "sk-ant-api03-ab…wxyz"},
		{"prefix only", "sk-ant-api03-", "sk-ant-api03-…"},
		{"tiny", "abc", "…"},
		{"empty", "", "(none)"},
		{"control characters at the ends", "sk-ant-api03-\x1b[" + strings.Repeat("c", 20) + "ab\n\x07", "sk-ant-api03-?[…ab??"},
		{"bidi override at the end", "sk-ant-api03-" + strings.Repeat("r", 20) + "\u202eab", "sk-ant-api03-rr…r?ab"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Redact(c.secret)
			if got != c.want {
				t.Errorf("Redact(%q) = %q; want %q", c.secret, got, c.want)
			}
			if c.secret != "" {
				assertNoLeak(t, "Redact", got, c.secret, 5)
			}
			for _, r := range got {
				if r < 0x20 || r == 0x7f || r == '\u202e' {
					t.Errorf("Redact(%q) = %q; contains control character %U", c.secret, got, r)
				}
			}
		})
	}
}

// TestRedactNeverShowsTheSecret checks the property over random keys of
// random shapes: no 12-character window of what follows the public prefix
// appears in the redacted form.
func TestRedactNeverShowsTheSecret(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
	prefixes := append([]string{"", "x-", "Bearer "}, knownPrefixes...)
	for i := range 2000 {
		p := prefixes[rng.IntN(len(prefixes))]
		b := make([]byte, rng.IntN(120))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		secret := p + string(b)
		if secret == "" {
			continue
		}
		got := Redact(secret)
		s := secretPart(secret)
		for j := 0; j+12 <= len(s); j++ {
			if strings.Contains(got, s[j:j+12]) {
				t.Fatalf("key %d: Redact(%q) = %q; shows %q of the secret", i, secret, got, s[j:j+12])
			}
		}
		if len(s) < 16 && len([]rune(got)) > len(secret)-len(s)+1 {
			t.Fatalf("key %d: Redact(%q) = %q; shows characters of a short secret", i, secret, got)
		}
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	// sha256("sk-ant-api03-test") computed apart from the code under test,
	// and a textbook vector: SHA-256("abc") begins ba7816bf.
	sum := sha256.Sum256([]byte("sk-ant-api03-test"))
	cases := []struct {
		name, secret, want string
	}{
		{"abc", "abc", "ba7816bf"},
		{"probe key", "sk-ant-api03-test", hex.EncodeToString(sum[:])[:8]},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := Fingerprint(c.secret); got != c.want {
				t.Errorf("Fingerprint(%q) = %q; want %q", c.secret, got, c.want)
			}
		})
	}
	if a, b := Fingerprint(realKey), Fingerprint(realKey+"x"); a == b {
		t.Errorf("Fingerprint gives %q for two different keys", a)
	}
	if got := NewKey(realKey, "test", provider.APIKey).Fingerprint(); got != Fingerprint(realKey) || len(got) != 8 {
		t.Errorf("Key.Fingerprint() = %q; want %q", got, Fingerprint(realKey))
	}
}

func TestLoadKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string, perm os.FileMode) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, perm); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fileKey := "sk-ant-api03-FILE" + strings.Repeat("f", 40)
	stdinKey := "sk-ant-api03-STDIN" + strings.Repeat("s", 40)
	envKey := "sk-ant-api03-ENV" + strings.Repeat("e", 40)
	tokenKey := "sk-ant-oat01-TOKEN" + strings.Repeat("t", 40)
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	all := env("ANTHROPIC_API_KEY", envKey, "ANTHROPIC_AUTH_TOKEN", tokenKey)
	keyFile := write("key", fileKey+"\n", 0o600)

	cases := []struct {
		name       string
		src        KeySources
		secret     string // the key expected, or "" for an error
		source     string
		kind       provider.KeyKind
		warnings   []string // a part of each warning, in order
		err        string   // a part of the error
		errIs      error
		mustNotSee []string // secrets that no message may contain
	}{
		{name: "stdin wins over everything",
			src:    KeySources{Getenv: all, File: keyFile, UseStdin: true, Stdin: strings.NewReader(stdinKey)},
			secret: stdinKey, source: "stdin", kind: provider.APIKey},
		{name: "file wins over the environment",
			src:    KeySources{Getenv: all, File: keyFile},
			secret: fileKey, source: "--key-file", kind: provider.APIKey}, // one final newline is normal in a file
		{name: "ANTHROPIC_API_KEY wins over ANTHROPIC_AUTH_TOKEN",
			src:    KeySources{Getenv: all},
			secret: envKey, source: "ANTHROPIC_API_KEY", kind: provider.APIKey},
		{name: "ANTHROPIC_AUTH_TOKEN alone is a bearer token",
			src:    KeySources{Getenv: env("ANTHROPIC_AUTH_TOKEN", tokenKey)},
			secret: tokenKey, source: "ANTHROPIC_AUTH_TOKEN", kind: provider.AuthToken},
		{name: "stdin ignored unless asked for",
			src:    KeySources{Getenv: env("ANTHROPIC_API_KEY", envKey), Stdin: strings.NewReader(stdinKey)},
			secret: envKey, source: "ANTHROPIC_API_KEY", kind: provider.APIKey},
		{name: "whitespace trimmed with a warning",
			src:    KeySources{Getenv: env("ANTHROPIC_API_KEY", "  "+envKey+"\r\n")},
			secret: envKey, source: "ANTHROPIC_API_KEY", kind: provider.APIKey,
			warnings: []string{"ANTHROPIC_API_KEY had surrounding whitespace"}},
		{name: "oauth token from stdin is a bearer token",
			src:    KeySources{UseStdin: true, Stdin: strings.NewReader(tokenKey + "\n")},
			secret: tokenKey, source: "stdin", kind: provider.AuthToken},
		{name: "stray spaces in a key file are reported",
			src:    KeySources{File: write("spaced", " "+fileKey+" \n", 0o600)},
			secret: fileKey, source: "--key-file", kind: provider.APIKey, warnings: []string{"trimmed"}},
		{name: "oauth token from a file is a bearer token",
			src:    KeySources{File: write("oat", tokenKey, 0o600)},
			secret: tokenKey, source: "--key-file", kind: provider.AuthToken},
		{name: "oauth token in ANTHROPIC_API_KEY is sent as the user set it",
			src:    KeySources{Getenv: env("ANTHROPIC_API_KEY", tokenKey)},
			secret: tokenKey, source: "ANTHROPIC_API_KEY", kind: provider.APIKey},
		{name: "group-readable file warns",
			src:    KeySources{File: write("shared", fileKey, 0o640)},
			secret: fileKey, source: "--key-file", kind: provider.APIKey,
			warnings: []string{"readable by others (mode 0640)"}},
		{name: "world-readable file warns",
			src:    KeySources{File: write("world", fileKey, 0o604)},
			secret: fileKey, source: "--key-file", kind: provider.APIKey,
			warnings: []string{"readable by others (mode 0604)"}},
		{name: "multi-line key in a file",
			src: KeySources{File: write("lines", fileKey+"\n"+envKey+"\n", 0o600)},
			err: "spans several lines", mustNotSee: []string{fileKey, envKey}},
		{name: "multi-line key on stdin",
			src: KeySources{UseStdin: true, Stdin: strings.NewReader(stdinKey + "\r\nsecond")},
			err: "spans several lines", mustNotSee: []string{stdinKey}},
		{name: "NUL inside the key",
			src: KeySources{Getenv: env("ANTHROPIC_API_KEY", envKey[:20]+"\x00"+envKey[20:])},
			err: "spans several lines"},
		{name: "directory as key file",
			src: KeySources{File: dir},
			err: "is a directory"},
		{name: "missing key file",
			src: KeySources{File: filepath.Join(dir, "nope")},
			err: "nope: no such file or directory"},
		{name: "empty key file",
			src: KeySources{File: write("empty", " \n", 0o600)},
			err: "is empty"},
		{name: "stdin asked for but absent",
			src: KeySources{UseStdin: true},
			err: "--key-stdin"},
		{name: "no key anywhere",
			src:   KeySources{Getenv: env()},
			errIs: errNoKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, warnings, err := LoadKey(c.src)
			for _, w := range warnings {
				for _, s := range append([]string{c.secret, fileKey, stdinKey, envKey, tokenKey}, c.mustNotSee...) {
					if s != "" {
						assertNoLeak(t, "warning", w, s, 8)
					}
				}
			}
			if err != nil {
				for _, s := range append([]string{fileKey, stdinKey, envKey, tokenKey}, c.mustNotSee...) {
					assertNoLeak(t, "error", err.Error(), s, 8)
				}
			}
			if c.secret == "" {
				if err == nil {
					t.Fatalf("LoadKey() = %v, nil; want an error", k)
				}
				if c.err != "" && !strings.Contains(err.Error(), c.err) {
					t.Errorf("LoadKey() error = %q; want it to contain %q", err, c.err)
				}
				if c.errIs != nil && !errors.Is(err, c.errIs) {
					t.Errorf("LoadKey() error = %v; want %v", err, c.errIs)
				}
				if !k.IsZero() {
					t.Errorf("LoadKey() returned key %v with error %v", k, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadKey() error = %v", err)
			}
			if k.Secret() != c.secret || k.Source != c.source || k.Kind != c.kind {
				t.Errorf("LoadKey() = %v from %q as %v; want %v from %q as %v", k, k.Source, k.Kind, Redact(c.secret), c.source, c.kind)
			}
			if len(warnings) != len(c.warnings) {
				t.Fatalf("LoadKey() warnings = %q; want %d containing %q", warnings, len(c.warnings), c.warnings)
			}
			for i, w := range c.warnings {
				if !strings.Contains(warnings[i], w) {
					t.Errorf("warning %d = %q; want it to contain %q", i, warnings[i], w)
				}
			}
		})
	}
}

func TestKeyIsZero(t *testing.T) {
	t.Parallel()
	if !(Key{}).IsZero() || NewKey("k", "", provider.APIKey).IsZero() {
		t.Error("IsZero is wrong")
	}
}
