package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/provider"
)

// These tests check the harness's parts quickly; the measurements
// themselves run with `make bench`.

func TestMain(m *testing.M) {
	// runChild starts the test binary itself in -child mode.
	if len(os.Args) > 2 && os.Args[1] == childFlag {
		os.Exit(childMain(os.Args[2], os.Args[3:]))
	}
	os.Exit(m.Run())
}

func TestServer(t *testing.T) {
	srv, err := startServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/v1/messages", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cl := classify.Classify(classify.Answer{Status: resp.StatusCode, Header: resp.Header, Body: got, Model: provider.DefaultModel})
	if cl.Outcome != classify.OutcomeOK || cl.RequestID != "req_bench_1" || srv.Served() != 1 {
		t.Errorf("POST /v1/messages: %s, request id %q, served %d; want ok, req_bench_1, 1", cl.Outcome, cl.RequestID, srv.Served())
	}
	resp, err = http.Get(srv.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || srv.Served() != 1 {
		t.Errorf("GET /v1/models: %d, served %d; want 404, still 1", resp.StatusCode, srv.Served())
	}
}

func TestRunChild(t *testing.T) {
	u, err := runChild(t.Context(), "/bin/sh", []string{"-c", "read x; echo got $x; echo oops >&2; exit 3"}, strings.NewReader("in\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if u.Exit != 3 || u.Stderr != "oops" || u.Wall <= 0 || u.MaxRSS <= 0 && filepath.Separator == '/' {
		t.Errorf("runChild = %+v; want exit 3, stderr oops, a wall time and a peak RSS", u)
	}
	var out bytes.Buffer
	if _, err := runChild(t.Context(), "/bin/sh", []string{"-c", "cat"}, &repeatReader{s: "ab\n", n: 3}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "ab\nab\nab\n" {
		t.Errorf("stdin and stdout through the child: %q; want ab three times", out.String())
	}
	t.Setenv("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
	t.Setenv("HTTPS_PROXY", "http://proxy.invalid:8080")
	out.Reset()
	if _, err := runChild(t.Context(), "/bin/sh", []string{"-c", "env"}, nil, &out); err != nil {
		t.Fatal(err)
	}
	if env := out.String(); strings.Contains(env, "ANTHROPIC_BASE_URL") || strings.Contains(env, "HTTPS_PROXY") || !strings.Contains(env, "ANTHROPIC_API_KEY="+dummyKey) {
		t.Errorf("child environment keeps a base URL or proxy, or lacks the dummy key:\n%s", env)
	}
}

func TestStats(t *testing.T) {
	ms := time.Millisecond
	// Ten requests asked for at 100/s: the fourth is 3ms late, the last
	// 1ms early.
	starts := []time.Duration{0, 10 * ms, 20 * ms, 33 * ms, 40 * ms, 50 * ms, 60 * ms, 70 * ms, 80 * ms, 89 * ms}
	d := anchored(starts, 100)
	if d.N != 10 || d.P50 != 0 || d.Max != 3*ms || d.P99 != 3*ms {
		t.Errorf("anchored = %+v; want p50 0, p99 and max 3ms", d)
	}
	if got := achievedRate(starts); got < 101.1 || got > 101.2 {
		t.Errorf("achievedRate = %v; want 9 requests over 89ms, 101.1/s", got)
	}
	if got := median([]float64{3, 1, 2, 10}); got != 2.5 {
		t.Errorf("median = %v; want 2.5", got)
	}
	if got := quantile([]time.Duration{1, 2, 3, 4}, 0.5); got != 2 {
		t.Errorf("quantile(0.5) = %v; want 2 (nearest rank)", got)
	}
	if got := thousands(1234567); got != "1,234,567" {
		t.Errorf("thousands = %q", got)
	}
}

func TestParseToolOutputs(t *testing.T) {
	hey := "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset\n" +
		"0.0010,0.0001,0.0000,0.0000,0.0009,0.0000,200,0.1001\n" +
		"0.0010,0.0001,0.0000,0.0000,0.0009,0.0000,200,0.0001\n" +
		"0.0010,0.0001,0.0000,0.0000,0.0009,0.0000,500,0.0501\n"
	starts, err := parseHeyCSV(bytes.NewBufferString(hey))
	if err != nil || len(starts) != 2 || starts[0] != 100*time.Microsecond || starts[1] != 100100*time.Microsecond {
		t.Errorf("parseHeyCSV = %v, %v; want the two 200s' offsets, sorted", starts, err)
	}
	vegeta := `{"attack":"","seq":1,"code":200,"timestamp":"2026-11-24T12:00:00.2Z","latency":1000}
{"attack":"","seq":0,"code":200,"timestamp":"2026-11-24T12:00:00.1Z","latency":1000}
{"attack":"","seq":2,"code":0,"timestamp":"2026-11-24T12:00:00.3Z","latency":0,"error":"no targets to attack"}
`
	starts, err = parseVegetaJSON(bytes.NewBufferString(vegeta))
	if err != nil || len(starts) != 2 || starts[0] != 0 || starts[1] != 100*time.Millisecond {
		t.Errorf("parseVegetaJSON = %v, %v; want [0 100ms] in sequence order, errors left out", starts, err)
	}
}

func TestSyntheticRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	if err := writeSyntheticRun(path, 3000, 1, beforeRefused); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lr, err := diagnose.LoadRun(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lr.File.Records != 3000 || lr.File.Skipped != 0 || lr.File.Footer == nil || len(lr.Summary.Steps) != len(syntheticSteps) {
		t.Errorf("read back %d records (%d skipped), footer %v, %d steps; want 3000, 0, a footer, %d", lr.File.Records, lr.File.Skipped, lr.File.Footer != nil, len(lr.Summary.Steps), len(syntheticSteps))
	}
	if lr.Verdict.Signature != lr.File.Footer.Verdict.Signature {
		t.Errorf("verdict read back %s; the file says %s", lr.Verdict.Signature, lr.File.Footer.Verdict.Signature)
	}
}

func TestMarkdown(t *testing.T) {
	cfg := quickConfig()
	h := &harness{cfg: cfg, res: newResults(), largest: map[string]string{}, source: "this tree at abc1234"}
	h.res.addLoad("throughput", "c=10", toolProbe, loadRun{usage: usage{Wall: time.Second, CPU: 500 * time.Millisecond}, Served: 2000})
	h.res.addLoad("throughput", "c=10", toolVegeta, loadRun{usage: usage{Wall: 2 * time.Second, CPU: time.Second}, Served: 2000})
	h.res.fail("throughput", "c=50", toolHey, io.ErrUnexpectedEOF)
	rows, targets := h.table()
	var md bytes.Buffer
	if err := h.markdown(&md, rows, targets, []byte("BenchmarkX-2 10 5 ns/op 0 B/op 0 allocs/op\n"), time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# probe performance", "| throughput (req/s)", "| 2000 ", "2.00×", "≥ vegeta: met", "## Machine", "nproc", "probe: built from this tree at abc1234", "BenchmarkX-2", "Not measured", "make bench"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("RESULTS.md lacks %q:\n%s", want, md.String())
		}
	}
}
