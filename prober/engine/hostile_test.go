package engine

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
)

// hostileHandlers are servers that misbehave in the ways a broken or hostile
// endpoint can. Each must end as a classified outcome, within the timeouts,
// with nothing unprintable kept.
var hostileHandlers = []struct {
	name string
	h    http.HandlerFunc
	want classify.Outcome // "" when several outcomes are acceptable
}{
	{"1 GiB body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat("{", 64<<10))
		for i := 0; i < (1<<30)/len(chunk); i++ {
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading at its cap
			}
		}
	}, classify.OutcomeUnexpected},
	{"trickle a byte a second", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		for range 60 {
			if _, err := w.Write([]byte("{")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(time.Second):
			case <-r.Context().Done():
				return
			}
		}
	}, classify.OutcomeTimeout},
	{"1 MiB of headers", func(w http.ResponseWriter, r *http.Request) {
		for i := range 1024 {
			w.Header().Set(fmt.Sprintf("X-Junk-%d", i), strings.Repeat("j", 1024))
		}
		w.WriteHeader(200)
	}, ""},
	{"request id with escapes", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(403)
		fmt.Fprint(w, `{"type":"error","error":{"type":"permission_error","message":"\u001b[31mred\u001b[0m\nnext\u0007line"},"request_id":"req_\u001b]0;pwned\u0007\r\nX"}`)
	}, classify.OutcomePermission},
	{"invalid UTF-8 and binary", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		w.Write([]byte{0xff, 0xfe, 0x00, 0x1b, '[', '2', 'J', 0xc3, 0x28, 0x80})
	}, classify.OutcomeUnrecognised}, // no mark of the API: said, not guessed
	{"JSON nested 10,000 deep", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		fmt.Fprint(w, `{"a":`+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)+"}")
	}, classify.OutcomeUnexpected}, // deeper than encoding/json decodes: not a message
	{"200 with another type", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"type":"completion","completion":"hi"}`)
	}, classify.OutcomeUnexpected},
	{"200 that is no message", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		fmt.Fprint(w, "hello, world")
	}, classify.OutcomeUnexpected},
	{"closes mid-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		fmt.Fprint(w, `{"partial":`)
		w.(http.Flusher).Flush()
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}, classify.OutcomeUnexpected}, // the status is used; net_error says the body was cut (TestCutBody)
	{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	}, classify.OutcomeRedirect},
}

// TestHostileServers sends a few requests to each misbehaving server.
func TestHostileServers(t *testing.T) {
	for _, tt := range hostileHandlers {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.h)
			defer srv.Close()
			recs := runHostile(t, srv.URL, srv.Client().Transport)
			for _, r := range recs {
				if tt.want != "" && r.Outcome != tt.want {
					t.Errorf("%s: outcome %s (%s); want %s", tt.name, r.Outcome, r.Message, tt.want)
				}
			}
		})
	}
}

// TestStatusOutsideRange: a status line Go's client cannot parse is a
// classified transport failure; codes it parses but no API uses are unexpected.
func TestStatusOutsideRange(t *testing.T) {
	for _, status := range []string{"000", "099", "600", "999", "abc"} {
		t.Run(status, func(t *testing.T) {
			t.Parallel()
			addr := rawServer(t, func(c net.Conn) {
				bufio.NewReader(c).ReadString('\n')
				fmt.Fprintf(c, "HTTP/1.1 %s Odd\r\nContent-Length: 2\r\n\r\n{}", status)
			})
			for _, r := range runHostile(t, "http://"+addr, nil) {
				if r.Outcome != classify.OutcomeUnrecognised && !r.Outcome.IsNetwork() {
					t.Errorf("status %s: outcome %s; want unrecognised or a transport failure", status, r.Outcome)
				}
			}
		})
	}
}

// TestSilentServer accepts the connection and never answers: the timeout fires.
func TestSilentServer(t *testing.T) {
	t.Parallel()
	addr := rawServer(t, func(c net.Conn) { time.Sleep(5 * time.Second) })
	for _, r := range runHostile(t, "http://"+addr, nil) {
		if r.Outcome != classify.OutcomeTimeout {
			t.Errorf("silent server: outcome %s (%s); want %s", r.Outcome, r.Message, classify.OutcomeTimeout)
		}
	}
}

// TestHTTP2AndHTTP1 probes a TLS server speaking HTTP/2 and one limited to HTTP/1.1.
func TestHTTP2AndHTTP1(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Request-Id", "req_"+r.Proto)
		fmt.Fprint(w, `{"type":"message"}`)
	}
	for _, h2 := range []bool{true, false} {
		t.Run(fmt.Sprintf("http2=%v", h2), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewUnstartedServer(http.HandlerFunc(ok))
			srv.EnableHTTP2 = h2
			srv.StartTLS()
			defer srv.Close()
			for _, r := range runHostile(t, srv.URL, srv.Client().Transport) {
				wantProto := "req_HTTP/1.1"
				if h2 {
					wantProto = "req_HTTP/2.0"
				}
				if r.Outcome != classify.OutcomeOK || r.RequestID != wantProto {
					t.Errorf("outcome %s id %s; want ok over %s", r.Outcome, r.RequestID, wantProto)
				}
			}
		})
	}
}

// runHostile runs a three-request ramp with a short timeout against base and
// checks what every hostile answer must satisfy.
func runHostile(t *testing.T, base string, tr http.RoundTripper) []*runfile.Record {
	t.Helper()
	u, err := target.ParseBaseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	var rt http.RoundTripper = NewTransport(2, nil)
	if tr != nil {
		rt = tr
	}
	var recs []*runfile.Record
	e := &Engine{
		Transport: rt,
		Target:    target.Target{BaseURL: u, Model: provider.DefaultModel, Key: keys.NewKey("sk-ant-api03-HOSTILEtestKEY-0000000000000000", "test", provider.APIKey)},
		Plan:      target.Plan{Steps: []target.Step{{Concurrency: 2, Requests: 3}}, MaxRequests: 3, Timeout: target.Duration(700 * time.Millisecond), MaxWait: target.Duration(time.Second)},
		Sink:      collect(&recs),
	}
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	res, err := e.Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Two rounds of the 700ms timeout; 20s leaves room for -race on a
	// loaded machine and still tells the timeout from the trickle's 60s.
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("Run took %v; the 700ms timeout should bound it", took)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 64<<20 {
		t.Errorf("heap grew by %d MiB; the body cap should bound it", grew>>20)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records; want 3", len(recs))
	}
	for _, r := range recs {
		if r.Outcome == "" {
			t.Errorf("unclassified record %+v", r)
		}
		for _, s := range []string{r.Message, r.RequestID, r.ErrorType, r.Server, r.ContentType} {
			for _, c := range s {
				if c != '…' && (!unicode.IsPrint(c) || c == 0x1b) {
					t.Errorf("kept an unprintable %U in %q", c, s)
				}
			}
		}
	}
	if res.Verdict.Signature == "" || res.Verdict.Basis == nil || res.Verdict.Basis.Path == "" {
		t.Errorf("no verdict: %+v", res.Verdict)
	}
	return recs
}

// rawServer serves each connection with handle on a loopback port.
func rawServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveRaw(t, ln, handle)
}

// serveRaw serves each connection ln accepts with handle until the test
// ends, and returns ln's address.
func serveRaw(t *testing.T, ln net.Listener, handle func(net.Conn)) string {
	t.Helper()
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}
