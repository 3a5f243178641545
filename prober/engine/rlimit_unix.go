//go:build unix

package engine

import (
	"fmt"
	"syscall"
)

// fdsPerRequest is how many file descriptors a request in flight may hold
// at once: its connection, and a dial racing another (happy eyeballs).
const fdsPerRequest = 2

// warnFileLimit warns when the process may open fewer files than the
// highest step needs: past the limit, dials fail with "too many open files",
// which is probe's limit and says nothing about the API.
func (e *Engine) warnFileLimit() {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		return
	}
	highest := 0
	for _, st := range e.Plan.Steps {
		highest = max(highest, st.Concurrency)
	}
	// A few descriptors are the process's own: stdio, the run file, the
	// runtime's poller.
	if need := uint64(highest*fdsPerRequest + 16); lim.Cur < need {
		e.notice(fmt.Sprintf("the open-file limit (ulimit -n) is %d, below the %d the highest step (c=%d) may need: requests past it fail as tool failures, not the API's; raise it with ulimit -n %d", lim.Cur, need, highest, need))
	}
}
