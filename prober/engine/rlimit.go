package engine

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
)

// fdsPerRequest is how many file descriptors a request in flight may hold
// at once: its connection, and a dial racing another (happy eyeballs).
const fdsPerRequest = 2

// fdsOwn are the process's own descriptors: stdio, the run file, the
// runtime's poller, a simulated API's listener.
const fdsOwn = 16

// fileLimitWarning words the warning for an open-file limit of limit and
// concurrency requests in flight, or "" when the limit suffices.
func fileLimitWarning(limit uint64, concurrency int) string {
	need := uint64(concurrency*fdsPerRequest + fdsOwn)
	if concurrency <= 0 || limit >= need {
		return ""
	}
	return fmt.Sprintf("the open-file limit (ulimit -n) is %d, below the %d that %d requests in flight may need: requests past it fail in probe itself (tool), not at the API, and the steps they belong to are not tested as planned; raise it with ulimit -n %d", limit, need, concurrency, need)
}

// warnFileLimit warns, before anything is sent, when the open-file limit
// is below what the plan's highest step needs. The warning goes to Warn,
// which callers keep even when they silence notices (-q).
func (e *Engine) warnFileLimit() {
	highest := 0
	for _, st := range e.Plan.Steps {
		highest = max(highest, st.Concurrency)
	}
	msg := FileLimitWarning(highest)
	switch {
	case msg == "":
	case e.Warn != nil:
		e.Warn(msg)
	default:
		e.notice(msg)
	}
}

// outOfFiles reports whether err says probe ran out of file descriptors:
// EMFILE or ENFILE, also from a DNS lookup, whose net.DNSError keeps only
// the text of what failed (a resolver's socket that could not be opened).
func outOfFiles(err error) bool {
	if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns) && strings.Contains(dns.Err, syscall.EMFILE.Error())
}
