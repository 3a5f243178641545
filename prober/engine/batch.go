package engine

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
)

// haltError ends a batch: the first one a worker returns cancels the
// batch's context (errgroup), so no worker takes another request while
// those in flight finish and are recorded, and Wait returns it.
type haltError struct{ reason string }

func (h *haltError) Error() string { return "run stopped: " + h.reason }

// ticket is one request admitted to a worker.
type ticket struct {
	seq       int64
	scheduled time.Time
	// due is when a paced request must leave (a reading of the monotonic
	// clock): the worker sleeps the last stretch itself (see dispatch).
	due time.Time
}

// batchRun is one batch under way: ctx is the run's (requests in flight
// finish under it), gctx the batch's, cancelled by the first halt.
type batchRun struct {
	e          *Engine
	ctx, gctx  context.Context
	idx, round int
	c          int
	limit      int64 // requests this batch may send: its size, or what is left of the budget
	earlyStop  bool  // the plan's first batch, which may end the run early
	sent       atomic.Int64

	// Unpaced: workers claim requests from claimed up to limit.
	claimed atomic.Int64
	// Paced: the dispatcher hands tickets out once free (a worker releases
	// its slot when it is ready for the next).
	tickets chan ticket
	free    *semaphore.Weighted
}

// batch sends n requests with c workers. It returns why the run must stop
// ("" to go on).
func (e *Engine) batch(ctx context.Context, idx, round, c, n int) string {
	if ctx.Err() != nil {
		return runfile.StopInterrupted
	}
	if e.OnBatch != nil {
		e.OnBatch(target.Step{Concurrency: c, Requests: n}, idx, round)
	}
	g, gctx := errgroup.WithContext(ctx)
	b := &batchRun{
		e: e, ctx: ctx, gctx: gctx, idx: idx, round: round, c: c,
		limit:     int64(min(n, max(0, e.Plan.MaxRequests-e.sent))),
		earlyStop: e.Plan.EarlyStop && idx == 0 && round == 0,
	}
	workers := min(c, n)
	if e.pacer != nil {
		b.tickets = make(chan ticket, workers)
		b.free = semaphore.NewWeighted(int64(workers))
		b.free.TryAcquire(int64(workers)) // each worker frees its slot when ready
	}
	for range workers {
		g.Go(func() error { return b.work(new(worker)) })
	}
	if e.pacer != nil {
		b.dispatch()
	}
	err := g.Wait()
	e.sent += int(b.sent.Load())
	if h := (*haltError)(nil); errors.As(err, &h) {
		return h.reason
	}
	if ctx.Err() != nil {
		return runfile.StopInterrupted
	}
	if b.sent.Load() == b.limit && b.limit < int64(n) {
		return runfile.StopBudget
	}
	return ""
}

// work is a worker: it sends what it is admitted, one request at a time,
// and ends the batch when a record says the run must stop.
func (b *batchRun) work(w *worker) error {
	defer w.stop()
	for {
		t, ok := b.admit()
		if !ok {
			return nil
		}
		b.sent.Add(1)
		rec, pause := b.e.do(b.ctx, w, t, b)
		if reason := b.e.record(rec, pause, b.earlyStop); reason != "" {
			return &haltError{reason}
		}
	}
}

// admit returns the worker's next request, false when there is none or
// the batch is halted.
//
// Unpaced, nothing is scheduled: a worker takes the next request itself as
// soon as it is free, and no dispatcher stands between it and its next
// request. Paced, it frees its slot and takes the next ticket the
// dispatcher hands out.
func (b *batchRun) admit() (ticket, bool) {
	e := b.e
	if b.tickets == nil {
		// Claimed first: with nothing left to send, a retry-after pause
		// is not sat out for nothing.
		if b.claimed.Add(1) > b.limit || !e.waitPause(b.gctx) {
			return ticket{}, false
		}
		return ticket{seq: e.seq.Add(1) - 1, scheduled: e.now()}, true
	}
	b.free.Release(1)
	select {
	case t, ok := <-b.tickets:
		if ok {
			fineSleepUntil(t.due)
		}
		// A halt drops a ticket already handed out, and a retry-after
		// that came back while it waited holds it too.
		if !ok || b.gctx.Err() != nil || !e.waitPause(b.gctx) {
			return ticket{}, false
		}
		t.seq = e.seq.Add(1) - 1 // in the order requests leave
		return t, true
	case <-b.gctx.Done():
		return ticket{}, false
	}
}

// dispatch paces the batch's requests at Plan.Rate: one dispatcher paces
// them all (a ticker per worker would drift with concurrency) and hands
// each to a free worker. Waiting for a free worker watches the batch's
// context, so an interrupt or a halt ends it at once.
//
// The ticket is handed over up to fineSpan before it is due, and the
// worker sleeps the rest with the OS's fine timer: waking a parked
// goroutine takes tens to hundreds of microseconds on a busy machine, and
// this way that wake-up is not between the due time and the request.
func (b *batchRun) dispatch() {
	defer close(b.tickets)
	e := b.e
	// Each step paces from its own start: the pause while the previous
	// step drained is no debt to make up.
	e.pacer.restart()
	for range b.limit {
		paused := e.pauseUntil.Load() > time.Now().UnixNano()
		if !e.waitPause(b.gctx) {
			return
		}
		if paused {
			// Nor is a retry-after pause: the server asked for it.
			e.pacer.restart()
		}
		due := e.pacer.next(time.Now())
		scheduled := e.now().Add(time.Until(due))
		if !sleep(b.gctx, time.Until(due)-fineSpan) || b.free.Acquire(b.gctx, 1) != nil {
			return
		}
		b.tickets <- ticket{scheduled: scheduled, due: due}
	}
}

// waitPause sits out a retry-after the server asked for, and reports
// whether ctx is still live.
func (e *Engine) waitPause(ctx context.Context) bool {
	until := e.pauseUntil.Load()
	if until == 0 {
		return ctx.Err() == nil
	}
	return sleep(ctx, time.Until(time.Unix(0, until)))
}
