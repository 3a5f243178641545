package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// conditionTimeout bounds the wait for an interrupt's condition. It is
// generous because the condition, not the clock, says when to signal: a
// loaded machine running -race binaries only makes the wait longer.
const conditionTimeout = 60 * time.Second

// interruptSpec is one parsed interrupt command.
type interruptSpec struct {
	sig        syscall.Signal
	twice      bool
	pipe       bool
	linesFile  string         // -lines: wait for this run file ...
	lines      int            // ... to hold this many request lines
	stderrRE   *regexp.Regexp // -stderr: wait for the command to print this
	blocked    bool           // -blocked: wait for it to block opening or reading
	delay      time.Duration  // then wait this long
	within     time.Duration  // and require an exit within this of the signal
	program    string
	programArg []string
}

// cmdInterrupt runs a command, waits for a condition, sends it SIGINT (or
// SIGTERM with -TERM, SIGKILL with -KILL), and requires it to exit within
// WITHIN of the signal. The conditions make the signal land at the moment the
// script means, however slow the machine: -lines until FILE holds N request
// lines, -stderr until the command's stderr matches REGEXP, -blocked until a
// thread of the command sleeps in open or read (where a FIFO or an endless
// stdin holds it; it needs Linux's /proc). DELAY is waited after them. With
// -twice the command must still be running WITHIN after the first SIGINT,
// and exit within WITHIN of a second: the user's second Ctrl-C. Its stdout
// and stderr are saved to interrupt.stdout and interrupt.stderr.
//
//	interrupt [-TERM | -KILL | -twice] [-pipe] [-lines FILE N] [-stderr REGEXP] [-blocked] DELAY WITHIN PROGRAM ARGS...
func cmdInterrupt(ts *testscript.TestScript, neg bool, args []string) {
	spec, err := parseInterrupt(args)
	if neg || err != nil {
		ts.Fatalf("interrupt: %v\nusage: interrupt [-TERM | -KILL | -twice] [-pipe] [-lines FILE N] [-stderr REGEXP] [-blocked] DELAY WITHIN PROGRAM ARGS...", err)
	}
	cmd := exec.Command(lookScriptPath(ts, spec.program), spec.programArg...)
	cmd.Dir = ts.Getenv("WORK")
	// The race detector sleeps a second at exit by default
	// (GORACE atexit_sleep_ms), which would be measured as ours.
	cmd.Env = append(scriptEnv(ts), "GORACE=atexit_sleep_ms=0")
	var out bytes.Buffer
	errb := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = &out, errb
	if spec.pipe { // stdin is a pipe nobody writes to or closes
		r, w, err := os.Pipe()
		ts.Check(err)
		defer w.Close()
		defer r.Close()
		cmd.Stdin = r
	}
	if err := cmd.Start(); err != nil {
		ts.Fatalf("interrupt: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if err := spec.await(ts, cmd.Process.Pid, errb, done); err != nil {
		_ = cmd.Process.Kill()
		<-done
		ts.Fatalf("interrupt: %v\nstderr so far:\n%s", err, errb.String())
	}
	signalAndWait(ts, spec, cmd.Process, done)
	ts.Check(os.WriteFile(ts.MkAbs("interrupt.stdout"), out.Bytes(), 0o644))
	ts.Check(os.WriteFile(ts.MkAbs("interrupt.stderr"), []byte(errb.String()), 0o644))
}

// parseInterrupt reads interrupt's arguments.
func parseInterrupt(args []string) (*interruptSpec, error) {
	s := &interruptSpec{sig: syscall.SIGINT}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		n := 1
		switch args[0] {
		case "-TERM":
			s.sig = syscall.SIGTERM
		case "-KILL":
			s.sig = syscall.SIGKILL
		case "-twice":
			s.twice = true
		case "-pipe":
			s.pipe = true
		case "-blocked":
			s.blocked = true
		case "-lines":
			if len(args) < 3 {
				return nil, fmt.Errorf("-lines needs FILE N")
			}
			if _, err := fmt.Sscan(args[2], &s.lines); err != nil {
				return nil, fmt.Errorf("-lines %s %s: %v", args[1], args[2], err)
			}
			s.linesFile, n = args[1], 3
		case "-stderr":
			if len(args) < 2 {
				return nil, fmt.Errorf("-stderr needs REGEXP")
			}
			re, err := regexp.Compile(args[1])
			if err != nil {
				return nil, err
			}
			s.stderrRE, n = re, 2
		default:
			return nil, fmt.Errorf("unknown option %s", args[0])
		}
		args = args[n:]
	}
	if len(args) < 3 {
		return nil, fmt.Errorf("too few arguments")
	}
	var err1, err2 error
	s.delay, err1 = time.ParseDuration(args[0])
	s.within, err2 = time.ParseDuration(args[1])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("bad durations %q %q", args[0], args[1])
	}
	s.program, s.programArg = args[2], args[3:]
	return s, nil
}

// await polls until every condition of s holds, then waits s.delay. It
// fails if the command exits first or the conditions take longer than
// conditionTimeout.
func (s *interruptSpec) await(ts *testscript.TestScript, pid int, errb *lockedBuffer, done chan error) error {
	start := time.Now()
	deadline := start.Add(conditionTimeout)
	for {
		var pending string
		switch {
		case s.linesFile != "" && countRequestLines(ts.MkAbs(s.linesFile)) < s.lines:
			pending = fmt.Sprintf("%s to hold %d request lines", s.linesFile, s.lines)
		case s.stderrRE != nil && !s.stderrRE.MatchString(errb.String()):
			pending = fmt.Sprintf("stderr to match %q", s.stderrRE)
		case s.blocked && !blockedInOpenOrRead(pid):
			pending = "the command to block opening or reading a file"
		}
		if pending == "" {
			break
		}
		select {
		case err := <-done:
			done <- err // signalAndWait is not reached; keep it for the caller's Kill path
			return fmt.Errorf("the command exited (%v) while waiting for %s", err, pending)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waited %v for %s", conditionTimeout, pending)
		}
	}
	if s.linesFile != "" || s.stderrRE != nil || s.blocked {
		ts.Logf("condition met after %v", time.Since(start).Round(time.Millisecond))
	}
	time.Sleep(s.delay)
	return nil
}

// signalAndWait sends the signal (twice with -twice) and requires the
// command to exit within s.within of the last one.
func signalAndWait(ts *testscript.TestScript, s *interruptSpec, p *os.Process, done chan error) {
	sent := time.Now()
	_ = p.Signal(s.sig)
	if s.twice {
		select {
		case err := <-done:
			ts.Fatalf("interrupt -twice: the first SIGINT ended the command (%v); nothing left for the second to do", err)
		case <-time.After(s.within):
		}
		sent = time.Now()
		_ = p.Signal(s.sig)
	}
	select {
	case <-done:
		ts.Logf("exited %v after the signal", time.Since(sent).Round(time.Millisecond))
	case <-time.After(s.within):
		_ = p.Kill()
		<-done
		ts.Fatalf("interrupt: still running %v after %v", s.within, s.sig)
	}
}

// lookScriptPath finds a program on the script's PATH: exec.LookPath reads
// the test process's PATH, and the script's is in its env.
func lookScriptPath(ts *testscript.TestScript, name string) string {
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p
		}
	}
	return name
}

// countRequestLines counts the complete request lines of a run file being
// written; a missing file has none.
func countRequestLines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		return 0
	}
	return bytes.Count(b, []byte(`"kind":"request"`))
}

// openReadSyscalls are the numbers of openat and read, per architecture, as
// /proc/PID/task/TID/syscall shows a thread sleeping in one.
var openReadSyscalls = map[string][2]string{
	"amd64":   {"257", "0"},
	"arm64":   {"56", "63"},
	"riscv64": {"56", "63"},
	"386":     {"295", "3"},
}

// blockedInOpenOrRead reports whether a thread of process pid sleeps in
// openat or read: probe's own files are regular and never make it sleep
// there, so it is a FIFO or the endless stdin pipe holding it, reached only
// after main has installed its signal handler. Where /proc cannot tell (not
// Linux, another architecture, no permission) it reports true, and DELAY
// alone decides.
func blockedInOpenOrRead(pid int) bool {
	nums, ok := openReadSyscalls[runtime.GOARCH]
	if !ok || runtime.GOOS != "linux" {
		return true
	}
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	if err != nil || len(tasks) == 0 {
		return true
	}
	for _, task := range tasks {
		stat, err1 := os.ReadFile(filepath.Join(task, "stat"))
		sc, err2 := os.ReadFile(filepath.Join(task, "syscall"))
		if err2 != nil && os.IsPermission(err2) {
			return true
		}
		if err1 != nil || err2 != nil {
			continue
		}
		// stat is "TID (COMM) STATE ..."; COMM may hold spaces or parens.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 || i+2 >= len(stat) || stat[i+2] != 'S' {
			continue
		}
		num, _, _ := strings.Cut(strings.TrimSpace(string(sc)), " ")
		if num == nums[0] || num == nums[1] {
			return true
		}
	}
	return false
}
