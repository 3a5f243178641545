package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/runfile"
)

// TestDefaultRampIsQuick holds the promise of the README's first command: a
// default ramp against the simulated API finishes in under 10 seconds.
//
// What makes a ramp take long is what it waits for on purpose (pauses,
// retry-after, countdowns), how slowly the simulated API answers and how
// many requests it sends; a loaded machine under -race stretches only the
// time requests spend in flight and probe's own work. So the test bounds
// the first three, read from the run file, not the wall clock: the time no
// request was in flight (the wall time less the union of the requests'
// start-to-finish spans) stays under 8s, the median request under 500ms
// (the simulated API answers in about 20ms), and the requests within the
// default budget.
func TestDefaultRampIsQuick(t *testing.T) {
	for _, name := range []string{"healthy", "abuse", "rate-limited"} {
		t.Run(name, func(t *testing.T) {
			ios, stdout, stderr := TestStreams(nil)
			out := filepath.Join(t.TempDir(), "run.jsonl")
			start := time.Now()
			Main(t.Context(), []string{"ramp", "--scenario", name, "--out", out}, ios)
			took := time.Since(start)
			if !strings.Contains(stdout.String(), "Verdict:") {
				t.Errorf("ramp --scenario %s printed no verdict; stderr: %s", name, stderr)
			}
			busy, latencies := inFlight(t, out)
			if idle := took - busy; idle > 8*time.Second {
				t.Errorf("ramp --scenario %s took %v, %v of it with no request in flight; want under 8s of waiting", name, took, idle)
			}
			if len(latencies) == 0 || len(latencies) > 100 {
				t.Fatalf("ramp --scenario %s sent %d requests; want 1 to 100 (the default budget)", name, len(latencies))
			}
			slices.Sort(latencies)
			if p50 := latencies[len(latencies)/2]; p50 > 500*time.Millisecond {
				t.Errorf("ramp --scenario %s: median request took %v; want under 500ms from the simulated API", name, p50)
			}
		})
	}
}

// inFlight reads a run file and returns the time at least one request was
// in flight, and each request's start-to-finish time.
func inFlight(t *testing.T, path string) (time.Duration, []time.Duration) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no run file: %v", err)
	}
	defer f.Close()
	type span struct{ from, to time.Time }
	var spans []span
	var latencies []time.Duration
	if _, err := runfile.Read(f, func(r *runfile.Record) error {
		spans = append(spans, span{r.Started, r.Finished})
		latencies = append(latencies, r.Finished.Sub(r.Started))
		return nil
	}); err != nil {
		t.Fatalf("run file: %v", err)
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	var busy time.Duration
	var cur span
	for i, s := range spans {
		switch {
		case i == 0:
			cur = s
		case s.from.After(cur.to):
			busy += cur.to.Sub(cur.from)
			cur = s
		case s.to.After(cur.to):
			cur.to = s.to
		}
	}
	if len(spans) > 0 {
		busy += cur.to.Sub(cur.from)
	}
	return busy, latencies
}
