//go:build unix

package engine

import "syscall"

// FileLimitWarning returns a warning when the process may open fewer files
// than concurrency requests in flight need, or "" when it may. Past the
// limit dials fail with "too many open files": probe's limit, which says
// nothing about the API.
func FileLimitWarning(concurrency int) string {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		return ""
	}
	return fileLimitWarning(lim.Cur, concurrency)
}
