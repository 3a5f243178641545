//go:build !unix

package engine

// warnFileLimit has nothing to check where there is no RLIMIT_NOFILE.
func (e *Engine) warnFileLimit() {}
