//go:build !unix

package engine

// FileLimitWarning has nothing to check where there is no RLIMIT_NOFILE.
func FileLimitWarning(concurrency int) string { return "" }
