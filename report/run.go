// Package report renders what the prober found: the per-step table, the
// verdict in plain words, the JSON object scripts read, and the live
// progress strip. It only formats; deciding is the prober's job.
//
// Every word a person reads of a verdict is made here, once: Explain turns
// the verdict.Basis that diagnose and check decide into the summary,
// evidence, layers ruled out and next steps (explain.go, evidence.go,
// nextsteps.go, explaincheck.go), the compare summary and advice are in
// compare.go, the headline in headline.go. Renderers explain the verdicts
// they print, fitting the advice to the run file they know; whatever
// stores a verdict (a run file's footer) calls Explain first.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// Schema names the shape of the JSON a ramp prints, so scripts can check it.
const Schema = "probe.ramp/v1"

// Run is everything a ramp's output shows.
type Run struct {
	ToolVersion string
	Target      target.Info
	Plan        target.Plan
	Summary     *diagnose.Summary
	Verdict     verdict.Verdict
	RunFile     string
	Stop        string
	Sent        int
	// Width is the terminal's width in columns, to fit the table to; 0 for
	// output that is not a terminal, which is never fitted.
	Width int
}

// StepJSON is one step in the JSON output.
type StepJSON struct {
	Concurrency  int            `json:"concurrency"`
	Sent         int            `json:"sent"`
	Answered     int            `json:"answered"`
	Outcomes     map[string]int `json:"outcomes"`
	StatusCounts map[string]int `json:"status_counts"`
	Rate403      float64        `json:"rate_403"`
	LatencyP50MS float64        `json:"latency_p50_ms"`
	LatencyP95MS float64        `json:"latency_p95_ms"`
	QueueP99MS   float64        `json:"queue_wait_p99_ms"`
}

// RunJSON is the object `--output json` prints.
type RunJSON struct {
	Schema      string          `json:"schema"`
	ToolVersion string          `json:"tool_version"`
	Target      target.Info     `json:"target"`
	Plan        target.Plan     `json:"plan"`
	Sent        int             `json:"sent"`
	Stop        string          `json:"stop,omitempty"`
	Steps       []StepJSON      `json:"steps"`
	Verdict     verdict.Verdict `json:"verdict"`
	// RequestIDs are the ids of failed requests (the first 200; the run file has all).
	RequestIDs      []string `json:"request_ids"`
	FailedRequests  int      `json:"failed_requests"`
	OrganizationIDs []string `json:"organization_ids,omitempty"`
	RunFile         string   `json:"run_file,omitempty"`
}

// JSON builds the output object of r.
func (r Run) JSON() RunJSON {
	out := RunJSON{
		Schema: Schema, ToolVersion: r.ToolVersion, Target: r.Target, Plan: r.Plan,
		Sent: r.Sent, Stop: r.Stop, Verdict: explainRun(r.Verdict, r.RunFile), RunFile: r.RunFile,
		Steps: []StepJSON{}, RequestIDs: []string{},
	}
	if s := r.Summary; s != nil {
		for _, st := range s.Steps {
			out.Steps = append(out.Steps, stepJSON(st))
		}
		out.RequestIDs = append(out.RequestIDs, s.FailedIDs...)
		out.FailedRequests = s.FailedIDCount
		out.OrganizationIDs = s.OrgIDs
	}
	return out
}

func stepJSON(st *diagnose.StepStats) StepJSON {
	j := StepJSON{
		Concurrency: st.Concurrency, Sent: st.Sent, Answered: st.Answered,
		Outcomes: map[string]int{}, StatusCounts: map[string]int{},
		LatencyP50MS: millis(st.Latency.Quantile(0.50)),
		LatencyP95MS: millis(st.Latency.Quantile(0.95)),
		QueueP99MS:   millis(st.QueueWait.Quantile(0.99)),
	}
	for o, n := range st.Outcomes {
		j.Outcomes[string(o)] = n
	}
	for code, n := range st.Statuses {
		j.StatusCounts[strconv.Itoa(code)] = n
	}
	if st.Answered > 0 {
		j.Rate403 = round4(float64(st.Refused403) / float64(st.Answered))
	}
	return j
}

// WriteJSON prints r as one indented JSON object.
func WriteJSON(w io.Writer, r Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r.JSON())
}

func millis(d time.Duration) float64 { return round4(float64(d) / float64(time.Millisecond)) }

func round4(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 4, 64), 64)
	return v
}

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(d))
}
