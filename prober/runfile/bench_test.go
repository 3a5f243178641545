package runfile

import (
	"bytes"
	"testing"
)

// BenchmarkRead reads a run file of 10,000 records as the engine writes
// them, rate-limit headers included: the decoding `probe report` spends
// its time on.
func BenchmarkRead(b *testing.B) { benchRead(b) }

// BenchmarkReadWithoutRateLimits is BenchmarkRead as `probe report` reads.
func BenchmarkReadWithoutRateLimits(b *testing.B) { benchRead(b, WithoutRateLimits()) }

func benchRead(b *testing.B, opts ...ReadOption) {
	h, _, f := sampleRun()
	recs := make([]*Record, 10_000)
	for i := range recs {
		r := benchRecord()
		r.Seq = int64(i)
		r.RateLimit = map[string]string{"requests-limit": "50", "requests-remaining": "49", "requests-reset": "2026-11-24T12:00:01Z", "tokens-limit": "40000", "tokens-remaining": "39512"}
		recs[i] = r
	}
	data := writeRun(b, h, recs, &f)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data), func(*Record) error { return nil }, opts...); err != nil {
			b.Fatal(err)
		}
	}
}
