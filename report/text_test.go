package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixtureRun is a ramp with fixed answers: c=1 all ok, c=10 half refused,
// so the rendering is deterministic and exercises every column.
func fixtureRun(t *testing.T) Run {
	t.Helper()
	plan := target.Plan{
		Steps:       []target.Step{{Concurrency: 1, Requests: 10}, {Concurrency: 10, Requests: 20}},
		MaxRequests: 100, Timeout: target.Duration(30 * time.Second), MaxWait: target.Duration(time.Minute),
		EarlyStop: true, Extend: true,
	}
	s := diagnose.NewSummary(plan.Steps)
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	seq := int64(0)
	add := func(step, c int, o classify.Outcome, status int, ms float64, id string) {
		r := &runfile.Record{Step: step, Concurrency: c, Seq: seq, Outcome: o, Status: status, TotalMS: ms,
			Started: start.Add(time.Duration(seq) * 30 * time.Millisecond), InFlight: c}
		r.Finished = r.Started.Add(time.Duration(ms * float64(time.Millisecond)))
		if o != classify.OutcomeOK {
			r.ErrorType, r.Message, r.RequestID, r.RequestIDSource = "permission_error", "Permission denied", id, classify.IDFromRequestID
		}
		if o == classify.OutcomeRateLimit {
			r.ErrorType, r.Message = "rate_limit_error", "slow down"
		}
		seq++
		s.Add(r)
	}
	for i := range 10 {
		add(0, 1, classify.OutcomeOK, 200, 20+float64(i), "")
	}
	ids := []string{"req_a1", "req_a2", "req_a3", "req_a4", "req_a5", "req_a6", "req_a7", "req_a8", "req_a9"}
	for i := range 20 {
		switch {
		case i%2 == 1 && i/2 < len(ids):
			add(1, 10, classify.OutcomePermission, 403, 30, ids[i/2])
		case i == 18:
			add(1, 10, classify.OutcomeRateLimit, 429, 5, "req_rl")
		default:
			add(1, 10, classify.OutcomeOK, 200, 25+float64(i), "")
		}
	}
	return Run{
		ToolVersion: "test",
		Target:      target.Info{BaseURL: "https://api.anthropic.com", Model: "claude-sonnet-4-5", Key: "sk-ant-api03-Ab…xyz9", KeyFingerprint: "0123abcd"},
		Plan:        plan, Summary: s, Verdict: diagnose.Decide(s), RunFile: "run.jsonl", Sent: 30,
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestWriteTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, fixtureRun(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "ramp.txt.golden", b.Bytes())
}

func TestWriteJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, fixtureRun(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "ramp.json.golden", b.Bytes())

	// The design's JSON contract: these fields are what scripts read.
	var obj map[string]any
	if err := json.Unmarshal(b.Bytes(), &obj); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "tool_version", "target", "plan", "steps", "verdict", "request_ids", "run_file"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("WriteJSON output lacks %q", k)
		}
	}
	v := obj["verdict"].(map[string]any)
	for _, k := range []string{"signature", "layer", "confidence", "p_value", "summary", "evidence", "ruled_out", "next_steps"} {
		if _, ok := v[k]; !ok {
			t.Errorf("verdict lacks %q", k)
		}
	}
	steps := obj["steps"].([]any)
	st := steps[1].(map[string]any)
	if got := st["rate_403"].(float64); got != 0.45 {
		t.Errorf("steps[1].rate_403 = %v; want 0.45", got)
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, false, 0)
	p.Batch(1, 0)
	p.Add(classify.OutcomeOK)
	p.Add(classify.OutcomePermission)
	p.Notice("pausing")
	p.Batch(5, 0)
	for range maxMarks + 5 {
		p.Add(classify.OutcomeRateLimit)
	}
	p.Done()
	out := b.String()
	// The last drawn state of each line is what the user sees.
	for _, want := range []string{"c=1    ✓✗", "probe: pausing\n", "c=5    " + strings.Repeat("R", maxMarks) + " … 65 answered, 65 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q:\n%q", want, out)
		}
	}
	if strings.Contains(out, "\x1b[3") {
		t.Errorf("progress without colour printed a colour escape: %q", out)
	}
}
