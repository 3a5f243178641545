package engine

import (
	"cmp"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// NewTransport returns the transport probes are sent through. It keeps
// enough idle connections for the highest step, so a ramp measures the API
// and not connection churn; takes proxies from the environment as the SDKs
// do (the one getenv reads when the transport is made; nil: the process's
// own, as net/http reads it); and caps what an answer's headers may take.
// Requests go to it directly, never through an http.Client, so no redirect
// is followed: the API does not redirect, so a 3xx is evidence of something
// in between, and following it could carry the key to another host.
//
// It never sends a request twice (see Transport): middleware that signs or
// authenticates requests (cloudauth) wraps it, not the other way round.
func NewTransport(maxConcurrency int, getenv func(string) string) *Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if getenv != nil {
		proxy := proxyFunc(getenv)
		tr.Proxy = func(req *http.Request) (*url.URL, error) { return proxy(req.URL) }
	}
	tr.MaxIdleConns = max(100, maxConcurrency)
	tr.MaxIdleConnsPerHost = max(2, maxConcurrency)
	tr.MaxResponseHeaderBytes = 256 << 10
	tr.ResponseHeaderTimeout = 0 // the per-request context bounds the whole exchange
	tr.TLSHandshakeTimeout = 15 * time.Second
	t := &Transport{Transport: tr, strays: new(atomic.Bool)}
	// A server's stray bytes after an answer must not become the next
	// request's answer (see guardConn): guarded on the TCP connection for
	// http (and proxies at http:// URLs), above TLS for https. Both dial
	// TCP with the dialer DefaultTransport has, so no connection is
	// guarded twice.
	dial := tr.DialContext
	tr.DialContext = guardDial(dial, t.strays)
	tr.DialTLSContext = guardDialTLS(tr, dial, t.strays)
	// A custom TLS dialer turns HTTP/2 off unless it is forced; net/http
	// then puts h2 and http/1.1 in TLSClientConfig's NextProtos.
	tr.ForceAttemptHTTP2 = true
	return t
}

// Transport is the *http.Transport probes go through (its settings may be
// changed before a run, except its dialers, which carry the desync guard),
// made to send each request once: every request a server sees is one probe
// records.
//
// net/http replays a request on its own when it can rewind the body
// (Request.GetBody): HTTP/2 after a GOAWAY or REFUSED_STREAM, HTTP/1.1 after
// a reused connection failed. The server may well have seen, counted and
// rate-limited the first attempt, which the run file would never show. So
// RoundTrip sends req without GetBody: a request whose body was written is
// then never replayed (h2_bundle's shouldRetryRequest: "cannot retry err
// after Request.Body was written"), and its failure is recorded. Only a
// request nothing of which left (an unusable connection) is still sent
// elsewhere. Middleware above it may set GetBody on its own copy, as
// cloudauth's SigV4 signer does; it is dropped here, below them all.
//
// Once a server has sent bytes past the end of an answer (see guardConn),
// no connection is reused for the rest of the run: stray bytes that arrive
// after the next request was written cannot be told from its answer, so
// only a connection with no history is sure to carry no one else's.
type Transport struct {
	*http.Transport
	strays *atomic.Bool // a dialled connection saw bytes past an answer's end
}

// RoundTrip sends req once.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = once(req)
	if t.strays != nil && t.strays.Load() && !req.Close {
		r := *req
		r.Close = true // a fresh connection, closed after its one answer
		req = &r
	}
	return t.Transport.RoundTrip(req)
}

// NoReplay returns rt made to send each request once, as Transport does:
// the engine's own guard for a transport that is not one (a plain
// *http.Transport). Middleware that sets GetBody must wrap a Transport,
// since what it does after this guard is beyond it.
func NoReplay(rt http.RoundTripper) http.RoundTripper {
	if _, ok := rt.(*Transport); ok || rt == nil {
		return rt
	}
	return noReplay{rt}
}

type noReplay struct{ rt http.RoundTripper }

func (n noReplay) RoundTrip(req *http.Request) (*http.Response, error) {
	return n.rt.RoundTrip(once(req))
}

// once returns req without GetBody, as a shallow copy when it had one (a
// RoundTripper must not change the request it is given).
func once(req *http.Request) *http.Request {
	if req.GetBody == nil {
		return req
	}
	r := *req
	r.GetBody = nil
	return &r
}

// proxyFunc reads the proxy variables once, as net/http's
// ProxyFromEnvironment does, and returns what picks a URL's proxy.
func proxyFunc(getenv func(string) string) func(*url.URL) (*url.URL, error) {
	cfg := httpproxy.Config{
		HTTPProxy:  cmp.Or(getenv("HTTP_PROXY"), getenv("http_proxy")),
		HTTPSProxy: cmp.Or(getenv("HTTPS_PROXY"), getenv("https_proxy")),
		NoProxy:    cmp.Or(getenv("NO_PROXY"), getenv("no_proxy")),
	}
	return cfg.ProxyFunc()
}

// ProxyFor returns the proxy requests to base go through under the
// environment getenv describes (nil for none), as net/http would choose it.
func ProxyFor(getenv func(string) string, base *url.URL) (*url.URL, error) {
	return proxyFunc(getenv)(base)
}
