package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/llm-probe/probe/prober/engine"
	"golang.org/x/term"
)

// IOStreams is everything a command reads from or writes to outside itself,
// passed in so commands run in tests without touching the process's own.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	OutTTY bool
	ErrTTY bool
	// Getenv reads the environment.
	Getenv func(string) string
	// Now is the clock.
	Now func() time.Time
	// RootCAs, if set, replaces the system's trusted roots: tests use it
	// to probe their own TLS (and so HTTP/2) servers.
	RootCAs *x509.CertPool
	// InTTY says standard input is a terminal.
	InTTY bool
	// Width is the terminal's width in columns for live output and tables;
	// 0 means not a terminal, or unknown: lines are not fitted.
	Width int

	started atomic.Bool
	// stdinCopy is the temporary file holding a run file read from stdin.
	stdinCopy string
}

// Started marks the point from which the command honours cancellation:
// requests may be in flight, so a signal must let it finish its records.
// Before it, a signal ends the process at once (see main.go).
func (s *IOStreams) Started() { s.started.Store(true) }

// IsStarted reports whether Started was called.
func (s *IOStreams) IsStarted() bool { return s.started.Load() }

// Live reports whether stderr may carry cursor control (rewritten lines):
// a terminal that is not TERM=dumb. NO_COLOR does not matter here.
func (s *IOStreams) Live() bool {
	return s.ErrTTY && s.Getenv("TERM") != "dumb"

}

// transport returns the transport requests are sent through, for up to
// maxConcurrency requests at once, with the proxies getenv names: the
// target's environment (resolvedTarget.Keys.Getenv), which under --as
// claude-code has Claude Code's proxy settings.
func (s *IOStreams) transport(maxConcurrency int, getenv func(string) string) *engine.Transport {
	tr := engine.NewTransport(maxConcurrency, getenv)
	if s.RootCAs != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}
	}
	return tr
}

// System returns the process's own streams.
func System() *IOStreams {
	s := &IOStreams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		Getenv: os.Getenv,
		Now:    time.Now,
	}
	// Live output goes to stderr; a table to a terminal stdout. Either
	// terminal gives the width; piped, nothing is fitted.
	for _, f := range []*os.File{os.Stderr, os.Stdout} {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			s.Width = w
			break
		}
	}
	return s
}

// Color reports whether stderr may carry colour: a terminal, and NO_COLOR unset.
func (s *IOStreams) Color() bool {
	return s.ErrTTY && s.Getenv("NO_COLOR") == "" && s.Getenv("TERM") != "dumb"
}

// TestStreams returns streams for tests: empty stdin, buffers for stdout and
// stderr, no terminal, and an environment holding only env.
func TestStreams(env map[string]string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errb := &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{
		In: strings.NewReader(""), Out: out, Err: errb,
		Getenv: func(k string) string { return env[k] },
		Now:    time.Now,
	}, out, errb
}
