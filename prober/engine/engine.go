package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// DefaultBodyCap is how much of an answer body is read: API answers are a
// few hundred bytes, and a hostile or broken server must not make the tool
// read without end.
const DefaultBodyCap = 64 << 10

// maxExtensionRounds bounds how often an undecided run asks for more.
const maxExtensionRounds = 3

// Engine sends a plan's requests at stepped concurrency and records every answer.
//
// Each batch (a step, or an extension of one) runs a bounded set of
// workers in an errgroup; with Plan.Rate one dispatcher paces the whole
// run and admits each request to a free worker, so the total rate does not
// drift with concurrency and the number of goroutines never grows with the
// number of requests.
type Engine struct {
	// Transport sends the requests (see NewTransport); it is called
	// directly, so redirects are never followed.
	Transport http.RoundTripper
	Target    target.Target
	Plan      target.Plan
	// Now is the clock for timestamps; nil means time.Now.
	Now func() time.Time
	// Sink receives every record as it completes (the run file). It is
	// called from the workers, concurrently, and must be safe for that
	// (runfile.Writer.WriteRecord is): a record is encoded by the worker
	// that made it, holding up no other. After it first fails it is not
	// called again, but for records already on their way.
	Sink func(*runfile.Record) error
	// Observe, if set, sees every record after Sink (progress display).
	Observe func(*runfile.Record)
	// OnBatch, if set, is told when a batch of requests at one step begins.
	OnBatch func(step target.Step, index, round int)
	// Notice, if set, receives one-line messages about pauses and stops.
	Notice func(msg string)
	// Warn, if set, receives warnings about the run's own conditions (an
	// open-file limit below the plan's need) in place of Notice: callers
	// that silence notices keep warnings.
	Warn func(msg string)
	// BodyCap bounds the body read per answer; 0 means DefaultBodyCap.
	BodyCap int64

	x          exchanger
	body       []byte
	probe      *http.Request // the probe request, copied for each send; nil if it cannot be built
	pacer      *pacer        // nil when the rate is not capped
	sent       int           // requests sent by the batches done; Run's goroutine only
	stop       string        // why the run ended early; Run's goroutine only
	seq        atomic.Int64
	inflight   atomic.Int64
	pauseUntil atomic.Int64 // unix nanoseconds

	sinkErr atomic.Pointer[error] // Sink's first error, once it has failed

	mu      sync.Mutex // guards summary and serialises Observe and Notice
	summary *diagnose.Summary
}

// Result is what a run produced.
type Result struct {
	Summary *diagnose.Summary
	Verdict verdict.Verdict
	Sent    int
	// Stop says why the run ended before its plan was done ("" if it did not).
	Stop string
}

// Run executes the plan. It returns when every step is done, the run was
// stopped early, or ctx is cancelled; in the last case the result holds
// everything answered until then and a partial verdict.
func (e *Engine) Run(ctx context.Context) (*Result, error) {
	if e.Transport == nil {
		return nil, errors.New("engine: no HTTP transport")
	}
	if err := checkRate(e.Plan.Rate); err != nil {
		return nil, err
	}
	e.warnFileLimit()
	e.x = exchanger{rt: NoReplay(e.Transport), model: e.Target.Model, bodyCap: e.bodyCap(), now: e.now}
	e.prepareRequest()
	e.summary = diagnose.NewSummary(e.Plan.Steps)
	if e.Plan.Rate > 0 {
		e.pacer = newPacer(e.Plan.Rate)
		e.pacer.lead = fineSpan
	}

	for i, st := range e.Plan.Steps {
		if e.stop = e.batch(ctx, i, 0, st.Concurrency, st.Requests); e.stop != "" {
			break
		}
	}
	if e.Plan.Extend && e.stop == "" {
		e.extend(ctx)
	}
	var sinkErr error
	if p := e.sinkErr.Load(); p != nil {
		sinkErr = *p
	}
	return e.result(ctx), sinkErr
}

// result is the run's outcome once no request is in flight.
func (e *Engine) result(ctx context.Context) *Result {
	res := &Result{Summary: e.summary, Sent: e.sent, Stop: e.stop}
	if ctx.Err() != nil {
		res.Stop = runfile.StopInterrupted
	}
	res.Verdict = diagnose.Decide(e.summary)
	// A run cut short by the user or by a failed run file (a full disk)
	// stands on fewer answers than it planned.
	res.Verdict.Partial = res.Stop == runfile.StopInterrupted || res.Stop == runfile.StopSinkFailed
	if res.Stop == runfile.StopEarly {
		// Only the engine knows the run stopped early; report words it.
		res.Verdict.Basis.EarlyStop = diagnose.EarlyStop(e.summary)
	}
	return res
}

// extend sends extra requests at the decisive steps while the verdict asks
// for them and the budget allows.
func (e *Engine) extend(ctx context.Context) {
	for round := 1; round <= maxExtensionRounds; round++ {
		v := diagnose.Decide(e.summary)
		left := e.Plan.MaxRequests - e.sent
		if v.NeedMore == 0 || len(v.ExtendAt) == 0 || left < len(v.ExtendAt) {
			return
		}
		per := min(v.NeedMore, left/len(v.ExtendAt))
		if e.Notice != nil {
			e.Notice(fmt.Sprintf("undecided: adding %d requests at c=%s", per, diagnose.JoinInts(v.ExtendAt)))
		}
		for _, c := range v.ExtendAt {
			if e.stop = e.batch(ctx, e.stepIndex(c), round, c, per); e.stop != "" {
				return
			}
		}
	}
}

func (e *Engine) stepIndex(c int) int {
	for i, st := range e.Plan.Steps {
		if st.Concurrency == c {
			return i
		}
	}
	return 0
}

// record hands a finished request to the sink and the summary, and returns
// the reason the run must stop when what it shows ends the run ("" to go
// on). earlyStop says whether the record's batch may end the run early.
func (e *Engine) record(r *runfile.Record, pause time.Duration, earlyStop bool) string {
	stop := e.sink(r)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.summary.Add(r)
	if e.Observe != nil {
		e.Observe(r)
	}
	if pause > e.Plan.MaxWait.D() {
		e.notice(fmt.Sprintf("the server asked to wait %s (retry-after), more than --max-wait %s: ending the run", pause.Round(time.Second), e.Plan.MaxWait.D()))
		return cmp.Or(stop, runfile.StopRetryAfter)
	}
	if pause > 0 {
		e.pause(r, pause)
	}
	if earlyStop && stop == "" {
		st := e.summary.Steps[0]
		if o, uniform := e.summary.Uniform(); uniform && o.Deterministic() && st.Answered >= diagnose.MinHigh {
			return runfile.StopEarly
		}
	}
	return stop
}

// sink writes r to the run file, and returns the reason to stop once that
// fails: a run whose answers are not kept must not go on sending.
func (e *Engine) sink(r *runfile.Record) string {
	if e.Sink == nil {
		return ""
	}
	if e.sinkErr.Load() != nil {
		return runfile.StopSinkFailed
	}
	if err := e.Sink(r); err != nil {
		e.sinkErr.CompareAndSwap(nil, &err) // the first error is the one returned
		return runfile.StopSinkFailed
	}
	return ""
}

// pause holds every worker (and the dispatcher) for the retry-after r
// came with. Called with e.mu held.
func (e *Engine) pause(r *runfile.Record, pause time.Duration) {
	now := time.Now()
	until := now.Add(pause).UnixNano()
	if prev := e.pauseUntil.Load(); until > prev {
		e.pauseUntil.Store(until)
		// Answers of the same burst extend the pause silently; only a
		// new pause is worth a line.
		if prev < now.UnixNano() {
			e.notice(fmt.Sprintf("%d %s: pausing %s as retry-after asks", r.Status, r.ErrorType, pause.Round(time.Millisecond)))
		}
	}
}

func (e *Engine) notice(msg string) {
	if e.Notice != nil {
		e.Notice(msg)
	}
}

// do sends one request of a batch and reads its answer into a record, with
// the pause the server asked for.
func (e *Engine) do(ctx context.Context, w *worker, t ticket, b *batchRun) (*runfile.Record, time.Duration) {
	rec := &runfile.Record{Kind: "request", Step: b.idx, Round: b.round, Concurrency: b.c, Seq: t.seq, Scheduled: t.scheduled.UTC()}
	rec.InFlight = int(e.inflight.Add(1))
	defer e.inflight.Add(-1)

	tm := w.timing(ctx)
	rctx := w.begin(e.Plan.Timeout.D())
	defer w.end()
	req, err := e.newRequest(rctx)
	if err != nil {
		rec.Started, rec.Finished = e.now().UTC(), e.now().UTC()
		rec.Outcome, rec.Message = classify.OutcomeNetwork, classify.Printable(err.Error(), classify.MaxMessage)
		rec.Scrub(e.Target.Scrubber)
		return rec, 0
	}
	pause, _ := e.x.exchange(ctx, req, tm, rec, &w.buf)
	// The one place server text is cleaned of what probe sent: a gateway
	// that echoes the key must not get it into the run file or any output.
	rec.Scrub(e.Target.Scrubber)
	w.done(rec)
	rec.QueueWaitMS = max(0, Millis(rec.Started.Sub(t.scheduled)))
	return rec, pause
}

// prepareRequest builds the probe request once: every probe is the same
// request, so each send shares its URL and headers (read only) and reads
// its own copy of the body. If it cannot be built, each send tries again
// and records the error.
func (e *Engine) prepareRequest() {
	e.body = e.Target.MessageBody()
	e.probe, _ = e.Target.NewMessageRequest(context.Background(), e.body)
	if e.probe != nil && e.probe.GetBody == nil {
		e.probe = nil
	}
}

// newRequest returns the probe request to send under ctx.
func (e *Engine) newRequest(ctx context.Context) (*http.Request, error) {
	if e.probe == nil {
		return e.Target.NewMessageRequest(ctx, e.body)
	}
	req := e.probe.WithContext(ctx)
	req.Body, _ = e.probe.GetBody()
	req.GetBody = nil // sent once: see Transport
	return req, nil
}

// worker is what one worker goroutine keeps from one request to the next.
type worker struct {
	buf []byte // the answer's body, read into the same memory every time

	// tm times the worker's requests one after another, through the
	// hooks traced carries: building them once per worker rather than per
	// request saves a dozen allocations a request.
	tm     *timing
	traced context.Context

	// req is the context the worker's requests are sent under: timer
	// cancels it with context.DeadlineExceeded (what a timeout context
	// says, and net/http returns the cause) once a request outlasts the
	// timeout. It is made anew only after that, rather than a timeout
	// context (a timer, an allocation and a registration with the run's
	// context, whose lock every worker would take) per request.
	req       context.Context
	cancelReq context.CancelCauseFunc
	timer     *time.Timer
}

// begin returns the context of the worker's next request, its timeout
// started. Call after timing, and end when the request is done.
func (w *worker) begin(timeout time.Duration) context.Context {
	if w.req != nil && w.req.Err() == nil {
		w.timer.Reset(timeout)
		return w.req
	}
	w.endRequests()
	ctx, cancel := context.WithCancelCause(w.traced)
	w.req, w.cancelReq = ctx, cancel
	w.timer = time.AfterFunc(timeout, func() { cancel(context.DeadlineExceeded) })
	return ctx
}

// end stops the request's timeout. One that fired (or is firing: its
// cancel may not have run yet) takes the context with it, so the next
// request never inherits a late cancel; begin makes a new one.
func (w *worker) end() {
	if w.timer != nil && !w.timer.Stop() {
		w.endRequests()
	}
}

// endRequests lets go of the requests' context and its timer.
func (w *worker) endRequests() {
	if w.timer != nil {
		w.timer.Stop()
		w.cancelReq(context.Canceled)
	}
	w.req, w.cancelReq, w.timer = nil, nil, nil
}

// timing returns the worker's timing, cleared for a new request, and
// derives the traced context from ctx when there is none.
func (w *worker) timing(ctx context.Context) *timing {
	if w.tm == nil {
		w.tm = new(timing)
		w.traced = withTrace(ctx, w.tm)
	}
	w.tm.reset()
	return w.tm
}

// done lets go of the timing after a request that got no answer: net/http
// finishes a dial the request abandoned, calling its hooks, and they must
// not land in the next request's timing.
func (w *worker) done(rec *runfile.Record) {
	if rec.Status == 0 {
		w.stop()
	}
}

// stop lets go of the worker's timing and context, when it is done with a
// request that got no answer or with its batch.
func (w *worker) stop() {
	w.endRequests()
	w.tm, w.traced = nil, nil
}

// now reads the run's clock for timestamps.
func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) bodyCap() int64 {
	if e.BodyCap > 0 {
		return e.BodyCap
	}
	return DefaultBodyCap
}
