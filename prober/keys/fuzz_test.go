package keys

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzRedact: the redacted form never shows a 12-character window of the
// secret past its public prefix, and is printable. Windows are counted in
// characters, as Redact counts what it shows: four characters of a
// multi-byte secret are more than 12 bytes.
func FuzzRedact(f *testing.F) {
	f.Add("sk-ant-api03-" + strings.Repeat("A1b2", 24))
	f.Add("sk-ant-oat01-short")
	f.Add("\x1b[31mkey\n")
	f.Fuzz(func(t *testing.T, secret string) {
		r := Redact(secret)
		for _, c := range r {
			if !unicode.IsPrint(c) {
				t.Fatalf("Redact(%q) = %q keeps %U", secret, r, c)
			}
		}
		rest, shown := secret, r
		for _, p := range knownPrefixes {
			if strings.HasPrefix(secret, p) {
				rest, shown = secret[len(p):], r[len(p):]
				break
			}
		}
		runes := []rune(rest)
		for i := 0; i+12 <= len(runes); i++ {
			if w := string(runes[i : i+12]); strings.Contains(shown, w) {
				t.Fatalf("Redact(%q) = %q shows %q", secret, r, w)
			}
		}
	})
}
