package runfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
)

// File is what a reader found in a run file besides its records.
type File struct {
	Header Header
	Footer *Footer // nil when the run was cut short
	// Skipped counts lines that could not be read (a crash mid-line, corruption).
	Skipped int
	// NULBytes counts the NUL bytes skipped: the zero-filled block some
	// filesystems leave where a crash extended the file before its data
	// reached the disk. Lines the block cut are counted in Skipped.
	NULBytes int64
	Records  int
}

// maxLine bounds one run-file line; records are far smaller, so a longer
// line is corruption, not data.
const maxLine = 1 << 20

// Read reads a run file, calling fn for each request record in file order.
// It refuses files that are not run files or come from a newer schema, and
// skips (and counts) lines it cannot parse, such as the last line of a run
// that was killed while writing.
func Read(r io.Reader, fn func(*Record) error, opts ...ReadOption) (*File, error) {
	rd := &reader{file: &File{}, fn: fn}
	for _, o := range opts {
		o(rd)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	sc.Split(scanLines)
	if err := rd.readHeader(sc); err != nil {
		return rd.file, err
	}
	dec := newDecodeStage(rd.use, rd.lean)
	defer dec.stop()
	for sc.Scan() {
		if tok := sc.Bytes(); len(tok) > 0 && tok[0] == 0 {
			rd.file.NULBytes += int64(len(tok))
			continue
		}
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := dec.add(line); err != nil {
			return rd.file, err
		}
	}
	// What was read before the end (or the error) is passed on first.
	if err := dec.flush(); err != nil {
		return rd.file, err
	}
	return rd.file, scanError(sc.Err())
}

// scanLines splits a run file into lines as bufio.ScanLines does, except
// that NUL bytes, which a run file never holds, end a line and come as
// tokens of their own, however many: a zero-filled block of any size is
// passed over a buffer at a time instead of being taken for one line too
// long to read, and the good lines before it are kept.
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	if data[0] == 0 {
		n := len(data) - len(bytes.TrimLeft(data, "\x00"))
		return n, data[:n], nil
	}
	nl := bytes.IndexByte(data, '\n')
	end := nl
	if end < 0 {
		end = len(data)
	}
	if i := bytes.IndexByte(data[:end], 0); i >= 0 {
		return i, data[:i], nil
	}
	switch {
	case nl >= 0:
		return nl + 1, data[:nl], nil
	case atEOF:
		return len(data), data, nil
	}
	return 0, nil, nil
}

// ReadOption changes what Read decodes.
type ReadOption func(*reader)

// WithoutRateLimits leaves every record's RateLimit nil, for a reader that
// does not use them (a summary, a verdict): it makes reading a large run
// file markedly faster.
func WithoutRateLimits() ReadOption {
	return func(rd *reader) { rd.lean = true }
}

// reader is one Read under way.
type reader struct {
	lean bool // records are read without their rate limits
	file *File
	fn   func(*Record) error
}

// readHeader reads the first line that is not blank, which must be the
// header of a run file of a schema this build reads.
func (rd *reader) readHeader(sc *bufio.Scanner) error {
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) > 0 {
			return rd.header(line)
		}
	}
	if err := scanError(sc.Err()); err != nil {
		return err
	}
	return errors.New("not a probe run file (it is empty)")
}

func (rd *reader) header(line []byte) error {
	var kind struct {
		Kind   string `json:"kind"`
		Schema int    `json:"schema"`
	}
	if err := json.Unmarshal(line, &kind); err != nil {
		return errors.New("not a probe run file (the first line is not a JSON run header)")
	}
	if kind.Kind != "run" {
		return errors.New("not a probe run file (the first line is not a run header)")
	}
	if kind.Schema > schemaVersion {
		return fmt.Errorf("run file has schema version %d; this probe reads up to %d: upgrade probe", kind.Schema, schemaVersion)
	}
	if err := json.Unmarshal(line, &rd.file.Header); err != nil {
		return fmt.Errorf("run file header: %v", err)
	}
	return nil
}

// use takes one line after the header, in file order: a record the
// decoding stage read (rec), or any other line, which is the footer or
// is skipped.
func (rd *reader) use(line []byte, rec *Record) error {
	if rec != nil {
		rd.file.Records++
		return rd.fn(rec)
	}
	var kind struct {
		Kind string `json:"kind"`
	}
	if json.Unmarshal(line, &kind) == nil && kind.Kind == "verdict" {
		var f Footer
		if json.Unmarshal(line, &f) == nil {
			rd.file.Footer = &f
			return nil
		}
	}
	rd.file.Skipped++
	return nil
}

// scanError says what stopped a scan of a run file early, if anything did.
func scanError(err error) error {
	if errors.Is(err, bufio.ErrTooLong) {
		return fmt.Errorf("run file has a line over %d bytes: not a probe run file or corrupted", maxLine)
	}
	return err
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
	lean    bool // see WithoutRateLimits
	jobs    chan *lineBatch
	pending []*lineBatch // submitted, in file order
	free    []*lineBatch
	cur     *lineBatch
	workers int
	started bool
	batches int
}

// lineBatch is a run of lines and, once done is closed, their records (nil
// where a line is not a request record).
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

func newDecodeStage(use func([]byte, *Record) error, lean bool) *decodeStage {
	return &decodeStage{use: use, lean: lean, workers: min(runtime.GOMAXPROCS(0), 8)}
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
		b.decode(d.lean)
		return
	}
	if !d.started {
		d.started = true
		d.jobs = make(chan *lineBatch, 2*d.workers+1)
		for range d.workers {
			go func() {
				for b := range d.jobs {
					b.decode(d.lean)
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

func (b *lineBatch) decode(lean bool) {
	defer close(b.done)
	start := 0
	for _, end := range b.ends {
		b.recs = append(b.recs, decodeRecord(b.data[start:end], lean))
		start = end
	}
}
