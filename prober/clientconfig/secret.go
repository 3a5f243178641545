package clientconfig

import (
	"net/url"
	"strings"

	"github.com/llm-probe/probe/prober/keys"
)

// secretBox holds a raw secret. Config keeps it behind a pointer because fmt
// prints unexported fields raw (it cannot call their String methods); a
// pointer inside a struct prints as an address, never the secret.
type secretBox struct{ v string }

// fingerprint is keys.Fingerprint, so a key found in a settings file and
// the same key probed by `probe check` show the same fingerprint.
func fingerprint(secret string) string { return keys.Fingerprint(secret) }

// last4 shows the tail of a secret only when the secret is long enough that
// four characters give nothing useful away.
func last4(secret string) string {
	if len(secret) < 20 {
		return ""
	}
	return secret[len(secret)-4:]
}

// redact is the one printable form of a secret.
func redact(secret string) string {
	if secret == "" {
		return ""
	}
	if t := last4(secret); t != "" {
		return "[redacted …" + t + " fp:" + fingerprint(secret) + "]"
	}
	return "[redacted fp:" + fingerprint(secret) + "]"
}

// secretWords mark a variable or header name whose value is a secret.
var secretWords = []string{"KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "AUTH", "CREDENTIAL", "COOKIE", "SESSION", "SIGNATURE"}

// isSecretName says whether a variable or header name looks like it holds a
// secret (ANTHROPIC_API_KEY, Authorization, X-Gateway-Token, ...).
func isSecretName(name string) bool {
	up := strings.ToUpper(name)
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return true
		}
	}
	return false
}

// looksLikeKey catches a key under an innocent name.
func looksLikeKey(v string) bool {
	return strings.HasPrefix(strings.TrimSpace(v), "sk-")
}

// display is the printable form of a variable's value: secrets redacted,
// URL userinfo removed, custom headers reduced to their names.
func display(name, value string) string {
	switch {
	case name == "ANTHROPIC_CUSTOM_HEADERS":
		return describeHeaders(parseHeaders(value))
	case isSecretName(name) || looksLikeKey(value):
		return redact(value)
	case strings.Contains(value, "://") || strings.Contains(value, "@"):
		return redactURL(value)
	}
	return value
}

// redactURL drops userinfo, which may be a password or a token used as a
// user name. A value that does not parse but holds an "@" is redacted whole.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") {
			return redact(raw)
		}
		return raw
	}
	if u.User == nil {
		return raw
	}
	u.User = url.User("redacted")
	return u.String()
}

// knownPrefixes are the public parts of Anthropic credentials: they say
// what kind of credential it is and carry no secret.
var knownPrefixes = []struct{ prefix, format string }{
	{"sk-ant-api", "api key (sk-ant-api…)"},
	{"sk-ant-oat", "subscription OAuth token (sk-ant-oat…)"},
	{"sk-ant-admin", "admin key (sk-ant-admin…)"},
	{"sk-ant-ort", "OAuth refresh token (sk-ant-ort…)"},
}

// format names a credential's kind by its prefix.
func format(secret string) string {
	for _, p := range knownPrefixes {
		if strings.HasPrefix(secret, p.prefix) {
			return p.format
		}
	}
	if secret == "" {
		return ""
	}
	return "unrecognised format"
}

// scrubCommand redacts every word of a shell command that looks like a key.
func scrubCommand(cmd string) string {
	words := strings.Fields(cmd)
	for i, w := range words {
		if bare := strings.Trim(w, `"'`); looksLikeKey(bare) {
			words[i] = redact(bare)
		}
	}
	return strings.Join(words, " ")
}
