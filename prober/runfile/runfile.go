package runfile

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
)

// Writer streams a run to a JSONL file: the header, one line per request
// as it completes, and the verdict footer. It only ever writes whole lines;
// a run killed outright may leave the last write cut short, and Read
// skips such a line.
//
// Records are written behind the caller, as vegeta's attack hands results
// to one encoding goroutine: WriteRecord puts the line in memory and a
// flushing goroutine writes what has gathered in one call. A worker never
// waits for the disk, and a fast run makes one system call per batch of
// records rather than per record; at a gentle pace each record still
// reaches the file microseconds after it completes. Flush waits until
// everything is written.
type Writer struct {
	mu       sync.Mutex
	idle     *sync.Cond // broadcast when a flush ends
	w        io.Writer
	buf      bytes.Buffer // encoding/json's output, for lines off the fast path
	enc      *json.Encoder
	pending  []byte // whole lines not yet handed to w
	spare    []byte // the last batch's memory, for the next
	flushing bool
	err      error // the first write error: every later call returns it
}

// maxPending bounds the lines held in memory: past it, WriteRecord waits
// for the file, so a stalled disk slows the run instead of filling memory.
const maxPending = 1 << 20

// NewWriter writes a run to w.
func NewWriter(w io.Writer) *Writer {
	rw := &Writer{w: w}
	rw.idle = sync.NewCond(&rw.mu)
	rw.enc = json.NewEncoder(&rw.buf)
	rw.enc.SetEscapeHTML(false)
	return rw
}

// CreateRunFile creates path for a new run, refusing to replace an existing
// file unless force is set: a run file is evidence, and overwriting one by
// accident loses it.
func CreateRunFile(path string, force bool) (*os.File, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("run file %s already exists (use --force to overwrite it)", path)
	}
	return f, err
}

// WriteHeader writes the run's first line.
func (rw *Writer) WriteHeader(h Header) error {
	h.Kind = "run"
	h.Schema = schemaVersion
	return rw.writeNow(h)
}

// WriteRecord queues one request's line for writing. An error writing an
// earlier line is returned here, and by every later call.
func (rw *Writer) WriteRecord(r *Record) error {
	r.Kind = "request"
	rw.mu.Lock()
	defer rw.mu.Unlock()
	for rw.err == nil && len(rw.pending) > maxPending {
		rw.idle.Wait()
	}
	if rw.err != nil {
		return rw.err
	}
	if err := rw.appendLine(r); err != nil {
		return err
	}
	if !rw.flushing {
		rw.flushing = true
		go rw.flush()
	}
	return nil
}

// WriteFooter writes the verdict line that closes a complete run, after
// every record queued before it.
func (rw *Writer) WriteFooter(f Footer) error {
	f.Kind = "verdict"
	return rw.writeNow(f)
}

// Flush waits until every record queued so far is written, and returns
// the first write error, if any.
func (rw *Writer) Flush() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.waitIdle()
	return rw.err
}

// appendLine adds v's line to pending. Called with rw.mu held.
func (rw *Writer) appendLine(v any) error {
	if r, ok := v.(*Record); ok && fastRecordCodec {
		if line, ok := appendRecord(rw.pending, r); ok {
			rw.pending = append(line, '\n')
			return nil
		}
	}
	rw.buf.Reset()
	if err := rw.enc.Encode(v); err != nil {
		return err
	}
	rw.pending = append(rw.pending, rw.buf.Bytes()...)
	return nil
}

// writeNow writes v's line and everything queued before it, and returns
// once they are written.
func (rw *Writer) writeNow(v any) error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.waitIdle()
	if rw.err != nil {
		return rw.err
	}
	if err := rw.appendLine(v); err != nil {
		return err
	}
	_, rw.err = rw.w.Write(rw.pending)
	rw.pending = rw.pending[:0]
	return rw.err
}

// waitIdle waits for a flush under way to end. Called with rw.mu held.
func (rw *Writer) waitIdle() {
	for rw.flushing {
		rw.idle.Wait()
	}
}

// flush writes the pending lines, and those that gather meanwhile, one
// batch per write, until there are none.
func (rw *Writer) flush() {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	for len(rw.pending) > 0 && rw.err == nil {
		batch := rw.pending
		rw.pending = rw.spare[:0]
		rw.idle.Broadcast() // room for writers held back by maxPending
		rw.mu.Unlock()
		_, err := rw.w.Write(batch)
		rw.mu.Lock()
		rw.spare = batch[:0]
		if err != nil {
			rw.err = err
		}
	}
	rw.flushing = false
	rw.idle.Broadcast()
}

// File is what a reader found in a run file besides its records.
type File struct {
	Header Header
	Footer *Footer // nil when the run was cut short
	// Skipped counts lines that could not be read (a crash mid-line, corruption).
	Skipped int
	Records int
}

// maxLine bounds one run-file line; records are far smaller, so a longer
// line is corruption, not data.
const maxLine = 1 << 20

// Read reads a run file, calling fn for each request record in file order.
// It refuses files that are not run files or come from a newer schema, and
// skips (and counts) lines it cannot parse, such as the last line of a run
// that was killed while writing.
func Read(r io.Reader, fn func(*Record) error) (*File, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	rf := &File{}
	first := true
	var kind struct {
		Kind   string `json:"kind"`
		Schema int    `json:"schema"`
	}
	// line reads one line after the header: a record the decoding stage
	// took (rec), or anything else, read here with encoding/json.
	line := func(line []byte, rec *Record) error {
		if rec != nil {
			rf.Records++
			return fn(rec)
		}
		kind.Kind = ""
		if err := json.Unmarshal(line, &kind); err != nil {
			rf.Skipped++
			return nil
		}
		switch kind.Kind {
		case "request":
			var rec Record
			if err := json.Unmarshal(line, &rec); err != nil {
				rf.Skipped++
				return nil
			}
			rf.Records++
			return fn(&rec)
		case "verdict":
			var f Footer
			if err := json.Unmarshal(line, &f); err != nil {
				rf.Skipped++
				return nil
			}
			rf.Footer = &f
		default:
			rf.Skipped++
		}
		return nil
	}
	dec := newDecodeStage(line)
	defer dec.stop()
	for {
		if !sc.Scan() {
			// What was read before the end (or the error) is passed on first.
			if err := dec.flush(); err != nil {
				return rf, err
			}
			err := sc.Err()
			if errors.Is(err, bufio.ErrTooLong) {
				return rf, fmt.Errorf("run file has a line over %d bytes: not a probe run file or corrupted", maxLine)
			}
			if err != nil {
				return rf, err
			}
			break
		}
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if !first {
			if err := dec.add(line); err != nil {
				return rf, err
			}
			continue
		}
		if err := json.Unmarshal(line, &kind); err != nil {
			return rf, errors.New("not a probe run file (the first line is not a JSON run header)")
		}
		if kind.Kind != "run" {
			return rf, errors.New("not a probe run file (the first line is not a run header)")
		}
		if kind.Schema > schemaVersion {
			return rf, fmt.Errorf("run file has schema version %d; this probe reads up to %d: upgrade probe", kind.Schema, schemaVersion)
		}
		if err := json.Unmarshal(line, &rf.Header); err != nil {
			return rf, fmt.Errorf("run file header: %v", err)
		}
		first = false
	}
	if first {
		return rf, errors.New("not a probe run file (it is empty)")
	}
	return rf, nil
}

// decodeStage decodes the lines of a run file on the spare cores: the
// reading goroutine cuts the file into batches of lines, workers decode the
// records of each batch (decodeRecord), and the reading goroutine takes the
// batches back in file order and hands each line to use. So records reach
// Read's caller in file order, on its goroutine, as if read one by one,
// while decoding (nearly all of the work) runs in parallel. Memory stays
// bounded: a few batches at a time.
type decodeStage struct {
	use     func(line []byte, rec *Record) error
	jobs    chan *lineBatch
	pending []*lineBatch // submitted, in file order
	free    []*lineBatch
	cur     *lineBatch
	workers int
	started bool
	batches int
	inline  *recordDecoder
}

// lineBatch is a run of lines and, once done is closed, their records (nil
// where the fast path declined the line).
type lineBatch struct {
	data []byte
	ends []int
	recs []*Record
	done chan struct{}
}

const (
	batchLines    = 256
	inlineBatches = 4 // decoded on the reading goroutine before workers start
)

func newDecodeStage(use func([]byte, *Record) error) *decodeStage {
	return &decodeStage{use: use, workers: min(runtime.GOMAXPROCS(0), 8)}
}

// add queues a line (copied), passing on the oldest batches as needed.
func (d *decodeStage) add(line []byte) error {
	if d.cur == nil {
		if n := len(d.free); n > 0 {
			d.cur, d.free = d.free[n-1], d.free[:n-1]
		} else {
			d.cur = &lineBatch{}
		}
	}
	b := d.cur
	b.data = append(b.data, line...)
	b.ends = append(b.ends, len(b.data))
	if len(b.ends) < batchLines {
		return nil
	}
	d.submit()
	if len(d.pending) > 2*d.workers {
		return d.next()
	}
	return nil
}

func (d *decodeStage) submit() {
	b := d.cur
	if b == nil {
		return
	}
	d.cur = nil
	b.done = make(chan struct{})
	d.pending = append(d.pending, b)
	d.batches++
	if d.workers < 2 || d.batches <= inlineBatches {
		// One core, or a small file so far: goroutines would cost more
		// than they save.
		if d.inline == nil {
			d.inline = new(recordDecoder)
		}
		b.decode(d.inline)
		return
	}
	if !d.started {
		d.started = true
		d.jobs = make(chan *lineBatch, 2*d.workers+1)
		for range d.workers {
			go func() {
				var dec recordDecoder
				for b := range d.jobs {
					b.decode(&dec)
				}
			}()
		}
	}
	d.jobs <- b
}

// next passes on the oldest batch.
func (d *decodeStage) next() error {
	b := d.pending[0]
	d.pending = d.pending[1:]
	<-b.done
	start := 0
	for i, end := range b.ends {
		if err := d.use(b.data[start:end], b.recs[i]); err != nil {
			return err
		}
		start = end
	}
	b.data, b.ends, b.recs = b.data[:0], b.ends[:0], b.recs[:0]
	d.free = append(d.free, b)
	return nil
}

// flush passes on every line added so far.
func (d *decodeStage) flush() error {
	d.submit()
	for len(d.pending) > 0 {
		if err := d.next(); err != nil {
			return err
		}
	}
	return nil
}

// stop lets the workers go; batches still being decoded are dropped.
func (d *decodeStage) stop() {
	if d.started {
		close(d.jobs)
	}
}

func (b *lineBatch) decode(dec *recordDecoder) {
	defer close(b.done)
	start := 0
	for _, end := range b.ends {
		rec := new(Record)
		if !dec.decode(b.data[start:end], rec) || rec.Kind != "request" {
			rec = nil
		}
		b.recs = append(b.recs, rec)
		start = end
	}
}

// Stop reasons of a run, for the footer and the output.
const (
	StopEarly       = "early_stop"
	StopBudget      = "budget"
	StopInterrupted = "interrupted"
	StopRetryAfter  = "retry_after"
	StopSinkFailed  = "run_file_failed"
)

// Differences lists what sets two runs apart besides their answers: the
// target, the model, the key and the plan. Comparing runs that differ in
// these compares more than the passage of time, so callers warn about them.
func (h Header) Differences(other Header) []string {
	var out []string
	diff := func(what, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s: %s vs %s", what, cmp.Or(a, "(none)"), cmp.Or(b, "(none)")))
		}
	}
	// An in-process simulated API listens on a random loopback port, so for
	// two scenario runs the scenario is what identifies the target.
	if h.Target.Scenario != "" || other.Target.Scenario != "" {
		diff("scenario", h.Target.Scenario, other.Target.Scenario)
		if h.Target.Scenario == "" || other.Target.Scenario == "" {
			diff("base URL", h.Target.BaseURL, other.Target.BaseURL)
		}
	} else {
		diff("base URL", h.Target.BaseURL, other.Target.BaseURL)
	}
	diff("model", h.Target.Model, other.Target.Model)
	diff("key fingerprint", h.Target.KeyFingerprint, other.Target.KeyFingerprint)
	diff("plan", h.Plan.Describe(), other.Plan.Describe())
	return out
}

// errHeaderRead stops ReadHeader once the header is known.
var errHeaderRead = errors.New("header read")

// ReadHeader reads a run file up to its first request and returns its
// header, with Read's checks (a run file, of a schema this build reads).
func ReadHeader(r io.Reader) (Header, error) {
	rf, err := Read(r, func(*Record) error { return errHeaderRead })
	if err != nil && !errors.Is(err, errHeaderRead) {
		return Header{}, err
	}
	return rf.Header, nil
}
