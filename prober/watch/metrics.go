package watch

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the long-lived series of /metrics, on a private registry so
// that nothing else in the process can add to (or break) the exposition.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	verdict   *prometheus.GaugeVec
	ratio403  *prometheus.GaugeVec
	lastProbe *prometheus.GaugeVec
	changes   *prometheus.CounterVec
	targetErr *prometheus.GaugeVec
	skipped   *prometheus.CounterVec
	interval  *prometheus.GaugeVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "probe_llm_requests_total", Help: "Probe requests sent, by outcome and HTTP status (0: no HTTP answer).",
		}, []string{"target", "outcome", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "probe_llm_request_duration_seconds", Help: "Duration of each probe request.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"target"}),
		verdict: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "probe_llm_verdict_info", Help: "The current verdict over the rolling window (always 1; the labels say it).",
		}, []string{"target", "signature", "layer"}),
		ratio403: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "probe_llm_403_ratio", Help: "Share of answers in the rolling window that were 403s.",
		}, []string{"target"}),
		lastProbe: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "probe_llm_last_probe_timestamp_seconds", Help: "Unix time of the target's last probe attempt.",
		}, []string{"target"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "probe_llm_verdict_changes_total", Help: "Times the target's verdict changed (the first verdict is not a change).",
		}, []string{"target"}),
		targetErr: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "probe_llm_target_error_info", Help: "1 while the target's last probe attempt failed before any answer, with the reason.",
		}, []string{"target", "reason"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "probe_llm_probes_skipped_total", Help: "Probes not sent because the hourly budget or a retry-after did not allow them.",
		}, []string{"target"}),
		interval: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "probe_llm_probe_interval_seconds", Help: "The target's configured probe interval (for staleness alerts).",
		}, []string{"target"}),
	}
	m.reg.MustRegister(m.interval, m.requests, m.duration, m.verdict, m.ratio403, m.lastProbe, m.changes, m.targetErr, m.skipped,
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	return m
}

// initTarget creates the target's series at zero so that rate() and alerts
// see them from the first scrape.
func (m *metrics) initTarget(name string, interval time.Duration) {
	m.interval.WithLabelValues(name).Set(interval.Seconds())
	m.changes.WithLabelValues(name)
	m.skipped.WithLabelValues(name)
	m.ratio403.WithLabelValues(name)
}

// record counts one answer.
func (m *metrics) record(name string, a Answer) {
	m.requests.WithLabelValues(name, inVocab(outcomes, a.Outcome), statusLabel(a.Status)).Inc()
	m.duration.WithLabelValues(name).Observe(a.Duration.Seconds())
}

// setVerdict keeps exactly one verdict series per target.
func (m *metrics) setVerdict(name string, old *Verdict, v Verdict) {
	if old != nil {
		m.verdict.DeleteLabelValues(name, inVocab(signatures, old.Signature), layerLabel(old.Layer))
	}
	m.verdict.WithLabelValues(name, inVocab(signatures, v.Signature), layerLabel(v.Layer)).Set(1)
}

// setError shows reason as the target's only error, or clears it when reason
// is empty.
func (m *metrics) setError(name string, reason ErrorReason) {
	for _, r := range reasons {
		if r != reason {
			m.targetErr.DeleteLabelValues(name, string(r))
		}
	}
	if reason != "" {
		m.targetErr.WithLabelValues(name, string(reason)).Set(1)
	}
}
