package main

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

// TestBlockedInOpenOrRead checks interrupt -blocked's condition on a process
// that sleeps elsewhere and on one that sleeps reading a pipe nobody writes to, so
// the scripts' signals cannot be sent early by a condition that is always met.
func TestBlockedInOpenOrRead(t *testing.T) {
	t.Parallel()
	if _, ok := openReadSyscalls[runtime.GOARCH]; !ok || runtime.GOOS != "linux" {
		t.Skip("needs Linux's /proc on a known architecture")
	}
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("no /proc")
	}
	cat, err1 := exec.LookPath("cat")
	sleep, err2 := exec.LookPath("sleep")
	if err1 != nil || err2 != nil {
		t.Skip("needs cat and sleep")
	}
	sleeper := exec.Command(sleep, "30")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() }()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cmd := exec.Command(cat)
	cmd.Stdin = r
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { w.Close(); _ = cmd.Wait() }()

	// sleep sleeps, but in neither call.
	time.Sleep(100 * time.Millisecond)
	if blockedInOpenOrRead(sleeper.Process.Pid) {
		t.Errorf("sleep counts as blocked in open or read")
	}
	deadline := time.Now().Add(conditionTimeout)
	for !blockedInOpenOrRead(cmd.Process.Pid) {
		if time.Now().After(deadline) {
			t.Fatalf("cat reading an empty pipe never counted as blocked in %v", conditionTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
