package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/provider"
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
// One dispatcher paces the whole run (a pacer when Plan.Rate is set) and
// hands requests to a bounded set of workers per step, so the total rate
// does not drift with concurrency and the number of goroutines never grows
// with the number of requests.
type Engine struct {
	// Transport sends the requests (see NewTransport); it is called
	// directly, so redirects are never followed.
	Transport http.RoundTripper
	Target    target.Target
	Plan      target.Plan
	// Now is the clock for timestamps; nil means time.Now.
	Now func() time.Time
	// Sink receives every record as it completes (the run file); it is
	// called from one goroutine at a time.
	Sink func(*runfile.Record) error
	// Observe, if set, sees every record after Sink (progress display).
	Observe func(*runfile.Record)
	// OnBatch, if set, is told when a batch of requests at one step begins.
	OnBatch func(step target.Step, index, round int)
	// Notice, if set, receives one-line messages about pauses and stops.
	Notice func(msg string)
	// BodyCap bounds the body read per answer; 0 means DefaultBodyCap.
	BodyCap int64

	body       []byte
	probe      *http.Request // the probe request, copied for each send; nil if it cannot be built
	pacer      *pacer        // nil when the rate is not capped
	sent       int
	seq        atomic.Int64
	inflight   atomic.Int64
	pauseUntil atomic.Int64 // unix nanoseconds

	mu         sync.Mutex // guards the fields below and serialises Sink and Observe
	summary    *diagnose.Summary
	stop       string
	stopBatch  context.CancelFunc
	sinkErr    error
	inFirstRun bool
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
	e.prepareRequest()
	e.summary = diagnose.NewSummary(e.Plan.Steps)
	if e.Plan.Rate > 0 {
		e.pacer = &pacer{rate: e.Plan.Rate}
	}

	for i, st := range e.Plan.Steps {
		e.inFirstRun = i == 0
		if e.batch(ctx, i, 0, st.Concurrency, st.Requests) {
			break
		}
	}
	e.inFirstRun = false
	if e.Plan.Extend && e.stopped() == "" && ctx.Err() == nil {
		e.extend(ctx)
	}

	res := &Result{Summary: e.summary, Sent: e.sent, Stop: e.stopped()}
	if ctx.Err() != nil {
		res.Stop = runfile.StopInterrupted
	}
	res.Verdict = diagnose.Decide(e.summary)
	res.Verdict.Partial = res.Stop == runfile.StopInterrupted
	if res.Stop == runfile.StopEarly {
		res.Verdict.Evidence = append(res.Verdict.Evidence, fmt.Sprintf("stopped early: the first %d answers at c=%d were all the same deterministic failure, so ramping would add nothing", e.summary.Steps[0].Answered, e.Plan.Steps[0].Concurrency))
	}
	return res, e.sinkErr
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
			idx := e.stepIndex(c)
			if e.batch(ctx, idx, round, c, per) {
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
func (e *Engine) batch(ctx context.Context, idx, round, c, n int) bool {
	if ctx.Err() != nil {
		return true
	}
	if e.OnBatch != nil {
		e.OnBatch(target.Step{Concurrency: c, Requests: n}, idx, round)
	}
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.mu.Lock()
	e.stopBatch = cancel
	e.mu.Unlock()

	b := &batchRun{e: e, ctx: ctx, dctx: dctx, idx: idx, round: round, c: c}
	var budget bool
	if e.pacer == nil {
		budget = b.claim(n)
	} else {
		budget = b.dispatch(n)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopBatch = nil
	if budget && e.stop == "" {
		e.stop = runfile.StopBudget
	}
	return e.stop != "" || ctx.Err() != nil
}

// batchRun is one batch under way: ctx is the run's, dctx the batch's,
// cancelled when the run halts.
type batchRun struct {
	e          *Engine
	ctx, dctx  context.Context
	idx, round int
	c          int
}

func (b *batchRun) send(w *worker, t ticket) {
	rec, pause := b.e.do(b.ctx, w, t, b.idx, b.round, b.c)
	b.e.record(rec, pause)
}

// claim sends n requests when the rate is not capped: nothing is
// scheduled, so each worker takes the next request itself as soon as it is
// free, and no dispatcher goroutine stands between a worker and its next
// request. It reports whether the budget ran out first.
func (b *batchRun) claim(n int) bool {
	e := b.e
	limit := int64(min(n, max(0, e.Plan.MaxRequests-e.sent)))
	var claimed atomic.Int64
	var wg sync.WaitGroup
	for range min(b.c, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w worker
			// A halt ends the batch: the requests in flight finish and
			// are recorded, and no worker takes another.
			for b.dctx.Err() == nil && e.waitPause(b.dctx) {
				if claimed.Add(1) > limit {
					return
				}
				b.send(&w, ticket{seq: e.seq.Add(1) - 1, scheduled: e.now()})
			}
		}()
	}
	wg.Wait()
	sent := min(claimed.Load(), limit)
	e.sent += int(sent)
	return sent == limit && limit < int64(n)
}

// dispatch sends n requests at the capped rate: one dispatcher paces them
// all (a ticker per worker would drift with concurrency) and hands each to
// a free worker. It reports whether the budget ran out first.
func (b *batchRun) dispatch(n int) bool {
	e := b.e
	tickets := make(chan ticket)
	var wg sync.WaitGroup
	for range min(b.c, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w worker
			for t := range tickets {
				// A retry-after that came back while this ticket waited
				// for a worker holds it too.
				e.waitPause(b.ctx)
				b.send(&w, t)
				if b.dctx.Err() != nil {
					// Halted: take no more tickets, so none the
					// dispatcher is still offering can slip out.
					return
				}
			}
		}()
	}

	// Each step paces from its own start: the pause while the previous
	// step drained is no debt to make up.
	e.pacer.restart()
	budget := false
loop:
	for range n {
		if e.sent >= e.Plan.MaxRequests {
			budget = true
			break
		}
		paused := e.pauseUntil.Load() > time.Now().UnixNano()
		if !e.waitPause(b.dctx) {
			break
		}
		if paused {
			// Nor is a retry-after pause: the server asked for it.
			e.pacer.restart()
		}
		due := e.pacer.next(time.Now())
		scheduled := e.now().Add(time.Until(due))
		if !sleepUntil(b.dctx, due) {
			break
		}
		select {
		case tickets <- ticket{seq: e.seq.Add(1) - 1, scheduled: scheduled}:
			e.sent++
		case <-b.dctx.Done():
			break loop
		}
	}
	close(tickets)
	wg.Wait()
	return budget
}

// waitPause sits out a retry-after the server asked for.
func (e *Engine) waitPause(ctx context.Context) bool {
	until := e.pauseUntil.Load()
	if until == 0 {
		return ctx.Err() == nil
	}
	return sleep(ctx, time.Until(time.Unix(0, until)))
}

// fineSpan is how much of a wait sleepUntil leaves to fineSleep. The
// runtime's timers wake an idle process up to a millisecond late (the
// network poller sleeps in whole milliseconds), which alone would miss the
// pacing target; the last stretch of each wait is slept by the OS instead.
const fineSpan = 2 * time.Millisecond

// sleepUntil waits until t (a reading of the monotonic clock) or until ctx
// is done, whichever comes first, and reports whether ctx is still live.
// Only the last fineSpan is not interruptible.
func sleepUntil(ctx context.Context, t time.Time) bool {
	if d := time.Until(t) - fineSpan; d > 0 && !sleep(ctx, d) {
		return false
	}
	if d := time.Until(t); d > 0 {
		fineSleep(d)
	}
	return ctx.Err() == nil
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
func (e *Engine) record(r *runfile.Record, pause time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.Sink != nil && e.sinkErr == nil {
		if err := e.Sink(r); err != nil {
			e.sinkErr = err
			e.halt(runfile.StopSinkFailed)
		}
	}
	e.summary.Add(r)
	if e.Observe != nil {
		e.Observe(r)
	}
	if pause > 0 {
		if pause > e.Plan.MaxWait.D() {
			e.notice(fmt.Sprintf("the server asked to wait %s (retry-after), more than --max-wait %s: ending the run", pause.Round(time.Second), e.Plan.MaxWait.D()))
			e.halt(runfile.StopRetryAfter)
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
		if o, uniform := e.summary.Uniform(); uniform && o.Deterministic() && st.Answered >= diagnose.MinHigh {
			e.halt(runfile.StopEarly)
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
func (e *Engine) do(ctx context.Context, w *worker, t ticket, idx, round, c int) (*runfile.Record, time.Duration) {
	rec := &runfile.Record{Kind: "request", Step: idx, Round: round, Concurrency: c, Seq: t.seq, Scheduled: t.scheduled.UTC()}
	rec.InFlight = int(e.inflight.Add(1))
	defer e.inflight.Add(-1)

	tm := w.timing(ctx)
	rctx, cancel := context.WithTimeout(w.traced, e.Plan.Timeout.D())
	defer cancel()
	req, err := e.newRequest(rctx)
	if err != nil {
		rec.Started, rec.Finished = e.now().UTC(), e.now().UTC()
		rec.Outcome, rec.Message = classify.OutcomeNetwork, classify.Printable(err.Error(), classify.MaxMessage)
		rec.Scrub(e.Target.Scrubber)
		return rec, 0
	}
	pause, _ := exchange(ctx, e.Transport, req, tm, e.Target.Model, e.bodyCap(), e.now, rec, &w.buf)
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
		w.tm, w.traced = nil, nil
	}
}

// Exchange sends req (whose context carries its timeout) and reads the
// answer into rec: timings, status, classification, ids and headers. ctx is
// the run's context, to tell a user's interrupt from a timeout. It returns
// the pause the server asked for with retry-after, and the body as read (up
// to bodyCap). now stamps the record; durations come from the monotonic clock.
func Exchange(ctx context.Context, rt http.RoundTripper, req *http.Request, model string, bodyCap int64, now func() time.Time, rec *runfile.Record) (time.Duration, []byte) {
	tm := new(timing)
	req = req.WithContext(withTrace(req.Context(), tm))
	return exchange(ctx, rt, req, tm, model, bodyCap, now, rec, nil)
}

// exchange is Exchange for a request whose context already carries tm's
// trace. With buf, the body is read into *buf (kept for the next call) and
// the body returned is only good until then.
func exchange(ctx context.Context, rt http.RoundTripper, req *http.Request, tm *timing, model string, bodyCap int64, now func() time.Time, rec *runfile.Record, buf *[]byte) (time.Duration, []byte) {
	started := now()
	mono := time.Now()
	rec.Started = started.UTC()
	finish := func() {
		took := time.Since(mono)
		rec.TotalMS = Millis(took)
		rec.Finished = started.Add(took).UTC()
		tm.fill(rec, mono)
	}

	resp, err := rt.RoundTrip(req)
	if err != nil {
		finish()
		failed(ctx, rec, err)
		return 0, nil
	}
	defer resp.Body.Close()
	var body []byte
	var readErr error
	if buf != nil {
		body, readErr = readCapped(resp.Body, *buf, bodyCap+1)
		*buf = body
	} else {
		body, readErr = io.ReadAll(io.LimitReader(resp.Body, bodyCap+1))
	}
	finish()
	rec.Status = resp.StatusCode
	rec.Bytes = int64(len(body))
	if rec.Bytes > bodyCap {
		body, rec.Bytes, rec.Truncated = body[:bodyCap], bodyCap, true
	}
	h := resp.Header
	cl := classify.Classify(classify.Answer{Status: resp.StatusCode, Header: h, Body: body, Model: model})
	rec.Outcome, rec.ErrorType, rec.Message = cl.Outcome, cl.ErrorType, cl.Message
	rec.RequestID, rec.RequestIDSource = cl.RequestID, cl.RequestIDSource
	if readErr != nil {
		// The status arrived but the body did not: a timeout or a cut
		// connection is what happened to this request.
		failed(ctx, rec, readErr)
	}
	recordHeaders(rec, h)
	pause, _ := parseRetryAfter(h, time.Now())
	return pause, body
}

// readCapped reads r to its end or to limit bytes, whichever comes first,
// as io.ReadAll(io.LimitReader(r, limit)) does, but into b's memory.
func readCapped(r io.Reader, b []byte, limit int64) ([]byte, error) {
	b = b[:0]
	for int64(len(b)) < limit {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
		room := min(int64(cap(b)-len(b)), limit-int64(len(b)))
		n, err := r.Read(b[len(b) : len(b)+int(room)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// recordHeaders keeps the headers support and the verdict care about. The
// names differ by provider but never collide, so both are read. The map is
// read by the canonical names net/http stores parsed headers under, which
// saves canonicalising each name on every request.
func recordHeaders(rec *runfile.Record, h http.Header) {
	rec.OrganizationID = classify.Printable(firstHeader(h, orgHeaders...), 64)
	rec.CFRay = classify.Printable(header(h, "Cf-Ray"), 64)
	rec.CFMitigated = classify.Printable(header(h, "Cf-Mitigated"), 32)
	rec.Server = classify.Printable(header(h, "Server"), 64)
	rec.ContentType = classify.Printable(header(h, "Content-Type"), 80)
	rec.RetryAfter = classify.Printable(header(h, "Retry-After"), 64)
	if v := header(h, "Retry-After-Ms"); v != "" {
		rec.RetryAfter = classify.Printable(v, 60) + "ms"
	}
	rec.ShouldRetry = classify.Printable(header(h, "X-Should-Retry"), 16)
	for name, vals := range h {
		key, ok := rateLimitKey(name)
		if !ok || len(vals) == 0 {
			continue
		}
		if rec.RateLimit == nil {
			rec.RateLimit = map[string]string{}
		}
		if len(rec.RateLimit) < 16 {
			rec.RateLimit[classify.Printable(strings.ToLower(key), 64)] = classify.Printable(vals[0], 64)
		}
	}
}

// header is h.Get(name) for a name already in canonical form.
func header(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// The answer headers every provider's descriptor names, read from every
// answer whichever provider is probed: a gateway may pass on another API's
// headers, and a header that is there is evidence either way.
var (
	orgHeaders        = canonical(func(p *provider.Provider) string { return p.OrgHeader })
	rateLimitPrefixes = canonical(func(p *provider.Provider) string { return p.RateLimitPrefix })
)

// canonical returns, for each known provider, the header field() names in
// its canonical form (as net/http keys an answer's headers), skipping empty
// names and repeats.
func canonical(field func(*provider.Provider) string) []string {
	var out []string
	for _, p := range provider.All() {
		if n := http.CanonicalHeaderKey(field(p)); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// rateLimitKey returns a rate-limit header's name without its provider's
// prefix, and whether it is one.
func rateLimitKey(name string) (string, bool) {
	for _, prefix := range rateLimitPrefixes {
		if key, ok := cutPrefixFold(name, prefix); ok {
			return key, true
		}
	}
	return name, false
}

// cutPrefixFold is strings.CutPrefix ignoring case, for header names.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := header(h, n); v != "" {
			return v
		}
	}
	return ""
}

// failed records a transport error; a request cut by the user's interrupt
// is marked cancelled rather than blamed on the network.
func failed(ctx context.Context, rec *runfile.Record, err error) {
	if ctx.Err() != nil {
		rec.Outcome, rec.Message, rec.NetError = classify.OutcomeCanceled, "cancelled by the user", ""
		return
	}
	rec.Outcome, rec.Message = classify.ClassifyError(err)
	rec.NetError = strings.TrimPrefix(string(rec.Outcome), "network-")
}

func (e *Engine) bodyCap() int64 {
	if e.BodyCap > 0 {
		return e.BodyCap
	}
	return DefaultBodyCap
}
