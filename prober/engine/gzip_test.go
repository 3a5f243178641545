package engine

import (
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/scenarios"
)

// acceptGzip is the --header that turns off Go's transparent decompression.
var acceptGzip = target.Header{Name: "Accept-Encoding", Value: "gzip"}

// TestGzipEdgeAnswer checks that an edge answer sent gzip-encoded to a
// request that asked for gzip itself is classified from its text, not
// from its compressed bytes.
func TestGzipEdgeAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		scenario string
		headers  []target.Header
		want     classify.Outcome
	}{
		{"accept-encoding set by the user", "cloudflare-block", []target.Header{acceptGzip}, classify.OutcomeEdgeBlock},
		{"transport's own decompression", "cloudflare-block", nil, classify.OutcomeEdgeBlock},
		{"region blocked, gzip asked", "region-blocked", []target.Header{acceptGzip}, classify.OutcomeForbiddenEdge},
		{"origin answer, gzip asked", "healthy", []target.Header{acceptGzip}, classify.OutcomeOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, srv := startScenario(t, tt.scenario, scenarios.Options{Seed: 1, Latency: -1})
			var recs []*runfile.Record
			e := newEngine(t, srv.URL, testPlan(target.Step{Concurrency: 1, Requests: 1}), &recs)
			e.Target.Headers = tt.headers
			runEngine(t, e)
			if len(recs) != 1 {
				t.Fatalf("%d records; want 1", len(recs))
			}
			if r := recs[0]; r.Outcome != tt.want || r.NetError != "" {
				t.Errorf("outcome %s (net error %q, %q); want %s", r.Outcome, r.NetError, r.Message, tt.want)
			}
		})
	}
}

// TestGzipBomb checks that a gzip body that inflates without end is read
// only up to the body cap: memory stays flat and the record is truncated.
func TestGzipBomb(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(403)
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		zeros := make([]byte, 1<<20)
		for range 1 << 10 { // 1 GiB inflated
			if _, err := zw.Write(zeros); err != nil {
				return // the client stopped reading at its cap
			}
		}
		zw.Close()
	}))
	t.Cleanup(srv.Close)
	var recs []*runfile.Record
	e := newEngine(t, srv.URL, testPlan(target.Step{Concurrency: 1, Requests: 2}), &recs)
	e.Target.Headers = []target.Header{acceptGzip}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	runEngine(t, e)
	runtime.ReadMemStats(&after)
	if len(recs) != 2 {
		t.Fatalf("%d records; want 2", len(recs))
	}
	for _, r := range recs {
		if !r.Truncated || r.Bytes != DefaultBodyCap || r.Status != 403 {
			t.Errorf("record %d: truncated %v, %d bytes, status %d; want truncated at %d", r.Seq, r.Truncated, r.Bytes, r.Status, DefaultBodyCap)
		}
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 32<<20 {
		t.Errorf("heap grew by %d MiB for a gzip bomb; the body cap should bound it", grew>>20)
	}
}
