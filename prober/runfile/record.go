package runfile

import (
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// schemaVersion is the run-file schema this build writes; readers refuse newer ones.
const schemaVersion = 1

// Record is one request as written to the run file: when it was scheduled,
// sent and answered, how long each phase took, and what came back.
//
// It is encoded by the json v2 library (see codec.go); omitzero leaves out
// the fields encoding/json's omitempty left out, so the bytes are those
// probe has always written. A new field needs only its tag.
type Record struct {
	Kind        string `json:"kind"` // always "request"
	Step        int    `json:"step"` // index into the plan's steps
	Round       int    `json:"round,omitzero"`
	Concurrency int    `json:"concurrency"`
	Seq         int64  `json:"seq"` // order of sending, from 0 across the run

	Scheduled time.Time `json:"scheduled"`
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished"`

	// Durations in milliseconds. QueueWaitMS is the time from the moment the
	// pacer scheduled the request to its actual start: a prober that cannot
	// keep up shows it here instead of hiding it (coordinated omission).
	QueueWaitMS float64 `json:"queue_wait_ms"`
	DNSMS       float64 `json:"dns_ms,omitzero"`
	ConnectMS   float64 `json:"connect_ms,omitzero"`
	TLSMS       float64 `json:"tls_ms,omitzero"`
	TTFBMS      float64 `json:"ttfb_ms,omitzero"`
	TotalMS     float64 `json:"total_ms"`
	ConnReused  bool    `json:"conn_reused,omitzero"`
	InFlight    int     `json:"in_flight"` // requests of this run in flight when this one started, itself included

	Status  int              `json:"status,omitzero"`
	Outcome classify.Outcome `json:"outcome"`
	// Producer is who answered (api, edge, gateway, proxy, cloud, unknown);
	// empty when no HTTP answer came, and in run files written before it.
	Producer        classify.Producer `json:"producer,omitzero"`
	ErrorType       string            `json:"error_type,omitzero"`
	Message         string            `json:"message,omitzero"`
	RequestID       string            `json:"request_id,omitzero"`
	RequestIDSource string            `json:"request_id_source,omitzero"`
	OrganizationID  string            `json:"organization_id,omitzero"`
	CFRay           string            `json:"cf_ray,omitzero"`
	CFMitigated     string            `json:"cf_mitigated,omitzero"`
	Server          string            `json:"server,omitzero"`
	ContentType     string            `json:"content_type,omitzero"`
	RetryAfter      string            `json:"retry_after,omitzero"`
	ShouldRetry     string            `json:"should_retry,omitzero"`
	// RateLimit holds the anthropic-ratelimit-* headers, keyed without that
	// prefix. It is omitempty, not omitzero: an empty map is left out too,
	// as encoding/json always did.
	RateLimit map[string]string `json:"ratelimit,omitempty"`
	Bytes     int64             `json:"bytes"`
	Truncated bool              `json:"truncated,omitzero"` // body longer than the read cap
	NetError  string            `json:"net_error,omitzero"` // transport failure kind, when no answer arrived
}

// Failed reports whether the record is an answer other than success.
func (r *Record) Failed() bool { return r.Outcome.IsAnswer() && r.Outcome != classify.OutcomeOK }

// Is403 reports whether the answer is a refusal of the 403 kind: what the
// intermittent-403 statistics count. A challenge page counts whatever its status.
func (r *Record) Is403() bool { return r.Status == 403 || r.Outcome == classify.OutcomeChallenge }

// Header is the first line of a run file.
type Header struct {
	Kind        string      `json:"kind"` // always "run"
	Schema      int         `json:"schema"`
	ToolVersion string      `json:"tool_version"`
	Started     time.Time   `json:"started"`
	Target      target.Info `json:"target"`
	Plan        target.Plan `json:"plan"`
}

// Footer is the last line of a complete run file. Runs that were killed
// have none; readers cope.
type Footer struct {
	Kind     string          `json:"kind"` // always "verdict"
	Finished time.Time       `json:"finished"`
	Sent     int             `json:"sent"`
	Stop     string          `json:"stop,omitempty"`
	Verdict  verdict.Verdict `json:"verdict"`
}
