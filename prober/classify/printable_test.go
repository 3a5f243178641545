package classify

import "testing"

// TestPrintableEscapesInvisible: bidi controls and zero-width characters
// reach no terminal, ticket, CSV or HTML as themselves.
func TestPrintableEscapesInvisible(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"lre", "a\u202ab", `a\u202ab`},
		{"rlo", "a\u202eb", `a\u202eb`},
		{"lri", "a\u2066b", `a\u2066b`},
		{"pdi", "a\u2069b", `a\u2069b`},
		{"zwsp", "a\u200bb", `a\u200bb`},
		{"rlm", "a\u200fb", `a\u200fb`},
		{"arabic letter mark", "a\u061cb", `a\u061cb`},
		{"bom", "\ufeffab", `\ufeffab`},
		{"accents stay", "café ñ", "café ñ"},
		{"cjk stays", "拒否", "拒否"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := Printable(c.in, 100); got != c.want {
				t.Errorf("Printable(%q) = %q; want %q", c.in, got, c.want)
			}
		})
	}
}
