package runfile

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/llm-probe/probe/prober/classify"
)

// sameRecord says how b differs from a as far as a run file can tell: a
// time is the text it is written as (a zone that prints as Z is UTC), and
// an empty rate-limit map is none. It returns "" when they are the same.
func sameRecord(a, b *Record) string {
	norm := func(r Record) (Record, [3]string) {
		texts := [3]string{r.Scheduled.Format(time.RFC3339Nano), r.Started.Format(time.RFC3339Nano), r.Finished.Format(time.RFC3339Nano)}
		r.Scheduled, r.Started, r.Finished = time.Time{}, time.Time{}, time.Time{}
		if len(r.RateLimit) == 0 {
			r.RateLimit = nil
		}
		return r, texts
	}
	na, ta := norm(*a)
	nb, tb := norm(*b)
	if ta != tb || !reflect.DeepEqual(na, nb) {
		return "\n" + strings.ReplaceAll(strings.TrimSpace(lineOf(a)+"\n"+lineOf(b)), "\n", "\nvs ")
	}
	return ""
}

// lineOf is r's run-file line, or why there is none.
func lineOf(r *Record) string {
	buf, err := encodeRecord(r)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer lineBuffers.Put(buf)
	return buf.String()
}

func TestWriteRecordRefusesWhatJSONCannotSay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		rec  Record
	}{
		{"NaN", Record{TotalMS: math.NaN()}},
		{"Inf", Record{DNSMS: math.Inf(1)}},
		{"year 10000", Record{Started: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"year -1", Record{Finished: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			rw := NewWriter(&buf)
			if err := rw.WriteRecord(&c.rec); err == nil {
				t.Errorf("WriteRecord(%s) = nil error; want one", c.name)
			}
			if err := rw.Flush(); err != nil || buf.Len() != 0 {
				t.Errorf("after a refused record: Flush = %v, %d bytes written; want nil, 0", err, buf.Len())
			}
		})
	}
}

// Runs written before the json v2 library wrote the replacement for bytes
// that are not UTF-8 as the escape \ufffd; it now writes the character.
// Both read back the same.
func TestInvalidUTF8ReadsAsBefore(t *testing.T) {
	t.Parallel()
	old := decodeRecord([]byte(`{"kind":"request","message":"bad \ufffd utf8 \ufffd","ratelimit":{"\ufffd":"x"}}`), false)
	r := &Record{Kind: "request", Message: "bad \xff utf8 \xc3", RateLimit: map[string]string{"\xfe": "x"}}
	line := lineOf(r)
	now := decodeRecord([]byte(line), false)
	if old == nil || now == nil {
		t.Fatalf("decodeRecord refused a line: old %v, new %v (%s)", old, now, line)
	}
	if d := sameRecord(old, now); d != "" {
		t.Errorf("the old and the new line of a record with invalid UTF-8 read differently:%s", d)
	}
	if !utf8.ValidString(line) {
		t.Errorf("line %q is not UTF-8", line)
	}
}

// The records the json v2 library reads are those encoding/json reads from
// the same lines: older probes' files mean the same to this one.
func TestReadMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	h, _, f := sampleRun()
	data := writeRun(t, h, goldenRecords(), &f)
	_, got, err := readRun(data)
	if err != nil {
		t.Fatal(err)
	}
	var want []*Record
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n"))[1:] {
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		if r.Kind == "request" {
			want = append(want, &r)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("Read gave %d records; encoding/json reads %d", len(got), len(want))
	}
	for i := range got {
		if d := sameRecord(want[i], got[i]); d != "" {
			t.Errorf("record %d: Read and encoding/json differ:%s", i, d)
		}
	}
}

// roundTrip writes r and reads it back, failing the test where the line
// cannot be read.
func roundTrip(t *testing.T, r *Record) (*Record, string) {
	t.Helper()
	line := lineOf(r)
	back := decodeRecord([]byte(line), false)
	if back == nil {
		t.Fatalf("decodeRecord cannot read its own line %q", line)
	}
	return back, line
}

// FuzzDecodeRecord: a line read as a record writes back as a line that
// reads as the same record.
func FuzzDecodeRecord(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20 {
		f.Add([]byte(lineOf(randomRecord(rng))))
	}
	f.Add([]byte(lineOf(benchRecord())))
	f.Add([]byte(`{"kind":"request","status":200,"status":403,"message":"\ud800","started":"2026-01-01T00:00:00+00:00"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		r := decodeRecord(line, false)
		if r == nil {
			return
		}
		back, again := roundTrip(t, r)
		if d := sameRecord(r, back); d != "" {
			t.Fatalf("%q reads as a record that does not survive a round trip:%s", line, d)
		}
		if second := lineOf(back); second != again {
			t.Fatalf("the second write of %q differs:\n%s\n%s", line, again, second)
		}
	})
}

// FuzzWriteRecord: whatever a record holds is written, or refused only
// where JSON cannot say it (NaN, infinities, a year outside 0 to 9999),
// and reads back the same (text that is not UTF-8 as U+FFFD).
func FuzzWriteRecord(f *testing.F) {
	f.Add("Permission denied", "requests-limit", 1.25, int64(1))
	f.Add("\x00\xff\u2028<&>\"\\", "\xc3", math.Inf(1), int64(-1))
	f.Fuzz(func(t *testing.T, s, key string, x float64, n int64) {
		r := &Record{Kind: "request", Message: s, RequestID: s, Seq: n, TotalMS: x, DNSMS: x, Status: int(n),
			Started: time.Unix(n%(1<<40), n).UTC(), RateLimit: map[string]string{key: s, s: key}}
		unsayable := math.IsNaN(x) || math.IsInf(x, 0) || r.Started.Year() > 9999 || r.Started.Year() < 0
		buf, err := encodeRecord(r)
		if err != nil || unsayable {
			if err == nil || !unsayable {
				t.Fatalf("encodeRecord(%+v) error = %v; want one only for NaN, Inf or a year past 9999", r, err)
			}
			return
		}
		lineBuffers.Put(buf)
		back, line := roundTrip(t, r)
		if utf8.ValidString(s) && utf8.ValidString(key) {
			if d := sameRecord(r, back); d != "" {
				t.Fatalf("the record read back from %q differs:%s", line, d)
			}
		}
		// Names that differ only in bytes that are not UTF-8 are one name
		// once read; from then on, what is read writes back the same.
		again, second := roundTrip(t, back)
		if d := sameRecord(back, again); d != "" || lineOf(again) != second {
			t.Fatalf("writing what was read from %q changes it:%s\n%s", line, d, second)
		}
	})
}

func benchRecord() *Record {
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 123456789, time.UTC)
	return &Record{
		Kind: "request", Step: 2, Concurrency: 10, Seq: 123456,
		Scheduled: t0, Started: t0.Add(81 * time.Microsecond), Finished: t0.Add(1217 * time.Microsecond),
		QueueWaitMS: 0.081, TTFBMS: 1.137, TotalMS: 1.217, ConnReused: true, InFlight: 7,
		Status: 200, Outcome: classify.OutcomeOK, RequestID: "req_011CSHoEeqs5C35K2UUqR7Fy", RequestIDSource: classify.IDFromRequestID,
		OrganizationID: "0b6f7a4e-5c2d-4d3b-9b1a-2f8e6c7d9a01", ContentType: "application/json", Bytes: 215,
	}
}
