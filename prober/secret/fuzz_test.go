package secret

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// naiveScrub is Scrub written the slow, obvious way: every window of t is
// compared with every form by strings.Contains. FuzzScrub checks that the
// indexed scan finds exactly the same spans.
func naiveScrub(s *Scrubber, secrets []string, t string) string {
	var long, short []string
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for _, f := range forms(sec) {
			if len(sec) < MinSlice || len(f) < MinSlice {
				short = append(short, f)
			} else {
				long = append(long, f)
			}
		}
	}
	for {
		covered := make([]bool, len(t))
		for j := 0; j+MinSlice <= len(t); j++ {
			for _, f := range long {
				if strings.Contains(f, t[j:j+MinSlice]) {
					for k := j; k < j+MinSlice; k++ {
						covered[k] = true
					}
				}
			}
		}
		for _, f := range short {
			for j := 0; j+len(f) <= len(t); j++ {
				if t[j:j+len(f)] == f {
					for k := j; k < j+len(f); k++ {
						covered[k] = true
					}
				}
			}
		}
		var spans []span
		for k, c := range covered {
			switch {
			case !c:
			case len(spans) > 0 && spans[len(spans)-1].hi == k:
				spans[len(spans)-1].hi = k + 1
			default:
				spans = append(spans, span{k, k + 1})
			}
		}
		if len(spans) == 0 {
			return t
		}
		t = s.replace(t, spans)
		if !s.repeat {
			return t
		}
	}
}

// FuzzScrub embeds a slice of a random secret in random text. Scrub must
// agree with naiveScrub, leave no MinSlice-byte slice (or, for a short
// secret, no whole copy) of either secret, keep valid UTF-8 valid, and
// return text without secret slices unchanged.
func FuzzScrub(f *testing.F) {
	f.Add(testKey, "AKIAZZZZEXAMPLE00001", "error: key ", " is not valid here", 3, 40)
	f.Add("pw12", "ключ-секрет-пароль", "«", "»", 3, 15)
	f.Add("abredactedcd", "a", "say redacted ", "", 0, 12)
	f.Add("tok/en+with=odd&chars", "x\"y<z>\\w", "?k=", "&", 0, 100)
	f.Fuzz(func(t *testing.T, sec1, sec2, before, after string, from, n int) {
		if len(sec1)+len(sec2)+len(before)+len(after) > 600 {
			t.Skip("the naive reference is quadratic")
		}
		from = clamp(from, len(sec1))
		n = clamp(n, len(sec1)-from)
		in := before + sec1[from:from+n] + after
		s := New(sec1, sec2)
		got := s.Scrub(in)
		if want := naiveScrub(s, []string{sec1, sec2}, in); got != want {
			t.Fatalf("Scrub(%q) = %q; the naive scan gives %q", in, got, want)
		}
		assertNoSlice(t, got, sec1)
		assertNoSlice(t, got, sec2)
		if utf8.ValidString(in) && !utf8.ValidString(got) {
			t.Fatalf("Scrub(%q) = %q; not valid UTF-8", in, got)
		}
		if len(s.find(in)) == 0 && got != in {
			t.Fatalf("Scrub(%q) = %q; want it unchanged, nothing matched", in, got)
		}
	})
}

func clamp(v, hi int) int {
	if hi <= 0 {
		return 0
	}
	if v < 0 {
		v = -v
	}
	if v < 0 { // the most negative int
		return 0
	}
	return v % (hi + 1)
}
