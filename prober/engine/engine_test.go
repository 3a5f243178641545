package engine

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/llm-probe/probe/scenarios"
)

// testKey is the made-up key every test request carries.
const testKey = "sk-ant-api03-TestKeyForLoopbackServersOnly0000000000"

// startScenario serves the named scenario on a loopback httptest server
// that is closed when the test ends.
func startScenario(t *testing.T, name string, opts scenarios.Options) (*scenarios.API, *httptest.Server) {
	t.Helper()
	api, err := scenarios.New(name, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv
}

// testTarget is a target at base (a loopback server's URL) with the test
// key and the default model.
func testTarget(t *testing.T, base string) target.Target {
	t.Helper()
	return target.Target{BaseURL: mustBase(t, base), Model: testModel, Key: keys.NewKey(testKey, "test", provider.APIKey), UserAgent: "probe/test"}
}

// testTransport is the transport probe uses, sized for concurrency c, with
// its idle connections closed when the test ends.
func testTransport(t *testing.T, c int) *Transport {
	t.Helper()
	tr := NewTransport(c, nil)
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// testClient is an http.Client on testTransport for tests that send
// requests themselves; like the engine, it follows no redirect.
func testClient(t *testing.T, c int) *http.Client {
	t.Helper()
	return &http.Client{
		Transport:     testTransport(t, c),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// testPlan is a plan for loopback servers: the steps given, a roomy budget,
// and timeouts that bound a stuck test.
func testPlan(steps ...target.Step) target.Plan {
	p := target.Plan{Steps: steps, Timeout: target.Duration(5 * time.Second), MaxWait: target.Duration(5 * time.Second)}
	p.MaxRequests = max(p.Planned(), 1)
	return p
}

// defaultSteps is the plan a plain `probe ramp` makes.
func defaultSteps() []target.Step {
	var steps []target.Step
	for _, c := range target.DefaultSteps {
		steps = append(steps, target.Step{Concurrency: c, Requests: target.RequestsFor(c)})
	}
	return steps
}

// newEngine returns an engine probing base with plan, whose Sink keeps
// every record in *recs.
func newEngine(t *testing.T, base string, plan target.Plan, recs *[]*runfile.Record) *Engine {
	t.Helper()
	maxC := 1
	for _, s := range plan.Steps {
		maxC = max(maxC, s.Concurrency)
	}
	return &Engine{
		Transport: testTransport(t, maxC),
		Target:    testTarget(t, base),
		Plan:      plan,
		Sink:      collect(recs),
	}
}

// collect returns a Sink that keeps every record in *recs, in the order
// they complete. The engine calls Sink from its workers at once, so it
// locks.
func collect(recs *[]*runfile.Record) func(*runfile.Record) error {
	var mu sync.Mutex
	return func(r *runfile.Record) error {
		mu.Lock()
		defer mu.Unlock()
		*recs = append(*recs, r)
		return nil
	}
}

// runEngine runs e with a deadline that turns a hang into a failure.
func runEngine(t *testing.T, e *Engine) *Result {
	t.Helper()
	// A minute: a guard against hangs, not a measure; the ramps here take
	// well under a second, and -race on a loaded 2-core machine many times that.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	res, err := e.Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("Run did not finish in time")
	}
	return res
}

// counting wraps h and counts the requests that reach it, and those that
// carry a key.
type counting struct {
	h          http.Handler
	n, withKey atomic.Int64
	mu         sync.Mutex
	arrivals   []time.Time
}

// ServeHTTP counts the request and hands it to the wrapped handler.
func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.n.Add(1)
	if r.Header.Get("X-Api-Key") != "" || r.Header.Get("Authorization") != "" {
		c.withKey.Add(1)
	}
	c.mu.Lock()
	c.arrivals = append(c.arrivals, time.Now())
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

// serveCounting starts a loopback server for h, counting its requests.
func serveCounting(t *testing.T, h http.HandlerFunc) (*counting, *httptest.Server) {
	t.Helper()
	c := &counting{h: h}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv
}

// writeMessage answers a successful message as the API does.
func writeMessage(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Request-Id", "req_ok")
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"id":"msg_01","type":"message","role":"assistant","content":[{"type":"text","text":"Hi"}]}`)
}

// writeError answers an API error with status and extra headers.
func writeError(w http.ResponseWriter, r *http.Request, status int, errType, msg string, kv ...string) {
	io.Copy(io.Discard, r.Body)
	for i := 0; i+1 < len(kv); i += 2 {
		w.Header().Set(kv[i], kv[i+1])
	}
	w.Header().Set("Request-Id", "req_err")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(envelope(errType, msg, "req_err"))
}

func TestEngineHealthy(t *testing.T) {
	t.Parallel()
	api, srv := startScenario(t, "healthy", scenarios.Options{Seed: 1, Latency: 2 * time.Millisecond})
	plan := testPlan(target.Step{Concurrency: 1, Requests: 4}, target.Step{Concurrency: 2, Requests: 4}, target.Step{Concurrency: 5, Requests: 10})
	plan.MaxRequests, plan.EarlyStop, plan.Extend = 100, true, true
	var recs []*runfile.Record
	e := newEngine(t, srv.URL, plan, &recs)
	var file bytes.Buffer
	rw := runfile.NewWriter(&file)
	keep := e.Sink
	e.Sink = func(r *runfile.Record) error {
		if err := rw.WriteRecord(r); err != nil {
			return err
		}
		return keep(r)
	}
	var observed int
	e.Observe = func(*runfile.Record) { observed++ }
	var batches []target.Step
	e.OnBatch = func(s target.Step, _, _ int) { batches = append(batches, s) }

	res := runEngine(t, e)
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}

	planned := plan.Planned()
	if res.Sent != planned || len(recs) != planned || observed != planned || int(api.MessageRequests()) != planned {
		t.Fatalf("Sent %d, %d records, %d observed, %d arrived; want %d of each", res.Sent, len(recs), observed, api.MessageRequests(), planned)
	}
	if !slices.Equal(batches, plan.Steps) {
		t.Errorf("batches %v; want %v", batches, plan.Steps)
	}
	seen := map[int64]bool{}
	lastFinished := make([]time.Time, len(plan.Steps))
	for _, r := range recs {
		if r.Seq < 0 || r.Seq >= int64(planned) || seen[r.Seq] {
			t.Errorf("Seq %d repeated or out of 0..%d", r.Seq, planned-1)
		}
		seen[r.Seq] = true
		step := plan.Steps[r.Step]
		switch {
		case r.Kind != "request" || r.Outcome != classify.OutcomeOK || r.Status != 200 || r.RequestIDSource != classify.IDFromRequestID || r.RequestID == "":
			t.Errorf("record %d: %s %d %s id %q from %q", r.Seq, r.Kind, r.Status, r.Outcome, r.RequestID, r.RequestIDSource)
		case r.Concurrency != step.Concurrency:
			t.Errorf("record %d: concurrency %d at step %d; want %d", r.Seq, r.Concurrency, r.Step, step.Concurrency)
		case r.InFlight < 1 || r.InFlight > step.Concurrency:
			t.Errorf("record %d: %d in flight at c=%d", r.Seq, r.InFlight, step.Concurrency)
		case r.QueueWaitMS < 0 || r.TotalMS <= 0 || r.Bytes <= 0:
			t.Errorf("record %d: queue wait %vms, total %vms, %d bytes", r.Seq, r.QueueWaitMS, r.TotalMS, r.Bytes)
		case r.Finished.Before(r.Started) || r.Started.IsZero() || r.Scheduled.IsZero():
			t.Errorf("record %d: scheduled %v, started %v, finished %v", r.Seq, r.Scheduled, r.Started, r.Finished)
		case r.OrganizationID == "" || r.CFRay == "" || len(r.RateLimit) == 0:
			t.Errorf("record %d: headers not kept: org %q, ray %q, rate limits %v", r.Seq, r.OrganizationID, r.CFRay, r.RateLimit)
		}
		if r.Finished.After(lastFinished[r.Step]) {
			lastFinished[r.Step] = r.Finished
		}
	}
	// Steps do not overlap: each starts once the one before has finished.
	for _, r := range recs {
		if r.Step > 0 && r.Started.Before(lastFinished[r.Step-1]) {
			t.Errorf("record %d of step %d started before step %d finished", r.Seq, r.Step, r.Step-1)
		}
	}
	// Timings come from httptrace: a first connection is dialled, later
	// requests at c=1 reuse it.
	var dialled, reused bool
	for _, r := range recs {
		dialled = dialled || r.ConnectMS > 0
		reused = reused || r.ConnReused
		if r.TTFBMS <= 0 || r.TTFBMS > r.TotalMS {
			t.Errorf("record %d: time to first byte %vms of %vms", r.Seq, r.TTFBMS, r.TotalMS)
		}
		// A worker times its requests with the same hooks: a reused
		// connection must not show the dial of an earlier request.
		if r.ConnReused && (r.DNSMS > 0 || r.ConnectMS > 0 || r.TLSMS > 0) {
			t.Errorf("record %d reused its connection but shows dns %vms, connect %vms, tls %vms", r.Seq, r.DNSMS, r.ConnectMS, r.TLSMS)
		}
	}
	if !dialled || !reused {
		t.Errorf("no record shows a dial (%v) or a reused connection (%v)", dialled, reused)
	}
	if res.Summary.MaxInFlight < 2 {
		t.Errorf("at most %d in flight; want the c=5 step to overlap requests", res.Summary.MaxInFlight)
	}
	if res.Stop != "" || res.Verdict.Signature != verdict.Healthy || res.Verdict.Partial {
		t.Errorf("Stop %q, verdict %s (partial %v); want a complete healthy run", res.Stop, res.Verdict.Signature, res.Verdict.Partial)
	}
	rf, _, err := readRun(append(writeRun(t, runfile.Header{}, nil, nil), file.Bytes()...))
	if err != nil || rf.Records != planned || rf.Skipped != 0 {
		t.Errorf("run file: %v, %d records, %d skipped; want %d, 0", err, rf.Records, rf.Skipped, planned)
	}
	if bytes.Contains(file.Bytes(), []byte(secretPart(testKey))) {
		t.Error("the run file contains the key")
	}
}

func TestEngineKeepsPathPrefix(t *testing.T) {
	t.Parallel()
	api, srv := startScenario(t, "healthy", scenarios.Options{Latency: time.Millisecond, Prefix: "/some/prefix"})
	for _, base := range []string{srv.URL + "/some/prefix", srv.URL + "/some/prefix/"} {
		var recs []*runfile.Record
		res := runEngine(t, newEngine(t, base, testPlan(target.Step{Concurrency: 1, Requests: 2}), &recs))
		if res.Verdict.Signature != verdict.Healthy || len(recs) != 2 || recs[0].Outcome != classify.OutcomeOK {
			t.Errorf("base %s: %s, %d records; want healthy", base, res.Verdict.Signature, len(recs))
		}
	}
	if n := api.MessageRequests(); n != 4 {
		t.Errorf("%d messages arrived under the prefix; want 4", n)
	}
}

func TestEngineEarlyStop(t *testing.T) {
	t.Parallel()
	api, srv := startScenario(t, "revoked-key", scenarios.Options{Seed: 1, Latency: 2 * time.Millisecond})
	plan := testPlan(defaultSteps()...)
	plan.MaxRequests, plan.EarlyStop, plan.Extend = 100, true, true
	var recs []*runfile.Record
	res := runEngine(t, newEngine(t, srv.URL, plan, &recs))
	if n := api.MessageRequests(); n != diagnose.MinHigh || res.Sent != diagnose.MinHigh || len(recs) != diagnose.MinHigh {
		t.Errorf("%d requests arrived, %d sent, %d recorded; want exactly %d", n, res.Sent, len(recs), diagnose.MinHigh)
	}
	if res.Stop != runfile.StopEarly || res.Verdict.Signature != verdict.AuthFailure || res.Verdict.Confidence != verdict.High {
		t.Errorf("Stop %q, verdict %s (%s); want %s, %s (high)", res.Stop, res.Verdict.Signature, res.Verdict.Confidence, runfile.StopEarly, verdict.AuthFailure)
	}
	if es := res.Verdict.Basis.EarlyStop; es == nil || es.UniformRun != diagnose.MinHigh || es.Outcome != classify.OutcomeAuth {
		t.Errorf("EarlyStop = %+v; want the early stop recorded: the first %d answers were the same auth failure", es, diagnose.MinHigh)
	}

	// Without early stop the whole plan runs.
	api, srv = startScenario(t, "revoked-key", scenarios.Options{Seed: 1, Latency: time.Millisecond})
	plan = testPlan(target.Step{Concurrency: 1, Requests: 7}, target.Step{Concurrency: 2, Requests: 4})
	recs = nil
	res = runEngine(t, newEngine(t, srv.URL, plan, &recs))
	if n := api.MessageRequests(); n != 11 || res.Stop != "" {
		t.Errorf("without early stop: %d requests, Stop %q; want 11 and none", n, res.Stop)
	}
}

func TestEngineBudget(t *testing.T) {
	t.Parallel()
	plan := testPlan(target.Step{Concurrency: 1, Requests: 4}, target.Step{Concurrency: 2, Requests: 4})
	plan.MaxRequests = 7
	if err := plan.Validate(target.OwnHost); err == nil {
		t.Error("Validate accepted a budget below the plan")
	}

	// One 403 in every four answers: an intermittent run too thin to
	// decide, so the engine asks for more, within the budget.
	var arrived atomic.Int64
	server, srv := serveCounting(t, func(w http.ResponseWriter, r *http.Request) {
		if arrived.Add(1)%4 == 2 {
			writeError(w, r, 403, "permission_error", "Permission denied")
			return
		}
		writeMessage(w, r)
	})
	for _, budget := range []int{10, 12, 30} {
		arrived.Store(0)
		server.n.Store(0)
		plan := testPlan(target.Step{Concurrency: 1, Requests: 4}, target.Step{Concurrency: 2, Requests: 4})
		plan.MaxRequests, plan.Extend, plan.EarlyStop = budget, true, true
		if err := plan.Validate(target.OwnHost); err != nil {
			t.Fatal(err)
		}
		var recs []*runfile.Record
		var notices []string
		e := newEngine(t, srv.URL, plan, &recs)
		e.Notice = func(m string) { notices = append(notices, m) }
		res := runEngine(t, e)
		n := int(server.n.Load())
		if n > budget || res.Sent != n || len(recs) != n {
			t.Errorf("budget %d: %d arrived, %d sent, %d recorded", budget, n, res.Sent, len(recs))
		}
		if n <= plan.Planned() || !containsPart(notices, "undecided") {
			t.Errorf("budget %d: %d requests, notices %q; want an extension beyond the %d planned", budget, n, notices, plan.Planned())
		}
	}

	// Even a plan that skipped Validate stops at its budget.
	server.n.Store(0)
	plan = testPlan(target.Step{Concurrency: 1, Requests: 4}, target.Step{Concurrency: 2, Requests: 4})
	plan.MaxRequests = 5
	var recs []*runfile.Record
	res := runEngine(t, newEngine(t, srv.URL, plan, &recs))
	if n := server.n.Load(); n != 5 || res.Stop != runfile.StopBudget {
		t.Errorf("unvalidated plan: %d requests, Stop %q; want 5, %s", n, res.Stop, runfile.StopBudget)
	}
}

func TestEngineRetryAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		header []string
		pause  time.Duration
	}{
		{"retry-after-ms", []string{"Retry-After-Ms", "200"}, 200 * time.Millisecond},
		{"retry-after seconds", []string{"Retry-After", "1"}, time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var arrived atomic.Int64
			server, srv := serveCounting(t, func(w http.ResponseWriter, r *http.Request) {
				if arrived.Add(1) == 1 {
					writeError(w, r, 429, "rate_limit_error", "slow down", c.header...)
					return
				}
				writeMessage(w, r)
			})
			var recs []*runfile.Record
			var notices []string
			e := newEngine(t, srv.URL, testPlan(target.Step{Concurrency: 1, Requests: 3}), &recs)
			e.Notice = func(m string) { notices = append(notices, m) }
			res := runEngine(t, e)
			if len(recs) != 3 || recs[0].Outcome != classify.OutcomeRateLimit || res.Stop != "" {
				t.Fatalf("%d records, first %s, Stop %q; want 3, rate-limit first, no stop", len(recs), recs[0].Outcome, res.Stop)
			}
			const slack = 5 * time.Millisecond // wall-clock rounding
			if gap := recs[1].Started.Sub(recs[0].Finished); gap < c.pause-slack {
				t.Errorf("the request after the 429 started %v after it; want at least %v", gap, c.pause)
			}
			server.mu.Lock()
			gap := server.arrivals[1].Sub(server.arrivals[0])
			server.mu.Unlock()
			if gap < c.pause {
				t.Errorf("the server saw the next request %v after the 429; want at least %v", gap, c.pause)
			}
			if recs[0].RetryAfter == "" || !containsPart(notices, "pausing") {
				t.Errorf("RetryAfter %q, notices %q; want the pause recorded and announced", recs[0].RetryAfter, notices)
			}
		})
	}

	t.Run("after the last request", func(t *testing.T) {
		// Nothing is left to send, so the pause is not sat out.
		t.Parallel()
		_, srv := serveCounting(t, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, 429, "rate_limit_error", "slow down", "Retry-After", "30")
		})
		var recs []*runfile.Record
		plan := testPlan(target.Step{Concurrency: 1, Requests: 1})
		plan.MaxWait = target.Duration(time.Minute)
		start := time.Now()
		runEngine(t, newEngine(t, srv.URL, plan, &recs))
		if took := time.Since(start); len(recs) != 1 || took > 15*time.Second {
			t.Errorf("%d records in %v; want 1, well before the 30 s pause ends", len(recs), took)
		}
	})

	t.Run("longer than max wait", func(t *testing.T) {
		t.Parallel()
		server, srv := serveCounting(t, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, 429, "rate_limit_error", "slow down", "Retry-After", "120")
		})
		var recs []*runfile.Record
		plan := testPlan(target.Step{Concurrency: 1, Requests: 5}, target.Step{Concurrency: 2, Requests: 5})
		plan.MaxWait = target.Duration(time.Second)
		began := time.Now()
		res := runEngine(t, newEngine(t, srv.URL, plan, &recs))
		if res.Stop != runfile.StopRetryAfter || server.n.Load() != 1 || len(recs) != 1 {
			t.Errorf("Stop %q after %d requests; want %s after 1", res.Stop, server.n.Load(), runfile.StopRetryAfter)
		}
		// The bound tells ending at once from sitting out the 120s; 30s, not
		// 2s, so that a loaded machine still fits.
		if d := time.Since(began); d > 30*time.Second {
			t.Errorf("the run took %v; it should end at once, not wait out the 120s", d)
		}
		if res.Verdict.Signature != verdict.Inconclusive || res.Verdict.NeedMore == 0 {
			t.Errorf("verdict %s (need %d more) on one answer; want %s", res.Verdict.Signature, res.Verdict.NeedMore, verdict.Inconclusive)
		}
	})
}

func TestEngineCancel(t *testing.T) {
	t.Parallel()
	var arrived atomic.Int64
	three := make(chan struct{})
	_, srv := serveCounting(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if arrived.Add(1) == 3 {
			close(three)
		}
		<-r.Context().Done() // holds every request until the client gives up
	})
	var recs []*runfile.Record
	var returned atomic.Bool
	var lateSink atomic.Int64
	plan := testPlan(target.Step{Concurrency: 3, Requests: 6}, target.Step{Concurrency: 5, Requests: 5})
	// A minute's timeout: only the cancel can end the held requests within
	// the bounds below, however slow the machine.
	plan.Timeout = target.Duration(time.Minute)
	e := newEngine(t, srv.URL, plan, &recs)
	keep := e.Sink
	e.Sink = func(r *runfile.Record) error {
		if returned.Load() {
			lateSink.Add(1)
		}
		return keep(r)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := e.Run(ctx)
		returned.Store(true)
		done <- outcome{res, err}
	}()
	select {
	case <-three:
	case <-time.After(time.Minute):
		t.Fatal("three requests never arrived")
	}
	cancel()
	cancelled := time.Now()
	var got outcome
	select {
	case got = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30s of the cancel")
	}
	// 20s tells returning on the cancel from sitting out the minute's
	// timeout, with room for -race on a loaded machine.
	if d := time.Since(cancelled); d > 20*time.Second {
		t.Errorf("Run returned %v after the cancel; want within 20s (the requests' timeout is a minute)", d)
	}
	if got.err != nil {
		t.Fatalf("Run: %v", got.err)
	}
	res := got.res
	if res.Stop != runfile.StopInterrupted || !res.Verdict.Partial {
		t.Errorf("Stop %q, partial %v; want %s, true", res.Stop, res.Verdict.Partial, runfile.StopInterrupted)
	}
	if res.Sent != 3 || len(recs) != 3 {
		t.Fatalf("Sent %d, %d records; want the 3 in flight", res.Sent, len(recs))
	}
	for _, r := range recs {
		if r.Outcome != classify.OutcomeCanceled || r.Kind != "request" || r.Finished.IsZero() || r.Started.IsZero() || r.TotalMS <= 0 || r.NetError != "" {
			t.Errorf("record %d: %+v; want a complete cancelled record", r.Seq, r)
		}
	}
	if res.Verdict.Signature != verdict.Inconclusive {
		t.Errorf("verdict %s on a run with no answers", res.Verdict.Signature)
	}
	if n := lateSink.Load(); n != 0 {
		t.Errorf("%d records reached the Sink after Run returned", n)
	}
}

func TestEngineRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	elsewhere, other := serveCounting(t, writeMessage)
	portal, srv := serveCounting(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, other.URL+"/v1/messages", http.StatusFound)
	})
	var recs []*runfile.Record
	res := runEngine(t, newEngine(t, srv.URL, testPlan(target.Step{Concurrency: 1, Requests: 3}), &recs))
	if len(recs) != 3 || portal.withKey.Load() != 3 {
		t.Fatalf("%d records, %d requests with a key at the first server; want 3 and 3", len(recs), portal.withKey.Load())
	}
	for _, r := range recs {
		if r.Outcome != classify.OutcomeRedirect || r.Status != http.StatusFound {
			t.Errorf("record %d: %d %s; want 302 redirect", r.Seq, r.Status, r.Outcome)
		}
	}
	if n := elsewhere.n.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests (%d with the key); want none", n, elsewhere.withKey.Load())
	}
	if res.Verdict.Signature != verdict.ProxyInterference {
		t.Errorf("verdict %s on redirects; want %s", res.Verdict.Signature, verdict.ProxyInterference)
	}
}

// TestEngineBodyCap is not parallel: it measures allocation, which other
// tests running at the same time would disturb.
func TestEngineBodyCap(t *testing.T) {
	const size = 10 << 20
	var written atomic.Int64
	_, srv := serveCounting(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for n := 0; n < size; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading at its cap
			}
			written.Add(int64(len(chunk)))
		}
	})
	var recs []*runfile.Record
	e := newEngine(t, srv.URL, testPlan(target.Step{Concurrency: 1, Requests: 2}), &recs)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	runEngine(t, e)
	runtime.ReadMemStats(&after)
	if len(recs) != 2 {
		t.Fatalf("%d records; want 2", len(recs))
	}
	for _, r := range recs {
		if !r.Truncated || r.Bytes != DefaultBodyCap || r.Status != 200 {
			t.Errorf("record %d: truncated %v, %d bytes, status %d; want truncated at %d", r.Seq, r.Truncated, r.Bytes, r.Status, DefaultBodyCap)
		}
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("the run allocated %d KiB for two capped answers; want far less than the %d MiB bodies", alloc>>10, size>>20)
	}

	// A body that fits is not marked truncated.
	_, small := serveCounting(t, writeMessage)
	recs = nil
	e = newEngine(t, small.URL, testPlan(target.Step{Concurrency: 1, Requests: 1}), &recs)
	e.BodyCap = 1 << 10
	runEngine(t, e)
	if len(recs) != 1 || recs[0].Truncated || recs[0].Outcome != classify.OutcomeOK {
		t.Errorf("small body: %+v", recs)
	}
}

func TestEngineAbuse(t *testing.T) {
	t.Parallel()
	_, srv := startScenario(t, "abuse", scenarios.Options{Seed: 7, Latency: 5 * time.Millisecond})
	plan := testPlan(defaultSteps()...)
	plan.MaxRequests, plan.EarlyStop, plan.Extend = 100, true, true
	if err := plan.Validate(target.LimitsFor(mustBase(t, "https://api.anthropic.com"))); err != nil {
		t.Fatalf("the default plan is not valid for the public API: %v", err)
	}
	var recs []*runfile.Record
	res := runEngine(t, newEngine(t, srv.URL, plan, &recs))
	v := res.Verdict
	if v.Signature != verdict.Intermittent403 || v.Layer != "5" {
		t.Fatalf("verdict %s (layer %s): %+v; want %s", v.Signature, v.Layer, v.Basis, verdict.Intermittent403)
	}
	levels := res.Summary.Levels()
	lo, hi := levels[0], levels[len(levels)-1]
	if lo.Concurrency != 1 || lo.Refused403 != 0 || hi.Concurrency != 10 || hi.Refused403 == 0 {
		t.Errorf("levels %+v; want no 403 alone and some at c=10", levels)
	}
	if v.Basis.Fisher == nil || len(res.Summary.FailedIDs) == 0 {
		t.Errorf("Fisher test %+v, failed ids %v; want the Fisher test and request ids", v.Basis.Fisher, res.Summary.FailedIDs)
	}
	if res.Sent > plan.MaxRequests {
		t.Errorf("sent %d over the budget of %d", res.Sent, plan.MaxRequests)
	}
}

func TestEngineTransportFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scenario string
		timeout  time.Duration
		want     classify.Outcome
	}{
		{"connection-reset", 5 * time.Second, classify.OutcomeReset},
		{"slow", 150 * time.Millisecond, classify.OutcomeTimeout},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			t.Parallel()
			_, srv := startScenario(t, c.scenario, scenarios.Options{Latency: time.Millisecond})
			plan := testPlan(target.Step{Concurrency: 2, Requests: 4})
			plan.Timeout = target.Duration(c.timeout)
			var recs []*runfile.Record
			began := time.Now()
			res := runEngine(t, newEngine(t, srv.URL, plan, &recs))
			for _, r := range recs {
				if r.Outcome != c.want || r.NetError == "" || r.Status != 0 {
					t.Errorf("record %d: %s (%q), status %d; want %s", r.Seq, r.Outcome, r.NetError, r.Status, c.want)
				}
			}
			if len(recs) != 4 || res.Verdict.Signature != verdict.NetworkError {
				t.Errorf("%d records, verdict %s; want 4, %s", len(recs), res.Verdict.Signature, verdict.NetworkError)
			}
			// The outcomes tell a reset from a timeout; the bound tells
			// letting go at the timeout from waiting out the slow
			// scenario's 2 minutes, with room for a loaded machine.
			if d := time.Since(began); d > 30*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestEngineRate(t *testing.T) {
	t.Parallel()
	_, srv := serveCounting(t, writeMessage)
	plan := testPlan(target.Step{Concurrency: 2, Requests: 6})
	plan.Rate = 50 // one request every 20ms
	var recs []*runfile.Record
	runEngine(t, newEngine(t, srv.URL, plan, &recs))
	if len(recs) != 6 {
		t.Fatalf("%d records; want 6", len(recs))
	}
	slices.SortFunc(recs, func(a, b *runfile.Record) int { return a.Scheduled.Compare(b.Scheduled) })
	if span := recs[5].Scheduled.Sub(recs[0].Scheduled); span < 95*time.Millisecond {
		t.Errorf("6 requests at 50/s were scheduled over %v; want at least 100ms", span)
	}
	// The last request must not leave before its slot, 100ms after the
	// first was due. (Measured from the first one's start instead, a first
	// request whose worker a loaded machine ran late made the span short.)
	if span := recs[5].Started.Sub(recs[0].Scheduled); span < 95*time.Millisecond {
		t.Errorf("the 6th request at 50/s started %v after the first was due; want at least 100ms", span)
	}
	for _, r := range recs {
		if early := r.Scheduled.Sub(r.Started); early > time.Millisecond {
			t.Errorf("request %d started %v before it was due", r.Seq, early)
		}
	}
}

func TestEngineSinkFailure(t *testing.T) {
	t.Parallel()
	server, srv := serveCounting(t, writeMessage)
	var recs []*runfile.Record
	e := newEngine(t, srv.URL, testPlan(target.Step{Concurrency: 1, Requests: 10}), &recs)
	full := errors.New("disk full")
	e.Sink = func(*runfile.Record) error { return full }
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a hang guard
	defer cancel()
	res, err := e.Run(ctx)
	if !errors.Is(err, full) || res == nil || res.Stop != runfile.StopSinkFailed {
		t.Fatalf("Run = %+v, %v; want Stop %s and the sink's error", res, err, runfile.StopSinkFailed)
	}
	if !res.Verdict.Partial {
		t.Error("the verdict of a run whose run file failed (a full disk) is not marked partial")
	}
	if n := server.n.Load(); n != 1 {
		t.Errorf("%d requests sent after the run file failed on the first; want 1", n)
	}
}

// The run file is written behind the workers, so a failed write reaches
// the engine with a later record; it still ends the run.
func TestEngineRunFileFailure(t *testing.T) {
	t.Parallel()
	server, srv := serveCounting(t, writeMessage)
	var recs []*runfile.Record
	e := newEngine(t, srv.URL, testPlan(target.Step{Concurrency: 1, Requests: 200}), &recs)
	rw := runfile.NewWriter(&failingWriter{})
	e.Sink = rw.WriteRecord
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a hang guard
	defer cancel()
	res, err := e.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "disk full") || res == nil || res.Stop != runfile.StopSinkFailed {
		t.Fatalf("Run = %+v, %v; want Stop %s and the write's error", res, err, runfile.StopSinkFailed)
	}
	if n := server.n.Load(); n >= 200 {
		t.Errorf("all %d requests sent although the run file failed on the first", n)
	}
	if err := rw.Flush(); err == nil {
		t.Error("Flush after a failed write returned nil")
	}
}

func TestEngineNoTransport(t *testing.T) {
	t.Parallel()
	e := &Engine{Plan: testPlan(target.Step{Concurrency: 1, Requests: 1})}
	if _, err := e.Run(t.Context()); err == nil {
		t.Error("Run without a transport succeeded")
	}
}

// A worker's requests share one context until a timeout cancels it: the
// cause is what a timeout context gives, and the next request gets a fresh
// context rather than the cancelled one.
func TestWorkerRequestContext(t *testing.T) {
	t.Parallel()
	var w worker
	defer w.stop()
	w.timing(t.Context())
	first := w.begin(time.Minute)
	w.end()
	if again := w.begin(time.Minute); again != first || again.Err() != nil {
		t.Errorf("after a request in time: same context %v, err %v; want the same, live", again == first, again.Err())
	}
	w.end()
	late := w.begin(time.Millisecond)
	<-late.Done()
	if cause := context.Cause(late); cause != context.DeadlineExceeded {
		t.Errorf("cause of a timed-out request = %v; want context.DeadlineExceeded", cause)
	}
	w.end()
	if next := w.begin(time.Minute); next == late || next.Err() != nil {
		t.Errorf("after a timeout: new context %v, err %v; want a new, live one", next != late, next.Err())
	}
	w.end()
}

// A request that times out takes its context with it, not the next
// request on the same worker: a slow first answer, then fast ones.
func TestEngineTimeoutThenAnswers(t *testing.T) {
	t.Parallel()
	api, err := scenarios.New("healthy", scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			// The first request outlasts the timeout. With its body read,
			// the server sees the client let go.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(20 * time.Second):
			}
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	plan := testPlan(target.Step{Concurrency: 1, Requests: 4})
	// Long enough for the fast answers on a loaded machine under -race;
	// the first request is held until the client lets go at it.
	plan.Timeout = target.Duration(2 * time.Second)
	plan.EarlyStop = false
	var recs []*runfile.Record
	runEngine(t, newEngine(t, srv.URL, plan, &recs))
	if len(recs) != 4 {
		t.Fatalf("%d records; want 4", len(recs))
	}
	if recs[0].Outcome != classify.OutcomeTimeout {
		t.Errorf("first request: %s; want %s", recs[0].Outcome, classify.OutcomeTimeout)
	}
	for _, r := range recs[1:] {
		if r.Outcome != classify.OutcomeOK {
			t.Errorf("request %d after the timeout: %s (%s); want ok", r.Seq, r.Outcome, r.Message)
		}
	}
}

// A worker keeps its trace hooks from one request to the next, except after
// a request that got no answer: net/http finishes the dial such a request
// abandoned and calls its hooks, which must land in a timing no later
// request reads.
func TestWorkerTimingAfterNoAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var w worker
	first := w.timing(ctx)
	first.connStart = time.Now()
	w.done(&runfile.Record{Status: 403})
	if again := w.timing(ctx); again != first || !again.connStart.IsZero() {
		t.Errorf("after an answer: same timing %v, cleared %v; want the same timing, cleared", again == first, again.connStart.IsZero())
	}
	w.done(&runfile.Record{Outcome: classify.OutcomeTimeout})
	if next := w.timing(ctx); next == first {
		t.Error("after a request with no answer the worker kept its timing; an abandoned dial's hooks would land in the next request's")
	}
}

// recordHeaders reads the headers net/http parsed off the wire, whatever
// case the server wrote them in, and keys rate limits in lower case.
func TestRecordHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string // response header lines as a server sends them
		want runfile.Record
	}{
		{
			name: "anthropic",
			raw: "anthropic-organization-id: org-1\r\ncf-ray: 8f00-AMS\r\nserver: cloudflare\r\n" +
				"content-type: application/json\r\nretry-after: 3\r\nx-should-retry: true\r\n" +
				"anthropic-ratelimit-requests-limit: 50\r\nANTHROPIC-RATELIMIT-Requests-Remaining: 0\r\n",
			want: runfile.Record{OrganizationID: "org-1", CFRay: "8f00-AMS", Server: "cloudflare", ContentType: "application/json",
				RetryAfter: "3", ShouldRetry: "true", RateLimit: map[string]string{"requests-limit": "50", "requests-remaining": "0"}},
		},
		{
			name: "openai",
			raw:  "openai-organization: user-abc\r\nretry-after-ms: 1500\r\nx-ratelimit-limit-requests: 500\r\ncf-mitigated: challenge\r\n",
			want: runfile.Record{OrganizationID: "user-abc", RetryAfter: "1500ms", CFMitigated: "challenge", RateLimit: map[string]string{"limit-requests": "500"}},
		},
		{
			name: "none of ours",
			raw:  "x-powered-by: gateway\r\nratelimit-remaining: 3\r\n",
			want: runfile.Record{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader("HTTP/1.1 200 OK\r\n"+tt.raw+"\r\n")), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got runfile.Record
			recordHeaders(&got, resp.Header)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("recordHeaders:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Dial hooks that fire once the request has its connection, or on a
// request that reused one, belong to a dial it did not use: net/http
// finishes dials in the background.
func TestTimingIgnoresOtherDials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		reused      bool
		dialFirst   bool // the dial hooks come before GotConn
		wantConnect bool
	}{
		{"own dial", false, true, true},
		{"a background dial after GotConn", false, false, false},
		{"reused connection", true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tm timing
			tr := tm.trace()
			start := time.Now()
			dial := func() {
				tr.ConnectStart("tcp", "127.0.0.1:1")
				time.Sleep(2 * time.Millisecond)
				tr.ConnectDone("tcp", "127.0.0.1:1", nil)
				tr.TLSHandshakeStart()
				tr.TLSHandshakeDone(tls.ConnectionState{}, nil)
			}
			if tt.dialFirst {
				dial()
			}
			tr.GotConn(httptrace.GotConnInfo{Reused: tt.reused})
			if !tt.dialFirst {
				dial()
			}
			tr.GotFirstResponseByte()
			var r runfile.Record
			tm.fill(&r, start)
			if got := r.ConnectMS > 0; got != tt.wantConnect {
				t.Errorf("ConnectMS = %v; want a connect time: %v", r.ConnectMS, tt.wantConnect)
			}
			if r.TTFBMS <= 0 || r.ConnReused != tt.reused {
				t.Errorf("TTFBMS %v, ConnReused %v; want a first byte and reused %v", r.TTFBMS, r.ConnReused, tt.reused)
			}
		})
	}
}
