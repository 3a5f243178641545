// Package engine sends a Plan's tiny requests at stepped concurrency: one
// pacer feeding a bounded set of workers, httptrace timings, retry-after
// pauses, early stop and budget, every answer classified and streamed to
// the run file as it completes. It also builds the HTTP transport.
//
// It may import every prober package but check.
package engine
