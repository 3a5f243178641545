package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestMarkdownInert: server text enters the ticket as text, never as
// Markdown (links, images, HTML, emphasis, code, headings, nested lists).
func TestMarkdownInert(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"link", "[click](https://evil.example)", `\[click\](https://evil.example)`},
		{"image", "![x](https://evil.example/p.png)", `\!\[x\](https://evil.example/p.png)`},
		{"html", "<img src=x onerror=alert(1)>", `\<img src=x onerror=alert(1)\>`},
		{"emphasis", "**bold** *it*", `\*\*bold\*\* \*it\*`},
		{"underscore emphasis", "_it_ and __b__", `\_it\_ and \_\_b\_\_`},
		{"id keeps underscore", "req_011CXyz", "req_011CXyz"},
		{"code", "`rm -rf`", "\\`rm -rf\\`"},
		{"entity", "&lt;b&gt;", `\&lt;b\&gt;`},
		{"strike", "~~gone~~", `\~\~gone\~\~`},
		{"heading", "# Approved", `\# Approved`},
		{"newline", "a\nb\r\nc", `a\nb\nc`},
		{"plain", "Permission denied", "Permission denied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := mdInert(c.in); got != c.want {
				t.Errorf("mdInert(%q) = %q; want %q", c.in, got, c.want)
			}
		})
	}
}

// TestMarkdownListItemsStayFlat: a line that starts like a list marker
// does not open a nested list.
func TestMarkdownListItemsStayFlat(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"dash", "- injected", `- \- injected`},
		{"plus", "+ injected", `- \+ injected`},
		{"ordered", "1. injected", `- 1\. injected`},
		{"ordered paren", "12) injected", `- 12\) injected`},
		{"hyphenated word", "-x stays", "- -x stays"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			mdList(&b, "T", []string{c.in})
			if got := strings.Split(b.String(), "\n")[2]; got != c.want {
				t.Errorf("mdList(%q) line = %q; want %q", c.in, got, c.want)
			}
		})
	}
}
