package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/verdict"
)

// TestAdvice: next steps name the run file the run was recorded in, quote
// it for the shell when needed, and after `probe check` (no run file) point
// at `probe ramp` and leave out the advice to run the check just run.
func TestAdvice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		sig     verdict.Signature
		runFile string
		want    []string
		notWant []string
	}{
		{"the real run file", verdict.Intermittent403, "probe-run-20261202T011405Z.jsonl",
			[]string{"`probe export probe-run-20261202T011405Z.jsonl -o ticket`"}, []string{"RUN.jsonl"}},
		{"a run file to quote", verdict.Intermittent403, "my run.jsonl", []string{"`probe export 'my run.jsonl' -o ticket`"}, nil},
		{"a flagged account names it too", verdict.AccountFlagged, "run.jsonl", []string{"Open a support ticket with the request ids (`probe export run.jsonl -o ticket` writes it for you)."}, []string{"RUN.jsonl"}},
		{"check: no run file to export", verdict.Intermittent403, "", []string{"`probe ramp` records the requests"}, []string{"RUN.jsonl", "probe export <run file> -o ticket` writes it"}},
		{"check: not the command just run", verdict.AuthFailure, "",
			[]string{"Copy the key again"}, []string{"Run `probe check`"}},
		{"check: again after a change is fine", verdict.RegionBlocked, "", []string{"`probe check` again"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := verdict.Verdict{Signature: tt.sig, Basis: &verdict.Basis{Path: verdict.PathDominant}}
			got := strings.Join(explainRun(v, tt.runFile).NextSteps, "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("advice lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("advice has %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestFooterAdvice: the words stored in a footer name the run file
// RUN.jsonl, as they always have, since the file may be renamed.
func TestFooterAdvice(t *testing.T) {
	t.Parallel()
	v := Explain(verdict.Verdict{Signature: verdict.Intermittent403, Basis: &verdict.Basis{Path: verdict.PathIntermittent}})
	if got := strings.Join(v.NextSteps, "\n"); !strings.Contains(got, "`probe export RUN.jsonl --format ticket` writes it for you") {
		t.Errorf("footer advice does not name RUN.jsonl:\n%s", got)
	}
}

// TestRunTextNamesRunFile: the text a ramp prints names its own run file in
// the next steps.
func TestRunTextNamesRunFile(t *testing.T) {
	t.Parallel()
	r := fixtureRun(t)
	r.RunFile = "probe-run-20261202T011405Z.jsonl"
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "probe export probe-run-20261202T011405Z.jsonl -o ticket") || strings.Contains(b.String(), "RUN.jsonl") {
		t.Errorf("next steps do not name the run file:\n%s", b.String())
	}
}
