package runfile

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
)

// The record codec and quickEnvelope are fast paths in front of
// encoding/json; these tests hold them to encoding/json's output, byte for
// byte and field for field.

func TestRecordCodecCoversRecord(t *testing.T) {
	if diff := recordShape(); diff != nil {
		t.Errorf("Record's fields differ from the codec's (recordFields in recordjson.go): %q; teach appendRecord and decodeRecord the change", diff)
	}
}

// jsonLine is what encoding/json writes for r in a run file.
func jsonLine(t testing.TB, r *Record) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(r)
	return buf.Bytes(), err
}

func TestAppendRecordMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	recs := []*Record{{}, benchRecord()}
	for range 3000 {
		recs = append(recs, randomRecord(rng))
	}
	for i, r := range recs {
		want, err := jsonLine(t, r)
		got, ok := appendRecord(nil, r)
		if err != nil {
			if ok {
				t.Errorf("record %d: encoding/json fails (%v) but appendRecord does not", i, err)
			}
			continue
		}
		if !ok {
			t.Errorf("record %d: appendRecord gave up on a record encoding/json writes: %s", i, want)
			continue
		}
		if got = append(got, '\n'); !bytes.Equal(got, want) {
			t.Errorf("record %d:\nappendRecord %s\nencoding/json %s", i, got, want)
		}
	}
}

func TestAppendRecordRefusesWhatJSONRefuses(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]*Record{
		"NaN":        {TotalMS: math.NaN()},
		"Inf":        {DNSMS: math.Inf(1)},
		"year 10000": {Started: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"year -1":    {Finished: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if _, ok := appendRecord(nil, r); ok {
			t.Errorf("%s: appendRecord accepted what encoding/json refuses", name)
		}
		var buf bytes.Buffer
		if err := NewWriter(&buf).WriteRecord(r); err == nil {
			t.Errorf("%s: WriteRecord = nil error; want encoding/json's", name)
		}
	}
}

// decodeBoth decodes line with the fast path and with encoding/json; ok is
// the fast path's answer.
func decodeBoth(line []byte) (fast, slow Record, ok bool, slowErr error) {
	ok = decodeRecord(line, &fast)
	slowErr = json.Unmarshal(line, &slow)
	return
}

func TestDecodeRecordMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	taken := 0
	for i := range 3000 {
		r := randomRecord(rng)
		line, err := jsonLine(t, r)
		if err != nil {
			continue
		}
		fast, slow, ok, slowErr := decodeBoth(bytes.TrimSpace(line))
		if slowErr != nil {
			t.Fatalf("record %d: encoding/json cannot read its own line: %v", i, slowErr)
		}
		if !ok {
			continue // escapes it leaves to encoding/json
		}
		taken++
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("record %d: decodeRecord and encoding/json differ on %s:\n%+v\n%+v", i, line, fast, slow)
		}
	}
	if taken == 0 {
		t.Error("the fast path took none of 3000 lines")
	}
	// Records as the engine writes them, with text that needs at most
	// one-character escapes, always take the fast path.
	for i, msg := range []string{"", "Permission denied", `model: "claude"`, "a\\nb\tc", "naïve ☕ <&>", "/path/"} {
		r := benchRecord()
		r.Message, r.RateLimit = msg, map[string]string{"requests-limit": "50", "tokens-reset": msg}
		line, _ := appendRecord(nil, r)
		if fast, slow, ok, _ := decodeBoth(line); !ok || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%d: decodeRecord(%s) = %v, %+v; want true, %+v", i, line, ok, fast, slow)
		}
	}
}

func TestDecodeRecordLeavesTheRestToEncodingJSON(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"escape":            `{"kind":"request","message":"a \"quoted\" word\nand a line"}`,
		"unicode escape":    `{"kind":"request","message":"\u00e9"}`,
		"unknown key":       `{"kind":"request","provider":"openai"}`,
		"other case":        `{"Kind":"request","STATUS":200}`,
		"null":              `{"kind":"request","status":null,"ratelimit":null}`,
		"float into int":    `{"kind":"request","status":200.0}`,
		"exponent into int": `{"kind":"request","bytes":1e3}`,
		"int overflow":      `{"kind":"request","seq":9223372036854775808}`,
		"float overflow":    `{"kind":"request","total_ms":1e999}`,
		"string as number":  `{"kind":"request","step":"1"}`,
		"bad time":          `{"kind":"request","started":"yesterday"}`,
		"escaped time":      `{"kind":"request","started":"2026-11-24T12:00:00\u005a"}`,
		"invalid utf8":      "{\"kind\":\"request\",\"message\":\"\xff\"}",
		"control character": "{\"kind\":\"request\",\"message\":\"a\x01b\"}",
		"trailing garbage":  `{"kind":"request"} x`,
		"trailing comma":    `{"kind":"request",}`,
		"leading zero":      `{"kind":"request","status":0200}`,
		"nested":            `{"kind":"request","ratelimit":{"a":{"b":"c"}}}`,
		"duplicate":         `{"kind":"request","status":200,"status":403,"ratelimit":{"a":"1"},"ratelimit":{"b":"2"}}`,
		"empty map":         `{"kind":"request","ratelimit":{}}`,
		"white space":       " { \"kind\" : \"request\" ,\t\"status\"\n:\r403 } ",
		"negative zero":     `{"kind":"request","status":-0,"total_ms":-0.0}`,
		"bool":              `{"kind":"request","conn_reused":true,"truncated":false}`,
		"bad literal":       `{"kind":"request","conn_reused":tru}`,
		"map escape":        `{"kind":"request","ratelimit":{"a\tb":"c\\d"}}`,
		"cut short":         `{"kind":"request","status":4`,
		"not an object":     `["kind","request"]`,
		"empty":             ``,
		"empty object":      `{}`,
		"lone backslash":    `{"kind":"request","message":"\`,
		"solidus":           `{"kind":"request","message":"a\/b"}`,
	}
	for name, line := range cases {
		fast, slow, ok, slowErr := decodeBoth([]byte(line))
		if !ok {
			continue
		}
		if slowErr != nil {
			t.Errorf("%s: decodeRecord took %q, which encoding/json refuses: %v", name, line, slowErr)
		} else if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: decodeRecord(%q) = %+v; encoding/json reads %+v", name, line, fast, slow)
		}
	}
}

func TestReadRunFastAndSlowLinesAgree(t *testing.T) {
	t.Parallel()
	h, recs, f := sampleRun()
	data := writeRun(t, h, recs, &f)
	var got []*Record
	if _, err := Read(bytes.NewReader(data), func(r *Record) error { got = append(got, r); return nil }); err != nil {
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
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadRun read\n%+v\nencoding/json reads\n%+v", got, want)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20 {
		if line, err := jsonLine(f, randomRecord(rng)); err == nil {
			f.Add(bytes.TrimSpace(line))
		}
	}
	line, _ := appendRecord(nil, benchRecord())
	f.Add(line)
	f.Fuzz(func(t *testing.T, line []byte) {
		fast, slow, ok, slowErr := decodeBoth(line)
		if !ok {
			return
		}
		if slowErr != nil {
			t.Fatalf("decodeRecord took %q, which encoding/json refuses: %v", line, slowErr)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("decodeRecord(%q) = %+v; encoding/json reads %+v", line, fast, slow)
		}
	})
}

func FuzzAppendRecord(f *testing.F) {
	f.Add("Permission denied", "requests-limit", 1.25, int64(1))
	f.Add("\x00\xff\u2028<&>\"\\", "\xc3", math.Inf(1), int64(-1))
	f.Fuzz(func(t *testing.T, s, key string, x float64, n int64) {
		r := &Record{Kind: "request", Message: s, RequestID: s, Seq: n, TotalMS: x, DNSMS: x, Status: int(n),
			Started: time.Unix(n%(1<<40), n).UTC(), RateLimit: map[string]string{key: s, s: key}}
		want, err := jsonLine(t, r)
		got, ok := appendRecord(nil, r)
		switch {
		case err != nil && ok:
			t.Fatalf("encoding/json fails (%v) but appendRecord does not: %s", err, got)
		case err == nil && !ok:
			t.Fatalf("appendRecord gave up on %s", want)
		case err == nil && !bytes.Equal(append(got, '\n'), want):
			t.Fatalf("appendRecord %s\nencoding/json %s", got, want)
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
