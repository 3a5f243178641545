package watch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry returns the registry behind /metrics, e.g. to test or to add to.
func (w *Watcher) Registry() *prometheus.Registry { return w.metrics.reg }

// Handler serves /metrics, /probe?target=NAME (blackbox-style) and a small
// text index at /.
func (w *Watcher) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(w.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /probe", w.serveProbe)
	mux.HandleFunc("GET /{$}", w.serveIndex)
	return mux
}

func (w *Watcher) serveIndex(rw http.ResponseWriter, _ *http.Request) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(rw, "probe watch")
	fmt.Fprintln(rw, "  /metrics             every target's metrics")
	fmt.Fprintln(rw, "  /probe?target=NAME   probe one target now (within its budget)")
	fmt.Fprintln(rw, "targets:")
	for _, ts := range w.targets {
		fmt.Fprintf(rw, "  %s (every %s, %d requests/hour)\n", ts.t.Name, ts.t.Interval, ts.t.MaxRequestsPerHour)
	}
}

// serveProbe runs one probe of the named target now and answers with a
// fresh registry, as the blackbox exporter does: probe_success 0 is an
// answer, not an HTTP error; only an unknown target (404) or a spent budget
// (429) are.
func (w *Watcher) serveProbe(rw http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("target")
	ts, ok := w.byName[name]
	if !ok {
		http.Error(rw, "unknown target (see / for the list)", http.StatusNotFound)
		return
	}
	ctx, cancel := scrapeContext(r)
	defer cancel()
	start := time.Now()
	res, err := w.probe(ctx, ts)
	if errors.Is(err, ErrBudget) {
		http.Error(rw, err.Error(), http.StatusTooManyRequests)
		return
	}
	reg := prometheus.NewRegistry()
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		reg.MustRegister(g)
		return g
	}
	gauge("probe_duration_seconds", "How long the probe took.").Set(time.Since(start).Seconds())
	success, status := 0.0, 0
	if err == nil && len(res.Answers) > 0 {
		success = 1
		for _, a := range res.Answers {
			if a.Outcome != "ok" {
				success = 0
			}
		}
		status, _ = strconv.Atoi(statusLabel(res.Answers[len(res.Answers)-1].Status))
	}
	gauge("probe_success", "1 when every answer of the probe was a success.").Set(success)
	gauge("probe_http_status_code", "HTTP status of the probe's last answer (0: none).").Set(float64(status))
	verdict := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "probe_llm_verdict_info", Help: "The target's verdict over its rolling window.",
	}, []string{"signature", "layer"})
	reg.MustRegister(verdict)
	if v := w.current(ts); v != nil {
		verdict.WithLabelValues(inVocab(signatures, v.Signature), layerLabel(v.Layer)).Set(1)
	}
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rw, r)
}

// scrapeContext bounds the probe by Prometheus's scrape timeout, less a
// margin to answer in, as the blackbox exporter does.
func scrapeContext(r *http.Request) (context.Context, context.CancelFunc) {
	secs, err := strconv.ParseFloat(r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"), 64)
	if err != nil || secs <= 0 {
		return context.WithCancel(r.Context())
	}
	margin := min(0.5, secs/10)
	return context.WithTimeout(r.Context(), time.Duration((secs-margin)*float64(time.Second)))
}

// current returns a copy of the target's verdict, nil before the first.
func (w *Watcher) current(ts *targetState) *Verdict {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.verdict == nil {
		return nil
	}
	v := *ts.verdict
	return &v
}
