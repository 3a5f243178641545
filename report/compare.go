package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// CompareSchema names the shape of the JSON `probe compare` prints.
const CompareSchema = "probe.compare/v1"

// CompareSide is one of the two runs of a comparison, as read back from its file.
type CompareSide struct {
	RunFile string
	Header  runfile.Header
	// Verdict is decided again from the records.
	Verdict verdict.Verdict
	// Recorded is the verdict the run file's footer holds; nil for a run
	// that was cut short.
	Recorded *verdict.Verdict
	Skipped  int
}

// Compare is everything `probe compare` and `probe cooldown` show.
type Compare struct {
	ToolVersion string
	Before      CompareSide
	After       CompareSide
	Comparison  diagnose.Comparison
}

// CountsJSON is one run's answers at one level (or overall) in the JSON output.
type CountsJSON struct {
	Sent       int `json:"sent"`
	Answered   int `json:"answered"`
	Refused403 int `json:"refused_403"`
	// Rate403 is null without answers.
	Rate403 *float64 `json:"rate_403"`
}

// CompareStepJSON is one concurrency level of both runs.
type CompareStepJSON struct {
	Concurrency int        `json:"concurrency"`
	Before      CountsJSON `json:"before"`
	After       CountsJSON `json:"after"`
	// PValue is the two-sided Fisher exact p-value; null when a run has no
	// answers at this level.
	PValue *float64 `json:"p_value"`
}

// OverallJSON is both runs taken whole.
type OverallJSON struct {
	Before CountsJSON `json:"before"`
	After  CountsJSON `json:"after"`
	// PValue is the two-sided Fisher exact p-value; null when a run has no answers.
	PValue *float64 `json:"p_value"`
}

// SideJSON is one run in the JSON output.
type SideJSON struct {
	RunFile  string      `json:"run_file"`
	Started  time.Time   `json:"started"`
	Target   target.Info `json:"target"`
	Plan     target.Plan `json:"plan"`
	Complete bool        `json:"complete"` // the run file has its footer
	// SkippedLines counts lines of the run file that could not be read.
	SkippedLines    int              `json:"skipped_lines"`
	Verdict         verdict.Verdict  `json:"verdict"`
	RecordedVerdict *verdict.Verdict `json:"recorded_verdict,omitempty"`
}

// CompareJSON is the object `probe compare --output json` prints.
type CompareJSON struct {
	Schema      string            `json:"schema"`
	ToolVersion string            `json:"tool_version"`
	Before      SideJSON          `json:"before"`
	After       SideJSON          `json:"after"`
	Steps       []CompareStepJSON `json:"steps"`
	Overall     OverallJSON       `json:"overall"`
	Change      diagnose.Change   `json:"change"`
	Summary     string            `json:"summary"`
	NextStep    string            `json:"next_step"`
	// NeedMore is, for an inconclusive change, about how many more answers
	// in each run would decide it (-1: no reasonable number would).
	NeedMore int `json:"need_more,omitempty"`
}

// JSON builds the output object of c.
func (c Compare) JSON() CompareJSON {
	cmp := c.Comparison
	out := CompareJSON{
		Schema: CompareSchema, ToolVersion: c.ToolVersion,
		Before: sideJSON(c.Before), After: sideJSON(c.After),
		Steps:  []CompareStepJSON{},
		Change: cmp.Change, Summary: changeSummary(cmp), NextStep: changeAdvice(c),
		Overall: OverallJSON{Before: countsJSON(cmp.Before), After: countsJSON(cmp.After), PValue: optP(cmp.P)},
	}
	if cmp.Change == diagnose.ChangeInconclusive {
		out.NeedMore = cmp.NeedMore
	}
	for _, st := range cmp.Steps {
		out.Steps = append(out.Steps, CompareStepJSON{
			Concurrency: st.Concurrency, Before: countsJSON(st.Before), After: countsJSON(st.After), PValue: optP(st.P),
		})
	}
	return out
}

func sideJSON(s CompareSide) SideJSON {
	return SideJSON{
		RunFile: s.RunFile, Started: s.Header.Started, Target: s.Header.Target, Plan: s.Header.Plan,
		Complete: s.Recorded != nil, SkippedLines: s.Skipped, Verdict: Explain(s.Verdict), RecordedVerdict: explained(s.Recorded),
	}
}

func countsJSON(c diagnose.CompareCounts) CountsJSON {
	return CountsJSON{Sent: c.Sent, Answered: c.Answered, Refused403: c.Refused403, Rate403: optRate(c.Rate())}
}

func optP(p float64) *float64 {
	if math.IsNaN(p) {
		return nil
	}
	v := p
	return &v
}

func optRate(r float64) *float64 {
	if math.IsNaN(r) {
		return nil
	}
	v := round4(r)
	return &v
}

// WriteCompareJSON prints c as one indented JSON object.
func WriteCompareJSON(w io.Writer, c Compare) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(c.JSON())
}

// WriteCompareText prints the two runs side by side for people: which runs,
// the per-step 403 rates with their p-values, both verdicts and the change.
func WriteCompareText(w io.Writer, c Compare) error {
	for _, s := range []struct {
		label string
		side  CompareSide
	}{{"before", c.Before}, {"after ", c.After}} {
		t := s.side.Header.Target
		fmt.Fprintf(w, "%s  %s  started %s  target %s  model %s  key %s (fingerprint %s)", s.label, s.side.RunFile,
			s.side.Header.Started.UTC().Format("2006-01-02 15:04:05Z"), t.BaseURL, t.Model, t.Key, t.KeyFingerprint)
		if t.Scenario != "" {
			fmt.Fprintf(w, "  scenario %s", t.Scenario)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)

	tbl := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignment(tw.AlignRight),
	)
	tbl.Header("concurrency", "sent before", "403 before", "rate before", "sent after", "403 after", "rate after", "p (Fisher)")
	row := func(label string, b, a diagnose.CompareCounts, p float64) error {
		return tbl.Append([]string{
			label,
			fmt.Sprint(b.Sent), fmt.Sprint(b.Refused403), pct(b.Refused403, b.Answered),
			fmt.Sprint(a.Sent), fmt.Sprint(a.Refused403), pct(a.Refused403, a.Answered),
			formatP(p),
		})
	}
	cmp := c.Comparison
	for _, st := range cmp.Steps {
		if err := row(fmt.Sprint(st.Concurrency), st.Before, st.After, st.P); err != nil {
			return err
		}
	}
	if err := row("all", cmp.Before, cmp.After, cmp.P); err != nil {
		return err
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w)

	for _, s := range []struct {
		label string
		side  CompareSide
	}{{"Before", c.Before}, {"After", c.After}} {
		fmt.Fprintf(w, "%s: %s\n", s.label, headline(s.side.Verdict))
		fmt.Fprintf(w, "  %s\n", Explain(s.side.Verdict).Summary)
		if r := s.side.Recorded; r != nil {
			fmt.Fprintf(w, "  recorded in %s: %s\n", s.side.RunFile, headline(*r))
		} else {
			fmt.Fprintf(w, "  no verdict recorded in %s: the run was cut short\n", s.side.RunFile)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Change: %s\n", cmp.Change)
	fmt.Fprintf(w, "  %s\n", changeSummary(cmp))
	fmt.Fprintf(w, "Next step:\n  - %s\n", changeAdvice(c))
	return nil
}

// changeAdvice is what to do about the change.
func changeAdvice(c Compare) string {
	ticket := fmt.Sprintf("`probe export %s --format ticket` writes a support ticket with the request ids", cmp.Or(c.After.RunFile, "AFTER.jsonl"))
	switch c.Comparison.Change {
	case diagnose.ChangeCleared:
		if c.After.Verdict.Signature != verdict.Healthy {
			return fmt.Sprintf("The 403s are gone, but the after run shows %s: see its verdict (`probe report %s`).", c.After.Verdict.Signature, cmp.Or(c.After.RunFile, "AFTER.jsonl"))
		}
		return "The refusals lifted: resume at low concurrency and raise it slowly; if the 403s come back, run `probe cooldown` again and keep the run files."
	case diagnose.ChangePersists:
		return "Waiting did not help: the account or network is still flagged. " + ticket + "."
	case diagnose.ChangeImproved:
		return "Fewer refusals, but some remain: wait longer (`probe cooldown --wait 15m`) or " + ticket + "."
	case diagnose.ChangeWorse:
		return "The refusals grew: stop sending from this key and network for now, and " + ticket + "."
	case diagnose.ChangeAppeared:
		return "403s appeared that the first run did not see: " + ticket + "."
	case diagnose.ChangeUnchanged:
		if c.After.Verdict.Signature == verdict.Healthy {
			return "Both runs are free of 403s: the key works at the steps tested."
		}
		return fmt.Sprintf("No 403s either time; the after run shows %s: see its verdict (`probe report %s`).", c.After.Verdict.Signature, cmp.Or(c.After.RunFile, "AFTER.jsonl"))
	}
	if c.Comparison.NeedMore > 0 {
		return fmt.Sprintf("Run both again with more requests (about %d more each; raise --requests or --max-requests).", c.Comparison.NeedMore)
	}
	return "Run both again with more requests, at the concurrency where the 403s appeared."
}

// explained is Explain on a verdict that may be absent.
func explained(v *verdict.Verdict) *verdict.Verdict {
	if v == nil {
		return nil
	}
	e := Explain(*v)
	return &e
}

// changeSummary says the change in one sentence.
func changeSummary(c diagnose.Comparison) string {
	b, a := c.Before, c.After
	counts := fmt.Sprintf("%s before, %s after", refusedText(b), refusedText(a))
	p := ""
	if !math.IsNaN(c.P) {
		p = fmt.Sprintf(" (two-sided Fisher exact p%s)", pRelation(c.P))
	}
	switch c.Change {
	case diagnose.ChangeCleared:
		return fmt.Sprintf("The 403s cleared: %s%s.", counts, p)
	case diagnose.ChangePersists:
		return fmt.Sprintf("The 403s persist: %s%s, no significant difference.", counts, p)
	case diagnose.ChangeImproved:
		return fmt.Sprintf("Fewer 403s, but not none: %s%s.", counts, p)
	case diagnose.ChangeWorse:
		return fmt.Sprintf("More 403s than before: %s%s.", counts, p)
	case diagnose.ChangeAppeared:
		return fmt.Sprintf("403s appeared: %s%s.", counts, p)
	case diagnose.ChangeUnchanged:
		return fmt.Sprintf("No 403s in either run: %s.", counts)
	}
	var why string
	switch {
	case b.Answered < diagnose.CompareMinAnswers || a.Answered < diagnose.CompareMinAnswers:
		why = fmt.Sprintf("a run needs at least %d answers to be compared", diagnose.CompareMinAnswers)
	case c.NeedMore > 0:
		why = fmt.Sprintf("too few answers to tell a change from chance; about %d more in each run would decide", c.NeedMore)
	default:
		why = "the 403s are too rare to tell a change from chance with any reasonable number of requests"
	}
	return fmt.Sprintf("Inconclusive: %s%s: %s.", counts, p, why)
}

// refusedText is one run's 403s in words.
func refusedText(c diagnose.CompareCounts) string {
	if c.Answered == 0 {
		return "no answers"
	}
	if c.Refused403 == 0 {
		return fmt.Sprintf("none of %d refused", c.Answered)
	}
	return fmt.Sprintf("%d of %d refused (%.0f%%)", c.Refused403, c.Answered, 100*c.Rate())
}
