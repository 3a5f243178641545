//go:build unix

package clientconfig

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestRealFiles reads a real home directory through OSFS: a FIFO must not
// hang the reader, and an unreadable file must be a finding.
func TestRealFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	h, p := filepath.Join(root, "home"), filepath.Join(root, "proj")
	for _, d := range []string{filepath.Join(h, ".claude"), filepath.Join(p, ".claude")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(h, ".claude", "settings.json"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	locked := filepath.Join(p, ".claude", "settings.json")
	if err := os.WriteFile(locked, []byte(`{}`), 0o000); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(p, ".claude", "settings.local.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	done := make(chan *Config, 1)
	go func() {
		cfg, err := Load(Env{Home: h, ProjectDir: p, OS: "linux", FS: OSFS()})
		if err != nil {
			t.Errorf("Load: %v", err)
		}
		done <- cfg
	}()
	var cfg *Config
	select {
	case cfg = <-done:
	case <-time.After(30 * time.Second): // a FIFO blocks forever; 30s is for a loaded machine
		t.Fatal("Load hung on a FIFO")
	}
	wants := map[string]string{
		filepath.Join(h, ".claude", "settings.json"):       "not a regular file",
		filepath.Join(p, ".claude", "settings.local.json"): "is a directory",
	}
	if os.Geteuid() != 0 { // root reads a 0000 file anyway
		wants[locked] = "permission denied"
	}
	for subject, msg := range wants {
		if _, ok := findFinding(cfg, SeverityFail, subject, msg); !ok {
			t.Errorf("no fail finding on %s saying %q; got %+v", subject, msg, cfg.Findings())
		}
	}
}
