// Command probe tells a developer why an LLM API answers HTTP 403, and hands
// them the evidence: it sends tiny requests at stepped concurrency, records
// every answer and names the failing layer with statistics.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// net/http's transport logs framing anomalies (an unsolicited response
	// on an idle connection) through the standard logger, straight to
	// stderr, where they would break -q and the progress display; probe
	// reports what it finds itself.
	log.SetOutput(io.Discard)
	os.Exit(run())
}

func run() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ios := System()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go onSignal(sigs, cancel, ios)
	return int(Main(ctx, os.Args[1:], ios))
}

// onSignal handles SIGINT and SIGTERM. Before the command has started
// (nothing in flight; it may be blocked opening a FIFO or reading a key from
// stdin, which no context can interrupt) one signal ends the process at
// once. After it, the first signal cancels the context so that the answers
// in flight are recorded, and the default behaviour returns, so a second
// one ends the process.
func onSignal(sigs chan os.Signal, cancel context.CancelFunc, ios *IOStreams) {
	sig := <-sigs
	if !ios.IsStarted() {
		fmt.Fprintf(os.Stderr, "probe: %v before anything was sent: stopped\n", sig)
		os.Exit(128 + signalNumber(sig))
	}
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	cancel()
}

func signalNumber(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return int(s)
	}
	return 2
}

// runGCPercent is the collector's target while the engine runs.
const runGCPercent = 400

// fewerCollections raises the collector's target while the engine runs,
// unless the user set GOGC, and returns what restores it. A run's live heap
// is a couple of MiB, so at the default target the collector runs dozens
// of times a second of a fast run, each stopping every request for up to a
// millisecond; at 400 it runs a fifth as often for about 8 MiB more memory.
// The runtime reads GOGC from the process's real environment, so this does
// too (not the injected one).
func fewerCollections() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(runGCPercent)
	return func() { debug.SetGCPercent(old) }
}
