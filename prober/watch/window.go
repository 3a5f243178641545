package watch

import "time"

// DefaultMaxAnswers caps the answers a target's window holds, whatever its
// length and interval, so memory stays flat.
const DefaultMaxAnswers = 10_000

// Answer is one request's result, as much as the window, the metrics and
// the verdict engine need.
type Answer struct {
	Time      time.Time
	Outcome   string
	Status    int
	Duration  time.Duration
	RequestID string
	Is403     bool
	Layer5    bool
	// Concurrency is the step the request was sent at (0: unknown).
	Concurrency int
	// ErrorType and Message are the API's error type and message, which the
	// verdict engine groups failures by; IDSource names the id's header.
	ErrorType string
	Message   string
	IDSource  string
}

// window is a ring buffer of the latest answers of one target, oldest first.
type window struct {
	span time.Duration
	buf  []Answer
	head int // index of the oldest answer
	n    int
}

func newWindow(span time.Duration, max int) *window {
	if max <= 0 {
		max = DefaultMaxAnswers
	}
	return &window{span: span, buf: make([]Answer, max)}
}

// add appends a, overwriting the oldest answer when full.
func (w *window) add(a Answer) {
	if w.n < len(w.buf) {
		w.buf[(w.head+w.n)%len(w.buf)] = a
		w.n++
		return
	}
	w.buf[w.head] = a
	w.head = (w.head + 1) % len(w.buf)
}

// since drops answers older than the span before now and returns a copy of
// the rest in time order.
func (w *window) since(now time.Time) []Answer {
	cut := now.Add(-w.span)
	for w.n > 0 && w.buf[w.head].Time.Before(cut) {
		w.buf[w.head] = Answer{}
		w.head = (w.head + 1) % len(w.buf)
		w.n--
	}
	out := make([]Answer, w.n)
	for i := range out {
		out[i] = w.buf[(w.head+i)%len(w.buf)]
	}
	return out
}
