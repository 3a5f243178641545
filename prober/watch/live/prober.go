package live

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/engine"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/watch"
)

// DefaultTimeout bounds each probe request, body included.
const DefaultTimeout = 30 * time.Second

// Prober sends watch probes through the engine. The zero value works: the
// process's environment, the real clock, a transport made on first use.
type Prober struct {
	// Getenv reads key and proxy variables; nil means os.Getenv (through
	// the engine's transport and keys' loader).
	Getenv func(string) string
	// Transport sends the requests; nil means engine.NewTransport.
	Transport http.RoundTripper
	// Now stamps records; nil means time.Now.
	Now func() time.Time
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// UserAgent identifies the tool to the API.
	UserAgent string
	// Runs, when set, receives every probe's records.
	Runs *RunFiles

	once sync.Once
	rt   http.RoundTripper
}

var _ watch.Prober = (*Prober)(nil)

// Probe sends one probe of t: at each step c, c requests at concurrency c.
// A key that cannot be read, or a probe whose every request failed on DNS
// or connect, gives a *watch.TargetError; the records still reach the run
// file.
func (p *Prober) Probe(ctx context.Context, t watch.Target, steps []int) (watch.ProbeResult, error) {
	tg, err := p.target(t)
	if err != nil {
		return watch.ProbeResult{}, err
	}
	plan := target.Plan{Timeout: target.Duration(cmp.Or(p.Timeout, DefaultTimeout))}
	for _, c := range steps {
		plan.Steps = append(plan.Steps, target.Step{Concurrency: c, Requests: c})
		plan.MaxRequests += c
	}
	var (
		mu   sync.Mutex // the engine's workers call Sink at once
		recs []runfile.Record
	)
	eng := &engine.Engine{Transport: p.transport(), Target: tg, Plan: plan, Now: p.Now,
		Sink: func(r *runfile.Record) error {
			mu.Lock()
			defer mu.Unlock()
			recs = append(recs, *r)
			return nil
		}}
	res, runErr := eng.Run(ctx)
	if p.Runs != nil && len(recs) > 0 {
		// A run file that cannot be written is not the target's fault: the
		// probe's answers still count.
		_ = p.Runs.Append(t, tg.Info(), recs)
	}
	if err := ctx.Err(); err != nil {
		return watch.ProbeResult{}, err
	}
	if runErr != nil {
		return watch.ProbeResult{}, runErr
	}
	out := watch.ProbeResult{Verdict: watch.Verdict{Signature: string(res.Verdict.Signature), Layer: res.Verdict.Layer}}
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	for i := range recs {
		r := &recs[i]
		if !r.Outcome.IsAnswer() {
			continue
		}
		out.Answers = append(out.Answers, AnswerOf(r))
		out.RetryAfter = max(out.RetryAfter, retryAfter(r.RetryAfter, now))
	}
	return out, unreachable(out.Answers)
}

// target builds the engine's target, reading the key afresh each probe so
// that a rotated key file is picked up and a vanished one is reported.
func (p *Prober) target(t watch.Target) (target.Target, error) {
	prov, err := provider.ByName(t.Provider)
	if err != nil {
		return target.Target{}, &watch.TargetError{Reason: watch.ReasonOther, Err: err}
	}
	base, err := target.ParseBaseURL(cmp.Or(t.BaseURL, prov.DefaultBaseURL))
	if err != nil {
		return target.Target{}, &watch.TargetError{Reason: watch.ReasonOther, Err: err}
	}
	key, err := p.key(t, prov)
	if err != nil {
		return target.Target{}, &watch.TargetError{Reason: watch.ReasonKeyFile, Err: err}
	}
	tg := target.Target{Provider: prov, BaseURL: base, Model: cmp.Or(t.Model, prov.DefaultModel),
		Key: key, UserAgent: cmp.Or(p.UserAgent, "probe-watch")}
	for name, v := range t.Headers {
		tg.Headers = append(tg.Headers, target.Header{Name: name, Value: v})
	}
	return tg, nil
}

// key reads the target's key: key_env, else key_file, else the provider's
// usual variables. Errors never quote the key.
func (p *Prober) key(t watch.Target, prov *provider.Provider) (keys.Key, error) {
	getenv := p.getenv()
	if t.KeyEnv != "" {
		secret := strings.TrimSpace(getenv(t.KeyEnv))
		if secret == "" {
			return keys.Key{}, fmt.Errorf("$%s is empty or unset", t.KeyEnv)
		}
		return keys.NewKey(secret, "$"+t.KeyEnv, prov.Keys[0].Kind), nil
	}
	key, _, err := keys.LoadKey(keys.KeySources{Getenv: getenv, File: t.KeyFile, Provider: prov})
	if err == nil && key.IsZero() {
		err = errors.New("no key")
	}
	return key, err
}

func (p *Prober) getenv() func(string) string {
	if p.Getenv != nil {
		return p.Getenv
	}
	return osGetenv
}

func (p *Prober) transport() http.RoundTripper {
	p.once.Do(func() {
		p.rt = p.Transport
		if p.rt == nil {
			p.rt = engine.NewTransport(watch.MaxStep, p.Getenv)
		}
	})
	return p.rt
}

// AnswerOf maps a run file record onto the window's Answer.
func AnswerOf(r *runfile.Record) watch.Answer {
	return watch.Answer{
		Time: r.Started, Outcome: string(r.Outcome), Status: r.Status,
		Duration: time.Duration(r.TotalMS * float64(time.Millisecond)), RequestID: r.RequestID,
		Is403: r.Is403(), Layer5: diagnose.SignatureFor(r.Outcome, r.Message).Layer() == "5",
		Concurrency: r.Concurrency, ErrorType: r.ErrorType, Message: r.Message, IDSource: r.RequestIDSource,
	}
}

// unreachable names a probe none of whose requests got an HTTP answer
// because the host could not be resolved or reached; the target then keeps
// its last verdict and shows the reason.
func unreachable(answers []watch.Answer) error {
	if len(answers) == 0 {
		return &watch.TargetError{Reason: watch.ReasonOther, Err: errors.New("no answer")}
	}
	first := answers[0].Outcome
	for _, a := range answers {
		if a.Outcome != first {
			return nil
		}
	}
	switch classify.Outcome(first) {
	case classify.OutcomeDNS:
		return &watch.TargetError{Reason: watch.ReasonDNS, Err: errors.New("DNS failed")}
	case classify.OutcomeRefused:
		return &watch.TargetError{Reason: watch.ReasonConnect, Err: errors.New("connection refused")}
	}
	return nil
}

// retryAfter reads a recorded retry-after header: seconds, or an HTTP date
// relative to now. Anything else is no wait.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && f < 86400 {
		return time.Duration(f * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), 24*time.Hour)
	}
	return 0
}
