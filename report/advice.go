package report

import (
	"strings"

	"github.com/llm-probe/probe/prober/verdict"
)

// runFilePlaceholder is how the prober's advice names the run file it does
// not know; the renderer, which does, puts the real name in.
const runFilePlaceholder = "RUN.jsonl"

// noRunFileTicket replaces the export advice where no run file was written.
const noRunFileTicket = "`probe ramp` records the requests in a run file; `probe export <run file> -o ticket` then writes the ticket"

// adviseRun fits a verdict's next steps to a run that was recorded in
// runFile: the export command names the real file.
func adviseRun(v verdict.Verdict, runFile string) verdict.Verdict {
	if runFile == "" {
		return adviseCheck(v)
	}
	name := runFile
	if strings.ContainsAny(name, " \t'\"$`\\") {
		name = "'" + strings.ReplaceAll(name, "'", `'\''`) + "'"
	}
	v.NextSteps = mapSteps(v.NextSteps, func(s string) string {
		s = strings.ReplaceAll(s, runFilePlaceholder+" --format ticket`", runFilePlaceholder+" -o ticket`")
		return strings.ReplaceAll(s, runFilePlaceholder, name)
	})
	return v
}

// adviseCheck fits next steps to `probe check`, which writes no run file:
// no export it cannot make, and no advice to run the check just run (a
// second check makes sense only after a change, "again").
func adviseCheck(v verdict.Verdict) verdict.Verdict {
	var out []string
	for _, s := range v.NextSteps {
		if strings.Contains(s, "`probe check`") && !strings.Contains(s, "`probe check` again") {
			continue
		}
		s = strings.ReplaceAll(s, "`probe export "+runFilePlaceholder+" --format ticket` writes it for you", noRunFileTicket)
		out = append(out, s)
	}
	if out == nil {
		out = []string{}
	}
	v.NextSteps = out
	return v
}

func mapSteps(steps []string, fn func(string) string) []string {
	if steps == nil {
		return nil
	}
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = fn(s)
	}
	return out
}
