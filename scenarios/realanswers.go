package scenarios

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
)

// The fixtures are embedded so that tests, --scenario and probe serve read
// the same bytes wherever the binary runs.
//
//go:embed testdata/realanswers/*.json
var realAnswerFiles embed.FS

// realAnswerDir is where the fixtures live inside realAnswerFiles.
const realAnswerDir = "testdata/realanswers"

// RealAnswer is one answer an LLM API (or something in front of it) really
// sent, as REAL-ANSWERS.md records it, or a synthetic answer built on the
// same principles. Each is a fixture file in testdata/realanswers, named
// NNN-Name.json; the files are the only copy of the data.
type RealAnswer struct {
	// Name is the fixture's short kebab-case name, unique, e.g.
	// "anthropic-edge-forbidden".
	Name string `json:"name"`
	// Provider is the API the client was talking to: anthropic, openai,
	// azure, bedrock, vertex, foundry, or gateway for the in-between rows.
	Provider string `json:"provider"`
	// Source is where the answer was seen, e.g. "anthropics/claude-code#19028",
	// or "synthetic".
	Source string `json:"source"`
	// Cause is the cause the thread settled on, in one line.
	Cause string `json:"cause"`
	// Status is the HTTP status, or 0 when no HTTP answer came at all (see
	// TransportError).
	Status int `json:"status"`
	// TransportError describes the failure when Status is 0, e.g. a TLS
	// error from an intercepting proxy.
	TransportError string `json:"transport_error,omitempty"`
	// Headers are the answer's headers, one value each, in the case the
	// file gives (HTTP header names are case-insensitive).
	Headers map[string]string `json:"headers"`
	// Body is the answer's body before any content encoding.
	Body string `json:"body"`
	// Stream marks a server-sent-events body.
	Stream bool `json:"stream,omitempty"`
	// Reconstructed marks a body built in the provider's documented
	// envelope because the source gave only a message or a UI rendering.
	Reconstructed bool `json:"reconstructed,omitempty"`
	// Synthetic marks an answer that is not in REAL-ANSWERS.md: a realistic
	// shape of its principles, kept apart to test generalisation.
	Synthetic bool `json:"synthetic,omitempty"`
	// Note explains a judgement call: an unknown status, a reconstruction,
	// a signature chosen because none fits exactly.
	Note string `json:"note,omitempty"`
	// Expect is what probe should conclude from five identical copies.
	Expect RealAnswerExpectation `json:"expect"`
	// File is the fixture's file name, for messages.
	File string `json:"-"`
}

// RealAnswerExpectation is the diagnosis a fixture asks for.
type RealAnswerExpectation struct {
	// Layer is REAL-ANSWERS.md's layer: "1" to "5", "Q4", or one of
	// billing, rate_limit, service, request_size, client, in_between.
	Layer string `json:"layer"`
	// Signature is the verdict signature of DESIGN.md that five identical
	// copies of the answer should produce.
	Signature string `json:"signature"`
	// Producer is who answered: api, edge, gateway, proxy, cloud or unknown.
	Producer string `json:"producer"`
}

// The vocabularies a fixture may use; a value outside them is a typo.
var (
	realAnswerProviders  = []string{"anthropic", "openai", "azure", "bedrock", "vertex", "foundry", "gateway"}
	realAnswerLayers     = []string{"1", "2", "3", "4", "5", "Q4", "billing", "rate_limit", "service", "request_size", "client", "in_between"}
	realAnswerProducers  = []string{"api", "edge", "gateway", "proxy", "cloud", "unknown"}
	realAnswerSignatures = []string{"healthy", "auth_failure", "proxy_interference", "workspace_denied", "region_blocked",
		"model_not_enabled", "intermittent_403", "account_flagged", "billing_issue", "rate_limited", "overloaded",
		"network_error", "inconclusive"}
)

// RealAnswers reads every embedded fixture, checks it, and returns them
// sorted by name. An error names the file at fault.
func RealAnswers() ([]RealAnswer, error) {
	entries, err := realAnswerFiles.ReadDir(realAnswerDir)
	if err != nil {
		return nil, fmt.Errorf("real answers: %w", err)
	}
	answers := make([]RealAnswer, 0, len(entries))
	seen := make(map[string]string, len(entries))
	for _, e := range entries {
		a, err := readRealAnswer(e.Name())
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[a.Name]; dup {
			return nil, fmt.Errorf("real answers: %s and %s share the name %q", prev, a.File, a.Name)
		}
		seen[a.Name] = a.File
		answers = append(answers, a)
	}
	slices.SortFunc(answers, func(a, b RealAnswer) int { return strings.Compare(a.Name, b.Name) })
	return answers, nil
}

// readRealAnswer decodes one fixture strictly: an unknown field is a typo
// that would otherwise silently drop an expectation.
func readRealAnswer(file string) (RealAnswer, error) {
	var a RealAnswer
	data, err := realAnswerFiles.ReadFile(path.Join(realAnswerDir, file))
	if err != nil {
		return a, fmt.Errorf("real answer %s: %w", file, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return a, fmt.Errorf("real answer %s: %w", file, err)
	}
	a.File = file
	if err := a.check(); err != nil {
		return a, fmt.Errorf("real answer %s: %w", file, err)
	}
	return a, nil
}

// check reports the first thing wrong with a decoded fixture.
func (a RealAnswer) check() error {
	switch {
	case a.Name == "" || !strings.HasSuffix(a.File, "-"+a.Name+".json"):
		return fmt.Errorf("name %q does not match the file name", a.Name)
	case a.Source == "" || a.Cause == "":
		return errors.New("source and cause are required")
	case a.Status == 0 && a.TransportError == "":
		return errors.New("status 0 needs a transport_error")
	case a.Status != 0 && (a.Status < 100 || a.Status > 599):
		return fmt.Errorf("status %d is not an HTTP status", a.Status)
	case a.Reconstructed && a.Note == "", a.Synthetic && a.Note == "":
		return errors.New("a reconstructed or synthetic answer needs a note")
	}
	for _, f := range []struct {
		field, value string
		known        []string
	}{
		{"provider", a.Provider, realAnswerProviders},
		{"expect.layer", a.Expect.Layer, realAnswerLayers},
		{"expect.signature", a.Expect.Signature, realAnswerSignatures},
		{"expect.producer", a.Expect.Producer, realAnswerProducers},
	} {
		if !slices.Contains(f.known, f.value) {
			return fmt.Errorf("%s %q is not one of %s", f.field, f.value, strings.Join(f.known, ", "))
		}
	}
	return nil
}

// Header returns the value of the named header, whatever its case in the
// file, or "" when the answer has none.
func (a RealAnswer) Header(name string) string {
	for k, v := range a.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Gzipped reports whether the answer is sent gzip-encoded, as Cloudflare's
// edge sends its JSON.
func (a RealAnswer) Gzipped() bool {
	return strings.EqualFold(a.Header("Content-Encoding"), "gzip")
}

// Serve writes the answer to w: its headers, its status and its body,
// gzip-encoded when the answer says content-encoding: gzip. An answer
// without an HTTP status (a TLS failure) is served as a dropped
// connection, the nearest a plain HTTP server comes; Serve returns an error
// when w cannot be hijacked to do so.
func (a RealAnswer) Serve(w http.ResponseWriter) error {
	if a.Status == 0 {
		return dropConnection(w)
	}
	body := []byte(a.Body)
	if a.Gzipped() {
		var err error
		if body, err = gzipBytes(body); err != nil {
			return fmt.Errorf("real answer %s: %w", a.Name, err)
		}
	}
	h := w.Header()
	for k, v := range a.Headers {
		// The length is the server's business: a copied one would be
		// wrong once the body is encoded.
		if !strings.EqualFold(k, "Content-Length") {
			h.Set(k, v)
		}
	}
	w.WriteHeader(a.Status)
	_, err := w.Write(body)
	return err
}

// ServeHTTP makes a RealAnswer an http.Handler that answers every request
// with it.
func (a RealAnswer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	a.Serve(w) // a client that hung up is no error of the fixture
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) error {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return fmt.Errorf("real answer without a status: cannot drop the connection: %w", err)
	}
	return conn.Close()
}

// gzipBytes returns b gzip-encoded.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
