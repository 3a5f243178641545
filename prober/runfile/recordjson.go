package runfile

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/internal/jsonscan"
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
	"Status status,omitempty", "Outcome outcome", "Producer producer,omitzero", "ErrorType error_type,omitempty", "Message message,omitempty",
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
	str(`,"producer":`, string(r.Producer), true)
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
	jsonscan.Decoder
}

func (d *recordDecoder) decode(line []byte, r *Record) bool {
	if !fastRecordCodec {
		return false
	}
	d.Scanner = jsonscan.Scanner{B: line}
	d.Interned = interned
	d.Arena, d.Strs, d.Pairs = d.Arena[:0], d.Strs[:0], d.Pairs[:0]
	if !d.object(r) {
		return false
	}
	text := string(d.Arena)
	for _, p := range d.Strs {
		*p.Dst = p.V.In(text)
	}
	for _, p := range d.Pairs {
		p.M[p.K.In(text)] = p.V.In(text)
	}
	return true
}

func (d *recordDecoder) object(r *Record) bool {
	d.WS()
	if !d.Eat('{') {
		return false
	}
	d.WS()
	if d.Eat('}') {
		return d.End()
	}
	for {
		d.WS()
		key, ok := d.PlainString()
		if !ok {
			return false
		}
		d.WS()
		if !d.Eat(':') {
			return false
		}
		d.WS()
		if !d.field(r, key) {
			return false
		}
		d.WS()
		if d.Eat(',') {
			continue
		}
		if d.Eat('}') {
			return d.End()
		}
		return false
	}
}

// field decodes the value of one key of a record.
func (d *recordDecoder) field(r *Record, key []byte) bool {
	var ok bool
	switch string(key) {
	case "kind":
		ok = d.StrInto(&r.Kind)
	case "step":
		r.Step, ok = d.Int()
	case "round":
		r.Round, ok = d.Int()
	case "concurrency":
		r.Concurrency, ok = d.Int()
	case "seq":
		r.Seq, ok = d.Int64()
	case "scheduled":
		ok = d.Time(&r.Scheduled)
	case "started":
		ok = d.Time(&r.Started)
	case "finished":
		ok = d.Time(&r.Finished)
	case "queue_wait_ms":
		r.QueueWaitMS, ok = d.Float()
	case "dns_ms":
		r.DNSMS, ok = d.Float()
	case "connect_ms":
		r.ConnectMS, ok = d.Float()
	case "tls_ms":
		r.TLSMS, ok = d.Float()
	case "ttfb_ms":
		r.TTFBMS, ok = d.Float()
	case "total_ms":
		r.TotalMS, ok = d.Float()
	case "conn_reused":
		r.ConnReused, ok = d.Bool()
	case "in_flight":
		r.InFlight, ok = d.Int()
	case "status":
		r.Status, ok = d.Int()
	case "outcome":
		ok = d.StrInto((*string)(&r.Outcome))
	case "producer":
		ok = d.StrInto((*string)(&r.Producer))
	case "error_type":
		ok = d.StrInto(&r.ErrorType)
	case "message":
		ok = d.StrInto(&r.Message)
	case "request_id":
		ok = d.StrInto(&r.RequestID)
	case "request_id_source":
		ok = d.StrInto(&r.RequestIDSource)
	case "organization_id":
		ok = d.StrInto(&r.OrganizationID)
	case "cf_ray":
		ok = d.StrInto(&r.CFRay)
	case "cf_mitigated":
		ok = d.StrInto(&r.CFMitigated)
	case "server":
		ok = d.StrInto(&r.Server)
	case "content_type":
		ok = d.StrInto(&r.ContentType)
	case "retry_after":
		ok = d.StrInto(&r.RetryAfter)
	case "should_retry":
		ok = d.StrInto(&r.ShouldRetry)
	case "ratelimit":
		ok = d.StringMap(&r.RateLimit)
	case "bytes":
		r.Bytes, ok = d.Int64()
	case "truncated":
		r.Truncated, ok = d.Bool()
	case "net_error":
		ok = d.StrInto(&r.NetError)
	}
	return ok
}

// interned are the strings that recur on every line of a run file; they
// are decoded without being allocated again.
var interned = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{
		"", "request", "message", "true", "1", "0", "cloudflare", "application/json", "text/html", "text/html; charset=UTF-8",
		classify.IDFromRequestID, classify.IDFromXRequestID, classify.IDFromBody, classify.IDFromCFRay,
		string(classify.OutcomeOK), string(classify.OutcomeAuth), string(classify.OutcomeKeyNotReceived), string(classify.OutcomePermission),
		string(classify.OutcomeWorkspace), string(classify.OutcomeModel), string(classify.OutcomeForbiddenEdge), string(classify.OutcomeEdgeBlock),
		string(classify.OutcomeChallenge), string(classify.OutcomeProxyPage), string(classify.OutcomeBilling), string(classify.OutcomeRateLimit),
		string(classify.OutcomeOverloaded), string(classify.OutcomeServer), string(classify.OutcomeBadRequest), string(classify.OutcomeNotFound),
		string(classify.OutcomeRedirect), string(classify.OutcomeUnexpected), string(classify.OutcomeDNS), string(classify.OutcomeRefused),
		string(classify.OutcomeReset), string(classify.OutcomeTimeout), string(classify.OutcomeTLS), string(classify.OutcomeNetwork), string(classify.OutcomeCanceled),
		string(classify.ProducerAPI), string(classify.ProducerEdge), string(classify.ProducerGateway),
		string(classify.ProducerProxy), string(classify.ProducerCloud), string(classify.ProducerUnknown),
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

// The classifier's fast path reads its strings with the same table.
func init() { jsonscan.Common = interned }
