package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
)

func TestInertCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Permission denied", "Permission denied"},
		{"=1+2", "'=1+2"},
		{"+SUM(A1)", "'+SUM(A1)"},
		{"-2+3", "'-2+3"},
		{"@cmd", "'@cmd"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"a=b", "a=b"},
		{"'quoted", "'quoted"},
	} {
		if got := InertCell(tc.in); got != tc.want {
			t.Errorf("InertCell(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// live reports whether a spreadsheet would run the cell as a formula.
func live(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0]))
}

// TestCSVRoundTrip writes hostile values (as a record could hold them, raw
// newlines included) and reads them back with encoding/csv: every value
// comes back, apart from the inert prefix, and no cell is a live formula.
func TestCSVRoundTrip(t *testing.T) {
	recs := []*runfile.Record{
		{Seq: 0, Concurrency: 1, Status: 403, Outcome: classify.OutcomePermission, ErrorType: "permission_error",
			Message: "=HYPERLINK(\"http://evil\",\"x\"), \"quoted\"\nsecond line", RequestID: `=cmd|' /C calc'!A0,"x"`, RequestIDSource: classify.IDFromRequestID},
		{Seq: 1, Concurrency: 5, Status: 429, Outcome: classify.OutcomeRateLimit, ErrorType: "+rate", Message: "-1, @two\r\nthree", RequestID: "@id", RetryAfter: "\t5"},
		{Seq: 2, Concurrency: 5, Status: 200, Outcome: classify.OutcomeOK, Message: "plain, with comma"},
	}
	var buf bytes.Buffer
	cw, err := NewCSVWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Started = time.Date(2026, 3, 2, 10, 0, 0, int(r.Seq)*1000, time.UTC)
		if err := cw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read the output: %v\n%s", err, buf.String())
	}
	if len(rows) != len(recs)+1 {
		t.Fatalf("%d rows; want a header and %d", len(rows), len(recs))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, r := range recs {
		row := rows[i+1]
		for _, c := range row {
			if live(c) {
				t.Errorf("row %d: cell %q starts with a live formula character", i, c)
			}
		}
		for name, want := range map[string]string{
			"message": r.Message, "request_id": r.RequestID, "error_type": r.ErrorType, "retry_after": r.RetryAfter,
		} {
			got := row[col[name]]
			if live(want) {
				got = strings.TrimPrefix(got, "'")
			}
			// encoding/csv reads a quoted \r\n inside a cell as \n.
			want = strings.ReplaceAll(want, "\r\n", "\n")
			if got != want {
				t.Errorf("row %d %s = %q; want %q", i, name, got, want)
			}
		}
	}
}

func TestRecordArray(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		var buf bytes.Buffer
		a := NewRecordArrayWriter(&buf)
		for i := range n {
			if err := a.Write(&runfile.Record{Kind: "request", Seq: int64(i), Message: "<b>&</b>"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		var got []runfile.Record
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("%d records: not a JSON array: %v\n%s", n, err, buf.String())
		}
		if len(got) != n {
			t.Errorf("%d records written, %d read back", n, len(got))
		}
		if n > 0 && !strings.Contains(buf.String(), "<b>&</b>") {
			t.Errorf("messages are HTML-escaped: %s", buf.String())
		}
	}
}
