package secret

import (
	"math"
	"strings"
)

// secretWords mark a header whose value is a credential. Substrings, so
// that "x-api-key", "proxy-authorization" and "x-amz-security-token" match
// without a list of every gateway's spelling.
var secretWords = []string{
	"auth", "key", "token", "secret", "cookie", "password", "passwd",
	"credential", "bearer", "session", "signature",
}

// LooksSecretName reports whether a header with this name carries a
// credential: authorization, proxy-authorization, x-api-key, api-key and any
// name containing key, token, secret, cookie, password, passwd, credential,
// bearer, session, signature or auth, in any case.
func LooksSecretName(headerName string) bool {
	name := strings.ToLower(headerName)
	for _, w := range secretWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// authSchemes start values that carry a credential whatever the header.
var authSchemes = []string{"bearer ", "basic ", "token ", "digest "}

// LooksSecretValue reports whether v looks like a credential whatever the
// header it is in: an "sk-" key, a "Bearer", "Basic", "Token" or "Digest"
// credential, an AWS access key id (AKIA or ASIA), a JWT, or a long
// high-entropy base64 or hex string. It errs towards yes: hiding a harmless
// value locally costs little, showing a key costs a key.
func LooksSecretValue(v string) bool {
	v = strings.TrimSpace(v)
	lower := strings.ToLower(v)
	for _, p := range authSchemes {
		if strings.HasPrefix(lower, p) && strings.TrimSpace(v[len(p):]) != "" {
			return true
		}
	}
	switch {
	case strings.HasPrefix(v, "sk-") && len(v) > len("sk-"):
		return true
	case awsKeyID(v):
		return true
	case strings.HasPrefix(v, "eyJ") && len(v) >= 16 && allIn(v, func(c byte) bool { return c == '.' || isKeyByte(c) }):
		return true
	}
	return len(v) >= 24 && allIn(v, isKeyByte) && mixed(v) && entropy(v) >= 3
}

// awsKeyID matches AWS access key ids: long-term (AKIA) and temporary (ASIA).
func awsKeyID(v string) bool {
	if len(v) != 20 || (!strings.HasPrefix(v, "AKIA") && !strings.HasPrefix(v, "ASIA")) {
		return false
	}
	return allIn(v, func(c byte) bool { return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' })
}

func allIn(v string, ok func(byte) bool) bool {
	for i := 0; i < len(v); i++ {
		if !ok(v[i]) {
			return false
		}
	}
	return true
}

// isKeyByte accepts the digits of base64, base64url and hex.
func isKeyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '+' || c == '/' || c == '='
}

// mixed reports whether v has digits and letters, as random keys of this
// length almost always do and long words or header tokens do not.
func mixed(v string) bool {
	var letter, digit bool
	for i := 0; i < len(v); i++ {
		c := v[i]
		letter = letter || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		digit = digit || '0' <= c && c <= '9'
	}
	return letter && digit
}

// entropy is the Shannon entropy of v in bits per byte; random hex has
// about 4, random base64 about 5, "aaaa…1" close to 0.
func entropy(v string) float64 {
	var counts [256]int
	for i := 0; i < len(v); i++ {
		counts[v[i]]++
	}
	e := 0.0
	for _, n := range counts {
		if n > 0 {
			p := float64(n) / float64(len(v))
			e -= p * math.Log2(p)
		}
	}
	return e
}
