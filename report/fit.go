package report

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
)

// columns reports how many terminal columns s takes.
func columns(s string) int { return runewidth.StringWidth(s) }

// fits reports whether a line of n columns fits a terminal of width columns
// without wrapping. The last column is left free: some terminals wrap on it.
// Width 0 means not a terminal: everything fits.
func fits(n, width int) bool { return width <= 0 || n < width }

// stepHeader names the per-step table's columns.
var stepHeader = []string{"concurrency", "sent", "ok", "403", "429", "5xx", "network", "other", "403 rate", "p50 ms", "p95 ms"}

// dropOrder is the order in which a narrow terminal loses columns (indices
// into stepHeader): timings first, then the rarer outcomes. Concurrency,
// sent, ok, 403 and the 403 rate stay: they are the verdict's evidence.
var dropOrder = []int{10, 9, 7, 6, 5, 4}

// StepTableWidth prints the per-step table to fit a terminal of width
// columns: all columns when they fit (or when width is 0: piped), else fewer
// columns, else one stacked line per step.
func StepTableWidth(w io.Writer, s *diagnose.Summary, width int) error {
	rows := stepRows(s)
	keep := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for i := 0; ; i++ {
		var buf bytes.Buffer
		if err := renderTable(&buf, rows, keep); err != nil {
			return err
		}
		first, _, _ := strings.Cut(buf.String(), "\n")
		if fits(columns(first), width) {
			_, err := w.Write(buf.Bytes())
			return err
		}
		if i == len(dropOrder) {
			break
		}
		keep = slices.DeleteFunc(keep, func(c int) bool { return c == dropOrder[i] })
	}
	return stackedSteps(w, rows, width)
}

// stepRows are the table's cells, one row per step that sent anything.
func stepRows(s *diagnose.Summary) [][]string {
	var rows [][]string
	for _, st := range s.Steps {
		if st.Sent == 0 {
			continue
		}
		var r429, r5xx, net int
		for o, n := range st.Outcomes {
			if o != classify.OutcomeOK && o.IsNetwork() {
				net += n
			}
		}
		for code, n := range st.Statuses {
			switch {
			case code == 429:
				r429 += n
			case code >= 500 && code < 600:
				r5xx += n
			}
		}
		other := max(0, st.Answered-st.OK-st.Refused403-r429-r5xx-net)
		rows = append(rows, []string{
			fmt.Sprint(st.Concurrency), fmt.Sprint(st.Sent), fmt.Sprint(st.OK), fmt.Sprint(st.Refused403),
			fmt.Sprint(r429), fmt.Sprint(r5xx), fmt.Sprint(net), fmt.Sprint(other),
			pct(st.Refused403, st.Answered),
			fmt.Sprintf("%.0f", millis(st.Latency.Quantile(0.5))), fmt.Sprintf("%.0f", millis(st.Latency.Quantile(0.95))),
		})
	}
	return rows
}

func pick(cells []string, keep []int) []string {
	out := make([]string, len(keep))
	for i, c := range keep {
		out[i] = cells[c]
	}
	return out
}

func renderTable(w io.Writer, rows [][]string, keep []int) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignment(tw.AlignRight),
	)
	t.Header(pick(stepHeader, keep))
	for _, r := range rows {
		if err := t.Append(pick(r, keep)); err != nil {
			return err
		}
	}
	return t.Render()
}

// stackedSteps is the table for the narrowest terminals: a line per step,
// cut to the width.
func stackedSteps(w io.Writer, rows [][]string, width int) error {
	for _, r := range rows {
		line := fmt.Sprintf("c=%s: %s sent, %s ok, %s 403 (%s), %s 429, %s 5xx, %s network, %s other", r[0], r[1], r[2], r[3], r[8], r[4], r[5], r[6], r[7])
		if _, err := fmt.Fprintln(w, cut(line, width)); err != nil {
			return err
		}
	}
	return nil
}

// cut shortens a line to fit width columns, marking the cut with "…".
func cut(s string, width int) string {
	if fits(columns(s), width) {
		return s
	}
	return runewidth.Truncate(s, width-1, "…")
}

// CountdownLine is the live line of a cooldown's wait, the longest wording
// that fits width columns (0: not a terminal, the full wording).
func CountdownLine(left time.Duration, width int) string {
	c := clock(left)
	for _, s := range []string{
		"probe: cooling down: " + c + " left (Ctrl-C ends here, keeping the first run)",
		"probe: cooling down: " + c + " left (Ctrl-C keeps the first run)",
		"probe: cooling down: " + c + " left",
		"cooling down: " + c + " left",
		c,
	} {
		if fits(columns(s), width) {
			return s
		}
	}
	return cut(c, width)
}

// clock formats a duration as m:ss, or h:mm:ss from an hour, rounding up so
// the countdown never shows 0:00 while time is left.
func clock(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
