package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/llm-probe/probe/prober/check"
	"github.com/llm-probe/probe/prober/clientconfig"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// CheckSchema names the shape of the JSON `probe check` prints.
const CheckSchema = "probe.check/v1"

// Check is everything `probe check` shows.
type Check struct {
	ToolVersion string
	Target      target.Info
	Result      check.Result
	Curl        string
	// Client is Claude Code's configuration when the client layer ran.
	Client *clientconfig.Config
}

// CheckJSON is the object `probe check --output json` prints.
type CheckJSON struct {
	Schema       string            `json:"schema"`
	ToolVersion  string            `json:"tool_version"`
	Target       target.Info       `json:"target"`
	Layers       []check.Layer     `json:"layers"`
	Requests     []*runfile.Record `json:"requests"`
	RequestsSent int               `json:"requests_sent"`
	Verdict      verdict.Verdict   `json:"verdict"`
	Curl         string            `json:"curl"`
	// Client is Claude Code's effective configuration (no secret in it).
	Client *clientconfig.Config `json:"client,omitempty"`
}

// WriteCheckJSON prints c as one indented JSON object.
func WriteCheckJSON(w io.Writer, c Check) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(CheckJSON{
		Schema: CheckSchema, ToolVersion: c.ToolVersion, Target: c.Target,
		Layers: c.Result.Layers, Requests: c.Result.Requests, RequestsSent: len(c.Result.Requests),
		Verdict: explainCheck(c.Result), Curl: c.Curl, Client: c.Client,
	})
}

var statusMark = map[keys.Status]string{
	keys.Passed:     "✓ passed",
	keys.Warned:     "! warned",
	keys.Failed:     "✗ failed",
	keys.NotReached: "- not reached",
}

// WriteCheckText prints the layer walk for people: each layer with its
// state and findings, then the verdict and the reproduction curl.
func WriteCheckText(w io.Writer, c Check) error {
	fmt.Fprintf(w, "target  %s  model %s\n\n", c.Target.BaseURL, c.Target.Model)
	for _, l := range c.Result.Layers {
		fmt.Fprintf(w, "%-14s %s (layer %s)\n", statusMark[l.Status], l.Name, l.Layers)
		for _, f := range l.Findings {
			mark := "   "
			switch f.Status {
			case keys.Failed:
				mark = " ✗ "
			case keys.Warned:
				mark = " ! "
			}
			fmt.Fprintf(w, "    %s%s\n", mark, f.Message)
			if f.Fix != "" {
				fmt.Fprintf(w, "       fix: %s\n", f.Fix)
			}
		}
	}
	fmt.Fprintf(w, "\n%d request(s) sent.\n\n", len(c.Result.Requests))
	v := explainCheck(c.Result)
	v.Evidence = nil // the walk above is the evidence
	WriteVerdict(w, v)
	if c.Curl != "" {
		fmt.Fprintf(w, "\nReproduce the tiny message with curl:\n%s\n", c.Curl)
	}
	return nil
}
