package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
)

// maxMarks bounds the strip of one line; past it the line shows counts, so a
// long step does not wrap the terminal.
const maxMarks = 60

// Progress draws the live view of a ramp on a terminal: one line per step,
// a strip of outcome marks that grows as answers arrive, e.g.
//
//	c=5   ✓✓✗✓✗✗✓
//
// Every line is fitted to the terminal's width, so it is rewritten in place
// instead of wrapping into the scrollback. It is only used on a terminal
// that takes cursor control; piped output gets nothing.
type Progress struct {
	w       io.Writer
	color   bool
	width   int
	label   string
	marks   []classify.Outcome
	n, fail int
	active  bool
}

// NewProgress draws on w (stderr), with colour unless color is false, in
// lines that fit width columns (0: unknown, at most maxMarks marks a line).
func NewProgress(w io.Writer, color bool, width int) *Progress {
	return &Progress{w: w, color: color, width: width}
}

// legend explains the marks, in the order of how often they are seen.
var legend = []struct{ o classify.Outcome }{
	{classify.OutcomeOK}, {classify.OutcomePermission}, {classify.OutcomeAuth}, {classify.OutcomeRateLimit}, {classify.OutcomeServer},
}

// Legend prints one line that says what the marks mean, cut to the width.
func (p *Progress) Legend() {
	names := []string{"ok", "refused", "auth", "429", "5xx/529"}
	parts := make([]string, 0, len(legend)+1)
	for i, l := range legend {
		parts = append(parts, p.paint(l.o)+" "+names[i])
	}
	parts = append(parts, "· network")
	plain := make([]string, 0, len(parts))
	for i, l := range legend {
		plain = append(plain, l.o.Mark()+" "+names[i])
	}
	plain = append(plain, "· network")
	// Colour escapes take no columns: fit the plain text, and print the
	// coloured one only when it is whole.
	line := strings.Join(plain, "  ")
	if fits(columns(line), p.width) {
		line = strings.Join(parts, "  ")
	} else {
		line = cut(line, p.width)
	}
	fmt.Fprintln(p.w, line)
}

// Batch starts a new line for a batch of requests at one step.
func (p *Progress) Batch(c, round int) {
	p.end()
	p.label = fmt.Sprintf("c=%-4d", c)
	if round > 0 {
		p.label = fmt.Sprintf("c=%-4d+", c)
	}
	p.marks = p.marks[:0]
	p.n, p.fail = 0, 0
	p.active = true
	p.draw()
}

// Add shows one answer.
func (p *Progress) Add(o classify.Outcome) {
	p.n++
	if o != classify.OutcomeOK {
		p.fail++
	}
	if len(p.marks) < maxMarks {
		p.marks = append(p.marks, o)
	}
	p.draw()
}

// Notice prints a message on its own line without breaking the strip.
func (p *Progress) Notice(msg string) {
	if p.active {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	fmt.Fprintf(p.w, "probe: %s\n", msg)
	if p.active {
		p.draw()
	}
}

// Done ends the last line.
func (p *Progress) Done() { p.end() }

func (p *Progress) end() {
	if p.active {
		fmt.Fprintln(p.w)
		p.active = false
	}
}

func (p *Progress) draw() {
	fmt.Fprintf(p.w, "\r\x1b[K%s", p.line())
}

// line is the current strip, fitted to the width: as many marks as fit, and
// the counts once some marks are not shown.
func (p *Progress) line() string {
	head := p.label + " "
	shown, extra := len(p.marks), ""
	if p.n > shown {
		extra = fmt.Sprintf(" … %d answered, %d failed", p.n, p.fail)
	}
	if p.width > 0 {
		room := p.width - 1 - columns(head)
		if shown > room-columns(extra) && extra == "" {
			extra = fmt.Sprintf(" … %d answered, %d failed", p.n, p.fail)
		}
		if columns(extra) > room {
			extra = fmt.Sprintf(" %d/%d✗", p.n, p.fail)
		}
		shown = max(0, min(shown, room-columns(extra)))
	}
	var b strings.Builder
	b.WriteString(head)
	for _, o := range p.marks[:shown] {
		b.WriteString(p.paint(o))
	}
	b.WriteString(extra)
	return b.String()
}

func (p *Progress) paint(o classify.Outcome) string {
	m := o.Mark()
	if !p.color {
		return m
	}
	switch {
	case o == classify.OutcomeOK:
		return "\x1b[32m" + m + "\x1b[0m"
	case o == classify.OutcomeRateLimit || o == classify.OutcomeOverloaded || o == classify.OutcomeServer:
		return "\x1b[33m" + m + "\x1b[0m"
	case o.IsNetwork():
		return "\x1b[90m" + m + "\x1b[0m"
	}
	return "\x1b[31m" + m + "\x1b[0m"
}
