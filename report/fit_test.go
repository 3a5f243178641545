package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
)

// goldenWidths are the terminal widths the fitted output is pinned at.
var goldenWidths = []int{60, 200}

// screen is what a terminal shows after output with carriage returns and
// erase-line codes: for each line, its last rewrite.
func screen(raw string) string {
	lines := strings.Split(raw, "\n")
	for i, l := range lines {
		if j := strings.LastIndex(l, "\r\x1b[K"); j >= 0 {
			lines[i] = l[j+len("\r\x1b[K"):]
		}
	}
	return strings.Join(lines, "\n")
}

// checkFits fails when a shown line would wrap at width.
func checkFits(t *testing.T, text string, width int) {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if !fits(columns(l), width) {
			t.Errorf("line of %d columns at width %d: %q", columns(l), width, l)
		}
	}
}

func TestStepTableWidthGolden(t *testing.T) {
	run := fixtureRun(t)
	for _, width := range goldenWidths {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			var b bytes.Buffer
			if err := StepTableWidth(&b, run.Summary, width); err != nil {
				t.Fatal(err)
			}
			checkFits(t, b.String(), width)
			golden(t, fmt.Sprintf("table-%d.golden", width), b.Bytes())
		})
	}
}

// TestStepTableWidth: narrower terminals lose columns, then get stacked
// lines; piped output (width 0) is the full table, unchanged.
func TestStepTableWidth(t *testing.T) {
	t.Parallel()
	run := fixtureRun(t)
	var full bytes.Buffer
	if err := StepTable(&full, run.Summary); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		width       int
		wantHeader  string
		wantMissing string
	}{
		{"piped", 0, "p95 ms", ""},
		{"wide", 200, "p95 ms", ""},
		{"60 columns", 60, "403 rate", "p95 ms"},
		{"40 columns", 40, "c=1:", "concurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := StepTableWidth(&b, run.Summary, tt.width); err != nil {
				t.Fatal(err)
			}
			checkFits(t, b.String(), tt.width)
			if !strings.Contains(b.String(), tt.wantHeader) {
				t.Errorf("table lacks %q:\n%s", tt.wantHeader, b.String())
			}
			if tt.wantMissing != "" && strings.Contains(b.String(), tt.wantMissing) {
				t.Errorf("table at %d columns still has %q:\n%s", tt.width, tt.wantMissing, b.String())
			}
			if tt.width == 0 && b.String() != full.String() {
				t.Errorf("piped table differs from StepTable's")
			}
		})
	}
}

// drawStrip feeds a progress strip a run of answers: a short step, and one
// long enough to overflow any terminal.
func drawStrip(width int) string {
	var b bytes.Buffer
	p := NewProgress(&b, false, width)
	p.Legend()
	p.Batch(1, 0)
	for i := range 10 {
		o := classify.OutcomeOK
		if i%3 == 2 {
			o = classify.OutcomePermission
		}
		p.Add(o)
	}
	p.Notice("undecided: adding 10 requests at c=1")
	p.Batch(10, 1)
	for i := range 150 {
		o := classify.OutcomeOK
		if i%4 == 0 {
			o = classify.OutcomeRateLimit
		}
		p.Add(o)
	}
	p.Done()
	return b.String()
}

func TestProgressWidthGolden(t *testing.T) {
	for _, width := range goldenWidths {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			shown := screen(drawStrip(width))
			checkFits(t, shown, width)
			golden(t, fmt.Sprintf("strip-%d.golden", width), []byte(shown))
		})
	}
}

// TestProgressEveryDrawFits checks every intermediate state, not only the
// last: one state that wraps is enough to flood the scrollback.
func TestProgressEveryDrawFits(t *testing.T) {
	t.Parallel()
	for _, width := range []int{20, 40, 60, 80} {
		raw := drawStrip(width)
		for _, l := range strings.FieldsFunc(raw, func(r rune) bool { return r == '\r' || r == '\n' }) {
			l = strings.TrimPrefix(l, "\x1b[K")
			// A notice is printed once, not rewritten: it may wrap.
			if strings.HasPrefix(l, "probe: ") {
				continue
			}
			if !fits(columns(l), width) {
				t.Errorf("width %d: a drawn state of %d columns: %q", width, columns(l), l)
			}
		}
	}
}

func TestCountdownGolden(t *testing.T) {
	for _, width := range goldenWidths {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			var b strings.Builder
			for _, left := range []time.Duration{5 * time.Minute, 61*time.Minute + 500*time.Millisecond, 3 * time.Second} {
				b.WriteString(CountdownLine(left, width) + "\n")
			}
			checkFits(t, b.String(), width)
			golden(t, fmt.Sprintf("countdown-%d.golden", width), []byte(b.String()))
		})
	}
}

func TestCountdownNarrow(t *testing.T) {
	t.Parallel()
	for _, width := range []int{0, 10, 30, 50, 80} {
		if got := CountdownLine(90*time.Second, width); !fits(columns(got), width) || !strings.Contains(got, "1:30") {
			t.Errorf("CountdownLine(1m30s, %d) = %q", width, got)
		}
	}
}

func TestClock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00"},
		{300 * time.Millisecond, "0:01"},
		{time.Second, "0:01"},
		{59*time.Second + time.Millisecond, "1:00"},
		{5 * time.Minute, "5:00"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"},
	} {
		if got := clock(tc.d); got != tc.want {
			t.Errorf("clock(%v) = %q; want %q", tc.d, got, tc.want)
		}
	}
}
