package target

import (
	"strings"
	"testing"
)

// realKey is shaped like a Console API key (sk-ant-api03- and 95 more
// characters); it is made up and unusable.
const realKey = "sk-ant-api03-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ-_0123456789AbCdEfGhIjKlMnOpxyz9AA"

// oatToken is shaped like a Claude Code OAuth token; made up as well.
const oatToken = "sk-ant-oat01-Zq8wErTyUiOpAsDfGhJkLzXcVbNm1234567890QwErTyUiOpAsDfGhJkLzXcVbNm-AbCdEfGhIjKlMnOpQrSt-abcdAA"

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

// secretPart returns what of secret lies past its public prefix: the part
// no output may show. The engine's tests only use realKey's kind of key.
func secretPart(secret string) string { return strings.TrimPrefix(secret, "sk-ant-api03-") }
