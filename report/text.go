package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/verdict"
)

// WriteText prints the per-step table and the verdict for people.
func WriteText(w io.Writer, r Run) error {
	fmt.Fprintf(w, "target  %s  model %s  key %s (fingerprint %s)\n", r.Target.BaseURL, r.Target.Model, r.Target.Key, r.Target.KeyFingerprint)
	if r.Target.Scenario != "" {
		fmt.Fprintf(w, "scenario %s (simulated API)\n", r.Target.Scenario)
	}
	fmt.Fprintln(w)
	if r.Summary != nil {
		if err := StepTableWidth(w, r.Summary, r.Width); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	WriteVerdict(w, explainRun(r.Verdict, r.RunFile))
	if r.Summary != nil && len(r.Summary.FailedIDs) > 0 {
		fmt.Fprintf(w, "\nRequest ids of failed requests (%d", r.Summary.FailedIDCount)
		if r.Summary.FailedIDCount > len(r.Summary.FailedIDs) {
			fmt.Fprintf(w, "; first %d shown", len(r.Summary.FailedIDs))
		}
		fmt.Fprintln(w, "):")
		ids := r.Summary.FailedIDs
		if len(ids) > 10 {
			ids = ids[:10]
		}
		for _, id := range ids {
			fmt.Fprintf(w, "  %s\n", id)
		}
		if len(r.Summary.FailedIDs) > 10 {
			fmt.Fprintf(w, "  … %d more in the run file\n", r.Summary.FailedIDCount-10)
		}
	}
	if r.RunFile != "" {
		fmt.Fprintf(w, "\nRun file: %s\n", r.RunFile)
	}
	return nil
}

// StepTable prints one row per step: what was sent and what came back.
func StepTable(w io.Writer, s *diagnose.Summary) error {
	return StepTableWidth(w, s, 0)
}

// WriteVerdict prints the verdict in plain words.
func WriteVerdict(w io.Writer, v verdict.Verdict) {
	fmt.Fprintln(w, "Verdict: "+headline(v))
	fmt.Fprintf(w, "  %s\n", v.Summary)
	section(w, "Evidence", v.Evidence)
	section(w, "Ruled out", v.RuledOut)
	section(w, "Next steps", v.NextSteps)
}

func section(w io.Writer, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, l := range lines {
		fmt.Fprintf(w, "  - %s\n", strings.TrimSpace(l))
	}
}
