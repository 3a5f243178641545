package engine

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
)

// The hot path of a ramp, one benchmark per stage: building a request (once
// per run) and copying it (per send), classifying its answer, writing its record, folding it into the summary,
// and reading it back. Run with `make bench` (or `go test -run '^$' -bench .
// -benchmem ./prober`); allocs/op is the figure to keep low.

const benchKey = "sk-ant-api03-BenchKeyForLoopbackOnly000000000000000000000000"

// benchOKBody is what the API answers to the tiny probe request.
var benchOKBody = []byte(`{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi"}],"stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":8,"output_tokens":1}}`)

// benchErrBody is an origin 403.
var benchErrBody = []byte(`{"type":"error","error":{"type":"permission_error","message":"Permission denied"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`)

func benchTarget(b *testing.B, base string) target.Target {
	b.Helper()
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	return target.Target{BaseURL: u, Model: provider.DefaultModel, Key: keys.NewKey(benchKey, "bench", provider.APIKey), UserAgent: "probe/bench"}
}

func benchHeader() http.Header {
	return http.Header{
		"Content-Type":                           []string{"application/json"},
		"Request-Id":                             []string{"req_011CSHoEeqs5C35K2UUqR7Fy"},
		"Anthropic-Organization-Id":              []string{"0b6f7a4e-5c2d-4d3b-9b1a-2f8e6c7d9a01"},
		"Date":                                   []string{"Mon, 24 Nov 2026 12:00:00 GMT"},
		"Content-Length":                         []string{"215"},
		"Server":                                 []string{"cloudflare"},
		"Cf-Ray":                                 []string{"8f1c2b3a4d5e6f70-AMS"},
		"Anthropic-Ratelimit-Requests-Remaining": []string{"49"},
		"Anthropic-Ratelimit-Requests-Limit":     []string{"50"},
		"Anthropic-Ratelimit-Requests-Reset":     []string{"2026-11-24T12:00:01Z"},
		"Anthropic-Ratelimit-Input-Tokens-Remaining":  []string{"39000"},
		"Anthropic-Ratelimit-Output-Tokens-Remaining": []string{"8000"},
	}
}

func benchRecord() *runfile.Record {
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 123456789, time.UTC)
	return &runfile.Record{
		Kind: "request", Step: 2, Concurrency: 10, Seq: 123456,
		Scheduled: t0, Started: t0.Add(81 * time.Microsecond), Finished: t0.Add(1217 * time.Microsecond),
		QueueWaitMS: 0.081, TTFBMS: 1.137, TotalMS: 1.217, ConnReused: true, InFlight: 7,
		Status: 200, Outcome: classify.OutcomeOK, RequestID: "req_011CSHoEeqs5C35K2UUqR7Fy", RequestIDSource: classify.IDFromRequestID,
		OrganizationID: "0b6f7a4e-5c2d-4d3b-9b1a-2f8e6c7d9a01", ContentType: "application/json", Bytes: 215,
	}
}

func BenchmarkNewMessageRequest(b *testing.B) {
	t := benchTarget(b, "http://127.0.0.1:8080/gateway")
	body := t.MessageBody()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := t.NewMessageRequest(ctx, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProbeRequest is what the engine does per send: a copy of the
// request it built once (BenchmarkNewMessageRequest), with its own body.
func BenchmarkProbeRequest(b *testing.B) {
	e := &Engine{Target: benchTarget(b, "http://127.0.0.1:8080/gateway")}
	e.prepareRequest()
	if e.probe == nil {
		b.Fatal("the probe request was not built")
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.newRequest(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	h := benchHeader()
	for _, bc := range []struct {
		name   string
		status int
		body   []byte
	}{
		{"ok", 200, benchOKBody},
		{"permission_error", 403, benchErrBody},
	} {
		b.Run(bc.name, func(b *testing.B) {
			a := classify.Answer{Status: bc.status, Header: h, Body: bc.body, Model: provider.DefaultModel}
			b.ReportAllocs()
			for b.Loop() {
				classify.Classify(a)
			}
		})
	}
}

func BenchmarkRecordHeaders(b *testing.B) {
	h := benchHeader()
	b.ReportAllocs()
	for b.Loop() {
		var r runfile.Record
		recordHeaders(&r, h)
	}
}

func BenchmarkRecordHeadersNoRateLimit(b *testing.B) {
	h := http.Header{
		"Content-Type":   []string{"application/json"},
		"Request-Id":     []string{"req_bench"},
		"Date":           []string{"Mon, 24 Nov 2026 12:00:00 GMT"},
		"Content-Length": []string{"215"},
	}
	b.ReportAllocs()
	for b.Loop() {
		var r runfile.Record
		recordHeaders(&r, h)
	}
}

func BenchmarkWriteRecord(b *testing.B) {
	rw := runfile.NewWriter(io.Discard)
	r := benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		if err := rw.WriteRecord(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkSummaryAdd(b *testing.B) {
	s := diagnose.NewSummary([]target.Step{{Concurrency: 1, Requests: 10}, {Concurrency: 5, Requests: 10}, {Concurrency: 10, Requests: 10}})
	ok := benchRecord()
	refused := benchRecord()
	refused.Status, refused.Outcome, refused.ErrorType, refused.Message = 403, classify.OutcomePermission, "permission_error", "Permission denied"
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%10 == 3 {
			s.Add(refused)
		} else {
			s.Add(ok)
		}
		i++
	}
}

// BenchmarkReadRun reads back run files of 20,000 records through
// ReadRun, the first step of `probe report` and `probe compare`; ns/op is
// per record, wall-clock (decoding runs on every core).
func BenchmarkReadRun(b *testing.B) {
	var buf bytes.Buffer
	rw := runfile.NewWriter(&buf)
	if err := rw.WriteHeader(runfile.Header{ToolVersion: "bench", Plan: target.Plan{Steps: []target.Step{{Concurrency: 10, Requests: 1000}}}}); err != nil {
		b.Fatal(err)
	}
	r := benchRecord()
	r.RateLimit = map[string]string{"requests-limit": "50", "requests-remaining": "49", "requests-reset": "2026-11-24T12:00:01Z"}
	const n = 20000
	for i := range n {
		r.Seq = int64(i)
		if err := rw.WriteRecord(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)) / n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += n {
		if _, err := runfile.Read(bytes.NewReader(data), func(*runfile.Record) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEngine sends requests to a minimal loopback server at
// concurrency 10 through the whole engine (client, trace, classification,
// summary, a run writer to io.Discard). The server shares the machine, so
// ns/op is the round trip, not the engine alone; allocs/op counts both sides.
func BenchmarkEngine(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_bench")
		_, _ = w.Write(benchOKBody)
	})}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })

	tr := NewTransport(10, nil)
	b.Cleanup(tr.CloseIdleConnections)
	rw := runfile.NewWriter(io.Discard)
	b.ReportAllocs()
	b.ResetTimer()
	eng := &Engine{
		Transport: tr,
		Target:    benchTarget(b, "http://"+ln.Addr().String()),
		Plan:      target.Plan{Steps: []target.Step{{Concurrency: 10, Requests: b.N}}, MaxRequests: b.N, Timeout: target.Duration(10 * time.Second)},
		Sink:      rw.WriteRecord,
	}
	res, err := eng.Run(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if res.Summary.OK != b.N {
		b.Fatalf("%d of %d requests succeeded; outcomes %v", res.Summary.OK, b.N, res.Summary.Outcomes)
	}
}
