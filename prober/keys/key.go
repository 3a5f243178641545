package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"unicode"

	"github.com/llm-probe/probe/prober/provider"
)

// knownPrefixes are the public parts of Anthropic credentials. They say what
// kind of key it is and carry no secret, so redaction keeps them visible.
var knownPrefixes = []string{
	"sk-ant-api03-",
	"sk-ant-admin01-",
	"sk-ant-oat01-",
	"sk-ant-ort01-",
	"sk-ant-",
	"sk-proj-",
	"sk-",
}

// Key is a credential. Its secret is unexported and every way of printing a
// Key (String, GoString, JSON, text) yields only the redacted form, so a Key
// passed to a logger or a format verb by mistake cannot leak.
type Key struct {
	// secret sits behind a pointer because fmt cannot call String on a Key
	// it reaches through an unexported field (say, a struct holding a
	// Target); it then prints the fields raw, and a pointer prints as an
	// address, not the key.
	secret *string
	// Source says where the key came from, e.g. "ANTHROPIC_API_KEY" or "--key-file".
	Source string
	// Kind says which header carries it.
	Kind provider.KeyKind
}

// NewKey wraps a secret read from source.
func NewKey(secret, source string, kind provider.KeyKind) Key {
	return Key{secret: &secret, Source: source, Kind: kind}
}

// IsZero reports whether no key is set.
func (k Key) IsZero() bool { return k.Secret() == "" }

// Redacted returns the key with all but its public prefix and a few characters hidden.
func (k Key) Redacted() string { return Redact(k.Secret()) }

// Fingerprint returns a short, stable identifier of the key that reveals nothing of it.
func (k Key) Fingerprint() string { return Fingerprint(k.Secret()) }

// String returns the redacted key.
func (k Key) String() string { return k.Redacted() }

// GoString returns the redacted key, so %#v is safe too.
func (k Key) GoString() string { return "prober.Key(" + k.Redacted() + ")" }

// MarshalText returns the redacted key, so encoders never see the secret.
func (k Key) MarshalText() ([]byte, error) { return []byte(k.Redacted()), nil }

// Secret returns the raw key. Only request building and local key checks may call it.
func (k Key) Secret() string {
	if k.secret == nil {
		return ""
	}
	return *k.secret
}

// Apply sets the authentication header of req.
func (k Key) Apply(req *http.Request) {
	secret := k.Secret()
	if secret == "" {
		return
	}
	if k.Kind == provider.AuthToken {
		req.Header.Set("Authorization", "Bearer "+secret)
		return
	}
	req.Header.Set("X-Api-Key", secret)
}

// Redact hides a secret for display: the public prefix, two characters, an
// ellipsis and the last four, as in "sk-ant-api03-Ab…xyz9". Short secrets
// show no characters at all, because a few characters of a short secret are a
// large share of it.
func Redact(secret string) string {
	if secret == "" {
		return "(none)"
	}
	prefix := ""
	for _, p := range knownPrefixes {
		if strings.HasPrefix(secret, p) {
			prefix = p
			break
		}
	}
	rest := []rune(secret[len(prefix):])
	if len(rest) < 16 {
		return prefix + "…"
	}
	return prefix + printable(rest[:2]) + "…" + printable(rest[len(rest)-4:])
}

// printable replaces characters a terminal could act on, since a pasted key
// may carry a stray newline or escape.
func printable(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		if !unicode.IsPrint(r) {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Fingerprint returns the first 8 hex digits of the SHA-256 of secret, enough
// to tell two keys apart in a support ticket without revealing either.
func Fingerprint(secret string) string {
	if secret == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:4])
}
