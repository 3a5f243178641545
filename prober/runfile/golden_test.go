package runfile

import (
	"bytes"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// oddStrings are strings a JSON encoder escapes. Invalid UTF-8 is left
// out: the hand-written codec wrote its replacement character as the
// escape \ufffd, the json v2 library writes the character itself, and
// both read back as the same string (TestInvalidUTF8ReadsAsBefore).
var oddStrings = []string{
	"", "plain", `quote " and backslash \`, "<html>&amp;</html>", "tab\tnew\nline\rcr", "\b\f\x00\x01\x1f\x7f",
	"naïve café ☕", "line\u2028para\u2029sep", "emoji 😀 and \U0010ffff", "\\u0041 not an escape",
	strings.Repeat("x", 400),
}

// oddFloats are durations at the edges of JSON's number formats. Negative
// zero is left out: encoding/json's omitempty dropped it where omitzero
// writes it, and no duration the engine measures is negative zero.
var oddFloats = []float64{0, 0.001, 1, 1.5, 249.999, 1e-7, 1e-6, 123456789.123, 1e20, 1e21, 5e-324, math.MaxFloat64, -3.25}

var oddTimes = []time.Time{
	{}, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 12, 0, 0, 123456789, time.UTC),
	time.Date(2026, 1, 2, 3, 4, 5, 100, time.FixedZone("", 5*3600+30*60)), time.Date(1, 1, 1, 0, 0, 0, 1, time.FixedZone("", -8*3600)),
	time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
}

// randomRecord fills every field of a record from the odd values above.
func randomRecord(rng *rand.Rand) *Record {
	s := func() string { return oddStrings[rng.IntN(len(oddStrings))] }
	f := func() float64 { return oddFloats[rng.IntN(len(oddFloats))] }
	tm := func() time.Time { return oddTimes[rng.IntN(len(oddTimes))] }
	i := func() int { return []int{0, 1, -1, 429, math.MaxInt32, math.MinInt64}[rng.IntN(6)] }
	r := &Record{
		Kind: "request", Step: i(), Round: i(), Concurrency: i(), Seq: int64(i()),
		Scheduled: tm(), Started: tm(), Finished: tm(),
		QueueWaitMS: f(), DNSMS: f(), ConnectMS: f(), TLSMS: f(), TTFBMS: f(), TotalMS: f(), ConnReused: rng.IntN(2) == 0,
		InFlight: i(), Status: i(), Outcome: classify.Outcome(s()), ErrorType: s(), Message: s(), RequestID: s(), RequestIDSource: s(),
		OrganizationID: s(), CFRay: s(), CFMitigated: s(), Server: s(), ContentType: s(), RetryAfter: s(), ShouldRetry: s(),
		Bytes: int64(i()), Truncated: rng.IntN(2) == 0, NetError: s(),
	}
	switch rng.IntN(3) {
	case 0:
	case 1:
		r.RateLimit = map[string]string{}
	case 2:
		r.RateLimit = map[string]string{}
		for range 1 + rng.IntN(20) {
			r.RateLimit[s()] = s()
		}
	}
	return r
}

// goldenRecords are the records of testdata/run.golden.jsonl: the sample
// run's, one as the engine writes them, and 100 with odd values in every field.
func goldenRecords() []*Record {
	_, recs, _ := sampleRun()
	recs = append(recs, &Record{}, benchRecord())
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		recs = append(recs, randomRecord(rng))
	}
	return recs
}

// The run file is a format other tools and older runs depend on: whatever
// encodes it, a run written today must be byte for byte what was written
// when the golden file was made (by the hand-written codec this package
// had before it used the json v2 library).
func TestRunFileMatchesGolden(t *testing.T) {
	t.Parallel()
	h, _, f := sampleRun()
	got := writeRun(t, h, goldenRecords(), &f)
	path := filepath.Join("testdata", "run.golden.jsonl")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gotLines, wantLines := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range min(len(gotLines), len(wantLines)) {
		if !bytes.Equal(gotLines[i], wantLines[i]) {
			t.Fatalf("line %d differs from %s:\ngot  %s\nwant %s", i+1, path, gotLines[i], wantLines[i])
		}
	}
	t.Fatalf("%d lines; %s has %d", len(gotLines), path, len(wantLines))
}
