package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
)

// FuzzInertCell: whatever a server puts in a message or id, the CSV cell
// never starts with a character a spreadsheet would run as a formula, and
// the CSV reads back to the same (inert) text.
func FuzzInertCell(f *testing.F) {
	for _, s := range []string{"=1+2", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", `"q",x` + "\n=y", "plain", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cell := InertCell(s)
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Fatalf("InertCell(%q) = %q starts with a live formula character", s, cell)
		}
		var buf bytes.Buffer
		w, err := NewCSVWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(&runfile.Record{Message: s, RequestID: s, Outcome: classify.OutcomePermission}); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("the CSV for %q does not read back: %v", s, err)
		}
		for _, row := range rows[1:] {
			for _, c := range row {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Fatalf("cell %q read back with a live formula character", c)
				}
			}
		}
	})
}
