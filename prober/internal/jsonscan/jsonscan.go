package jsonscan

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Scanner reads the strict subset of JSON the fast paths accept.
type Scanner struct {
	B []byte
	I int
}

// WS passes over white space.
func (d *Scanner) WS() {
	for d.I < len(d.B) {
		switch d.B[d.I] {
		case ' ', '\t', '\n', '\r':
			d.I++
		default:
			return
		}
	}
}

// Eat consumes c if it comes next, and reports whether it did.
func (d *Scanner) Eat(c byte) bool {
	if d.I < len(d.B) && d.B[d.I] == c {
		d.I++
		return true
	}
	return false
}

// End reports whether only white space is left.
func (d *Scanner) End() bool {
	d.WS()
	return d.I == len(d.B)
}

// PlainString reads a string with no escapes and only ASCII in it, as
// object keys are, returning its bytes (not copied).
func (d *Scanner) PlainString() ([]byte, bool) {
	if !d.Eat('"') {
		return nil, false
	}
	start := d.I
	for d.I < len(d.B) {
		c := d.B[d.I]
		switch {
		case c == '"':
			s := d.B[start:d.I]
			d.I++
			return s, true
		case c < 0x20 || c == '\\' || c >= utf8.RuneSelf:
			return nil, false
		}
		d.I++
	}
	return nil, false
}

// Common are the strings Scanner.Str returns without allocating them. The
// record codec sets it (package runfile's init) to the strings that recur
// on every run-file line, "message" and the error types among them, which
// are also what the classifier's fast path reads; before the split both
// used that one table.
var Common map[string]string

// Str reads a string value as Decoder.Str does, for a one-off read.
func (d *Scanner) Str() (string, bool) {
	rd := Decoder{Scanner: *d, Interned: Common}
	v, ok := rd.Str()
	*d = rd.Scanner
	if !ok {
		return "", false
	}
	return v.In(string(rd.Arena)), true
}

// Number reads a JSON number, returning its text.
func (d *Scanner) Number() ([]byte, bool) {
	start := d.I
	d.Eat('-')
	switch {
	case d.Eat('0'):
	case d.I < len(d.B) && d.B[d.I] >= '1' && d.B[d.I] <= '9':
		d.Digits()
	default:
		return nil, false
	}
	if d.Eat('.') && !d.Digits() {
		return nil, false
	}
	if d.Eat('e') || d.Eat('E') {
		if !d.Eat('+') {
			d.Eat('-')
		}
		if !d.Digits() {
			return nil, false
		}
	}
	return d.B[start:d.I], true
}

// Digits passes over one or more decimal digits, reporting whether there were any.
func (d *Scanner) Digits() bool {
	start := d.I
	for d.I < len(d.B) && d.B[d.I] >= '0' && d.B[d.I] <= '9' {
		d.I++
	}
	return d.I > start
}

// Int64 reads an integer that fits in an int64.
func (d *Scanner) Int64() (int64, bool) {
	tok, ok := d.Number()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(tok), 10, 64)
	return n, err == nil
}

// Int reads an integer that fits in an int.
func (d *Scanner) Int() (int, bool) {
	tok, ok := d.Number()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(tok), 10, strconv.IntSize)
	return int(n), err == nil
}

// Float reads a number as a float64.
func (d *Scanner) Float() (float64, bool) {
	tok, ok := d.Number()
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	return f, err == nil
}

// Bool reads true or false.
func (d *Scanner) Bool() (bool, bool) {
	rest := d.B[d.I:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.I += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.I += 5
		return false, true
	}
	return false, false
}

// Time reads a timestamp as time.Time's UnmarshalJSON does: a string
// holding RFC 3339, taken as it is (that method does not decode escapes, so
// a string with one is left to it).
func (d *Scanner) Time(t *time.Time) bool {
	if !d.Eat('"') {
		return false
	}
	start := d.I
	for d.I < len(d.B) && d.B[d.I] != '"' {
		if c := d.B[d.I]; c < 0x20 || c == '\\' {
			return false
		}
		d.I++
	}
	if d.I == len(d.B) {
		return false
	}
	raw := d.B[start:d.I]
	d.I++
	return t.UnmarshalText(raw) == nil
}

// Skip passes over any valid JSON value, nested up to depth levels.
func (d *Scanner) Skip(depth int) bool {
	if depth <= 0 || d.I >= len(d.B) {
		return false
	}
	switch c := d.B[d.I]; {
	case c == '"':
		d.I++
		for d.I < len(d.B) {
			switch c := d.B[d.I]; {
			case c == '"':
				d.I++
				return true
			case c < 0x20:
				return false
			case c == '\\':
				if !d.skipEscape() {
					return false
				}
				continue
			}
			d.I++
		}
		return false
	case c == '{' || c == '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		d.I++
		d.WS()
		if d.Eat(closer) {
			return true
		}
		for {
			d.WS()
			if c == '{' {
				if d.I >= len(d.B) || d.B[d.I] != '"' || !d.Skip(1) {
					return false
				}
				d.WS()
				if !d.Eat(':') {
					return false
				}
				d.WS()
			}
			if !d.Skip(depth - 1) {
				return false
			}
			d.WS()
			if d.Eat(',') {
				continue
			}
			return d.Eat(closer)
		}
	case c == 't' || c == 'f':
		_, ok := d.Bool()
		return ok
	case c == 'n':
		if len(d.B)-d.I >= 4 && string(d.B[d.I:d.I+4]) == "null" {
			d.I += 4
			return true
		}
		return false
	default:
		_, ok := d.Number()
		return ok
	}
}

// skipEscape passes over one escape sequence of a string.
func (d *Scanner) skipEscape() bool {
	if d.I+1 >= len(d.B) {
		return false
	}
	switch d.B[d.I+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.I += 2
		return true
	case 'u':
		if d.I+6 > len(d.B) {
			return false
		}
		for _, h := range d.B[d.I+2 : d.I+6] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return false
			}
		}
		d.I += 6
		return true
	}
	return false
}

// Decoder reads JSON values with memory kept from one value to the
// next. All the strings are built as one (the arena) and sliced from it,
// one allocation instead of one per string; the strings of Interned are
// not allocated at all.
type Decoder struct {
	Scanner
	Arena    []byte
	Strs     []PendingString
	Pairs    []PendingPair
	Interned map[string]string
}

// StrRef is a decoded string: a constant, or a span of the arena.
type StrRef struct {
	S          string
	Start, End int // end < 0: s
}

// In returns the string v refers to, text being the decoder's arena as a string.
func (v StrRef) In(text string) string {
	if v.End < 0 {
		return v.S
	}
	return text[v.Start:v.End]
}

// PendingString is a decoded string to store in Dst once the arena is final.
type PendingString struct {
	Dst *string
	V   StrRef
}

// PendingPair is a decoded key and value to store in M once the arena is final.
type PendingPair struct {
	M    map[string]string
	K, V StrRef
}

// StrInto decodes a string value into *dst (once the line is done).
func (d *Decoder) StrInto(dst *string) bool {
	v, ok := d.Str()
	if ok {
		d.Strs = append(d.Strs, PendingString{dst, v})
	}
	return ok
}

// Str reads a string value: escapes of one character are decoded; \u
// escapes, invalid UTF-8 (which encoding/json would replace) and anything
// but a string are left to encoding/json.
func (d *Decoder) Str() (StrRef, bool) {
	if !d.Eat('"') {
		return StrRef{}, false
	}
	start := d.I
	plain, ascii := true, true
	for d.I < len(d.B) {
		c := d.B[d.I]
		switch {
		case c == '"':
			raw := d.B[start:d.I]
			d.I++
			if !ascii && !utf8.Valid(raw) {
				return StrRef{}, false
			}
			if plain {
				if s, ok := d.Interned[string(raw)]; ok {
					return StrRef{S: s, End: -1}, true
				}
				from := len(d.Arena)
				d.Arena = append(d.Arena, raw...)
				return StrRef{Start: from, End: len(d.Arena)}, true
			}
			return d.unescape(raw)
		case c < 0x20:
			return StrRef{}, false
		case c == '\\':
			plain = false
			if d.I+1 >= len(d.B) {
				return StrRef{}, false
			}
			d.I += 2 // the escaped character is checked by unescape
			continue
		case c >= utf8.RuneSelf:
			ascii = false
		}
		d.I++
	}
	return StrRef{}, false
}

// unescape decodes the one-character escapes of raw into the arena.
func (d *Decoder) unescape(raw []byte) (StrRef, bool) {
	from := len(d.Arena)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			d.Arena = append(d.Arena, c)
			continue
		}
		i++
		switch raw[i] {
		case '"', '\\', '/':
			d.Arena = append(d.Arena, raw[i])
		case 'b':
			d.Arena = append(d.Arena, '\b')
		case 'f':
			d.Arena = append(d.Arena, '\f')
		case 'n':
			d.Arena = append(d.Arena, '\n')
		case 'r':
			d.Arena = append(d.Arena, '\r')
		case 't':
			d.Arena = append(d.Arena, '\t')
		default: // \u, or not an escape at all
			return StrRef{}, false
		}
	}
	return StrRef{Start: from, End: len(d.Arena)}, true
}

// StringMap reads an object of strings into *m as encoding/json does: into
// the map already there, or a new one (even for {}).
func (d *Decoder) StringMap(m *map[string]string) bool {
	if !d.Eat('{') {
		return false
	}
	if *m == nil {
		*m = make(map[string]string, 8)
	}
	d.WS()
	if d.Eat('}') {
		return true
	}
	for {
		d.WS()
		k, ok := d.Str()
		if !ok {
			return false
		}
		d.WS()
		if !d.Eat(':') {
			return false
		}
		d.WS()
		v, ok := d.Str()
		if !ok {
			return false
		}
		d.Pairs = append(d.Pairs, PendingPair{*m, k, v})
		d.WS()
		if d.Eat(',') {
			continue
		}
		return d.Eat('}')
	}
}
