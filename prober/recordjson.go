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
	var d recordDecoder
	return d.decode(line, r)
}

// recordDecoder is decodeRecord with memory kept from one line to the
// next. All the strings of a record are built as one (the arena) and
// sliced from it, one allocation instead of one per field; values repeated
// on every line (outcomes, header names) are not allocated at all.
type recordDecoder struct {
	scanner
	arena []byte
	strs  []pendingString
	pairs []pendingPair
}

// strRef is a decoded string: a constant, or a span of the arena.
type strRef struct {
	s          string
	start, end int // end < 0: s
}

func (v strRef) in(text string) string {
	if v.end < 0 {
		return v.s
	}
	return text[v.start:v.end]
}

type pendingString struct {
	dst *string
	v   strRef
}

type pendingPair struct {
	m    map[string]string
	k, v strRef
}

func (d *recordDecoder) decode(line []byte, r *Record) bool {
	if !fastRecordCodec {
		return false
	}
	d.scanner = scanner{b: line}
	d.arena, d.strs, d.pairs = d.arena[:0], d.strs[:0], d.pairs[:0]
	if !d.object(r) {
		return false
	}
	text := string(d.arena)
	for _, p := range d.strs {
		*p.dst = p.v.in(text)
	}
	for _, p := range d.pairs {
		p.m[p.k.in(text)] = p.v.in(text)
	}
	return true
}

func (d *recordDecoder) object(r *Record) bool {
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
func (d *recordDecoder) field(r *Record, key []byte) bool {
	var ok bool
	switch string(key) {
	case "kind":
		ok = d.strInto(&r.Kind)
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
		ok = d.strInto((*string)(&r.Outcome))
	case "error_type":
		ok = d.strInto(&r.ErrorType)
	case "message":
		ok = d.strInto(&r.Message)
	case "request_id":
		ok = d.strInto(&r.RequestID)
	case "request_id_source":
		ok = d.strInto(&r.RequestIDSource)
	case "organization_id":
		ok = d.strInto(&r.OrganizationID)
	case "cf_ray":
		ok = d.strInto(&r.CFRay)
	case "cf_mitigated":
		ok = d.strInto(&r.CFMitigated)
	case "server":
		ok = d.strInto(&r.Server)
	case "content_type":
		ok = d.strInto(&r.ContentType)
	case "retry_after":
		ok = d.strInto(&r.RetryAfter)
	case "should_retry":
		ok = d.strInto(&r.ShouldRetry)
	case "ratelimit":
		ok = d.stringMap(&r.RateLimit)
	case "bytes":
		r.Bytes, ok = d.int64()
	case "truncated":
		r.Truncated, ok = d.bool()
	case "net_error":
		ok = d.strInto(&r.NetError)
	}
	return ok
}

// strInto decodes a string value into *dst (once the line is done).
func (d *recordDecoder) strInto(dst *string) bool {
	v, ok := d.str()
	if ok {
		d.strs = append(d.strs, pendingString{dst, v})
	}
	return ok
}

// str reads a string value: escapes of one character are decoded; \u
// escapes, invalid UTF-8 (which encoding/json would replace) and anything
// but a string are left to encoding/json.
func (d *recordDecoder) str() (strRef, bool) {
	if !d.eat('"') {
		return strRef{}, false
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
				return strRef{}, false
			}
			if plain {
				if s, ok := interned[string(raw)]; ok {
					return strRef{s: s, end: -1}, true
				}
				from := len(d.arena)
				d.arena = append(d.arena, raw...)
				return strRef{start: from, end: len(d.arena)}, true
			}
			return d.unescape(raw)
		case c < 0x20:
			return strRef{}, false
		case c == '\\':
			plain = false
			if d.i+1 >= len(d.b) {
				return strRef{}, false
			}
			d.i += 2 // the escaped character is checked by unescape
			continue
		case c >= utf8.RuneSelf:
			ascii = false
		}
		d.i++
	}
	return strRef{}, false
}

// unescape decodes the one-character escapes of raw into the arena.
func (d *recordDecoder) unescape(raw []byte) (strRef, bool) {
	from := len(d.arena)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			d.arena = append(d.arena, c)
			continue
		}
		i++
		switch raw[i] {
		case '"', '\\', '/':
			d.arena = append(d.arena, raw[i])
		case 'b':
			d.arena = append(d.arena, '\b')
		case 'f':
			d.arena = append(d.arena, '\f')
		case 'n':
			d.arena = append(d.arena, '\n')
		case 'r':
			d.arena = append(d.arena, '\r')
		case 't':
			d.arena = append(d.arena, '\t')
		default: // \u, or not an escape at all
			return strRef{}, false
		}
	}
	return strRef{start: from, end: len(d.arena)}, true
}

// interned are the strings that recur on every line of a run file; they
// are decoded without being allocated again.
var interned = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{
		"", "request", "message", "true", "1", "0", "cloudflare", "application/json", "text/html", "text/html; charset=UTF-8",
		IDFromRequestID, IDFromXRequestID, IDFromBody, IDFromCFRay,
		string(OutcomeOK), string(OutcomeAuth), string(OutcomeKeyNotReceived), string(OutcomePermission),
		string(OutcomeWorkspace), string(OutcomeModel), string(OutcomeForbiddenEdge), string(OutcomeEdgeBlock),
		string(OutcomeChallenge), string(OutcomeProxyPage), string(OutcomeBilling), string(OutcomeRateLimit),
		string(OutcomeOverloaded), string(OutcomeServer), string(OutcomeBadRequest), string(OutcomeNotFound),
		string(OutcomeRedirect), string(OutcomeUnexpected), string(OutcomeDNS), string(OutcomeRefused),
		string(OutcomeReset), string(OutcomeTimeout), string(OutcomeTLS), string(OutcomeNetwork), string(OutcomeCanceled),
		"permission_error", "rate_limit_error", "overloaded_error", "authentication_error", "forbidden", "Permission denied",
	} {
		m[s] = s
	}
	// The rate-limit headers, as recordHeaders keys them.
	for _, what := range []string{"requests", "tokens", "input-tokens", "output-tokens"} {
		for _, part := range []string{"limit", "remaining", "reset"} {
			m[what+"-"+part] = what + "-" + part // anthropic-ratelimit-*
			m[part+"-"+what] = part + "-" + what // x-ratelimit-*
		}
	}
	return m
}()

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

// str reads a string value as recordDecoder.str does, for a one-off read.
func (d *scanner) str() (string, bool) {
	rd := recordDecoder{scanner: *d}
	v, ok := rd.str()
	*d = rd.scanner
	if !ok {
		return "", false
	}
	return v.in(string(rd.arena)), true
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
func (d *recordDecoder) stringMap(m *map[string]string) bool {
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
		d.pairs = append(d.pairs, pendingPair{*m, k, v})
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
