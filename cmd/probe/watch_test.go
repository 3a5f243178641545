package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWatchUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "watch.yaml")
	if err := os.WriteFile(bad, []byte("targets:\n  - name: a\n    provider: acme\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown provider", []string{"watch", "--config", bad}, `probe: watch.yaml:3: targets[0].provider: unknown provider "acme"`},
		{"missing config", []string{"watch", "--config", filepath.Join(dir, "none.yaml")}, "probe: open "},
		{"config and flags", []string{"watch", "--config", bad, "--interval", "1s"}, "probe: --interval and --config exclude each other"},
		{"bad steps", []string{"watch", "--scenario", "healthy", "--steps", "1,x"}, "probe: --steps: "},
		{"budget below a probe", []string{"watch", "--scenario", "healthy", "--steps", "5", "--max-requests-per-hour", "2"}, "probe: --max-requests-per-hour: 2 is less"},
		{"key stdin", []string{"watch", "--key-stdin"}, "probe: --key-stdin: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ios, _, errb := TestStreams(nil)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a hang guard
			defer cancel()
			code := Main(ctx, tt.args, ios)
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			if code != ExitUsage || len(lines) != 1 || !strings.HasPrefix(lines[0], tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line starting %q", code, errb.String(), tt.want)
			}
		})
	}
}

// TestWatchStops runs probe watch on the simulated API and stops it as a
// signal would: it must return promptly and leave a complete run
// file that report reads.
func TestWatchStops(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	urlFile := filepath.Join(dir, "url")
	ios, _, errb := TestStreams(nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan ExitCode, 1)
	go func() {
		done <- Main(ctx, []string{"watch", "--scenario", "healthy", "--interval", "100ms", "--steps", "1,2",
			"--max-requests-per-hour", "100000", "--listen", "127.0.0.1:0", "--url-file", urlFile, "--run-dir", dir}, ios)
	}()
	waitFile(t, urlFile, time.Minute)
	// Stop once a probe has recorded answers, however long a loaded machine
	// took to get there (a fixed sleep could stop it before the first).
	waitRequests(t, filepath.Join(dir, "default-*.jsonl"), 2, 60*time.Second)
	cancel()
	start := time.Now()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("probe watch did not stop within 30s")
	}
	// A stop waits for no interval or probe to finish; 20s, not 1s, so that
	// a -race binary on a loaded 2-core machine still fits.
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("stopped after %s, want under 20s", d)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "default-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("run files %v, want one", files)
	}
	rios, out, rerr := TestStreams(nil)
	if code := Main(context.Background(), []string{"report", files[0]}, rios); code != ExitHealthy || strings.Contains(rerr.String(), "no verdict line") {
		t.Errorf("report: exit %d\n%s\n%s", code, out, rerr)
	}
}

// waitFile waits for a file another goroutine writes.
func waitFile(t *testing.T, path string, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not appear within %s", path, limit)
	return ""
}

// waitRequests waits until a file matching pattern holds at least n
// complete request lines.
func waitRequests(t *testing.T, pattern string, n int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if countRequestLines(f) >= n {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no file %s held %d request lines within %s", pattern, n, limit)
}

// freePort returns a loopback address nobody listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
