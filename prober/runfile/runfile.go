package runfile

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
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
// records rather than per record (it lets a batch gather for up to a
// millisecond); at a gentle pace each record still reaches the file a
// millisecond after it completes. Flush waits until everything is written.
type Writer struct {
	mu       sync.Mutex
	idle     *sync.Cond // broadcast when a flush ends
	w        io.Writer
	buf      bytes.Buffer // encoding/json's output: the header and the footer
	enc      *json.Encoder
	pending  []byte // whole lines not yet handed to w
	spare    []byte // the last batch's memory, for the next
	flushing bool
	err      error // the first write error: every later call returns it
	// hurry ends the flusher's wait for more lines: Flush and the footer
	// want what is pending written now.
	hurry chan struct{}
}

// A batch smaller than gatherBytes waits gatherDelay for more lines before
// it is written, unless Flush or the footer is waiting for it: at
// thousands of records a second that makes one write of dozens of records
// rather than many of a few. Only a process killed outright can lose
// records by it, and none older than gatherDelay: an interrupted run
// flushes everything.
const (
	gatherBytes = 64 << 10
	gatherDelay = time.Millisecond
)

// maxPending bounds the lines held in memory: past it, WriteRecord waits
// for the file, so a stalled disk slows the run instead of filling memory.
const maxPending = 1 << 20

// NewWriter writes a run to w.
func NewWriter(w io.Writer) *Writer {
	rw := &Writer{w: w, hurry: make(chan struct{}, 1)}
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
	line, err := encodeRecord(r) // before the lock: workers encode in parallel
	if err != nil {
		return err
	}
	defer lineBuffers.Put(line)
	rw.mu.Lock()
	defer rw.mu.Unlock()
	for rw.err == nil && len(rw.pending) > maxPending {
		rw.idle.Wait()
	}
	if rw.err != nil {
		return rw.err
	}
	rw.pending = append(rw.pending, line.Bytes()...)
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

// appendLine adds v's line (the header or the footer) to pending. Called
// with rw.mu held.
func (rw *Writer) appendLine(v any) error {
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

// waitIdle waits for a flush under way to end, hurrying it. Called with
// rw.mu held.
func (rw *Writer) waitIdle() {
	for rw.flushing {
		select {
		case rw.hurry <- struct{}{}:
		default: // already hurried
		}
		rw.idle.Wait()
	}
}

// gather waits gatherDelay for more lines, or until someone waits for
// the file.
func (rw *Writer) gather() {
	t := time.NewTimer(gatherDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-rw.hurry:
	}
}

// flush writes the pending lines, and those that gather meanwhile, one
// batch per write, until there are none.
func (rw *Writer) flush() {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	for len(rw.pending) > 0 && rw.err == nil {
		if len(rw.pending) < gatherBytes {
			rw.mu.Unlock()
			rw.gather()
			rw.mu.Lock()
		}
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
