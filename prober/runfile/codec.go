package runfile

import (
	"bytes"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Records, a million in a long run, go through the json v2 library
// (github.com/go-json-experiment/json, the encoding/json/v2 API; with
// GOEXPERIMENT=jsonv2 it is the standard library's). Header and footer, one
// line each, stay with encoding/json: their types belong to other packages
// and are tagged for its semantics.

// recordEncoding makes the library write what encoding/json wrote.
var recordEncoding = json.JoinOptions(
	// A server's bytes that are not UTF-8 are written as U+FFFD instead of
	// failing the run (encoding/json wrote the escape \ufffd, which reads
	// back the same).
	jsontext.AllowInvalidUTF8(true),
	// Two rate-limit header names that differ only in such bytes become
	// the same name; encoding/json wrote both, and so does this.
	jsontext.AllowDuplicateNames(true),
	// U+2028 and U+2029 escaped, as encoding/json does.
	jsontext.EscapeForJS(true),
	// Rate-limit headers in sorted order, so equal records are equal lines.
	json.Deterministic(true),
)

// recordDecoding reads what encoding/json read, except that names must
// match exactly: probe wrote them, and matching case-insensitively is slower.
var recordDecoding = json.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
	jsontext.AllowDuplicateNames(true),
)

// lineBuffers hold records being encoded, so that workers encode in
// parallel, outside the Writer's lock, without allocating each time.
var lineBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// encodeRecord writes r's line, newline included, to a buffer from
// lineBuffers; the caller returns it there.
func encodeRecord(r *Record) (*bytes.Buffer, error) {
	buf := lineBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	if err := json.MarshalWrite(buf, r, recordEncoding); err != nil {
		lineBuffers.Put(buf)
		return nil, err
	}
	buf.WriteByte('\n')
	return buf, nil
}

// leanRecord is a Record whose rate-limit headers are skipped when read:
// the summary of a run never reads them, and decoding a map for each of a
// million records is a fifth of what reading them costs. Its RateLimit
// hides the Record's (a shallower field of the same name wins).
type leanRecord struct {
	*Record
	RateLimit skipped `json:"ratelimit"`
}

// skipped reads a JSON value and keeps nothing of it.
type skipped struct{}

// UnmarshalJSONFrom skips the value.
func (*skipped) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return dec.SkipValue() }

// decodeRecord reads one line as a request record, its rate limits too
// unless lean; nil when it is not one (another kind of line, or a line cut
// short or corrupted).
func decodeRecord(line []byte, lean bool) *Record {
	rec := new(Record)
	var into any = rec
	if lean {
		into = &leanRecord{Record: rec}
	}
	if json.Unmarshal(line, into, recordDecoding) != nil || rec.Kind != "request" {
		return nil
	}
	return rec
}
