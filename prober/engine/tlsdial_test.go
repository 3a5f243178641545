package engine

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
)

// testCert returns httptest's server TLS config (its certificate, for
// 127.0.0.1) and the roots that trust it.
func testCert(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.StartTLS()
	defer srv.Close()
	return srv.TLS.Clone(), srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
}

// rawTLSServer is rawServer behind TLS, offering HTTP/1.1 only (as ALPN
// lets a server choose); roots trust its certificate.
func rawTLSServer(t *testing.T, handle func(net.Conn)) (addr string, roots *x509.CertPool) {
	t.Helper()
	cfg, roots := testCert(t)
	cfg.NextProtos = []string{"http/1.1"}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return serveRaw(t, ln, handle), roots
}

// TestTLSDial: over https the transport still speaks HTTP/2 to a server
// that offers it (unguarded, with resp.TLS), guards HTTP/1.1 above TLS,
// records tls_ms for a new connection (net/http calls the trace hooks only
// around handshakes it makes itself) and none for a reused one.
func TestTLSDial(t *testing.T) {
	t.Parallel()
	for _, h2 := range []bool{true, false} {
		t.Run(fmt.Sprintf("http2=%v", h2), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Request-Id", "req_"+r.Proto)
				fmt.Fprint(w, `{"type":"message"}`)
			}))
			srv.EnableHTTP2 = h2
			srv.StartTLS()
			defer srv.Close()
			tr := NewTransport(1, nil)
			tr.TLSClientConfig = &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
			defer tr.CloseIdleConnections()
			wantMajor, wantID := 1, "req_HTTP/1.1"
			if h2 {
				wantMajor, wantID = 2, "req_HTTP/2.0"
			}
			for i := range 3 {
				var conn net.Conn
				tm := new(timing)
				trace := tm.trace()
				gotConn := trace.GotConn
				trace.GotConn = func(info httptrace.GotConnInfo) { conn = info.Conn; gotConn(info) }
				ctx, cancel := context.WithTimeout(httptrace.WithClientTrace(t.Context(), trace), 5*time.Second)
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/messages", nil)
				if err != nil {
					t.Fatal(err)
				}
				resp, err := tr.RoundTrip(req)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				cancel()
				var rec runfile.Record
				tm.fill(&rec, time.Now())
				_, guarded := conn.(*guardConn)
				if resp.ProtoMajor != wantMajor || resp.Header.Get("Request-Id") != wantID || guarded == h2 || h2 && resp.TLS == nil {
					t.Errorf("request %d: HTTP/%d, %s, guarded %v, TLS state %v; want HTTP/%d, %s, guarded %v", i, resp.ProtoMajor, resp.Header.Get("Request-Id"), guarded, resp.TLS != nil, wantMajor, wantID, !h2)
				}
				// A loopback handshake takes a millisecond or so; the hooks
				// net/http calls after a handshake it did not make would
				// time a few microseconds.
				if first := i == 0; rec.ConnReused == first || (rec.TLSMS >= 0.05) != first || !first && rec.TLSMS != 0 {
					t.Errorf("request %d: reused %v, tls_ms %v; want a new connection's handshake timed on the first request only", i, rec.ConnReused, rec.TLSMS)
				}
			}
		})
	}
}

// TestTLSHandshakeTimeout: a server that accepts and never answers the
// hello fails the dial within TLSHandshakeTimeout, as a timeout.
func TestTLSHandshakeTimeout(t *testing.T) {
	t.Parallel()
	addr := rawServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	tr := NewTransport(1, nil)
	tr.TLSHandshakeTimeout = 100 * time.Millisecond
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, err := tr.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
	}
	if got, _ := classify.ClassifyError(err); err == nil || got != classify.OutcomeTimeout || time.Since(start) > 2*time.Second {
		t.Errorf("RoundTrip = %v after %v; want a TLS handshake timeout within 100ms", err, time.Since(start))
	}
}

// TestTLSThroughProxy: https through a proxy still works, whether the proxy
// is at an http:// URL (net/http dials it with DialContext) or an https://
// one (with the TLS dialer), and the API's handshake happens inside the
// CONNECT tunnel.
func TestTLSThroughProxy(t *testing.T) {
	t.Parallel()
	api := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Request-Id", "req_"+r.Proto)
		fmt.Fprint(w, `{"type":"message"}`)
	}))
	api.EnableHTTP2 = true
	api.StartTLS()
	t.Cleanup(api.Close) // after the parallel subtests
	roots := api.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			var connects atomic.Int64
			serve := func(c net.Conn) { serveConnect(c, &connects) }
			var addr string
			if scheme == "https" {
				addr, _ = rawTLSServer(t, serve) // httptest's one certificate: roots trust it too
			} else {
				addr = rawServer(t, serve)
			}
			tr := NewTransport(2, nil)
			tr.TLSClientConfig = &tls.Config{RootCAs: roots}
			tr.Proxy = http.ProxyURL(&url.URL{Scheme: scheme, Host: addr})
			recs := runTLSProbes(t, tr, api.URL, 3)
			for i, r := range recs {
				if r.Outcome != classify.OutcomeOK || r.RequestID != "req_HTTP/2.0" {
					t.Errorf("record %d: %s (%s), id %s; want ok over HTTP/2", i, r.Outcome, r.Message, r.RequestID)
				}
			}
			if connects.Load() == 0 {
				t.Error("no CONNECT reached the proxy")
			}
		})
	}
}

// serveConnect is a CONNECT proxy on c: it opens the tunnel asked for and
// copies both ways.
func serveConnect(c net.Conn, connects *atomic.Int64) {
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil || req.Method != http.MethodConnect {
		return
	}
	connects.Add(1)
	up, err := net.Dial("tcp", req.Host)
	if err != nil {
		return
	}
	defer up.Close()
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	go func() { _, _ = io.Copy(up, br); up.Close() }()
	_, _ = io.Copy(c, up)
}

// runTLSProbes runs n probes at concurrency 1 to base through tr.
func runTLSProbes(t *testing.T, tr *Transport, base string, n int) []*runfile.Record {
	t.Helper()
	t.Cleanup(tr.CloseIdleConnections)
	var recs []*runfile.Record
	e := &Engine{
		Transport: tr,
		Target:    target.Target{BaseURL: mustBase(t, base), Model: provider.DefaultModel, Key: keys.NewKey("sk-ant-api03-TLStestKEY-00000000000000000000", "test", provider.APIKey)},
		Plan:      testPlan(target.Step{Concurrency: 1, Requests: n}),
		Sink:      collect(&recs),
	}
	runEngine(t, e)
	if len(recs) != n {
		t.Fatalf("%d records; want %d", len(recs), n)
	}
	return recs
}
