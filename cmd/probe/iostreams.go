package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"os"
	"strings"
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
}

// transport returns the transport requests are sent through, for up to
// maxConcurrency requests at once.
func (s *IOStreams) transport(maxConcurrency int) *engine.Transport {
	tr := engine.NewTransport(maxConcurrency, s.Getenv)
	if s.RootCAs != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}
	}
	return tr
}

// System returns the process's own streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		Getenv: os.Getenv,
		Now:    time.Now,
	}
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
