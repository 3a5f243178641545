package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
)

// envelope returns the API's error envelope as JSON.
func envelope(errType, message, requestID string) []byte {
	var e struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
		RequestID string `json:"request_id"`
	}
	e.Type, e.Error.Type, e.Error.Message, e.RequestID = "error", errType, message, requestID
	b, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	return b
}

const testModel = "claude-sonnet-4-5"

// containsPart reports whether any line contains part.
func containsPart(lines []string, part string) bool { return findPart(lines, part) != "" }

// findPart returns the first line containing part, or "".
func findPart(lines []string, part string) string {
	for _, l := range lines {
		if strings.Contains(l, part) {
			return l
		}
	}
	return ""
}

// secretPart returns what of secret lies past its public prefix: the part
// no output may show. The engine's tests only use realKey's kind of key.
func secretPart(secret string) string { return strings.TrimPrefix(secret, "sk-ant-api03-") }

// realKey is shaped like a Console API key (sk-ant-api03- and 95 more
// characters); it is made up and unusable.
const realKey = "sk-ant-api03-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ-_0123456789AbCdEfGhIjKlMnOpxyz9AA"

// failingWriter accepts ok writes, then fails every one.
type failingWriter struct {
	mu sync.Mutex
	ok int
}

// readRun reads a run file from b and returns what it held.
func readRun(b []byte) (*runfile.File, []*runfile.Record, error) {
	var recs []*runfile.Record
	rf, err := runfile.Read(bytes.NewReader(b), func(r *runfile.Record) error {
		recs = append(recs, r)
		return nil
	})
	return rf, recs, err
}

// writeRun writes a whole run with a RunWriter and returns the file's bytes.
func writeRun(t *testing.T, h runfile.Header, recs []*runfile.Record, f *runfile.Footer) []byte {
	t.Helper()
	var buf bytes.Buffer
	rw := runfile.NewWriter(&buf)
	if err := rw.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := rw.WriteRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	if f != nil {
		if err := rw.WriteFooter(*f); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mustBase parses a base URL the test knows to be good.
func mustBase(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := target.ParseBaseURL(raw)
	if err != nil {
		t.Fatalf("target.ParseBaseURL(%q): %v", raw, err)
	}
	return u
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

func (w *failingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ok == 0 {
		return 0, errors.New("disk full")
	}
	w.ok--
	return len(p), nil
}

// hdr builds an http.Header from name, value pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}
