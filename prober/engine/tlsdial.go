package engine

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// dialFunc is the shape of http.Transport's DialContext and DialTLSContext.
type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// errTLSTimeout is a TLS handshake that took longer than the transport's
// TLSHandshakeTimeout; like net/http's own, it is a timeout.
var errTLSTimeout error = tlsTimeoutError{}

type tlsTimeoutError struct{}

func (tlsTimeoutError) Error() string   { return "TLS handshake timeout" }
func (tlsTimeoutError) Timeout() bool   { return true }
func (tlsTimeoutError) Temporary() bool { return true }

// guardDialTLS returns the transport's dialer for https, so that the guard
// (see guardConn) sits above TLS, where HTTP/1.1 is plaintext, rather than
// below it, where it sees only records and turns itself off.
//
// dial is the transport's own TCP dialer, not the guarded one: a guard
// under TLS would only see the handshake and switch off, and two guards on
// one connection would each count its answers. The handshake is the one
// net/http would make (its addTLS): tr's TLSClientConfig as it is at the
// dial, with the NextProtos net/http puts there (h2 and http/1.1 when
// HTTP/2 is on), ServerName from the address unless set, bounded by the
// dial's context and tr.TLSHandshakeTimeout. When ALPN picks h2 the
// *tls.Conn is returned as is: net/http speaks HTTP/2 only on a *tls.Conn,
// and HTTP/2's framing leaves no room for stray bytes. Otherwise the
// connection is guarded.
//
// net/http calls the httptrace TLS hooks itself only around handshakes it
// makes, so they are called here from the context's trace (tls_ms comes
// from them). On an h2 connection net/http calls them again once the
// handshake is done; timing keeps the first calls. net/http fills
// Response.TLS only from a *tls.Conn, so it is nil on a guarded HTTP/1.1
// connection: probe does not read it.
//
// A proxy at an https:// URL is dialled through here too (net/http then
// writes its CONNECT through the guard, which turns off, and makes the
// API's handshake inside); an http:// proxy goes through DialContext.
func guardDialTLS(tr *http.Transport, dial dialFunc, strays *atomic.Bool) dialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		raw, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc, err := handshake(ctx, tr, raw, addr)
		if err != nil {
			return nil, err
		}
		if tc.ConnectionState().NegotiatedProtocol == "h2" {
			return tc, nil
		}
		// No peeker: the socket holds encrypted records, some of which are
		// not answers (TLS 1.3 session tickets, key updates, close_notify),
		// and what the TLS layer has already decrypted cannot be asked for
		// without reading it. See guardConn for what this leaves out.
		return &guardConn{Conn: tc, strays: strays}, nil
	}
}

// handshake makes the client side of TLS over raw to addr as net/http
// would, calling the context's httptrace TLS hooks; raw is closed when it
// fails.
func handshake(ctx context.Context, tr *http.Transport, raw net.Conn, addr string) (*tls.Conn, error) {
	cfg := tr.TLSClientConfig.Clone()
	if cfg == nil {
		cfg = new(tls.Config)
	}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			raw.Close()
			return nil, err
		}
		cfg.ServerName = host
	}
	hctx := ctx
	if d := tr.TLSHandshakeTimeout; d > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeoutCause(ctx, d, errTLSTimeout)
		defer cancel()
	}
	trace := httptrace.ContextClientTrace(ctx)
	if trace != nil && trace.TLSHandshakeStart != nil {
		trace.TLSHandshakeStart()
	}
	tc := tls.Client(raw, cfg)
	err := tc.HandshakeContext(hctx)
	if err != nil {
		raw.Close()
		if hctx.Err() != nil && errors.Is(context.Cause(hctx), errTLSTimeout) {
			err = errTLSTimeout
		}
		if trace != nil && trace.TLSHandshakeDone != nil {
			trace.TLSHandshakeDone(tls.ConnectionState{}, err)
		}
		return nil, err
	}
	if trace != nil && trace.TLSHandshakeDone != nil {
		trace.TLSHandshakeDone(tc.ConnectionState(), nil)
	}
	return tc, nil
}
