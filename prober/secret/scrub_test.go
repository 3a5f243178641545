package secret

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// testKey is a made-up key in Anthropic's shape; nothing accepts it.
const testKey = "sk-ant-api03-Zq7vK2pLmN8xR4tY6wB1cD3eF5gH9jKl0MnOpQrStUv-TESTONLY"

func TestScrub(t *testing.T) {
	t.Parallel()
	slashy := "tok/en+with=odd&chars_0123456789"
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"no secrets", nil, "key " + testKey, "key " + testKey},
		{"whole key in a message", []string{testKey}, "key " + testKey + " is not valid here", "key [redacted] is not valid here"},
		{"slice of eight", []string{testKey}, "id req_" + testKey[20:28] + "!", "id req_[redacted]!"},
		{"slice of seven stays", []string{testKey}, "id req_" + testKey[20:27] + "!", "id req_" + testKey[20:27] + "!"},
		{"long echo is one marker", []string{testKey}, "a " + testKey + testKey[5:40] + " b", "a [redacted] b"},
		{"two echoes two markers", []string{testKey}, testKey[:10] + " and " + testKey[30:], "[redacted] and [redacted]"},
		{"two secrets", []string{testKey, "AKIAZZZZEXAMPLE00001"}, "<title>" + testKey + "/AKIAZZZZEXAMPLE00001</title>", "<title>[redacted]/[redacted]</title>"},
		{"query-escaped", []string{slashy}, "?key=" + url.QueryEscape(slashy), "?key=[redacted]"},
		{"path-escaped", []string{slashy}, "/v1/" + url.PathEscape(slashy), "/v1/[redacted]"},
		{"json-escaped", []string{"ab\"cd<ef>gh\\ij"}, `{"m":"` + jsonString("ab\"cd<ef>gh\\ij") + `"}`, `{"m":"[redacted]"}`},
		{"slash-escaped", []string{"abcd/efgh/ijkl"}, `"abcd\/efgh\/ijkl"`, `"[redacted]"`},
		{"padded secret", []string{"  abcdefghij  "}, "x abcdefghij y", "x[redacted]y"},
		{"case-sensitive", []string{"lowercase-secret"}, "LOWERCASE-SECRET", "LOWERCASE-SECRET"},
		{"short secret whole", []string{"pw12"}, "user pw12 ok", "user [redacted] ok"},
		{"short secret slice stays", []string{"pw12"}, "user pw1 ok", "user pw1 ok"},
		{"short secret overlapping", []string{"aaa"}, "xaaaay", "x[redacted]y"},
		{"whole text", []string{testKey}, testKey, "[redacted]"},
		{"text shorter than a slice", []string{testKey}, "sk-ant", "sk-ant"},
		{"empty secret ignored", []string{""}, "anything", "anything"},
		{"secret with the marker word", []string{"xxredactedxx"}, "say redacted", "say [hidden]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := New(tt.secrets...).Scrub(tt.in); got != tt.want {
				t.Errorf("Scrub(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func TestScrubZeroAndNil(t *testing.T) {
	t.Parallel()
	var zero Scrubber
	var nilS *Scrubber
	for _, in := range []string{"", testKey, "\xff\xfe"} {
		if got := zero.Scrub(in); got != in {
			t.Errorf("Scrubber{}.Scrub(%q) = %q; want it unchanged", in, got)
		}
		if got := nilS.Scrub(in); got != in {
			t.Errorf("(*Scrubber)(nil).Scrub(%q) = %q; want it unchanged", in, got)
		}
	}
}

func TestScrubUTF8(t *testing.T) {
	t.Parallel()
	sec := "ключ-секрет-пароль" // Cyrillic: two bytes a letter
	tests := []struct {
		name string
		in   string
	}{
		{"slice from the middle of a letter", "«" + sec[3:15] + "»"},
		{"slice ending inside a letter", "é" + sec[:11] + "ж"},
		{"whole", "x" + sec + "y"},
	}
	s := New(sec)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := s.Scrub(tt.in)
			if !utf8.ValidString(got) {
				t.Fatalf("Scrub(%q) = %q; not valid UTF-8", tt.in, got)
			}
			assertNoSlice(t, got, sec)
			if !strings.Contains(got, Marker) {
				t.Errorf("Scrub(%q) = %q; want a marker", tt.in, got)
			}
		})
	}
}

func TestScrubInvalidUTF8(t *testing.T) {
	t.Parallel()
	sec := "\x80\x80\x80\x80secret-value\xff"
	s := New(sec)
	for _, in := range []string{sec, "\x80\x80" + sec[2:12], "\xc3" + sec + "\xa9"} {
		got := s.Scrub(in)
		assertNoSlice(t, got, sec)
	}
}

// assertNoSlice fails when out holds sec (when short) or any MinSlice-byte
// slice of it.
func assertNoSlice(t *testing.T, out, sec string) {
	t.Helper()
	if len(sec) < MinSlice {
		if sec != "" && strings.Contains(out, sec) {
			t.Fatalf("output %q holds the secret %q", out, sec)
		}
		return
	}
	for i := 0; i+MinSlice <= len(sec); i++ {
		if strings.Contains(out, sec[i:i+MinSlice]) {
			t.Fatalf("output %q holds %q, a slice of the secret", out, sec[i:i+MinSlice])
		}
	}
}

func TestScrubMarkerNeverRebuildsASecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		secrets []string
	}{
		{"contains redacted", []string{"abredactedcd"}},
		{"contains brackets", []string{"[[[[]]]]secret"}},
		{"short letter", []string{"a"}},
		{"all markers' edges", []string{"[<{«█▒¤»}>]redactedhidden", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New(tt.secrets...)
			in := "pre " + strings.Join(tt.secrets, " mid ") + " post " + tt.secrets[0][1:]
			got := s.Scrub(in)
			for _, sec := range tt.secrets {
				assertNoSlice(t, got, sec)
			}
		})
	}
}

func TestScrubConcurrent(t *testing.T) {
	t.Parallel()
	s := New(testKey, "AKIAZZZZEXAMPLE00001", "pw12")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				in := fmt.Sprintf("%d/%d %s pw12", g, i, testKey[i%40:])
				assertNoSlice(t, s.Scrub(in), testKey)
			}
		}()
	}
	wg.Wait()
}

// benchMessage is a 2 KB gateway answer with no secret in it, the common case.
func benchMessage() string {
	var b strings.Builder
	for b.Len() < 2048 {
		b.WriteString(`{"type":"error","error":{"type":"permission_error","message":"Your organization does not have access to this model; request_id req_011CS3xYz"}} `)
	}
	return b.String()[:2048]
}

func benchScrubber() *Scrubber {
	return New(testKey, "sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678",
		"AKIAZZZZEXAMPLE00001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "hunter2")
}

func BenchmarkScrub(b *testing.B) {
	s := benchScrubber()
	clean := benchMessage()
	echo := clean[:1000] + testKey + clean[1000+len(testKey):]
	for _, bc := range []struct{ name, in string }{{"clean", clean}, {"echo", echo}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				_ = s.Scrub(bc.in)
			}
		})
	}
}
