// Package secret keeps the secrets probe sends out of everything it shows or
// stores: a Scrubber removes echoed keys (and any long slice of one) from
// server text, and small predicates and redactors cover header names, header
// values and URLs with passwords. It uses the standard library only, so every
// other package can depend on it.
package secret

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
)

// MinSlice is the shortest slice of a secret that Scrub removes on its own.
// Shorter secrets are removed only as whole matches: a slice of 4 or 5
// characters of a key is as likely to be an ordinary word ("api0", "error")
// as an echo, and would eat server messages people need to read.
const MinSlice = 8

// Marker replaces each run of secret text that Scrub removes.
const Marker = "[redacted]"

// Scrubber removes every secret probe knows it sent from text a server sent
// back. Build it once with New; it is safe for concurrent use afterwards. The
// zero Scrubber, and a nil *Scrubber, change nothing.
type Scrubber struct {
	// grams holds every MinSlice-byte window of every long secret form, as
	// a little-endian uint64, and bloom prefilters it: most text positions
	// are rejected by one multiply and one bit test, without a map lookup.
	grams map[uint64]struct{}
	bloom []uint64
	shift uint
	// short are forms of secrets shorter than MinSlice, matched whole.
	short  []string
	marker string
	// repeat is set when no marker is safe for these secrets and the empty
	// one is used: joining the text around a cut could then form a new
	// match, so Scrub runs until nothing changes.
	repeat bool
	// more lists secrets that appear while a run goes on (see Follow);
	// grown is the Scrubber for its latest list.
	more  func() []string
	grown atomic.Pointer[grownScrubber]
}

// grownScrubber is a Scrubber for the first n secrets more returned.
type grownScrubber struct {
	n int
	s *Scrubber
}

// Follow makes s also remove the secrets more returns, for credentials
// fetched while a run goes on (a Google access token, a refreshed AWS
// session). more is called on every Scrub, so it must be cheap and safe
// for concurrent use, and its list may only grow: a Scrubber is rebuilt
// only when the list's length changes. Call Follow before s is shared.
// It returns s.
func (s *Scrubber) Follow(more func() []string) *Scrubber {
	s.more = more
	return s
}

// later returns the Scrubber for what more lists now. Built from an
// append-only list, one of the same length covers the same secrets.
func (s *Scrubber) later() *Scrubber {
	list := s.more()
	g := s.grown.Load()
	if g == nil || g.n != len(list) {
		g = &grownScrubber{n: len(list), s: New(list...)}
		s.grown.Store(g)
	}
	return g.s
}

// New returns a Scrubber for secrets: keys, tokens, secret header values,
// URL passwords and cloud credentials. Empty strings are ignored. Besides each
// secret as given, it also removes the forms a server may echo it in:
// trimmed of spaces, URL query-, path- and userinfo-escaped, and JSON-escaped
// (with and without HTML escaping, with and without "\/").
func New(secrets ...string) *Scrubber {
	s := &Scrubber{}
	var long []string
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for _, f := range forms(sec) {
			if len(sec) < MinSlice || len(f) < MinSlice {
				s.short = appendNew(s.short, f)
			} else {
				long = appendNew(long, f)
			}
		}
	}
	s.index(long)
	s.marker, s.repeat = chooseMarker(long, s.short)
	return s
}

// forms lists the spellings of sec a server may send back.
func forms(sec string) []string {
	out := []string{sec}
	add := func(f string) {
		if f != "" {
			out = appendNew(out, f)
		}
	}
	add(strings.TrimSpace(sec))
	for _, f := range slices.Clone(out) {
		add(url.QueryEscape(f))
		add(url.PathEscape(f))
		add(strings.TrimPrefix(url.UserPassword("x", f).String(), "x:"))
		for _, html := range []bool{true, false} {
			j := jsonEscape(f, html)
			add(j)
			add(strings.ReplaceAll(j, "/", `\/`))
		}
	}
	return out
}

// jsonEscape returns f as it appears inside a JSON string.
func jsonEscape(f string, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(f); err != nil {
		return ""
	}
	out := strings.TrimSuffix(b.String(), "\n")
	return strings.TrimSuffix(strings.TrimPrefix(out, `"`), `"`)
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// index fills grams and a bloom filter of about 64 bits per gram, which
// keeps false positives near 1.5% while staying small enough for the cache.
func (s *Scrubber) index(long []string) {
	if len(long) == 0 {
		return
	}
	s.grams = make(map[uint64]struct{})
	for _, f := range long {
		for i := 0; i+MinSlice <= len(f); i++ {
			s.grams[load8(f, i)] = struct{}{}
		}
	}
	bits := uint(12)
	for 1<<bits < 64*len(s.grams) && bits < 24 {
		bits++
	}
	s.bloom = make([]uint64, 1<<bits/64)
	s.shift = 64 - bits
	for g := range s.grams {
		h := s.hash(g)
		s.bloom[h/64] |= 1 << (h % 64)
	}
}

func (s *Scrubber) hash(g uint64) uint64 { return (g * 0x9E3779B97F4A7C15) >> s.shift }

func load8(t string, i int) uint64 {
	_ = t[i+7]
	return uint64(t[i]) | uint64(t[i+1])<<8 | uint64(t[i+2])<<16 | uint64(t[i+3])<<24 |
		uint64(t[i+4])<<32 | uint64(t[i+5])<<40 | uint64(t[i+6])<<48 | uint64(t[i+7])<<56
}

// Scrub returns t with every occurrence of a secret, and every run of text
// made of slices of MinSlice or more bytes of one, replaced by one marker per
// run (Marker unless a secret contains it). Matching is case-sensitive, as
// keys are. Cuts never split a UTF-8 sequence, so valid UTF-8 stays valid;
// invalid UTF-8 is handled byte by byte. Text without secrets is returned as
// it is, without allocating.
func (s *Scrubber) Scrub(t string) string {
	if s == nil {
		return t
	}
	t = s.scrub(t)
	if s.more != nil {
		t = s.later().scrub(t)
	}
	return t
}

// scrub is Scrub for the secrets s was built with.
func (s *Scrubber) scrub(t string) string {
	if s.grams == nil && len(s.short) == 0 {
		return t
	}
	for {
		spans := s.find(t)
		if len(spans) == 0 {
			return t
		}
		t = s.replace(t, spans)
		if !s.repeat {
			return t
		}
	}
}

// span is a byte range [lo, hi) of text to remove.
type span struct{ lo, hi int }

// find returns the merged, sorted spans of t that hold secret text. It
// reads each byte once for the long secrets, keeping the last eight bytes
// in a register, and extends the current span while windows keep matching:
// this is what makes a long echo one marker.
func (s *Scrubber) find(t string) []span {
	var spans []span
	if s.grams != nil && len(t) >= MinSlice {
		g := load8(t, 0) << 8
		for i := 0; i+MinSlice <= len(t); i++ {
			g = g>>8 | uint64(t[i+MinSlice-1])<<56
			h := s.hash(g)
			if s.bloom[h/64]&(1<<(h%64)) == 0 {
				continue
			}
			if _, ok := s.grams[g]; !ok {
				continue
			}
			if n := len(spans); n > 0 && i <= spans[n-1].hi {
				spans[n-1].hi = i + MinSlice
			} else {
				spans = append(spans, span{i, i + MinSlice})
			}
		}
	}
	if len(s.short) == 0 {
		return spans
	}
	for _, f := range s.short {
		for i := 0; i < len(t); {
			j := strings.Index(t[i:], f)
			if j < 0 {
				break
			}
			spans = append(spans, span{i + j, i + j + len(f)})
			i += j + 1
		}
	}
	return merge(spans)
}

// merge sorts spans and joins those that overlap or touch.
func merge(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return a.lo - b.lo })
	out := spans[:0]
	for _, sp := range spans {
		if n := len(out); n > 0 && sp.lo <= out[n-1].hi {
			out[n-1].hi = max(out[n-1].hi, sp.hi)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// replace puts the marker in place of each span, widened to whole UTF-8
// sequences: a secret's byte window may start or end inside a character.
func (s *Scrubber) replace(t string, spans []span) string {
	var b strings.Builder
	b.Grow(len(t))
	last := 0
	for i, sp := range spans {
		lo, hi := sp.lo, sp.hi
		for k := 0; k < 3 && lo > 0 && continuation(t[lo]); k++ {
			lo--
		}
		for k := 0; k < 3 && hi < len(t) && continuation(t[hi]); k++ {
			hi++
		}
		if i > 0 && lo <= last { // widening joined it to the previous span
			last = max(last, hi)
			continue
		}
		b.WriteString(t[last:lo])
		b.WriteString(s.marker)
		last = hi
	}
	b.WriteString(t[last:])
	return b.String()
}

func continuation(c byte) bool { return c&0xC0 == 0x80 }
