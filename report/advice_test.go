package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/verdict"
)

func TestAdvice(t *testing.T) {
	t.Parallel()
	ticket := "Then open a support ticket with the request ids (`probe export RUN.jsonl --format ticket` writes it for you)."
	tests := []struct {
		name    string
		steps   []string
		runFile string
		want    []string
		notWant []string
	}{
		{"the real run file", []string{ticket}, "probe-run-20261202T011405Z.jsonl",
			[]string{"`probe export probe-run-20261202T011405Z.jsonl -o ticket`"}, []string{"RUN.jsonl"}},
		{"a run file to quote", []string{ticket}, "my run.jsonl", []string{"`probe export 'my run.jsonl' -o ticket`"}, nil},
		{"check: no run file to export", []string{ticket}, "", []string{"`probe ramp` records the requests"}, []string{"RUN.jsonl", "probe export <run file> -o ticket` writes it"}},
		{"check: not the command just run", []string{"Run `probe check` to inspect the key's shape and source locally, without sending requests.", "Copy the key again."}, "",
			[]string{"Copy the key again."}, []string{"Run `probe check`"}},
		{"check: again after a change is fine", []string{"Turn off the VPN, then run `probe check` again."}, "", []string{"`probe check` again"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := strings.Join(adviseRun(verdict.Verdict{NextSteps: tt.steps}, tt.runFile).NextSteps, "\n")
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

// TestRunTextNamesRunFile: the text a ramp prints names its own run file in
// the next steps.
func TestRunTextNamesRunFile(t *testing.T) {
	t.Parallel()
	r := fixtureRun(t)
	r.Verdict.NextSteps = []string{"Then open a ticket (`probe export RUN.jsonl --format ticket` writes it for you)."}
	r.RunFile = "probe-run-20261202T011405Z.jsonl"
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "probe export probe-run-20261202T011405Z.jsonl -o ticket") || strings.Contains(b.String(), "RUN.jsonl") {
		t.Errorf("next steps do not name the run file:\n%s", b.String())
	}
}
