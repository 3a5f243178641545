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
