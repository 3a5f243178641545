package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// usage is what one child process cost.
type usage struct {
	Wall   time.Duration
	CPU    time.Duration // user + system
	MaxRSS int64         // peak resident set, KiB
	Exit   int
	Stderr string `json:"-"` // the first few KiB the child wrote there
}

// dummyKey is the key the probe children send to the loopback server.
const dummyKey = "sk-ant-api03-bench-loopback-only-not-a-secret-000000000000000000000000"

// childEnv is the harness's environment without anything that could send a
// child elsewhere (base URLs, proxies) or give it a real key.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		up := strings.ToUpper(k)
		if strings.HasPrefix(up, "ANTHROPIC_") || strings.HasPrefix(up, "OPENAI_") || strings.HasSuffix(up, "_PROXY") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "ANTHROPIC_API_KEY="+dummyKey, "NO_PROXY=127.0.0.1,localhost")
}

// runChild runs path with args and measures it: wall time from start to
// exit, CPU from the kernel's accounting, peak RSS from rusage. A non-zero
// exit is reported in usage.Exit, not as an error; the caller knows which
// codes are fine.
//
// The child is started by a copy of the harness in -child mode, which
// starts the tool and reports its rusage. Go starts processes with
// vfork, and Linux counts the parent's resident set in a vforked child's
// ru_maxrss; the harness holds tens of MiB by the time it measures memory,
// the -child process only a few, so the tool's peak is its own.
func runChild(ctx context.Context, path string, args []string, stdin io.Reader, stdout io.Writer) (usage, error) {
	self, err := os.Executable()
	if err != nil {
		return usage{}, err
	}
	report, reportW, err := os.Pipe()
	if err != nil {
		return usage{}, err
	}
	defer report.Close()
	cmd := exec.CommandContext(ctx, self, append([]string{childFlag, path}, args...)...)
	cmd.Env = childEnv()
	cmd.Stdin = stdin
	if stdout == nil {
		stdout = io.Discard
	}
	cmd.Stdout = stdout
	stderr := &capped{max: 4 << 10}
	cmd.Stderr = stderr
	cmd.ExtraFiles = []*os.File{reportW} // fd 3 in the child
	err = cmd.Start()
	reportW.Close()
	if err != nil {
		return usage{}, fmt.Errorf("%s: %v", path, err)
	}
	var u usage
	decodeErr := json.NewDecoder(report).Decode(&u)
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return u, ctx.Err()
	}
	if decodeErr != nil {
		return u, fmt.Errorf("%s: %v (%v): %s", shortName(path), decodeErr, waitErr, strings.TrimSpace(stderr.String()))
	}
	u.Stderr = strings.TrimSpace(stderr.String())
	return u, nil
}

// childFlag starts the harness in -child mode: childMain.
const childFlag = "-child"

// childMain runs path with args, passing standard input and output
// through, and writes its usage as JSON to fd 3.
func childMain(path string, args []string) int {
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	ps := cmd.ProcessState
	if ps == nil {
		fmt.Fprintf(os.Stderr, "harness: %v\n", err)
		return 1
	}
	u := usage{Wall: wall, CPU: ps.UserTime() + ps.SystemTime(), MaxRSS: maxRSS(ps), Exit: ps.ExitCode()}
	if err := json.NewEncoder(os.NewFile(3, "usage")).Encode(u); err != nil {
		fmt.Fprintf(os.Stderr, "harness: %v\n", err)
		return 1
	}
	return 0
}

func shortName(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// capped keeps the first max bytes written to it.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// repeatReader yields s n times: vegeta's lazy targets, without a file.
type repeatReader struct {
	s   string
	n   int
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		if r.n == 0 {
			if total == 0 {
				return 0, io.EOF
			}
			break
		}
		k := copy(p, r.s[r.off:])
		p, total, r.off = p[k:], total+k, r.off+k
		if r.off == len(r.s) {
			r.off, r.n = 0, r.n-1
		}
	}
	return total, nil
}
