package prober

import (
	"strconv"
	"time"
	"unicode/utf8"
)

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

// str reads a string value as valueDecoder.str does, for a one-off read.
func (d *scanner) str() (string, bool) {
	rd := valueDecoder{scanner: *d}
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

// valueDecoder reads JSON values with memory kept from one value to the
// next. All the strings are built as one (the arena) and sliced from it,
// one allocation instead of one per string; the strings of interned are
// not allocated at all.
type valueDecoder struct {
	scanner
	arena    []byte
	strs     []pendingString
	pairs    []pendingPair
	interned map[string]string
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

// strInto decodes a string value into *dst (once the line is done).
func (d *valueDecoder) strInto(dst *string) bool {
	v, ok := d.str()
	if ok {
		d.strs = append(d.strs, pendingString{dst, v})
	}
	return ok
}

// str reads a string value: escapes of one character are decoded; \u
// escapes, invalid UTF-8 (which encoding/json would replace) and anything
// but a string are left to encoding/json.
func (d *valueDecoder) str() (strRef, bool) {
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
				if s, ok := d.interned[string(raw)]; ok {
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
func (d *valueDecoder) unescape(raw []byte) (strRef, bool) {
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

// stringMap reads an object of strings into *m as encoding/json does: into
// the map already there, or a new one (even for {}).
func (d *valueDecoder) stringMap(m *map[string]string) bool {
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
