package scenarios

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// loadRealAnswers returns every fixture or stops the test.
func loadRealAnswers(t *testing.T) []RealAnswer {
	t.Helper()
	answers, err := RealAnswers()
	if err != nil {
		t.Fatalf("RealAnswers() error: %v", err)
	}
	return answers
}

func TestRealAnswersLoad(t *testing.T) {
	t.Parallel()
	answers := loadRealAnswers(t)
	entries, err := realAnswerFiles.ReadDir(realAnswerDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != len(entries) {
		t.Fatalf("RealAnswers() returned %d answers; want one per file, %d", len(answers), len(entries))
	}
	fileName := regexp.MustCompile(`^\d{3}-[a-z0-9]+(-[a-z0-9]+)*\.json$`)
	var synthetic int
	for i, a := range answers {
		if i > 0 && answers[i-1].Name >= a.Name {
			t.Errorf("RealAnswers() not sorted by unique name: %q before %q", answers[i-1].Name, a.Name)
		}
		if !fileName.MatchString(a.File) {
			t.Errorf("%s: file name is not NNN-short-name.json", a.File)
		}
		if a.Synthetic {
			synthetic++
			if a.Source != "synthetic" {
				t.Errorf("%s: synthetic answer with source %q; want \"synthetic\"", a.File, a.Source)
			}
		}
	}
	if synthetic < 10 || len(answers)-synthetic < 60 {
		t.Errorf("%d real and %d synthetic answers; want every row of REAL-ANSWERS.md and at least 10 synthetic",
			len(answers)-synthetic, synthetic)
	}
}

// bodyRequestID finds the API's request id in an error body.
var bodyRequestID = regexp.MustCompile(`"request_id":"(req_[^"]+)"`)

// TestRealAnswersShapes checks the marks each producer must carry, so that
// the fixtures teach principle 1 (who answered comes first) and not a lie.
func TestRealAnswersShapes(t *testing.T) {
	t.Parallel()
	for _, a := range loadRealAnswers(t) {
		t.Run(a.Name, func(t *testing.T) {
			t.Parallel()
			hasReqID := strings.HasPrefix(a.Header("request-id"), "req_")
			switch a.Expect.Producer {
			case "api":
				if a.Provider == "anthropic" && (!hasReqID || a.Header("via") != "1.1 google") {
					t.Errorf("API answer without request-id req_… and via: 1.1 google: %v", a.Headers)
				}
			case "edge":
				if hasReqID || a.Header("server") != "cloudflare" || a.Header("cf-ray") == "" {
					t.Errorf("edge answer must carry server: cloudflare and cf-ray, no request-id: %v", a.Headers)
				}
			case "cloud":
				if a.Provider == "bedrock" && (a.Header("x-amzn-RequestId") == "" || a.Header("x-amzn-ErrorType") == "") {
					t.Errorf("Bedrock answer without x-amzn-RequestId and x-amzn-ErrorType: %v", a.Headers)
				}
			default:
				if hasReqID {
					t.Errorf("producer %s with the API's request-id: an answer with it came from the API", a.Expect.Producer)
				}
			}
			// The API repeats its request id in the body; a mismatch would
			// be a fixture that two producers wrote.
			if m := bodyRequestID.FindStringSubmatch(a.Body); m != nil && hasReqID && m[1] != a.Header("request-id") {
				t.Errorf("body request_id %s differs from header request-id %s", m[1], a.Header("request-id"))
			}
			if a.Stream && !strings.Contains(a.Body, "event: ") {
				t.Errorf("stream answer without an SSE event: %q", a.Body)
			}
		})
	}
}

func TestRealAnswersServe(t *testing.T) {
	t.Parallel()
	// Compression is off so that the test sees the encoded body and the
	// content-encoding header exactly as a client on the wire would.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 5 * time.Second}
	for _, a := range loadRealAnswers(t) {
		t.Run(a.Name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(a)
			defer srv.Close()
			resp, err := get(t, client, srv.URL)
			if a.Status == 0 {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("GET = %s; want a dropped connection for %q", resp.Status, a.TransportError)
				}
				return
			}
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != a.Status {
				t.Errorf("status = %d; want %d", resp.StatusCode, a.Status)
			}
			for k, v := range a.Headers {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q; want %q", k, got, v)
				}
			}
			if got := readBody(t, resp, a.Gzipped()); got != a.Body {
				t.Errorf("body = %q; want %q", got, a.Body)
			}
		})
	}
}

// get fetches url with a deadline, so a fixture that hangs fails the test.
func get(t *testing.T, client *http.Client, url string) (*http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	return client.Do(req)
}

// readBody returns the response body, decoded when it was gzip-encoded.
func readBody(t *testing.T, resp *http.Response, gzipped bool) string {
	t.Helper()
	var r io.Reader = resp.Body
	if gzipped {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("body is not gzip: %v", err)
		}
		defer zr.Close()
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return string(b)
}

func TestRealAnswerServeWithoutHijack(t *testing.T) {
	t.Parallel()
	a := RealAnswer{Name: "tls", Status: 0, TransportError: "x509: certificate signed by unknown authority"}
	if err := a.Serve(httptest.NewRecorder()); err == nil {
		t.Error("Serve(recorder) of a status-0 answer = nil; want an error (a recorder cannot drop a connection)")
	}
}

func TestRealAnswerCheck(t *testing.T) {
	t.Parallel()
	good := RealAnswer{Name: "x", File: "001-x.json", Provider: "anthropic", Source: "synthetic", Cause: "c",
		Status: 403, Expect: RealAnswerExpectation{Layer: "1", Signature: "auth_failure", Producer: "api"}}
	tests := []struct {
		name   string
		change func(*RealAnswer)
		ok     bool
	}{
		{"good", func(*RealAnswer) {}, true},
		{"name differs from file", func(a *RealAnswer) { a.Name = "y" }, false},
		{"no source", func(a *RealAnswer) { a.Source = "" }, false},
		{"status 0 without transport error", func(a *RealAnswer) { a.Status = 0 }, false},
		{"status out of range", func(a *RealAnswer) { a.Status = 999 }, false},
		{"reconstructed without note", func(a *RealAnswer) { a.Reconstructed = true }, false},
		{"unknown provider", func(a *RealAnswer) { a.Provider = "acme" }, false},
		{"unknown layer", func(a *RealAnswer) { a.Expect.Layer = "6" }, false},
		{"unknown signature", func(a *RealAnswer) { a.Expect.Signature = "forbidden" }, false},
		{"unknown producer", func(a *RealAnswer) { a.Expect.Producer = "cdn" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := good
			tt.change(&a)
			if err := a.check(); (err == nil) != tt.ok {
				t.Errorf("check() = %v; want ok %v", err, tt.ok)
			}
		})
	}
}
