package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDefaultRampIsQuick holds the promise of the README's first command: a
// default ramp against the simulated API finishes in under 10 seconds.
func TestDefaultRampIsQuick(t *testing.T) {
	for _, name := range []string{"healthy", "abuse", "rate-limited"} {
		t.Run(name, func(t *testing.T) {
			ios, stdout, stderr := TestStreams(nil)
			out := filepath.Join(t.TempDir(), "run.jsonl")
			start := time.Now()
			Main(t.Context(), []string{"ramp", "--scenario", name, "--out", out}, ios)
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("ramp --scenario %s took %v; want under 10s", name, took)
			}
			if !strings.Contains(stdout.String(), "Verdict:") {
				t.Errorf("ramp --scenario %s printed no verdict; stderr: %s", name, stderr)
			}
			if _, err := os.Stat(out); err != nil {
				t.Errorf("no run file: %v", err)
			}
		})
	}
}
