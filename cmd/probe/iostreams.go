package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"time"

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
