package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeTryLine runs `probe serve` and then the command line it prints,
// as a user would paste it: the line must work (the demo key, the right
// variables), and the user's own key must not be what it sends.
func TestServeTryLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	urlFile := filepath.Join(dir, "url")
	ctx, cancel := context.WithCancel(t.Context())
	sios, _, serr := TestStreams(nil)
	// serve writes while the test reads: the file system orders the url
	// file after the lines, but not for the race detector, so the buffer
	// is locked.
	sout := &lockedBuffer{}
	sios.Out = sout
	done := make(chan ExitCode, 1)
	go func() { done <- Main(ctx, []string{"serve", "--scenario", "healthy", "--url-file", urlFile}, sios) }()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(urlFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve wrote no url file; stderr %s", serr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The url file is written after the lines are printed.
	var try string
	for _, l := range strings.Split(sout.String(), "\n") {
		if s, ok := strings.CutPrefix(l, "try: "); ok {
			try = s
		}
	}
	fields := strings.Fields(try)
	if len(fields) < 4 || fields[len(fields)-2] != "probe" {
		t.Fatalf("serve printed no usable try line: %q", sout)
	}
	env := map[string]string{}
	for _, f := range fields[:len(fields)-2] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("try line %q: %q is not NAME=value", try, f)
		}
		env[k] = v
	}
	args := append(fields[len(fields)-1:], "--steps", "1", "--requests", "2", "--out", filepath.Join(dir, "run.jsonl"), "-q")
	ios, stdout, stderr := TestStreams(env)
	if got := Main(t.Context(), args, ios); got != ExitHealthy {
		t.Fatalf("the try line %q exits %d; stdout %s stderr %s", try, got, stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "sk-ant-api03-SI…00AA") {
		t.Errorf("the try line did not send the demo key:\n%s", stdout)
	}
}

// lockedBuffer is a bytes.Buffer that one goroutine writes while another reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
