package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
)

// DefaultMaxMarks bounds the marks of the HTML timeline: past it requests are
// merged into bins, so a run of 100,000 or 1,000,000 requests still gives a
// page a browser opens at once.
const DefaultMaxMarks = 4000

// maxLevels bounds the rows of the plot; a real plan has a handful.
const maxLevels = 256

// Timeline gathers the marks of the HTML report's plot while a run file is
// read, in constant memory: one mark per request while there are at most
// MaxMarks requests, then bins of (concurrency, time bucket, outcome) whose
// bucket width doubles whenever the bins outgrow MaxMarks. The time range of
// a run is only known at its end, so the width starts small and grows.
type Timeline struct {
	start    time.Time
	maxMarks int
	requests int
	last     time.Duration // latest start seen, since start
	levels   map[int]bool

	points []point // while not binned
	binned bool
	width  time.Duration // bucket width once binned
	bins   map[binKey]*bin
}

// point is one request as the plot shows it.
type point struct {
	at        time.Duration
	c         int
	seq       int64
	outcome   classify.Outcome
	status    int
	errorType string
	requestID string
	idSource  string
}

// binKey groups by outcome class rather than outcome, so that a damaged
// file with made-up outcomes cannot multiply the bins.
type binKey struct {
	c      int
	bucket int64
	class  int
}

// bin is requests merged into one mark, with the first one as the example
// its title shows.
type bin struct {
	count int
	first point
}

// NewTimeline starts a plot of a run that started at start, drawing at most
// maxMarks marks (DefaultMaxMarks if maxMarks < 1).
func NewTimeline(start time.Time, maxMarks int) *Timeline {
	if maxMarks < 1 {
		maxMarks = DefaultMaxMarks
	}
	return &Timeline{start: start, maxMarks: maxMarks, levels: map[int]bool{}}
}

// AddLevel makes sure a concurrency level has a row, even without requests
// (a step the run never reached).
func (t *Timeline) AddLevel(c int) { t.levels[c] = true }

// Add plots one request.
func (t *Timeline) Add(r *runfile.Record) {
	// A header without a start time (a damaged file) leaves the first
	// request as the origin.
	if t.start.IsZero() {
		t.start = r.Started
	}
	at := max(0, r.Started.Sub(t.start))
	if r.Started.IsZero() {
		at = 0
	}
	p := point{
		at: at, c: r.Concurrency, seq: r.Seq, outcome: r.Outcome, status: r.Status,
		errorType: r.ErrorType, requestID: r.RequestID, idSource: r.RequestIDSource,
	}
	if !t.levels[r.Concurrency] && len(t.levels) >= maxLevels {
		return // a damaged file: more levels than a plan has
	}
	t.requests++
	t.last = max(t.last, at)
	t.levels[r.Concurrency] = true
	if !t.binned {
		t.points = append(t.points, p)
		if len(t.points) > t.maxMarks {
			t.toBins()
		}
		return
	}
	t.addToBin(p)
}

// Requests returns how many requests were plotted.
func (t *Timeline) Requests() int { return t.requests }

// Marks returns how many marks the plot draws: one per request, or one per bin.
func (t *Timeline) Marks() int {
	if t.binned {
		t.settle()
		return len(t.bins)
	}
	return len(t.points)
}

// minBinPixels is the narrowest a bin may be drawn: narrower bins only
// overlap, costing marks and bytes without showing more.
const minBinPixels = 10

// settle widens the bins, once the run's length is known, until each spans
// at least minBinPixels of the plot.
func (t *Timeline) settle() {
	for t.canWiden() && float64(t.width)*plotWidth < float64(t.last)*minBinPixels {
		t.widen()
	}
}

// Binned reports whether requests were merged into bins, and the bins' width.
func (t *Timeline) Binned() (bool, time.Duration) { return t.binned, t.width }

func (t *Timeline) toBins() {
	t.binned = true
	t.bins = map[binKey]*bin{}
	// Start at a width that spreads the requests so far over about half
	// the marks allowed, so the bins rarely need merging right away.
	t.width = time.Millisecond
	for t.last/t.width > time.Duration(t.maxMarks/2) {
		t.width *= 2
	}
	for _, p := range t.points {
		t.addToBin(p)
	}
	t.points = nil
}

func (t *Timeline) addToBin(p point) {
	k := binKey{p.c, int64(p.at / t.width), classIndex(classOf(p.outcome, p.status))}
	b := t.bins[k]
	if b == nil {
		b = &bin{first: p}
		t.bins[k] = b
	}
	b.count++
	if p.at < b.first.at {
		b.first = p
	}
	for len(t.bins) > t.maxMarks && t.canWiden() {
		t.widen()
	}
}

// canWiden reports whether doubling the width can merge anything: not once
// one bucket spans the whole run (or the width would overflow).
func (t *Timeline) canWiden() bool {
	return t.width <= t.last && t.width <= math.MaxInt64/2
}

// widen doubles the bucket width and merges the bins that now coincide.
func (t *Timeline) widen() {
	t.width *= 2
	old := t.bins
	t.bins = make(map[binKey]*bin, len(old))
	for k, b := range old {
		k.bucket /= 2
		if m := t.bins[k]; m != nil {
			m.count += b.count
			if b.first.at < m.first.at {
				m.first = b.first
			}
			continue
		}
		t.bins[k] = b
	}
}

// outcomeClass groups outcomes into what the plot tells apart by colour and shape.
type outcomeClass struct {
	Key   string // CSS class suffix
	Label string
	Shape string
}

var (
	classOK       = outcomeClass{"ok", "success", "circle"}
	classRefused  = outcomeClass{"refused", "403 refused", "cross"}
	classAuth     = outcomeClass{"auth", "401 key", "square"}
	classLimit    = outcomeClass{"limit", "429 rate limit", "triangle"}
	classServer   = outcomeClass{"server", "5xx / overloaded", "diamond"}
	classNetwork  = outcomeClass{"network", "no answer (network)", "ring"}
	classOther    = outcomeClass{"other", "other failure", "bar"}
	classCanceled = outcomeClass{"canceled", "canceled", "dot"}
	// classOrder is the legend's order and the bins' vertical order in a row.
	classOrder = []outcomeClass{classOK, classRefused, classAuth, classLimit, classServer, classNetwork, classOther, classCanceled}
)

func classOf(o classify.Outcome, status int) outcomeClass {
	switch {
	case o == classify.OutcomeOK:
		return classOK
	case status == 403 || o == classify.OutcomeChallenge:
		return classRefused
	case o == classify.OutcomeAuth || o == classify.OutcomeKeyNotReceived:
		return classAuth
	case o == classify.OutcomeRateLimit:
		return classLimit
	case o == classify.OutcomeOverloaded || o == classify.OutcomeServer:
		return classServer
	case o.IsNetwork():
		return classNetwork
	case o == classify.OutcomeCanceled || o == "":
		return classCanceled
	}
	return classOther
}

func classIndex(c outcomeClass) int {
	for i, o := range classOrder {
		if o == c {
			return i
		}
	}
	return len(classOrder)
}

// Plot geometry, in SVG user units.
const (
	plotLeft   = 64
	plotWidth  = 860
	plotTop    = 12
	minRowH    = 44
	maxRowH    = 160
	plotBottom = 36
)

// svgMark is one drawn mark.
type svgMark struct {
	Class string
	Path  string
	N     int
	Title string
}

// svgTick is an axis tick.
type svgTick struct {
	X, Y  float64
	Label string
}

// svgRow is one concurrency level's band.
type svgRow struct {
	Y, H, LabelY float64
	Label        string
}

// svgPlot is the timeline ready for the template.
type svgPlot struct {
	Width, Height float64
	PlotLeft      float64
	PlotRight     float64
	Top           float64
	AxisY         float64
	Rows          []svgRow
	Ticks         []svgTick
	Marks         []svgMark
	Requests      int
	Binned        bool
	BinNote       string
	Legend        []legendItem
}

type legendItem struct {
	Class string
	Label string
	Path  string
	Count int
}

// plot lays the timeline out as SVG.
func (t *Timeline) plot() svgPlot {
	p := svgPlot{
		Width:    plotLeft + plotWidth + 16,
		PlotLeft: plotLeft, PlotRight: plotLeft + plotWidth, Top: plotTop,
		Requests: t.requests,
	}
	slotOf := t.classSlots()
	geo := t.layRows(&p, len(slotOf))
	if t.binned {
		t.settle()
	}
	x := t.layAxis(&p)
	counts := map[outcomeClass]int{}
	if t.binned {
		t.binMarks(&p, geo, slotOf, x, counts)
	} else {
		t.pointMarks(&p, geo, x, counts)
	}
	for _, cl := range classOrder {
		if counts[cl] == 0 {
			continue
		}
		p.Legend = append(p.Legend, legendItem{Class: "o-" + cl.Key, Label: cl.Label, Path: shapePath(cl.Shape, 8, 8, 4.5), Count: counts[cl]})
	}
	return p
}

// classSlots numbers the outcome classes the run has, in classOrder: bins
// of one time bucket are stacked by class within their row, over only the
// classes present.
func (t *Timeline) classSlots() map[int]int {
	present := map[int]bool{}
	if t.binned {
		for k := range t.bins {
			present[k.class] = true
		}
	}
	slotOf := map[int]int{}
	for i := range classOrder {
		if present[i] {
			slotOf[i] = len(slotOf)
		}
	}
	return slotOf
}

// rowGeom is where a concurrency level's row lies: its top and height.
type rowGeom struct{ top, h float64 }

// layRows adds a row per concurrency level to p, the highest on top as on
// a chart of load, and sets the axis and plot height below them. A row is
// tall enough to spread its requests (one slot per worker) or its classes.
func (t *Timeline) layRows(p *svgPlot, classes int) map[int]rowGeom {
	levels := slices.Sorted(maps.Keys(t.levels))
	geo := map[int]rowGeom{}
	y := float64(plotTop)
	for i := len(levels) - 1; i >= 0; i-- {
		c := levels[i]
		h := float64(8*c + 12)
		if t.binned {
			h = float64(16*classes + 12)
		}
		h = min(max(h, minRowH), maxRowH)
		geo[c] = rowGeom{y, h}
		p.Rows = append(p.Rows, svgRow{Y: y, H: h, LabelY: y + h/2 + 4, Label: fmt.Sprintf("c=%d", c)})
		y += h
	}
	if len(levels) == 0 {
		y += minRowH
	}
	p.AxisY = y
	p.Height = p.AxisY + plotBottom
	return geo
}

// layAxis adds the time ticks to p and returns where a moment of the run
// falls on the x axis.
func (t *Timeline) layAxis(p *svgPlot) func(time.Duration) float64 {
	span := t.last
	if t.binned {
		span = max(span, t.width*time.Duration(int64(t.last/t.width)+1))
	}
	if span <= 0 {
		span = time.Millisecond
	}
	step := tickStep(span)
	// Counted, not summed, so that no span can overflow the loop.
	for i := int64(0); i <= int64(span/step) && i <= 20; i++ {
		at := step * time.Duration(i)
		p.Ticks = append(p.Ticks, svgTick{X: plotLeft + plotWidth*float64(at)/float64(span), Y: p.AxisY, Label: formatSeconds(at, step)})
	}
	return func(at time.Duration) float64 { return plotLeft + plotWidth*float64(at)/float64(span) }
}

// pointMarks adds one mark per request to p, counting them by class.
func (t *Timeline) pointMarks(p *svgPlot, geo map[int]rowGeom, x func(time.Duration) float64, counts map[outcomeClass]int) {
	for _, pt := range t.points {
		cl := classOf(pt.outcome, pt.status)
		counts[cl]++
		// Requests of one step start together; spreading them over the
		// band by worker slot keeps them from hiding each other.
		slots := max(1, pt.c)
		slot := int(pt.seq % int64(slots))
		if pt.seq < 0 {
			slot = 0
		}
		g := geo[pt.c]
		y := g.top + 6 + (g.h-12)*(float64(slot)+0.5)/float64(slots)
		p.Marks = append(p.Marks, svgMark{
			Class: "mark o-" + cl.Key, Path: shapePath(cl.Shape, x(pt.at), y, 3.5), N: 1,
			Title: pointTitle(pt),
		})
	}
}

// binMarks adds one mark per bin to p, in time order, counting the
// requests by class.
func (t *Timeline) binMarks(p *svgPlot, geo map[int]rowGeom, slotOf map[int]int, x func(time.Duration) float64, counts map[outcomeClass]int) {
	keys := slices.SortedFunc(maps.Keys(t.bins), func(a, b binKey) int {
		return cmp.Or(cmp.Compare(a.bucket, b.bucket), cmp.Compare(a.c, b.c), cmp.Compare(a.class, b.class))
	})
	for _, k := range keys {
		b := t.bins[k]
		cl := classOrder[k.class]
		counts[cl] += b.count
		g := geo[k.c]
		y := g.top + 6 + (g.h-12)*(float64(slotOf[k.class])+0.5)/float64(len(slotOf))
		at := t.width*time.Duration(k.bucket) + t.width/2
		p.Marks = append(p.Marks, svgMark{
			Class: "mark o-" + cl.Key, Path: shapePath(cl.Shape, x(at), y, binRadius(b.count)), N: b.count,
			Title: binTitle(k, b, t.width),
		})
	}
	p.Binned = true
	p.BinNote = fmt.Sprintf("%d requests drawn as %d marks: requests at the same concurrency with the same outcome that started within the same %s are merged into one mark, larger the more it holds; its title says how many.",
		t.requests, len(t.bins), t.width)
}

func pointTitle(pt point) string {
	var b strings.Builder
	fmt.Fprintf(&b, "c=%d, #%d at %s: ", pt.c, pt.seq, formatSeconds(pt.at, time.Millisecond))
	b.WriteString(describeAnswer(pt))
	return b.String()
}

func binTitle(k binKey, b *bin, width time.Duration) string {
	from := width * time.Duration(k.bucket)
	var s strings.Builder
	fmt.Fprintf(&s, "c=%d, %s to %s: %d× %s", k.c, formatSeconds(from, time.Millisecond), formatSeconds(from+width, time.Millisecond), b.count, classOrder[k.class].Label)
	if b.count > 1 {
		s.WriteString(", the first: ")
	} else {
		s.WriteString(": ")
	}
	s.WriteString(describeAnswer(b.first))
	return s.String()
}

// describeAnswer is what a mark's title says of a request: status, error
// type or outcome, and its id.
func describeAnswer(pt point) string {
	var parts []string
	if pt.status != 0 {
		parts = append(parts, fmt.Sprint(pt.status))
	}
	if pt.errorType != "" {
		parts = append(parts, pt.errorType)
	} else {
		parts = append(parts, string(pt.outcome))
	}
	switch {
	case pt.requestID == "":
	case pt.idSource == classify.IDFromCFRay:
		parts = append(parts, "cf-ray "+pt.requestID+" (edge answer, no request id)")
	default:
		parts = append(parts, "request id "+pt.requestID)
	}
	return strings.Join(parts, " · ")
}

// binRadius grows a bin's mark with the log of its count, up to what fits
// in a bin minBinPixels wide.
func binRadius(n int) float64 {
	r := 2.5
	for m := n; m > 1 && r < minBinPixels/2; m /= 4 {
		r += 0.5
	}
	return r
}

// shapePath draws a mark centred on (x, y) with radius r as SVG path data.
func shapePath(shape string, x, y, r float64) string {
	f := func(v float64) string { return trimFloat(v) }
	switch shape {
	case "cross":
		d := r * 0.85
		return fmt.Sprintf("M%s %sL%s %sM%s %sL%s %s", f(x-d), f(y-d), f(x+d), f(y+d), f(x-d), f(y+d), f(x+d), f(y-d))
	case "square":
		d := r * 0.8
		return fmt.Sprintf("M%s %sh%sv%sh-%sz", f(x-d), f(y-d), f(2*d), f(2*d), f(2*d))
	case "triangle":
		return fmt.Sprintf("M%s %sL%s %sL%s %sz", f(x), f(y-r), f(x+r), f(y+r*0.8), f(x-r), f(y+r*0.8))
	case "diamond":
		return fmt.Sprintf("M%s %sL%s %sL%s %sL%s %sz", f(x), f(y-r), f(x+r), f(y), f(x), f(y+r), f(x-r), f(y))
	case "bar":
		return fmt.Sprintf("M%s %sh%sv%sh-%sz", f(x-r), f(y-r*0.35), f(2*r), f(r*0.7), f(2*r))
	case "dot":
		r *= 0.5
	}
	// circle, ring, dot: two arcs
	return fmt.Sprintf("M%s %sa%s %s 0 1 0 %s 0a%s %s 0 1 0 -%s 0", f(x-r), f(y), f(r), f(r), f(2*r), f(r), f(r), f(2*r))
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

// tickStep picks a round step (1, 2 or 5 times a power of ten) giving
// about 8 ticks over span.
func tickStep(span time.Duration) time.Duration {
	raw := span / 8
	for step := time.Millisecond; step < math.MaxInt64/50; step *= 10 {
		for _, m := range []time.Duration{1, 2, 5} {
			if step*m >= raw {
				return step * m
			}
		}
	}
	return max(raw, time.Millisecond)
}

// formatSeconds prints an offset in seconds with as many decimals as the
// resolution needs.
func formatSeconds(d, resolution time.Duration) string {
	s := d.Seconds()
	switch {
	case resolution >= time.Second:
		return fmt.Sprintf("%.0fs", s)
	case resolution >= 100*time.Millisecond:
		return fmt.Sprintf("%.1fs", s)
	case resolution >= 10*time.Millisecond:
		return fmt.Sprintf("%.2fs", s)
	}
	return fmt.Sprintf("%.3fs", s)
}
