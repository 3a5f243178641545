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
// It is only used on a TTY; piped output gets nothing.
type Progress struct {
	w       io.Writer
	color   bool
	label   string
	marks   strings.Builder
	n, fail int
	active  bool
}

// NewProgress draws on w (stderr), with colour unless color is false.
func NewProgress(w io.Writer, color bool) *Progress {
	return &Progress{w: w, color: color}
}

// Batch starts a new line for a batch of requests at one step.
func (p *Progress) Batch(c, round int) {
	p.end()
	p.label = fmt.Sprintf("c=%-4d", c)
	if round > 0 {
		p.label = fmt.Sprintf("c=%-4d+", c)
	}
	p.marks.Reset()
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
	if p.n <= maxMarks {
		p.marks.WriteString(p.paint(o))
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
	extra := ""
	if p.n > maxMarks {
		extra = fmt.Sprintf(" … %d answered, %d failed", p.n, p.fail)
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s %s%s", p.label, p.marks.String(), extra)
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
