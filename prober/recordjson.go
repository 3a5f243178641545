package prober

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// A run of a million requests is a million records to write while the run
// goes and to read back for report and compare; encoding/json spends most of
// its time on reflection there. The record codec below writes and reads the
// same bytes by hand. It is the fast path only: anything it was not written
// for (a field added to Record, an escape it does not decode, a key it does
// not know, a null) is handed back to encoding/json, so what is written and
// what is read never differ from encoding/json's.

// recordFields is Record's JSON shape as the codec knows it: Go field name
// and json tag, in declaration order.
var recordFields = []string{
	"Kind kind", "Step step", "Round round,omitempty", "Concurrency concurrency", "Seq seq",
	"Scheduled scheduled", "Started started", "Finished finished",
	"QueueWaitMS queue_wait_ms", "DNSMS dns_ms,omitempty", "ConnectMS connect_ms,omitempty",
	"TLSMS tls_ms,omitempty", "TTFBMS ttfb_ms,omitempty", "TotalMS total_ms", "ConnReused conn_reused,omitempty",
	"InFlight in_flight",
	"Status status,omitempty", "Outcome outcome", "ErrorType error_type,omitempty", "Message message,omitempty",
	"RequestID request_id,omitempty", "RequestIDSource request_id_source,omitempty",
	"OrganizationID organization_id,omitempty", "CFRay cf_ray,omitempty", "CFMitigated cf_mitigated,omitempty",
	"Server server,omitempty", "ContentType content_type,omitempty", "RetryAfter retry_after,omitempty",
	"ShouldRetry should_retry,omitempty", "RateLimit ratelimit,omitempty", "Bytes bytes",
	"Truncated truncated,omitempty", "NetError net_error,omitempty",
}

// fastRecordCodec is off when Record no longer has exactly the fields
// above: encoding/json then does all the work, correct but slower, and
// TestRecordCodecCoversRecord says which field to teach the codec.
var fastRecordCodec = recordShape() == nil

// recordShape returns the fields of Record that differ from recordFields.
func recordShape() []string {
	var have []string
	t := reflect.TypeFor[Record]()
	for i := range t.NumField() {
		f := t.Field(i)
		have = append(have, f.Name+" "+f.Tag.Get("json"))
	}
	if slices.Equal(have, recordFields) {
		return nil
	}
	var diff []string
	for _, h := range have {
		if !slices.Contains(recordFields, h) {
			diff = append(diff, h)
		}
	}
	for _, k := range recordFields {
		if !slices.Contains(have, k) {
			diff = append(diff, "no longer: "+k)
		}
	}
	if diff == nil {
		diff = []string{"field order"}
	}
	return diff
}

// appendRecord appends r as encoding/json (HTML escaping off) would encode
// it, without the newline. It reports false, having appended garbage, when
// encoding/json would fail (a NaN, a year past 9999) or say something else
// than this code would; the caller then uses encoding/json.
func appendRecord(b []byte, r *Record) ([]byte, bool) {
	ok := true
	str := func(key, v string, omit bool) {
		if omit && v == "" {
			return
		}
		b = append(b, key...)
		b = appendJSONString(b, v)
	}
	integer := func(key string, v int64, omit bool) {
		if omit && v == 0 {
			return
		}
		b = append(b, key...)
		b = strconv.AppendInt(b, v, 10)
	}
	float := func(key string, v float64, omit bool) {
		if omit && v == 0 {
			return
		}
		b = append(b, key...)
		var good bool
		b, good = appendJSONFloat(b, v)
		ok = ok && good
	}
	stamp := func(key string, t time.Time) {
		b = append(b, key...)
		var good bool
		b, good = appendJSONTime(b, t)
		ok = ok && good
	}
	flag := func(key string, v bool) {
		if v {
			b = append(b, key...)
			b = append(b, "true"...)
		}
	}

	b = append(b, '{')
	str(`"kind":`, r.Kind, false)
	integer(`,"step":`, int64(r.Step), false)
	integer(`,"round":`, int64(r.Round), true)
	integer(`,"concurrency":`, int64(r.Concurrency), false)
	integer(`,"seq":`, r.Seq, false)
	stamp(`,"scheduled":`, r.Scheduled)
	stamp(`,"started":`, r.Started)
	stamp(`,"finished":`, r.Finished)
	float(`,"queue_wait_ms":`, r.QueueWaitMS, false)
	float(`,"dns_ms":`, r.DNSMS, true)
	float(`,"connect_ms":`, r.ConnectMS, true)
	float(`,"tls_ms":`, r.TLSMS, true)
	float(`,"ttfb_ms":`, r.TTFBMS, true)
	float(`,"total_ms":`, r.TotalMS, false)
	flag(`,"conn_reused":`, r.ConnReused)
	integer(`,"in_flight":`, int64(r.InFlight), false)
	integer(`,"status":`, int64(r.Status), true)
	str(`,"outcome":`, string(r.Outcome), false)
	str(`,"error_type":`, r.ErrorType, true)
	str(`,"message":`, r.Message, true)
	str(`,"request_id":`, r.RequestID, true)
	str(`,"request_id_source":`, r.RequestIDSource, true)
	str(`,"organization_id":`, r.OrganizationID, true)
	str(`,"cf_ray":`, r.CFRay, true)
	str(`,"cf_mitigated":`, r.CFMitigated, true)
	str(`,"server":`, r.Server, true)
	str(`,"content_type":`, r.ContentType, true)
	str(`,"retry_after":`, r.RetryAfter, true)
	str(`,"should_retry":`, r.ShouldRetry, true)
	if len(r.RateLimit) > 0 {
		b = append(b, `,"ratelimit":{`...)
		var arr [16]string
		keys := arr[:0]
		for k := range r.RateLimit {
			keys = append(keys, k)
		}
		slices.Sort(keys) // encoding/json sorts map keys
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, r.RateLimit[k])
		}
		b = append(b, '}')
	}
	integer(`,"bytes":`, r.Bytes, false)
	flag(`,"truncated":`, r.Truncated)
	str(`,"net_error":`, r.NetError, true)
	b = append(b, '}')
	return b, ok
}

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding with HTML escaping
// off: quotes, backslashes and control characters escaped, invalid UTF-8 as
// \ufffd, and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONFloat is encoding/json's float64 encoding; false for NaN and
// infinities, which it refuses.
func appendJSONFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

// appendJSONTime is time.Time's MarshalJSON without its allocation; false
// where MarshalJSON fails (a year outside 0 to 9999, an offset of a day or more).
func appendJSONTime(b []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

// decodeRecord reads one run-file line into r as json.Unmarshal would, for
// lines of the shape appendRecord writes. It reports false for anything
// else, leaving r in any state: the caller decodes the line again with
// encoding/json. It accepts only valid JSON, and only keys it knows by
// their exact name, so that encoding/json's case-insensitive matching and
// its handling of unknown keys, nulls and type errors never come into it.
func decodeRecord(line []byte, r *Record) bool {
	if !fastRecordCodec {
		return false
	}
	d := scanner{b: line}
	d.ws()
	if !d.eat('{') {
		return false
	}
	d.ws()
	if d.eat('}') {
		return d.end()
	}
	for {
		d.ws()
		key, ok := d.plainString()
		if !ok {
			return false
		}
		d.ws()
		if !d.eat(':') {
			return false
		}
		d.ws()
		if !d.field(r, key) {
			return false
		}
		d.ws()
		if d.eat(',') {
			continue
		}
		if d.eat('}') {
			return d.end()
		}
		return false
	}
}

// field decodes the value of one key of a record.
func (d *scanner) field(r *Record, key []byte) bool {
	var ok bool
	switch string(key) {
	case "kind":
		r.Kind, ok = d.str()
	case "step":
		r.Step, ok = d.int()
	case "round":
		r.Round, ok = d.int()
	case "concurrency":
		r.Concurrency, ok = d.int()
	case "seq":
		r.Seq, ok = d.int64()
	case "scheduled":
		ok = d.time(&r.Scheduled)
	case "started":
		ok = d.time(&r.Started)
	case "finished":
		ok = d.time(&r.Finished)
	case "queue_wait_ms":
		r.QueueWaitMS, ok = d.float()
	case "dns_ms":
		r.DNSMS, ok = d.float()
	case "connect_ms":
		r.ConnectMS, ok = d.float()
	case "tls_ms":
		r.TLSMS, ok = d.float()
	case "ttfb_ms":
		r.TTFBMS, ok = d.float()
	case "total_ms":
		r.TotalMS, ok = d.float()
	case "conn_reused":
		r.ConnReused, ok = d.bool()
	case "in_flight":
		r.InFlight, ok = d.int()
	case "status":
		r.Status, ok = d.int()
	case "outcome":
		var s string
		s, ok = d.str()
		r.Outcome = Outcome(s)
	case "error_type":
		r.ErrorType, ok = d.str()
	case "message":
		r.Message, ok = d.str()
	case "request_id":
		r.RequestID, ok = d.str()
	case "request_id_source":
		r.RequestIDSource, ok = d.str()
	case "organization_id":
		r.OrganizationID, ok = d.str()
	case "cf_ray":
		r.CFRay, ok = d.str()
	case "cf_mitigated":
		r.CFMitigated, ok = d.str()
	case "server":
		r.Server, ok = d.str()
	case "content_type":
		r.ContentType, ok = d.str()
	case "retry_after":
		r.RetryAfter, ok = d.str()
	case "should_retry":
		r.ShouldRetry, ok = d.str()
	case "ratelimit":
		ok = d.stringMap(&r.RateLimit)
	case "bytes":
		r.Bytes, ok = d.int64()
	case "truncated":
		r.Truncated, ok = d.bool()
	case "net_error":
		r.NetError, ok = d.str()
	}
	return ok
}

// scanner reads the strict subset of JSON the fast paths accept.
type scanner struct {
	b []byte
	i int
}

func (d *scanner) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *scanner) eat(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (d *scanner) end() bool {
	d.ws()
	return d.i == len(d.b)
}

// plainString reads a string with no escapes and only ASCII in it, as
// object keys are, returning its bytes (not copied).
func (d *scanner) plainString() ([]byte, bool) {
	if !d.eat('"') {
		return nil, false
	}
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			return s, true
		case c < 0x20 || c == '\\' || c >= utf8.RuneSelf:
			return nil, false
		}
		d.i++
	}
	return nil, false
}

// str reads a string value: escapes of one character are decoded; \u
// escapes, invalid UTF-8 (which encoding/json would replace) and anything
// but a string are left to encoding/json.
func (d *scanner) str() (string, bool) {
	if !d.eat('"') {
		return "", false
	}
	start := d.i
	plain, ascii := true, true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			raw := d.b[start:d.i]
			d.i++
			if !ascii && !utf8.Valid(raw) {
				return "", false
			}
			if plain {
				return internString(raw), true
			}
			return unescape(raw)
		case c < 0x20:
			return "", false
		case c == '\\':
			plain = false
			if d.i+1 >= len(d.b) {
				return "", false
			}
			d.i += 2 // the escaped character is checked by unescape
			continue
		case c >= utf8.RuneSelf:
			ascii = false
		}
		d.i++
	}
	return "", false
}

// unescape decodes the one-character escapes of raw.
func unescape(raw []byte) (string, bool) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch raw[i] {
		case '"', '\\', '/':
			out = append(out, raw[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		default: // \u, or not an escape at all
			return "", false
		}
	}
	return string(out), true
}

// internString returns the few values repeated on every record without
// allocating them again.
func internString(b []byte) string {
	switch string(b) {
	case "request":
		return "request"
	case "ok":
		return "ok"
	case IDFromRequestID:
		return IDFromRequestID
	case "application/json":
		return "application/json"
	case "cloudflare":
		return "cloudflare"
	case "":
		return ""
	}
	return string(b)
}

// number reads a JSON number, returning its text.
func (d *scanner) number() ([]byte, bool) {
	start := d.i
	d.eat('-')
	switch {
	case d.eat('0'):
	case d.i < len(d.b) && d.b[d.i] >= '1' && d.b[d.i] <= '9':
		d.digits()
	default:
		return nil, false
	}
	if d.eat('.') && !d.digits() {
		return nil, false
	}
	if d.eat('e') || d.eat('E') {
		if !d.eat('+') {
			d.eat('-')
		}
		if !d.digits() {
			return nil, false
		}
	}
	return d.b[start:d.i], true
}

func (d *scanner) digits() bool {
	start := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

func (d *scanner) int64() (int64, bool) {
	tok, ok := d.number()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(tok), 10, 64)
	return n, err == nil
}

func (d *scanner) int() (int, bool) {
	tok, ok := d.number()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(tok), 10, strconv.IntSize)
	return int(n), err == nil
}

func (d *scanner) float() (float64, bool) {
	tok, ok := d.number()
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	return f, err == nil
}

func (d *scanner) bool() (bool, bool) {
	rest := d.b[d.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.i += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.i += 5
		return false, true
	}
	return false, false
}

// time reads a timestamp as time.Time's UnmarshalJSON does: a string
// holding RFC 3339, taken as it is (that method does not decode escapes, so
// a string with one is left to it).
func (d *scanner) time(t *time.Time) bool {
	if !d.eat('"') {
		return false
	}
	start := d.i
	for d.i < len(d.b) && d.b[d.i] != '"' {
		if c := d.b[d.i]; c < 0x20 || c == '\\' {
			return false
		}
		d.i++
	}
	if d.i == len(d.b) {
		return false
	}
	raw := d.b[start:d.i]
	d.i++
	return t.UnmarshalText(raw) == nil
}

// stringMap reads an object of strings into *m as encoding/json does: into
// the map already there, or a new one (even for {}).
func (d *scanner) stringMap(m *map[string]string) bool {
	if !d.eat('{') {
		return false
	}
	if *m == nil {
		*m = make(map[string]string, 8)
	}
	d.ws()
	if d.eat('}') {
		return true
	}
	for {
		d.ws()
		k, ok := d.str()
		if !ok {
			return false
		}
		d.ws()
		if !d.eat(':') {
			return false
		}
		d.ws()
		v, ok := d.str()
		if !ok {
			return false
		}
		(*m)[k] = v
		d.ws()
		if d.eat(',') {
			continue
		}
		return d.eat('}')
	}
}

// skip passes over any valid JSON value, nested up to depth levels.
func (d *scanner) skip(depth int) bool {
	if depth <= 0 || d.i >= len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		d.i++
		for d.i < len(d.b) {
			switch c := d.b[d.i]; {
			case c == '"':
				d.i++
				return true
			case c < 0x20:
				return false
			case c == '\\':
				if !d.skipEscape() {
					return false
				}
				continue
			}
			d.i++
		}
		return false
	case c == '{' || c == '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		d.i++
		d.ws()
		if d.eat(closer) {
			return true
		}
		for {
			d.ws()
			if c == '{' {
				if d.i >= len(d.b) || d.b[d.i] != '"' || !d.skip(1) {
					return false
				}
				d.ws()
				if !d.eat(':') {
					return false
				}
				d.ws()
			}
			if !d.skip(depth - 1) {
				return false
			}
			d.ws()
			if d.eat(',') {
				continue
			}
			return d.eat(closer)
		}
	case c == 't' || c == 'f':
		_, ok := d.bool()
		return ok
	case c == 'n':
		if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
			d.i += 4
			return true
		}
		return false
	default:
		_, ok := d.number()
		return ok
	}
}

// skipEscape passes over one escape sequence of a string.
func (d *scanner) skipEscape() bool {
	if d.i+1 >= len(d.b) {
		return false
	}
	switch d.b[d.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.i += 2
		return true
	case 'u':
		if d.i+6 > len(d.b) {
			return false
		}
		for _, h := range d.b[d.i+2 : d.i+6] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return false
			}
		}
		d.i += 6
		return true
	}
	return false
}
