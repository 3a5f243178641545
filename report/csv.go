package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/llm-probe/probe/prober/runfile"
)

// CSVHeader is the header row of `probe export --format csv`.
var CSVHeader = []string{
	"time_utc", "step", "concurrency", "seq", "status", "outcome", "error_type", "message",
	"request_id", "request_id_source", "organization_id", "cf_ray", "retry_after", "total_ms",
}

// CSVWriter writes requests as CSV (RFC 4180, through encoding/csv) with
// every cell made safe to open in a spreadsheet.
type CSVWriter struct {
	w   *csv.Writer
	row []string
}

// NewCSVWriter writes the header row to w and returns the writer for the rows.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	c := &CSVWriter{w: csv.NewWriter(w), row: make([]string, len(CSVHeader))}
	return c, c.w.Write(CSVHeader)
}

// Write adds one request.
func (c *CSVWriter) Write(r *runfile.Record) error {
	status := ""
	if r.Status != 0 {
		status = strconv.Itoa(r.Status)
	}
	vals := []string{
		r.Started.UTC().Format(time.RFC3339Nano), strconv.Itoa(r.Step), strconv.Itoa(r.Concurrency),
		strconv.FormatInt(r.Seq, 10), status, string(r.Outcome), r.ErrorType, r.Message,
		r.RequestID, r.RequestIDSource, r.OrganizationID, r.CFRay, r.RetryAfter,
		strconv.FormatFloat(r.TotalMS, 'f', 3, 64),
	}
	for i, v := range vals {
		c.row[i] = InertCell(v)
	}
	return c.w.Write(c.row)
}

// Flush writes out what is buffered and reports any write error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// InertCell defuses a cell a spreadsheet would run as a formula: one that
// starts with =, +, -, @, a tab or a carriage return gets a leading single
// quote, which spreadsheets show as text (OWASP's advice on CSV injection).
// Error messages and ids come from servers, so any of them may try.
func InertCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// RecordArrayWriter writes requests as one JSON array, one record per line,
// without holding them.
type RecordArrayWriter struct {
	w     *bufio.Writer
	buf   bytes.Buffer
	enc   *json.Encoder
	count int
}

// NewRecordArrayWriter starts the array on w.
func NewRecordArrayWriter(w io.Writer) *RecordArrayWriter {
	a := &RecordArrayWriter{w: bufio.NewWriter(w)}
	a.enc = json.NewEncoder(&a.buf)
	a.enc.SetEscapeHTML(false)
	return a
}

// Write adds one record.
func (a *RecordArrayWriter) Write(r *runfile.Record) error {
	sep := ",\n"
	if a.count == 0 {
		sep = "[\n"
	}
	a.count++
	if _, err := a.w.WriteString(sep); err != nil {
		return err
	}
	a.buf.Reset()
	if err := a.enc.Encode(r); err != nil {
		return err
	}
	// Encode ends the record with a newline; the separator goes before the next.
	_, err := a.w.Write(bytes.TrimSuffix(a.buf.Bytes(), []byte("\n")))
	return err
}

// Close ends the array and flushes it.
func (a *RecordArrayWriter) Close() error {
	end := "\n]\n"
	if a.count == 0 {
		end = "[]\n"
	}
	if _, err := a.w.WriteString(end); err != nil {
		return err
	}
	return a.w.Flush()
}
