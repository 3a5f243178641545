package engine

import (
	"context"
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/llm-probe/probe/prober/runfile"
)

// timing collects the phases of one request through net/http/httptrace, as
// hey's requester does. The hooks may run on dialer goroutines (happy
// eyeballs races two connects), hence the mutex.
//
// net/http finishes a dial even when the request that started it took
// another connection or gave up, and calls that request's hooks as it goes.
// So dial phases count only until the request has its connection
// (GotConn), and none count on a reused connection: what arrives later
// belongs to a dial this request did not use.
type timing struct {
	mu                 sync.Mutex
	dnsStart, dnsDone  time.Time
	connStart, connEnd time.Time
	tlsStart, tlsEnd   time.Time
	firstByte          time.Time
	reused             bool
	connected          bool       // GotConn has been called
	guard              *guardConn // the connection, when NewTransport dialled it
}

func (t *timing) trace() *httptrace.ClientTrace {
	dial := func(p *time.Time) {
		t.mu.Lock()
		if p.IsZero() && !t.connected {
			*p = time.Now()
		}
		t.mu.Unlock()
	}
	return &httptrace.ClientTrace{
		DNSStart:          func(httptrace.DNSStartInfo) { dial(&t.dnsStart) },
		DNSDone:           func(httptrace.DNSDoneInfo) { dial(&t.dnsDone) },
		ConnectStart:      func(string, string) { dial(&t.connStart) },
		ConnectDone:       func(string, string, error) { dial(&t.connEnd) },
		TLSHandshakeStart: func() { dial(&t.tlsStart) },
		TLSHandshakeDone:  func(tls.ConnectionState, error) { dial(&t.tlsEnd) },
		GotConn: func(info httptrace.GotConnInfo) {
			t.mu.Lock()
			t.reused, t.connected = info.Reused, true
			t.guard, _ = info.Conn.(*guardConn)
			t.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			t.mu.Lock()
			if t.firstByte.IsZero() {
				t.firstByte = time.Now()
			}
			t.mu.Unlock()
		},
	}
}

// reset clears t for the next request.
func (t *timing) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dnsStart, t.dnsDone = time.Time{}, time.Time{}
	t.connStart, t.connEnd = time.Time{}, time.Time{}
	t.tlsStart, t.tlsEnd = time.Time{}, time.Time{}
	t.firstByte, t.reused, t.connected = time.Time{}, false, false
	t.guard = nil
}

// fill writes the phase durations into r, and marks an answer that stray
// bytes followed; start is when the request was sent.
func (t *timing) fill(r *runfile.Record, start time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.reused {
		r.DNSMS = span(t.dnsStart, t.dnsDone)
		r.ConnectMS = span(t.connStart, t.connEnd)
		r.TLSMS = span(t.tlsStart, t.tlsEnd)
	}
	r.TTFBMS = span(start, t.firstByte)
	r.ConnReused = t.reused
	if t.guard != nil && t.guard.desynced() {
		// The answer is the server's; what followed it was not, and the
		// connection was dropped rather than read further.
		r.NetError = NetErrorDesync
	}
}

func span(from, to time.Time) float64 {
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return 0
	}
	return Millis(to.Sub(from))
}

// Millis is d in milliseconds, to the microsecond, as records keep durations.
func Millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func withTrace(ctx context.Context, t *timing) context.Context {
	return httptrace.WithClientTrace(ctx, t.trace())
}
