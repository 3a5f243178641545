package prober

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// RunWriter streams a run to a JSONL file: the header, one line per request
// as it completes, and the verdict footer. Each line goes out in a single
// write, so a run killed at any moment leaves only complete lines behind.
type RunWriter struct {
	mu   sync.Mutex
	w    io.Writer
	buf  bytes.Buffer
	enc  *json.Encoder
	line []byte // a record's line, reused
}

// NewRunWriter writes a run to w.
func NewRunWriter(w io.Writer) *RunWriter {
	rw := &RunWriter{w: w}
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

func (rw *RunWriter) writeLine(v any) error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.buf.Reset()
	if err := rw.enc.Encode(v); err != nil {
		return err
	}
	_, err := rw.w.Write(rw.buf.Bytes())
	return err
}

// WriteHeader writes the run's first line.
func (rw *RunWriter) WriteHeader(h RunHeader) error {
	h.Kind = "run"
	h.Schema = SchemaVersion
	return rw.writeLine(h)
}

// WriteRecord writes one request.
func (rw *RunWriter) WriteRecord(r *Record) error {
	r.Kind = "request"
	if fastRecordCodec {
		rw.mu.Lock()
		line, ok := appendRecord(rw.line[:0], r)
		rw.line = line
		if ok {
			rw.line = append(rw.line, '\n')
			_, err := rw.w.Write(rw.line)
			rw.mu.Unlock()
			return err
		}
		rw.mu.Unlock()
	}
	return rw.writeLine(r)
}

// WriteFooter writes the verdict line that closes a complete run.
func (rw *RunWriter) WriteFooter(f RunFooter) error {
	f.Kind = "verdict"
	return rw.writeLine(f)
}

// RunFile is what a reader found in a run file besides its records.
type RunFile struct {
	Header RunHeader
	Footer *RunFooter // nil when the run was cut short
	// Skipped counts lines that could not be read (a crash mid-line, corruption).
	Skipped int
	Records int
}

// maxLine bounds one run-file line; records are far smaller, so a longer
// line is corruption, not data.
const maxLine = 1 << 20

// ReadRun reads a run file, calling fn for each request record in file order.
// It refuses files that are not run files or come from a newer schema, and
// skips (and counts) lines it cannot parse, such as the last line of a run
// that was killed while writing.
func ReadRun(r io.Reader, fn func(*Record) error) (*RunFile, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	rf := &RunFile{}
	first := true
	var kind struct {
		Kind   string `json:"kind"`
		Schema int    `json:"schema"`
	}
	for {
		if !sc.Scan() {
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
			// The fast path for the lines that are nearly all of a run
			// file; whatever it does not take is read below as before.
			rec := new(Record)
			if decodeRecord(line, rec) && rec.Kind == "request" {
				rf.Records++
				if err := fn(rec); err != nil {
					return rf, err
				}
				continue
			}
		}
		kind.Kind = ""
		if err := json.Unmarshal(line, &kind); err != nil {
			if first {
				return rf, errors.New("not a probe run file (the first line is not a JSON run header)")
			}
			rf.Skipped++
			continue
		}
		if first {
			if kind.Kind != "run" {
				return rf, errors.New("not a probe run file (the first line is not a run header)")
			}
			if kind.Schema > SchemaVersion {
				return rf, fmt.Errorf("run file has schema version %d; this probe reads up to %d: upgrade probe", kind.Schema, SchemaVersion)
			}
			if err := json.Unmarshal(line, &rf.Header); err != nil {
				return rf, fmt.Errorf("run file header: %v", err)
			}
			first = false
			continue
		}
		switch kind.Kind {
		case "request":
			var rec Record
			if err := json.Unmarshal(line, &rec); err != nil {
				rf.Skipped++
				continue
			}
			rf.Records++
			if err := fn(&rec); err != nil {
				return rf, err
			}
		case "verdict":
			var f RunFooter
			if err := json.Unmarshal(line, &f); err != nil {
				rf.Skipped++
				continue
			}
			rf.Footer = &f
		default:
			rf.Skipped++
		}
	}
	if first {
		return rf, errors.New("not a probe run file (it is empty)")
	}
	return rf, nil
}
