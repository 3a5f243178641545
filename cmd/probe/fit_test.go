package main

import (
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

// TestLiveOutputFits runs a ramp on a pretend terminal: NO_COLOR takes the
// colour away but keeps the strip; TERM=dumb gets no cursor control; at 60
// columns no rewritten line wraps.
func TestLiveOutputFits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		env        map[string]string
		wantStrip  bool
		wantCursor bool
		wantColor  bool
	}{
		{"colour terminal", map[string]string{"TERM": "xterm"}, true, true, true},
		{"NO_COLOR", map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, true, true, false},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ios, _, stderr := TestStreams(tt.env)
			ios.ErrTTY, ios.Width = true, 60
			out := t.TempDir() + "/run.jsonl"
			Main(t.Context(), []string{"ramp", "--scenario", "abuse", "--steps", "1,10", "--requests", "40", "--out", out}, ios)
			got := stderr.String()
			if strings.Contains(got, "c=10") != tt.wantStrip {
				t.Errorf("strip shown = %v; want %v:\n%q", !tt.wantStrip, tt.wantStrip, got)
			}
			if strings.Contains(got, "\x1b[K") != tt.wantCursor {
				t.Errorf("cursor control = %v; want %v", !tt.wantCursor, tt.wantCursor)
			}
			if strings.Contains(got, "\x1b[3") != tt.wantColor {
				t.Errorf("colour = %v; want %v", !tt.wantColor, tt.wantColor)
			}
			for _, l := range strings.FieldsFunc(got, func(r rune) bool { return r == '\r' || r == '\n' }) {
				l = strings.TrimPrefix(l, "\x1b[K")
				if strings.HasPrefix(l, "probe: ") {
					continue // printed once, never rewritten
				}
				if w := runewidth.StringWidth(stripANSI(l)); w >= 60 {
					t.Errorf("a line of %d columns at width 60: %q", w, l)
				}
			}
		})
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestQuietStillSaysWhy: -q silences progress, not why the run stopped.
func TestQuietStillSaysWhy(t *testing.T) {
	t.Parallel()
	ios, _, stderr := TestStreams(nil)
	out := t.TempDir() + "/run.jsonl"
	if got := Main(t.Context(), []string{"ramp", "-q", "--scenario", "revoked-key", "--out", out}, ios); got != ExitDiagnosed {
		t.Fatalf("ramp = %d; stderr %s", got, stderr)
	}
	if !strings.Contains(stderr.String(), "stopped early") {
		t.Errorf("stderr under -q does not say the run stopped early: %q", stderr)
	}
}

// TestTableFitsStdout: the table is fitted to a terminal stdout only.
func TestTableFitsStdout(t *testing.T) {
	t.Parallel()
	for _, tty := range []bool{false, true} {
		ios, stdout, _ := TestStreams(nil)
		ios.OutTTY, ios.Width = tty, 60
		Main(t.Context(), []string{"ramp", "-q", "--scenario", "healthy", "--steps", "1", "--out", t.TempDir() + "/run.jsonl"}, ios)
		if got := strings.Contains(stdout.String(), "p95 ms"); got == tty {
			t.Errorf("stdout terminal %v: p95 column shown = %v", tty, got)
		}
	}
}
