package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"sync"
	"time"
)

// TargetError is a probe that failed before any answer, with the reason
// shown in probe_llm_target_error_info. Its message is never logged or
// exposed: it may quote a path, a host or worse.
type TargetError struct {
	Reason ErrorReason
	Err    error
}

// Error returns the reason and the underlying error.
func (e *TargetError) Error() string { return fmt.Sprintf("%s: %v", e.Reason, e.Err) }

// Unwrap returns the underlying error.
func (e *TargetError) Unwrap() error { return e.Err }

// ErrBudget is returned (wrapped, with the reason) when a probe was skipped
// because the hourly budget or a retry-after did not allow it.
var ErrBudget = errors.New("over budget")

// reasonOf names why a probe failed, from a *TargetError when the prober
// gave one, else from the error's kind.
func reasonOf(err error) ErrorReason {
	var te *TargetError
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &te):
		for _, r := range reasons {
			if r == te.Reason {
				return r
			}
		}
		return ReasonOther
	case errors.Is(err, ErrBudget):
		return ReasonBudget
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return ReasonKeyFile
	case errors.As(err, &dns):
		return ReasonDNS
	case errors.As(err, &op) && op.Op == "dial":
		return ReasonConnect
	}
	return ReasonOther
}

// probe runs one probe of ts within its budget and folds the answers into
// the window, the verdict and the metrics. On error the last verdict stays.
func (w *Watcher) probe(ctx context.Context, ts *targetState) (ProbeResult, error) {
	ts.probeMu.Lock()
	defer ts.probeMu.Unlock()
	name := ts.t.Name
	steps := ts.steps()
	if err := ts.budget.Reserve(w.clock.Now(), probeSize(steps)); err != nil {
		w.metrics.skipped.WithLabelValues(name).Inc()
		w.metrics.setError(name, ReasonBudget)
		return ProbeResult{}, fmt.Errorf("%w: %v", ErrBudget, err)
	}
	res, err := w.opts.Prober.Probe(ctx, ts.t, steps)
	now := w.clock.Now()
	w.metrics.lastProbe.WithLabelValues(name).Set(float64(now.UnixNano()) / 1e9)
	if err != nil {
		if ctx.Err() == nil {
			w.metrics.setError(name, reasonOf(err))
		}
		return res, err
	}
	w.metrics.setError(name, "")
	ts.budget.RetryAfter(now, res.RetryAfter)
	w.fold(ts, now, res.Answers)
	return res, nil
}

// fold adds answers to the window, judges it, and publishes the verdict,
// logging it when it changed.
func (w *Watcher) fold(ts *targetState, now time.Time, answers []Answer) {
	name := ts.t.Name
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, a := range answers {
		ts.win.add(a)
		w.metrics.record(name, a)
	}
	held := ts.win.since(now)
	forbidden := 0
	for _, a := range held {
		if a.Is403 {
			forbidden++
		}
	}
	if len(held) > 0 {
		w.metrics.ratio403.WithLabelValues(name).Set(float64(forbidden) / float64(len(held)))
	}
	v := w.opts.Judge(held)
	ts.gentle = v.Layer5()
	old := ts.verdict
	if old != nil && old.Signature == v.Signature && old.Layer == v.Layer {
		return
	}
	w.metrics.setVerdict(name, old, v)
	if old != nil {
		w.metrics.changes.WithLabelValues(name).Inc()
	}
	w.events.verdict(now, name, old, v, held)
	ts.verdict = &v
}

// eventLog writes one JSON line per event to w, whole lines only.
type eventLog struct {
	mu sync.Mutex
	w  io.Writer
}

// maxLoggedIDs bounds a verdict line: enough ids for a support ticket.
const maxLoggedIDs = 20

type verdictJSON struct {
	Signature string `json:"signature"`
	Layer     string `json:"layer"`
}

type eventJSON struct {
	Time       time.Time    `json:"time"`
	Event      string       `json:"event"`
	Target     string       `json:"target"`
	From       *verdictJSON `json:"from,omitempty"`
	To         verdictJSON  `json:"to"`
	Answers    int          `json:"answers"`
	RequestIDs []string     `json:"request_ids"`
	TrendP     *float64     `json:"trend_p,omitempty"`
}

// verdict logs the first verdict ("verdict") or a change ("verdict_change")
// with the request ids that show it.
func (l *eventLog) verdict(now time.Time, target string, old *Verdict, v Verdict, held []Answer) {
	if l.w == nil {
		return
	}
	e := eventJSON{Time: now.UTC(), Event: "verdict", Target: target, Answers: len(held),
		To: verdictJSON{v.Signature, v.Layer}, RequestIDs: showingIDs(v, held), TrendP: v.TrendP}
	if old != nil {
		e.Event, e.From = "verdict_change", &verdictJSON{old.Signature, old.Layer}
	}
	line, err := json.Marshal(e)
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(append(line, '\n'))
}

// showingIDs are the verdict's own ids, else the latest failed answers' ids.
func showingIDs(v Verdict, held []Answer) []string {
	ids := v.RequestIDs
	if len(ids) == 0 {
		for i := len(held) - 1; i >= 0 && len(ids) < maxLoggedIDs; i-- {
			if a := held[i]; a.Outcome != "ok" && a.RequestID != "" {
				ids = append(ids, a.RequestID)
			}
		}
	}
	if len(ids) > maxLoggedIDs {
		ids = ids[:maxLoggedIDs]
	}
	if ids == nil {
		ids = []string{}
	}
	return ids
}
