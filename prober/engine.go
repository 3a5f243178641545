package prober

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// DefaultBodyCap is how much of an answer body is read: API answers are a
// few hundred bytes, and a hostile or broken server must not make the tool
// read without end.
const DefaultBodyCap = 64 << 10

// maxExtensionRounds bounds how often an undecided run asks for more.
const maxExtensionRounds = 3

// Stop reasons of a run, for the footer and the output.
const (
	StopEarly       = "early_stop"
	StopBudget      = "budget"
	StopInterrupted = "interrupted"
	StopRetryAfter  = "retry_after"
	StopSinkFailed  = "run_file_failed"
)

// Engine sends a plan's requests at stepped concurrency and records every answer.
//
// One dispatcher paces the whole run (a rate.Limiter when Plan.Rate is set)
// and hands requests to a bounded set of workers per step, so the total rate
// does not drift with concurrency and the number of goroutines never grows
// with the number of requests.
type Engine struct {
	Client *http.Client
	Target Target
	Plan   Plan
	// Now is the clock for timestamps; nil means time.Now.
	Now func() time.Time
	// Sink receives every record as it completes (the run file); it is
	// called from one goroutine at a time.
	Sink func(*Record) error
	// Observe, if set, sees every record after Sink (progress display).
	Observe func(*Record)
	// OnBatch, if set, is told when a batch of requests at one step begins.
	OnBatch func(step Step, index, round int)
	// Notice, if set, receives one-line messages about pauses and stops.
	Notice func(msg string)
	// BodyCap bounds the body read per answer; 0 means DefaultBodyCap.
	BodyCap int64

	body       []byte
	sent       int
	seq        atomic.Int64
	inflight   atomic.Int64
	pauseUntil atomic.Int64 // unix nanoseconds

	mu         sync.Mutex // guards the fields below and serialises Sink and Observe
	summary    *Summary
	stop       string
	stopBatch  context.CancelFunc
	sinkErr    error
	inFirstRun bool
}

// Result is what a run produced.
type Result struct {
	Summary *Summary
	Verdict Verdict
	Sent    int
	// Stop says why the run ended before its plan was done ("" if it did not).
	Stop string
}

// Run executes the plan. It returns when every step is done, the run was
// stopped early, or ctx is cancelled; in the last case the result holds
// everything answered until then and a partial verdict.
func (e *Engine) Run(ctx context.Context) (*Result, error) {
	if e.Client == nil {
		return nil, errors.New("engine: no HTTP client")
	}
	e.body = e.Target.MessageBody()
	e.summary = NewSummary(e.Plan.Steps)
	var limiter *rate.Limiter
	if e.Plan.Rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(e.Plan.Rate), 1)
	}

	for i, st := range e.Plan.Steps {
		e.inFirstRun = i == 0
		if e.batch(ctx, limiter, i, 0, st.Concurrency, st.Requests) {
			break
		}
	}
	e.inFirstRun = false
	if e.Plan.Extend && e.stopped() == "" && ctx.Err() == nil {
		e.extend(ctx, limiter)
	}

	res := &Result{Summary: e.summary, Sent: e.sent, Stop: e.stopped()}
	if ctx.Err() != nil {
		res.Stop = StopInterrupted
	}
	res.Verdict = Decide(e.summary)
	res.Verdict.Partial = res.Stop == StopInterrupted
	if res.Stop == StopEarly {
		res.Verdict.Evidence = append(res.Verdict.Evidence, fmt.Sprintf("stopped early: the first %d answers at c=%d were all the same deterministic failure, so ramping would add nothing", e.summary.Steps[0].Answered, e.Plan.Steps[0].Concurrency))
	}
	return res, e.sinkErr
}

// extend sends extra requests at the decisive steps while the verdict asks
// for them and the budget allows.
func (e *Engine) extend(ctx context.Context, limiter *rate.Limiter) {
	for round := 1; round <= maxExtensionRounds; round++ {
		v := Decide(e.summary)
		left := e.Plan.MaxRequests - e.sent
		if v.NeedMore == 0 || len(v.ExtendAt) == 0 || left < len(v.ExtendAt) {
			return
		}
		per := min(v.NeedMore, left/len(v.ExtendAt))
		if e.Notice != nil {
			e.Notice(fmt.Sprintf("undecided: adding %d requests at c=%s", per, joinInts(v.ExtendAt)))
		}
		for _, c := range v.ExtendAt {
			idx := e.stepIndex(c)
			if e.batch(ctx, limiter, idx, round, c, per) {
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

func (e *Engine) stopped() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stop
}

type ticket struct {
	seq       int64
	scheduled time.Time
}

// batch sends n requests with c workers. It reports whether the run must stop.
func (e *Engine) batch(ctx context.Context, limiter *rate.Limiter, idx, round, c, n int) bool {
	if ctx.Err() != nil {
		return true
	}
	if e.OnBatch != nil {
		e.OnBatch(Step{Concurrency: c, Requests: n}, idx, round)
	}
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.mu.Lock()
	e.stopBatch = cancel
	e.mu.Unlock()

	tickets := make(chan ticket)
	var wg sync.WaitGroup
	for range min(c, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tickets {
				// A retry-after that came back while this ticket waited
				// for a worker holds it too.
				e.waitPause(ctx)
				rec, pause := e.do(ctx, t, idx, round, c)
				e.record(rec, pause)
				if dctx.Err() != nil {
					// Halted: take no more tickets, so none the
					// dispatcher is still offering can slip out.
					return
				}
			}
		}()
	}

	budget := false
dispatch:
	for range n {
		if e.sent >= e.Plan.MaxRequests {
			budget = true
			break
		}
		if !e.waitPause(dctx) {
			break
		}
		scheduled := e.now()
		if limiter != nil {
			r := limiter.Reserve()
			delay := r.Delay()
			scheduled = scheduled.Add(delay)
			if !sleep(dctx, delay) {
				r.Cancel()
				break
			}
		}
		select {
		case tickets <- ticket{seq: e.seq.Add(1) - 1, scheduled: scheduled}:
			e.sent++
		case <-dctx.Done():
			break dispatch
		}
	}
	close(tickets)
	wg.Wait()

	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopBatch = nil
	if budget && e.stop == "" {
		e.stop = StopBudget
	}
	return e.stop != "" || ctx.Err() != nil
}

// waitPause sits out a retry-after the server asked for.
func (e *Engine) waitPause(ctx context.Context) bool {
	until := e.pauseUntil.Load()
	if until == 0 {
		return ctx.Err() == nil
	}
	return sleep(ctx, time.Until(time.Unix(0, until)))
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// record hands a finished request to the sink and the summary, and decides
// whether what it shows ends the step or the run.
func (e *Engine) record(r *Record, pause time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.Sink != nil && e.sinkErr == nil {
		if err := e.Sink(r); err != nil {
			e.sinkErr = err
			e.halt(StopSinkFailed)
		}
	}
	e.summary.Add(r)
	if e.Observe != nil {
		e.Observe(r)
	}
	if pause > 0 {
		if pause > e.Plan.MaxWait.D() {
			e.notice(fmt.Sprintf("the server asked to wait %s (retry-after), more than --max-wait %s: ending the run", pause.Round(time.Second), e.Plan.MaxWait.D()))
			e.halt(StopRetryAfter)
			return
		}
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
	if e.Plan.EarlyStop && e.inFirstRun && r.Step == 0 {
		st := e.summary.Steps[0]
		if o, uniform := e.summary.Uniform(); uniform && o.Deterministic() && st.Answered >= minHigh {
			e.halt(StopEarly)
		}
	}
}

// halt stops dispatching; requests in flight finish and are recorded. Called with e.mu held.
func (e *Engine) halt(reason string) {
	if e.stop == "" {
		e.stop = reason
	}
	if e.stopBatch != nil {
		e.stopBatch()
	}
}

func (e *Engine) notice(msg string) {
	if e.Notice != nil {
		e.Notice(msg)
	}
}

// do sends one request of a batch and reads its answer into a record, with
// the pause the server asked for.
func (e *Engine) do(ctx context.Context, t ticket, idx, round, c int) (*Record, time.Duration) {
	rec := &Record{Kind: "request", Step: idx, Round: round, Concurrency: c, Seq: t.seq, Scheduled: t.scheduled.UTC()}
	rec.InFlight = int(e.inflight.Add(1))
	defer e.inflight.Add(-1)

	rctx, cancel := context.WithTimeout(ctx, e.Plan.Timeout.D())
	defer cancel()
	req, err := e.Target.NewMessageRequest(rctx, e.body)
	if err != nil {
		rec.Started, rec.Finished = e.now().UTC(), e.now().UTC()
		rec.Outcome, rec.Message = OutcomeNetwork, Printable(err.Error(), MaxMessage)
		return rec, 0
	}
	pause, _ := Exchange(ctx, e.Client, req, e.Target.Model, e.bodyCap(), e.now, rec)
	rec.QueueWaitMS = max(0, ms(rec.Started.Sub(t.scheduled)))
	return rec, pause
}

// Exchange sends req (whose context carries its timeout) and reads the
// answer into rec: timings, status, classification, ids and headers. ctx is
// the run's context, to tell a user's interrupt from a timeout. It returns
// the pause the server asked for with retry-after, and the body as read (up
// to bodyCap). now stamps the record; durations come from the monotonic clock.
func Exchange(ctx context.Context, client *http.Client, req *http.Request, model string, bodyCap int64, now func() time.Time, rec *Record) (time.Duration, []byte) {
	var tm timing
	req = req.WithContext(withTrace(req.Context(), &tm))
	started := now()
	mono := time.Now()
	rec.Started = started.UTC()
	finish := func() {
		took := time.Since(mono)
		rec.TotalMS = ms(took)
		rec.Finished = started.Add(took).UTC()
		tm.fill(rec, mono)
	}

	resp, err := client.Do(req)
	if err != nil {
		finish()
		failed(ctx, rec, err)
		return 0, nil
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, bodyCap+1))
	finish()
	rec.Status = resp.StatusCode
	rec.Bytes = int64(len(body))
	if rec.Bytes > bodyCap {
		body, rec.Bytes, rec.Truncated = body[:bodyCap], bodyCap, true
	}
	h := resp.Header
	cl := Classify(Answer{Status: resp.StatusCode, Header: h, Body: body, Model: model})
	rec.Outcome, rec.ErrorType, rec.Message = cl.Outcome, cl.ErrorType, cl.Message
	rec.RequestID, rec.RequestIDSource = cl.RequestID, cl.RequestIDSource
	if readErr != nil {
		// The status arrived but the body did not: a timeout or a cut
		// connection is what happened to this request.
		failed(ctx, rec, readErr)
	}
	recordHeaders(rec, h)
	pause, _ := ParseRetryAfter(h, time.Now())
	return pause, body
}

// recordHeaders keeps the headers support and the verdict care about.
func recordHeaders(rec *Record, h http.Header) {
	rec.OrganizationID = Printable(h.Get("Anthropic-Organization-Id"), 64)
	rec.CFRay = Printable(h.Get("Cf-Ray"), 64)
	rec.CFMitigated = Printable(h.Get("Cf-Mitigated"), 32)
	rec.Server = Printable(h.Get("Server"), 64)
	rec.ContentType = Printable(h.Get("Content-Type"), 80)
	rec.RetryAfter = Printable(h.Get("Retry-After"), 64)
	if v := h.Get("Retry-After-Ms"); v != "" {
		rec.RetryAfter = Printable(v, 60) + "ms"
	}
	rec.ShouldRetry = Printable(h.Get("X-Should-Retry"), 16)
	for name, vals := range h {
		l := strings.ToLower(name)
		if !strings.HasPrefix(l, "anthropic-ratelimit-") || len(vals) == 0 {
			continue
		}
		if rec.RateLimit == nil {
			rec.RateLimit = map[string]string{}
		}
		if len(rec.RateLimit) < 16 {
			rec.RateLimit[strings.TrimPrefix(l, "anthropic-ratelimit-")] = Printable(vals[0], 64)
		}
	}
}

// failed records a transport error; a request cut by the user's interrupt
// is marked cancelled rather than blamed on the network.
func failed(ctx context.Context, rec *Record, err error) {
	if ctx.Err() != nil {
		rec.Outcome, rec.Message, rec.NetError = OutcomeCanceled, "cancelled by the user", ""
		return
	}
	rec.Outcome, rec.Message = ClassifyError(err)
	rec.NetError = strings.TrimPrefix(string(rec.Outcome), "network-")
}

func (e *Engine) bodyCap() int64 {
	if e.BodyCap > 0 {
		return e.BodyCap
	}
	return DefaultBodyCap
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ",")
}
