package runfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// sampleRun returns a header, records and footer with every kind of field
// set, as a run file would hold them.
func sampleRun() (Header, []*Record, Footer) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	h := Header{
		Kind: "run", Schema: schemaVersion, ToolVersion: "probe/test", Started: t0,
		Target: target.Info{BaseURL: "http://127.0.0.1:1/pre", Model: testModel, Key: keys.Redact(realKey), KeyFingerprint: keys.Fingerprint(realKey), KeySource: "ANTHROPIC_API_KEY", Scenario: "abuse"},
		Plan:   target.Plan{Steps: []target.Step{{Concurrency: 1, Requests: 10}, {Concurrency: 5, Requests: 10}}, Rate: 2.5, MaxRequests: 100, Timeout: target.Duration(30 * time.Second), MaxWait: target.Duration(time.Minute), EarlyStop: true, Extend: true},
	}
	recs := []*Record{
		{Kind: "request", Step: 0, Concurrency: 1, Seq: 0, Scheduled: t0, Started: t0.Add(time.Millisecond), Finished: t0.Add(250 * time.Millisecond),
			QueueWaitMS: 1, DNSMS: 0.5, ConnectMS: 1.25, TLSMS: 10, TTFBMS: 240, TotalMS: 249, InFlight: 1,
			Status: 200, Outcome: classify.OutcomeOK, RequestID: "req_1", RequestIDSource: classify.IDFromRequestID, OrganizationID: "org", CFRay: "ray-SJC", Server: "cloudflare", ContentType: "application/json",
			RateLimit: map[string]string{"requests-limit": "50", "requests-remaining": "49"}, Bytes: 321},
		{Kind: "request", Step: 1, Round: 1, Concurrency: 5, Seq: 1, Scheduled: t0.Add(time.Second), Started: t0.Add(time.Second), Finished: t0.Add(2 * time.Second),
			TotalMS: 1000, ConnReused: true, InFlight: 5, Status: 429, Outcome: classify.OutcomeRateLimit, ErrorType: "rate_limit_error", Message: "slow down \"now\" <&>",
			RequestID: "req_2", RequestIDSource: classify.IDFromRequestID, RetryAfter: "1", ShouldRetry: "true", Bytes: 200, Truncated: true},
		{Kind: "request", Step: 1, Concurrency: 5, Seq: 2, Scheduled: t0.Add(3 * time.Second), Started: t0.Add(3 * time.Second), Finished: t0.Add(4 * time.Second),
			TotalMS: 1000, InFlight: 2, Outcome: classify.OutcomeReset, Message: "read: connection reset by peer", NetError: "reset"},
	}
	p := 0.0004
	f := Footer{Kind: "verdict", Finished: t0.Add(5 * time.Second), Sent: 3, Stop: StopBudget, Verdict: verdict.Verdict{
		Signature: verdict.Intermittent403, Layer: "5", Confidence: verdict.High, PValue: &p, Test: "fisher_exact_one_sided",
		Summary: "403s come and go", Evidence: []string{"c=1: 0/10 refused"}, RuledOut: []string{"layer 1 (auth)"},
		NextSteps: []string{"lower concurrency"}, NeedMore: 3, ExtendAt: []int{1, 5}, Partial: true,
	}}
	return h, recs, f
}

// writeRun writes a whole run with a RunWriter and returns the file's bytes.
func writeRun(t testing.TB, h Header, recs []*Record, f *Footer) []byte {
	t.Helper()
	var buf bytes.Buffer
	rw := NewWriter(&buf)
	if err := rw.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := rw.WriteRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	if f != nil {
		if err := rw.WriteFooter(*f); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readRun reads a run file from b and returns what it held.
func readRun(b []byte) (*File, []*Record, error) {
	var recs []*Record
	rf, err := Read(bytes.NewReader(b), func(r *Record) error {
		recs = append(recs, r)
		return nil
	})
	return rf, recs, err
}

func TestRunFileRoundTrip(t *testing.T) {
	t.Parallel()
	h, recs, f := sampleRun()
	data := writeRun(t, h, recs, &f)
	if n := bytes.Count(data, []byte("\n")); n != 5 {
		t.Errorf("run file has %d lines; want 5:\n%s", n, data)
	}
	if bytes.Contains(data, []byte(secretPart(realKey)[:12])) {
		t.Errorf("run file contains the key")
	}
	rf, got, err := readRun(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rf.Header, h) {
		t.Errorf("header = %+v; want %+v", rf.Header, h)
	}
	if !reflect.DeepEqual(got, recs) {
		for i := range max(len(got), len(recs)) {
			if i >= len(got) || i >= len(recs) || !reflect.DeepEqual(got[i], recs[i]) {
				t.Errorf("record %d differs after the round trip", i)
			}
		}
	}
	if rf.Footer == nil || !reflect.DeepEqual(*rf.Footer, f) {
		t.Errorf("footer = %+v; want %+v", rf.Footer, f)
	}
	if rf.Records != len(recs) || rf.Skipped != 0 {
		t.Errorf("Records, Skipped = %d, %d; want %d, 0", rf.Records, rf.Skipped, len(recs))
	}
}

func TestRunFileTruncated(t *testing.T) {
	t.Parallel()
	h, recs, _ := sampleRun()
	data := writeRun(t, h, recs, nil)
	last := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	for _, cut := range []int{last + 1, last + (len(data)-last)/2, len(data) - 2} {
		rf, got, err := readRun(data[:cut])
		if err != nil {
			t.Fatalf("cut at %d of %d: %v", cut, len(data), err)
		}
		if rf.Skipped != 1 || rf.Footer != nil || len(got) != len(recs)-1 || rf.Records != len(recs)-1 {
			t.Errorf("cut at %d of %d: Skipped %d, footer %v, %d records; want 1, none, %d", cut, len(data), rf.Skipped, rf.Footer, len(got), len(recs)-1)
		}
	}
	// Cut after a complete line: nothing is lost or skipped, and no footer.
	rf, got, err := readRun(data)
	if err != nil || rf.Skipped != 0 || rf.Footer != nil || len(got) != len(recs) {
		t.Errorf("run without footer: %v, Skipped %d, footer %v, %d records", err, rf.Skipped, rf.Footer, len(got))
	}
}

// A crash on some filesystems leaves the file extended with a zero-filled
// block where data never reached the disk (issue 16): every good record
// before it is kept, a line the block cut is skipped and counted, and the
// NUL bytes are counted, not taken for one line too long to read.
func TestRunFileNULBlock(t *testing.T) {
	t.Parallel()
	h, sample, f := sampleRun()
	var recs []*Record
	for i := range 700 { // past the reader's inline batches
		r := *sample[i%len(sample)]
		r.Seq = int64(i)
		recs = append(recs, &r)
	}
	data := writeRun(t, h, recs, nil)
	withFooter := writeRun(t, h, recs, &f)
	last := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	mid := last + (len(data)-last)/2
	nuls := func(n int) []byte { return make([]byte, n) }
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := []struct {
		name     string
		data     []byte
		records  int
		skipped  int
		nulBytes int64
		footer   bool
	}{
		{"1 MiB of NULs after the last line", join(data, nuls(1<<20)), len(recs), 0, 1 << 20, false},
		{"3 MiB of NULs, past the longest line", join(data, nuls(3<<20)), len(recs), 0, 3 << 20, false},
		{"NULs in the middle of the last line", join(data[:mid], nuls(1<<20)), len(recs) - 1, 1, 1 << 20, false},
		{"a NUL hole in the last line, its end after", join(data[:mid], nuls(4096), data[mid:]), len(recs) - 1, 2, 4096, false},
		{"a NUL hole between lines, lines after", join(data[:last], nuls(8192), data[last:]), len(recs), 0, 8192, false},
		{"NULs after the footer", join(withFooter, nuls(1<<20)), len(recs), 0, 1 << 20, true},
		{"one NUL", join(data, nuls(1)), len(recs), 0, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rf, got, err := readRun(c.data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(got) != c.records || rf.Records != c.records || rf.Skipped != c.skipped || rf.NULBytes != c.nulBytes || (rf.Footer != nil) != c.footer {
				t.Errorf("Read = %d records (Records %d), Skipped %d, NULBytes %d, footer %v; want %d, %d, %d, footer %v",
					len(got), rf.Records, rf.Skipped, rf.NULBytes, rf.Footer != nil, c.records, c.skipped, c.nulBytes, c.footer)
			}
			for i, r := range got {
				if r.Seq != int64(i) {
					t.Fatalf("record %d has seq %d: records out of order or lost", i, r.Seq)
				}
			}
		})
	}
}

func TestReadRunRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, data, err string
	}{
		{"newer schema", `{"kind":"run","schema":99,"tool_version":"probe/9"}` + "\n", "upgrade"},
		{"not JSON", "hello, world\n", "not a probe run file"},
		{"binary", "\x00\x01\x02\xff\n", "not a probe run file"},
		{"empty", "", "not a probe run file"},
		{"only blank lines", "\n\n  \n", "not a probe run file"},
		{"first line a request", `{"kind":"request","seq":0}` + "\n", "not a probe run file"},
		{"first line other JSON", `{"a":1}` + "\n", "not a probe run file"},
		{"CSV", "seq,status\n0,200\n", "not a probe run file"},
		{"huge line", `{"kind":"run","schema":1}` + "\n" + strings.Repeat("x", maxLine+10) + "\n", "over"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := readRun([]byte(c.data))
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ReadRun(%.40q) error = %v; want one containing %q", c.data, err, c.err)
			}
		})
	}
}

func TestReadRunSkipsOddLines(t *testing.T) {
	t.Parallel()
	h, recs, f := sampleRun()
	data := writeRun(t, h, recs[:1], nil)
	data = append(data, "\n{\"kind\":\"later-kind\"}\nnot json\n{\"kind\":\"request\",\"seq\":\"nan\"}\n"...)
	footer := writeRun(t, h, nil, &f)
	data = append(data, footer[bytes.IndexByte(footer, '\n')+1:]...) // the footer line alone
	rf, got, err := readRun(data)
	if err != nil {
		t.Fatal(err)
	}
	if rf.Skipped != 3 || len(got) != 1 || rf.Footer == nil {
		t.Errorf("Skipped %d, %d records, footer %v; want 3, 1, present", rf.Skipped, len(got), rf.Footer != nil)
	}

	stop := errors.New("stop")
	if _, err := Read(bytes.NewReader(writeRun(t, h, recs, nil)), func(*Record) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("ReadRun with a failing callback = %v; want %v", err, stop)
	}
}

// lineWriter records each Write call, to check that every line of a run
// file goes out whole.
type lineWriter struct {
	mu     sync.Mutex
	writes [][]byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, append([]byte(nil), p...))
	return len(p), nil
}

func TestRunWriterWritesWholeLines(t *testing.T) {
	t.Parallel()
	h, recs, _ := sampleRun()
	w := &lineWriter{}
	rw := NewWriter(w)
	if err := rw.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 500 {
		wg.Go(func() {
			r := *recs[i%len(recs)]
			r.Seq = int64(i)
			if err := rw.WriteRecord(&r); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var all []byte
	for i, p := range w.writes {
		if len(p) == 0 || p[len(p)-1] != '\n' {
			t.Fatalf("write %d does not end a line: %q", i, p)
		}
		all = append(all, p...)
	}
	rf, got, err := readRun(all)
	if err != nil || rf.Skipped != 0 || len(got) != 500 {
		t.Errorf("reading the concurrent writes: %v, Skipped %d, %d records", err, rf.Skipped, len(got))
	}
	seen := map[int64]bool{}
	for _, r := range got {
		seen[r.Seq] = true
	}
	if len(seen) != 500 {
		t.Errorf("%d distinct records written; want 500", len(seen))
	}
}

// failingWriter accepts ok writes, then fails every one.
type failingWriter struct {
	mu sync.Mutex
	ok int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ok == 0 {
		return 0, errors.New("disk full")
	}
	w.ok--
	return len(p), nil
}

// A write that fails behind the caller is not lost: the next call and
// Flush return it, and so does the footer, so a ramp cannot call a run
// file complete that is missing records.
func TestRunWriterWriteErrorIsSticky(t *testing.T) {
	t.Parallel()
	h, recs, f := sampleRun()
	rw := NewWriter(&failingWriter{ok: 1})
	if err := rw.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	if err := rw.WriteRecord(recs[0]); err != nil {
		t.Fatalf("the first record was refused before it was written: %v", err)
	}
	if err := rw.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Flush = %v; want the write error", err)
	}
	if err := rw.WriteRecord(recs[1]); err == nil {
		t.Error("WriteRecord after a failed write returned nil")
	}
	if err := rw.WriteFooter(f); err == nil {
		t.Error("WriteFooter after a failed write returned nil")
	}
}

// blockingWriter holds every write until release is closed.
type blockingWriter struct {
	release chan struct{}
	n       atomic.Int64
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	<-w.release
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// A disk that stalls holds the run back rather than letting queued lines
// grow without bound.
func TestRunWriterBoundsWhatItHolds(t *testing.T) {
	t.Parallel()
	_, recs, _ := sampleRun()
	w := &blockingWriter{release: make(chan struct{})}
	rw := NewWriter(w)
	done := make(chan int)
	go func() {
		n := 0
		for n < 100_000 {
			if err := rw.WriteRecord(recs[0]); err != nil {
				t.Error(err)
				break
			}
			n++
		}
		done <- n
	}()
	select {
	case n := <-done:
		t.Fatalf("%d records queued while the writer was stalled; want WriteRecord to wait", n)
	case <-time.After(200 * time.Millisecond):
	}
	rw.mu.Lock()
	held := len(rw.pending)
	rw.mu.Unlock()
	if held > 2*maxPending {
		t.Errorf("%d bytes held while the writer stalled; want at most about %d", held, maxPending)
	}
	close(w.release)
	if n := <-done; n != 100_000 {
		t.Fatalf("%d records written after the stall; want 100000", n)
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
}

func TestCreateRunFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run.jsonl")
	f, err := CreateRunFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("evidence\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()

	if f, err := CreateRunFile(path, false); err == nil {
		f.Close()
		t.Fatal("CreateRunFile replaced an existing file without force")
	} else if !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("CreateRunFile error = %q; want it to say the file exists and name --force", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "evidence\n" {
		t.Errorf("refusing to overwrite changed the file: %q", b)
	}

	f, err = CreateRunFile(path, true)
	if err != nil {
		t.Fatalf("CreateRunFile with force: %v", err)
	}
	f.Close()
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Errorf("CreateRunFile with force left %q in the file", b)
	}

	if _, err := CreateRunFile(filepath.Join(t.TempDir(), "no", "such", "dir", "run.jsonl"), false); err == nil {
		t.Error("CreateRunFile in a missing directory succeeded")
	}
}

// TestReadWithoutRateLimits: WithoutRateLimits leaves out the rate-limit
// headers and nothing else, on the reading goroutine and the decoding
// workers alike (a run long enough for both).
func TestReadWithoutRateLimits(t *testing.T) {
	h, sample, f := sampleRun()
	var recs []*Record
	for i := range 3000 {
		r := *sample[i%len(sample)]
		r.Seq = int64(i)
		recs = append(recs, &r)
	}
	data := writeRun(t, h, recs, &f)
	read := func(opts ...ReadOption) []*Record {
		var got []*Record
		if _, err := Read(bytes.NewReader(data), func(r *Record) error { got = append(got, r); return nil }, opts...); err != nil {
			t.Fatal(err)
		}
		return got
	}
	full, lean := read(), read(WithoutRateLimits())
	if len(full) != len(recs) || len(lean) != len(recs) {
		t.Fatalf("read %d and %d records; want %d", len(full), len(lean), len(recs))
	}
	for i := range full {
		if len(recs[i].RateLimit) > 0 && len(full[i].RateLimit) == 0 {
			t.Fatalf("record %d: rate limits lost by the full read", i)
		}
		if lean[i].RateLimit != nil {
			t.Fatalf("record %d: rate limits %v read despite WithoutRateLimits", i, lean[i].RateLimit)
		}
		want := *full[i]
		want.RateLimit = nil
		if !reflect.DeepEqual(*lean[i], want) {
			t.Fatalf("record %d differs beyond its rate limits:\n got %+v\nwant %+v", i, *lean[i], want)
		}
	}
}
