// Package engine sends a Plan's tiny requests at stepped concurrency: each
// batch a bounded set of workers in an errgroup (the first stop reason
// ends the batch), paced by a golang.org/x/time/rate token bucket that
// admits each request to a free worker through a context-aware semaphore;
// httptrace timings, retry-after pauses, early stop and budget, every
// answer classified and streamed to the run file as it completes. It also
// builds the HTTP transport, which sends every request once: a request a
// server received is a record.
//
// It may import every prober package but check.
package engine
