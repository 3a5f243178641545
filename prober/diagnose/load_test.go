package diagnose

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// loadSample writes a run of 20 requests at c=1 and c=5 (403s at c=5), with
// or without the footer, and returns the file's bytes.
func loadSample(t *testing.T, footer bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	rw := runfile.NewWriter(&buf)
	plan := target.Plan{Steps: []target.Step{{Concurrency: 1, Requests: 10}, {Concurrency: 5, Requests: 10}}, MaxRequests: 100, Timeout: target.Duration(time.Second)}
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := rw.WriteHeader(runfile.Header{ToolVersion: "test", Started: start, Plan: plan, Target: target.Info{BaseURL: "https://api.anthropic.com", Model: "m"}}); err != nil {
		t.Fatal(err)
	}
	s := NewSummary(plan.Steps)
	for i := range 20 {
		r := &runfile.Record{Step: i / 10, Concurrency: plan.Steps[i/10].Concurrency, Seq: int64(i), Started: start.Add(time.Duration(i) * time.Millisecond), Status: 200, Outcome: classify.OutcomeOK}
		if i >= 10 && i%2 == 0 {
			r.Status, r.Outcome, r.RequestID, r.RequestIDSource = 403, classify.OutcomePermission, "req_x", classify.IDFromRequestID
		}
		s.Add(r)
		if err := rw.WriteRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	if footer {
		v := Decide(s)
		v.Evidence = append(v.Evidence, "stopped early: a note only the engine can know")
		if err := rw.WriteFooter(runfile.Footer{Sent: 20, Stop: runfile.StopEarly, Verdict: v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLoadRun(t *testing.T) {
	complete := loadSample(t, true)
	partial := loadSample(t, false)
	cut := partial[:len(partial)-40] // the last request line cut in the middle
	for _, tc := range []struct {
		name            string
		data            []byte
		records, skiped int
		footer, partial bool
	}{
		{"complete", complete, 20, 0, true, false},
		{"no footer", partial, 20, 0, false, true},
		{"cut mid-line", cut, 19, 1, false, true},
		// A NUL block is data a crash lost: partial, even after a footer.
		{"NUL block after the records", slices.Concat(partial, make([]byte, 1<<20)), 20, 0, false, true},
		{"NUL block after the footer", slices.Concat(complete, make([]byte, 1<<20)), 20, 0, true, true},
		{"corrupt step", append(append([]byte(nil), partial...), []byte(`{"kind":"request","step":1000000000,"concurrency":1,"outcome":"ok"}`+"\n"+`{"kind":"request","step":-1,"outcome":"ok"}`+"\n")...), 20, 2, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := 0
			lr, err := LoadRun(bytes.NewReader(tc.data), func(*runfile.Record) error { seen++; return nil })
			if err != nil {
				t.Fatalf("LoadRun: %v", err)
			}
			if seen != tc.records || lr.File.Records != tc.records || lr.Summary.Sent != tc.records {
				t.Errorf("%d records seen, %d counted, %d summarised; want %d", seen, lr.File.Records, lr.Summary.Sent, tc.records)
			}
			if lr.File.Skipped != tc.skiped {
				t.Errorf("Skipped = %d; want %d", lr.File.Skipped, tc.skiped)
			}
			if (lr.File.Footer != nil) != tc.footer {
				t.Errorf("footer present = %v; want %v", lr.File.Footer != nil, tc.footer)
			}
			if lr.Verdict.Partial != tc.partial {
				t.Errorf("Verdict.Partial = %v; want %v", lr.Verdict.Partial, tc.partial)
			}
			if lr.Verdict.Signature != verdict.Intermittent403 {
				t.Errorf("Verdict = %s; want %s", lr.Verdict.Signature, verdict.Intermittent403)
			}
			if len(lr.Summary.Steps) != 2 || lr.Summary.Steps[1].Concurrency != 5 {
				t.Errorf("the summary's steps are not the plan's: %+v", lr.Summary.Steps)
			}
			early := slices.Contains(lr.Verdict.Basis.Carried, "stopped early: a note only the engine can know")
			if early != tc.footer {
				t.Errorf("early-stop evidence carried over = %v; want %v", early, tc.footer)
			}
		})
	}
}

func TestLoadRunRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"empty", "", "it is empty"},
		{"not JSON", "hello\n", "not a probe run file"},
		{"not a header", `{"kind":"request"}` + "\n", "not a probe run file"},
		{"newer schema", `{"kind":"run","schema":99}` + "\n", "schema version 99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadRun(strings.NewReader(tc.data), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadRun(%q) = %v; want an error with %q", tc.data, err, tc.want)
			}
		})
	}
}

func TestLoadRunCallbackError(t *testing.T) {
	stop := errors.New("stop")
	_, err := LoadRun(bytes.NewReader(loadSample(t, true)), func(*runfile.Record) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("LoadRun = %v; want the callback's error", err)
	}
}

func TestReadRunHeader(t *testing.T) {
	h, err := runfile.ReadHeader(bytes.NewReader(loadSample(t, true)))
	if err != nil || h.ToolVersion != "test" || len(h.Plan.Steps) != 2 {
		t.Errorf("ReadRunHeader = %+v, %v", h, err)
	}
}
