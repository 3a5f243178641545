package secret

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// hidden stands for a URL password, as in url.URL.Redacted.
const hidden = "xxxxx"

// RedactURL returns text with the password of every URL in it replaced by
// "xxxxx", as url.URL.Redacted does, but for any text: a bare URL, an
// environment value such as HTTPS_PROXY without a scheme
// ("user:pw@proxy:3128"), or an error message quoting a URL. It works on
// URLs url.Parse rejects too (an unknown scheme, a bad escape, a password
// with a '/'): there it takes the userinfo to end at the last '@' of the
// word, which may hide a little more than the password but never less.
// User names are kept.
func RedactURL(text string) string { return redactText(text, nil) }

// Passwords returns every URL password in text that RedactURL would hide,
// each as written and, when it differs, percent-decoded: what a Scrubber
// needs for a base URL or proxy setting it did not parse itself.
func Passwords(text string) []string {
	var out []string
	redactText(text, func(pw string) {
		out = appendNew(out, pw)
		if dec, err := url.PathUnescape(pw); err == nil {
			out = appendNew(out, dec)
		}
	})
	return out
}

// redactText hides URL passwords in text, telling seen (if not nil) each.
func redactText(text string, seen func(string)) string {
	var b strings.Builder
	changed := false
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && !isDelim(text[j]) {
			j++
		}
		word := redactWord(text[i:j], seen)
		changed = changed || word != text[i:j]
		b.WriteString(word)
		k := j
		for k < len(text) && isDelim(text[k]) {
			k++
		}
		b.WriteString(text[j:k])
		i = k
	}
	if !changed {
		return text
	}
	return b.String()
}

// isDelim ends a word: white space, and the quotes and brackets that
// surround a URL in error messages, logs and Markdown.
func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f', '"', '\'', '`', '<', '>':
		return true
	}
	return false
}

// redactWord hides the password of each URL in one word.
func redactWord(w string, seen func(string)) string {
	i := strings.Index(w, "://")
	if i < 0 {
		return redactSchemeless(w, seen)
	}
	var b strings.Builder
	for i >= 0 {
		start := i + len("://")
		end := len(w)
		if next := strings.Index(w[start:], "://"); next >= 0 {
			end = start + next
		}
		b.WriteString(w[:start])
		seg := w[start:end]
		if _, err := url.Parse(w[:end]); err == nil {
			// A URL Go accepts: its userinfo is inside its authority,
			// so an '@' in the path or query is not a password's end.
			if a := strings.IndexAny(seg, "/?#"); a >= 0 {
				b.WriteString(hidePassword(seg[:a], seen))
				seg = seg[a:]
			}
		}
		b.WriteString(hidePassword(seg, seen))
		w = w[end:]
		if i = strings.Index(w, "://"); i < 0 {
			b.WriteString(w)
		}
	}
	return b.String()
}

// redactSchemeless hides the password of "user:pw@host", the form proxy
// variables accept without a scheme. "mailto:" is an address, not a user.
func redactSchemeless(w string, seen func(string)) string {
	if strings.HasPrefix(strings.ToLower(w), "mailto:") {
		return w
	}
	return hidePassword(w, seen)
}

// hidePassword replaces the password of "user:pw@rest": the userinfo ends
// at the last '@', the password starts after its first ':'.
func hidePassword(s string, seen func(string)) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	c := strings.IndexByte(s[:at], ':')
	if c < 0 || c+1 == at {
		return s
	}
	if seen != nil {
		seen(s[c+1 : at])
	}
	return s[:c+1] + hidden + s[at:]
}

// RedactError returns err's message fit to show: the password of every URL
// in it hidden, including the URL of each *url.Error in its chain even when
// the URL holds spaces or quotes, and then every secret s knows scrubbed. s
// may be nil. A nil error gives "".
func RedactError(err error, s *Scrubber) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		var ue *url.Error
		if !errors.As(e, &ue) || ue.URL == "" {
			break
		}
		red := redactWord(ue.URL, nil)
		msg = strings.ReplaceAll(msg, strconv.Quote(ue.URL), strconv.Quote(red))
		msg = strings.ReplaceAll(msg, ue.URL, red)
		e = ue
	}
	return s.Scrub(RedactURL(msg))
}
