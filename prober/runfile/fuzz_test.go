package runfile

import (
	"bytes"
	"testing"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// FuzzReadRun feeds arbitrary bytes to the run-file reader: an error or a
// result, never a panic; and what it reads writes back the same: read,
// write, read again gives equal records, and writing those gives the same
// bytes again.
func FuzzReadRun(f *testing.F) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.WriteHeader(Header{ToolVersion: "fuzz", Plan: target.Plan{Steps: []target.Step{{Concurrency: 1, Requests: 1}}}})
	w.WriteRecord(&Record{Outcome: classify.OutcomePermission, Status: 403, Message: "Permission denied", RequestID: "req_1"})
	w.WriteFooter(Footer{Sent: 1, Verdict: verdict.Verdict{Signature: verdict.WorkspaceDenied}})
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()-7])
	h, recs, foot := sampleRun()
	f.Add(writeRun(f, h, recs, &foot))
	f.Add([]byte(`{"kind":"run","schema":99}`))
	f.Add([]byte("\x00\x01garbage\n{"))
	f.Add([]byte("{\"kind\":\"run\"}\n{\"kind\":\"request\",\"message\":\"\xff\",\"started\":\"2026-01-01T00:00:00+00:00\",\"ratelimit\":{}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Escaping can make a line several times longer (a byte that is
		// not UTF-8 becomes \ufffd in the header): past maxLine, a long
		// enough input would not read back for that reason alone.
		if len(data) > maxLine/8 {
			return
		}
		rf, first, err := readRun(data)
		if err != nil {
			return
		}
		written := writeRun(t, rf.Header, first, rf.Footer)
		rf2, second, err := readRun(written)
		if err != nil || rf2.Skipped != 0 || len(second) != len(first) || (rf2.Footer == nil) != (rf.Footer == nil) {
			t.Fatalf("what was read from %q does not read back: %v, %d skipped, %d of %d records, footer %v\n%s",
				data, err, rf2.Skipped, len(second), len(first), rf2.Footer != nil, written)
		}
		for i := range first {
			if d := sameRecord(first[i], second[i]); d != "" {
				t.Fatalf("record %d of %q changed on the way back:%s", i, data, d)
			}
		}
		if again := writeRun(t, rf2.Header, second, rf2.Footer); !bytes.Equal(again, written) {
			t.Fatalf("writing what was read back changes the file:\n%s\n%s", written, again)
		}
	})
}
