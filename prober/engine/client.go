package engine

import (
	"cmp"
	"net/http"
	"net/url"
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
func NewTransport(maxConcurrency int, getenv func(string) string) *http.Transport {
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
	return tr
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
