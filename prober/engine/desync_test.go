package engine

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
)

// fake200 is what a desyncing server appends to each answer: a complete
// success that no request asked for.
const fake200 = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"

const desync403 = `{"type":"error","error":{"type":"permission_error","message":"Permission denied"}}`

// TestDesync: a server that sends bytes after the end of each 403 (a whole
// "200 OK" answer) must never have those bytes read as the next request's
// answer. The server answers every request it reads with a 403 and counts
// them; every record must be that 403 (or a transport failure), and there
// must be one record per request the server saw.
func TestDesync(t *testing.T) {
	t.Parallel()
	answer403 := func(w io.Writer) {
		fmt.Fprintf(w, "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(desync403), desync403)
	}
	tests := []struct {
		name   string
		answer func(w *bufio.Writer, nth int) // nth: the answer's number on its connection, from 1
		rate   float64                        // the plan's rate; 0 for none
		marked bool                           // some record must say net_error desync
		fakes  int                            // the most 200s that may be recorded
	}{
		{"content-length, same segment", func(w *bufio.Writer, _ int) {
			answer403(w)
			fmt.Fprint(w, fake200)
		}, 0, true, 0},
		{"chunked, same segment", func(w *bufio.Writer, _ int) {
			fmt.Fprintf(w, "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n%s", len(desync403), desync403, fake200)
		}, 0, true, 0},
		{"chunked with trailer, after a 100 Continue", func(w *bufio.Writer, _ int) {
			fmt.Fprintf(w, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n%s\r\n%x;ext=1\r\n%s\r\n0\r\nX-Trailer: t\r\n\r\n%s", desync403[:5], len(desync403)-5, desync403[5:], fake200)
		}, 0, true, 0},
		{"stray after clean answers on a reused connection", func(w *bufio.Writer, nth int) {
			answer403(w)
			if nth == 3 {
				fmt.Fprint(w, fake200)
			}
		}, 0, true, 0},
		{"stray bytes on the idle connection", func(w *bufio.Writer, _ int) {
			answer403(w)
			_ = w.Flush()
			time.Sleep(5 * time.Millisecond)
			fmt.Fprint(w, fake200)
			// At 5 requests a second the stray bytes come 5 ms into a
			// 200 ms idle gap: a loaded machine must be 40 times slower
			// before they could meet the next request.
		}, 5, false, 0},
		{"stray bytes after the next request was written", func(w *bufio.Writer, nth int) {
			// The server sends the stray answer only once it has read the
			// next request, so no client can tell it from that request's
			// answer: one may be taken. The real answer behind it shows
			// the desync; after that no connection is reused. (A server
			// that delays each stray answer until the next request has
			// gone, and its real answer after the one after that, cannot
			// be caught by any client: only not reusing connections would.)
			if nth > 1 {
				fmt.Fprint(w, fake200)
			}
			answer403(w)
		}, 0, true, 1},
	}
	// Over https the guard follows the plaintext above TLS: the server
	// writes each answer in one go, hence in one TLS record.
	for _, scheme := range []string{"http", "https"} {
		for _, tt := range tests {
			t.Run(scheme+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				var seen atomic.Int64
				serve := func(c net.Conn) { serveDesync(c, &seen, tt.answer) }
				var recs []*runfile.Record
				if scheme == "https" {
					addr, roots := rawTLSServer(t, serve)
					recs = runDesync(t, "https://"+addr, roots, 12, tt.rate)
				} else {
					recs = runDesync(t, "http://"+rawServer(t, serve), nil, 12, tt.rate)
				}
				checkDesync(t, recs, &seen, tt.marked, tt.fakes)
			})
		}
	}
}

// checkDesync checks the records of a desyncing server's run: one per
// request the server saw (besides those not sent), each the 403 it sent
// or a transport failure, at least one marked desync when marked, and at
// most maxFakes of them a 200 the server never sent for them.
func checkDesync(t *testing.T, recs []*runfile.Record, seen *atomic.Int64, marked bool, maxFakes int) {
	t.Helper()
	// A request found stray bytes waiting on its connection is
	// recorded as not sent.
	notSent := 0
	for _, r := range recs {
		if r.Message == errStrayBeforeRequest.Error() {
			notSent++
		}
	}
	// The last request may have been answered by stray bytes
	// before the server read it: give the server time to catch up.
	want := int64(len(recs) - notSent)
	for deadline := time.Now().Add(2 * time.Second); seen.Load() < want && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if got := seen.Load(); got != want {
		t.Errorf("the server saw %d requests; probe recorded %d, %d of them not sent", got, len(recs), notSent)
	}
	desynced, fakes := 0, 0
	for i, r := range recs {
		if r.Status == http.StatusOK {
			fakes++
			continue
		}
		if r.Status != 0 && r.Status != http.StatusForbidden {
			t.Errorf("record %d: status %d (%s); the server only sent 403s", i, r.Status, r.Outcome)
		}
		if r.Status == 0 && !r.Outcome.IsNetwork() {
			t.Errorf("record %d: no status and outcome %s; want a transport failure", i, r.Outcome)
		}
		if r.NetError == NetErrorDesync {
			desynced++
		}
	}
	if fakes > maxFakes {
		t.Errorf("%d records of a 200 the server never sent for them; want at most %d", fakes, maxFakes)
	}
	if marked && desynced == 0 {
		t.Errorf("no record marked net_error %q", NetErrorDesync)
	}
}

// serveDesync answers each request read from c with answer, counting them.
func serveDesync(c net.Conn, seen *atomic.Int64, answer func(*bufio.Writer, int)) {
	br := bufio.NewReader(c)
	bw := bufio.NewWriter(c)
	for nth := 1; ; nth++ {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		seen.Add(1)
		answer(bw, nth)
		if bw.Flush() != nil {
			return
		}
	}
}

// runDesync sends n requests at concurrency 1 (at most rate a second) to
// base through NewTransport, trusting roots (nil: the system's).
func runDesync(t *testing.T, base string, roots *x509.CertPool, n int, rate float64) []*runfile.Record {
	t.Helper()
	tr := NewTransport(1, nil)
	if roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	t.Cleanup(tr.CloseIdleConnections)
	var recs []*runfile.Record
	e := &Engine{
		Transport: tr,
		Target:    target.Target{BaseURL: mustBase(t, base), Model: provider.DefaultModel, Key: keys.NewKey("sk-ant-api03-DESYNCtestKEY-0000000000000000", "test", provider.APIKey)},
		Plan:      target.Plan{Steps: []target.Step{{Concurrency: 1, Requests: n}}, Rate: rate, MaxRequests: n, Timeout: target.Duration(2 * time.Second), MaxWait: target.Duration(time.Second)},
		Sink:      collect(&recs),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := e.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(recs) != n {
		t.Fatalf("%d records; want %d", len(recs), n)
	}
	return recs
}

// TestFraming feeds answers to framing whole and split at every byte: the
// end it finds must be the same however the bytes arrive.
func TestFraming(t *testing.T) {
	t.Parallel()
	const tail = "HTTP/1.1 200 OK\r\n\r\n"
	tests := []struct {
		name   string
		head   bool   // the request was HEAD
		answer string // one request's answers; tail follows
		broken bool   // framing the guard gives up on
	}{
		{"content-length", false, "HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nabc", false},
		{"content-length zero", false, "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", false},
		{"repeated equal content-length", false, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", false},
		{"bare LF lines", false, "HTTP/1.1 200 OK\nContent-Length: 2\n\n{}", false},
		{"chunked", false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nA;x=y\r\n0123456789\r\n0\r\n\r\n", false},
		{"chunked over content-length", false, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: Chunked\r\n\r\n1\r\nz\r\n0\r\nT: v\r\n\r\n", false},
		{"interim answers", false, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", false},
		{"204 has no body", false, "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", false},
		{"304 has no body", false, "HTTP/1.1 304 Not Modified\r\n\r\n", false},
		{"HEAD has no body", true, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false},
		{"body to the close", false, "HTTP/1.1 200 OK\r\n\r\nall of it", true},
		{"HTTP/1.0", false, "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", true},
		{"differing content-lengths", false, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy", true},
		{"bad content-length", false, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", true},
		{"gzip transfer-encoding", false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", true},
		{"bad chunk size", false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true},
		{"chunk without its CRLF", false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n", true},
		{"switching protocols", false, "HTTP/1.1 101 Switching Protocols\r\n\r\n", true},
		{"not HTTP", false, "\x16\x03\x01\x00", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := []byte(tt.answer + tail)
			for split := 0; split < len(b); split++ {
				f := framing{head: tt.head}
				end, err := f.feed(b[:split])
				if err == nil && end < 0 {
					var rest int
					rest, err = f.feed(b[split:])
					end = split + rest
					if rest < 0 {
						end = -1
					}
				}
				if tt.broken {
					if err == nil && end == len(tt.answer) {
						t.Fatalf("split at %d: feed found the end at %d; want it to give up", split, end)
					}
					continue
				}
				if err != nil || end != len(tt.answer) {
					t.Fatalf("split at %d: feed = %d, %v; want %d, nil", split, end, err, len(tt.answer))
				}
			}
		})
	}
}

// BenchmarkGuard is a request and its answer over loopback TCP, bare and
// through the guard (a request's write, framing the answer, and the peek at
// the socket after its end), and the same over TLS (where the guard frames
// the plaintext and does not peek): the difference is what the guard costs
// each answer.
func BenchmarkGuard(b *testing.B) {
	for _, overTLS := range []bool{false, true} {
		for _, guarded := range []bool{false, true} {
			name := fmt.Sprintf("guarded=%v", guarded)
			if overTLS {
				name = "tls/" + name
			}
			b.Run(name, func(b *testing.B) { benchGuard(b, overTLS, guarded) })
		}
	}
}

func benchGuard(b *testing.B, overTLS, guarded bool) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	var clientTLS *tls.Config
	if overTLS {
		srv := httptest.NewUnstartedServer(http.NotFoundHandler())
		srv.StartTLS()
		cfg := srv.TLS.Clone()
		clientTLS = &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs, ServerName: "127.0.0.1"}
		srv.Close()
		ln = tls.NewListener(ln, cfg)
	}
	answer := fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nRequest-Id: req_bench\r\nContent-Length: %d\r\n\r\n%s", len(benchOKBody), benchOKBody)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			if _, err := c.Write(answer); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	if overTLS {
		tc := tls.Client(c, clientTLS)
		if err := tc.Handshake(); err != nil {
			b.Fatal(err)
		}
		c = tc
	}
	if guarded {
		c = &guardConn{Conn: c, peek: newPeeker(c)} // nil over TLS
	}
	defer c.Close()
	req := []byte("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
	buf := make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		for got := 0; got < len(answer); {
			n, err := c.Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
}

// TestGuardIdle: bytes on an idle guarded connection fail the read and
// mark the transport, except a 408 (a server closing an idle connection),
// which ends only that connection.
func TestGuardIdle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		stray      string
		wantStrays bool
	}{
		{"a stray answer", fake200, true},
		{"a 408 on an idle connection", "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, server := net.Pipe()
			defer client.Close()
			defer server.Close()
			strays := new(atomic.Bool)
			c := &guardConn{Conn: client, strays: strays}
			go func() { _, _ = server.Write([]byte(tt.stray)) }()
			n, err := c.Read(make([]byte, 512))
			if n != 0 || err != errDesync {
				t.Errorf("Read = %d, %v; want 0, %v", n, err, errDesync)
			}
			if !c.desynced() || strays.Load() != tt.wantStrays {
				t.Errorf("desynced %v, transport strays %v; want true, %v", c.desynced(), strays.Load(), tt.wantStrays)
			}
		})
	}
}

// TestGuardStrayBeforeRequest: bytes that reach a reused connection after
// its answer, and are still unread when the next request is written, stop
// that request before it leaves: they would be read as its answer.
func TestGuardStrayBeforeRequest(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	stray := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		_, _ = io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\n{}")
		<-stray
		_, _ = io.WriteString(c, fake200)
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		b, _ := io.ReadAll(c)
		got <- b
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	strays := new(atomic.Bool)
	c := &guardConn{Conn: raw, strays: strays, peek: newPeeker(raw)}
	defer c.Close()
	req := []byte("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, len("HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\n{}"))); err != nil {
		t.Fatal(err)
	}
	close(stray)
	for deadline := time.Now().Add(5 * time.Second); !c.peek.waiting(); {
		if time.Now().After(deadline) {
			t.Skip("the stray bytes never arrived")
		}
		time.Sleep(time.Millisecond)
	}
	if n, err := c.Write(req); n != 0 || !errors.Is(err, errStrayBeforeRequest) {
		t.Errorf("second Write = %d, %v; want 0, %v", n, err, errStrayBeforeRequest)
	}
	if !strays.Load() {
		t.Error("the transport was not told of the stray bytes")
	}
	if b := <-got; len(b) != 0 {
		t.Errorf("the server read %q after the stray bytes; want nothing", b)
	}
}
