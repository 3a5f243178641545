package clientconfig

import (
	"fmt"
	"strings"
)

// headerLine is one "Name: value" line of ANTHROPIC_CUSTOM_HEADERS.
type headerLine struct {
	name, value string
	bad         bool // no colon, or an empty name
}

// parseHeaders reads ANTHROPIC_CUSTOM_HEADERS: "Name: value" lines separated
// by newlines (https://code.claude.com/docs/en/env-vars).
func parseHeaders(raw string) []headerLine {
	var out []headerLine
	for _, line := range strings.Split(strings.ReplaceAll(raw, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		out = append(out, headerLine{name: name, value: strings.TrimSpace(value), bad: !ok || name == ""})
	}
	return out
}

// describeHeaders is the printable form of ANTHROPIC_CUSTOM_HEADERS: the
// header names only.
func describeHeaders(hs []headerLine) string {
	names := make([]string, 0, len(hs))
	for _, h := range hs {
		if h.bad {
			names = append(names, "(malformed line)")
			continue
		}
		names = append(names, h.name)
	}
	return "headers: " + strings.Join(names, ", ")
}

// headerValue shows a header's value unless its name looks secret or the
// value looks like a key.
func headerValue(h headerLine) string {
	if isSecretName(h.name) || looksLikeKey(h.value) || strings.HasPrefix(strings.ToLower(h.value), "bearer ") {
		return redact(h.value)
	}
	return h.value
}

// resolveHeaders records the custom headers Claude Code adds to every
// request; a gateway may read them, the Anthropic API ignores them.
func (l *loader) resolveHeaders() {
	o, ok := l.lookup("ANTHROPIC_CUSTOM_HEADERS")
	if !ok {
		return
	}
	l.cfg.headers = &secretBox{v: o.value}
	hs := parseHeaders(o.value)
	bad := 0
	for _, h := range hs {
		if h.bad {
			bad++
			continue
		}
		l.cfg.Headers = append(l.cfg.Headers, Header{Name: h.name, Value: headerValue(h), Source: o.source})
	}
	subject := "ANTHROPIC_CUSTOM_HEADERS (" + o.source + ")"
	l.cfg.add(SeverityInfo, subject,
		fmt.Sprintf("Claude Code adds custom headers to every request (%s); a gateway or proxy may act on them", describeHeaders(hs)),
		"Probe with the same headers (--as claude-code) to see whether they change the answer.")
	if bad > 0 {
		l.cfg.add(SeverityWarn, subject,
			fmt.Sprintf("%d line(s) of ANTHROPIC_CUSTOM_HEADERS are not \"Name: value\"", bad),
			"Write one \"Name: value\" per line, separated by newlines.")
	}
}
