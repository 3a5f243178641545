// Command probe tells a developer why an LLM API answers HTTP 403, and hands
// them the evidence: it sends tiny requests at stepped concurrency, records
// every answer and names the failing layer with statistics.
package main

import (
	"context"
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal the default behaviour returns, so a second
		// Ctrl-C ends the process at once.
		<-ctx.Done()
		stop()
	}()
	return int(Main(ctx, os.Args[1:], System()))
}
