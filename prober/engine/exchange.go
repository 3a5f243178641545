package engine

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/http2"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
)

// exchanger is what sending one request and reading its answer needs
// besides the request itself; it holds for a whole run.
type exchanger struct {
	rt      http.RoundTripper
	model   string           // the model asked for, which a success must name
	bodyCap int64            // how much of an answer body is read
	now     func() time.Time // stamps records; durations come from the monotonic clock
}

// Exchange sends req (whose context carries its timeout) and reads the
// answer into rec: timings, status, classification, ids and headers. ctx is
// the run's context, to tell a user's interrupt from a timeout. It returns
// the pause the server asked for with retry-after, and the body as read (up
// to bodyCap). now stamps the record; durations come from the monotonic clock.
func Exchange(ctx context.Context, rt http.RoundTripper, req *http.Request, model string, bodyCap int64, now func() time.Time, rec *runfile.Record) (time.Duration, []byte) {
	tm := new(timing)
	req = req.WithContext(withTrace(req.Context(), tm))
	x := &exchanger{rt: NoReplay(rt), model: model, bodyCap: bodyCap, now: now}
	return x.exchange(ctx, req, tm, rec, nil)
}

// exchange is Exchange for a request whose context already carries tm's
// trace. With buf, the body is read into *buf (kept for the next call) and
// the body returned is only good until then.
func (x *exchanger) exchange(ctx context.Context, req *http.Request, tm *timing, rec *runfile.Record, buf *[]byte) (time.Duration, []byte) {
	started := x.now()
	mono := time.Now()
	rec.Started = started.UTC()
	finish := func() {
		took := time.Since(mono)
		rec.TotalMS = Millis(took)
		rec.Finished = started.Add(took).UTC()
		tm.fill(rec, mono)
	}

	resp, err := x.rt.RoundTrip(req)
	if err != nil {
		finish()
		failed(ctx, rec, err)
		return 0, nil
	}
	defer resp.Body.Close()
	body, readErr := x.read(decoded(resp), buf)
	finish()
	if rec.NetError == NetErrorDesync && rec.ConnReused {
		stale(rec)
		return 0, nil
	}
	rec.Status = resp.StatusCode
	rec.Bytes = int64(len(body))
	if rec.Bytes > x.bodyCap {
		body, rec.Bytes, rec.Truncated = body[:x.bodyCap], x.bodyCap, true
	}
	h := resp.Header
	cl := classify.Classify(classify.Answer{Status: resp.StatusCode, Header: h, Body: body, Model: x.model})
	rec.Outcome, rec.ErrorType, rec.Message, rec.Producer = cl.Outcome, cl.ErrorType, cl.Message, cl.Producer
	rec.RequestID, rec.RequestIDSource = cl.RequestID, cl.RequestIDSource
	if readErr != nil {
		bodyCut(ctx, rec, readErr)
	}
	recordHeaders(rec, h)
	pause, _ := parseRetryAfter(h, time.Now())
	return pause, body
}

// read reads an answer's body up to one byte past the cap (to tell a body
// at the cap from a longer one), into *buf's memory when there is one.
func (x *exchanger) read(r io.Reader, buf *[]byte) ([]byte, error) {
	if buf == nil {
		return io.ReadAll(io.LimitReader(r, x.bodyCap+1))
	}
	body, err := readCapped(r, *buf, x.bodyCap+1)
	*buf = body
	return body, err
}

// decoded returns the body as the classifier must read it. A request that
// sets its own Accept-Encoding (--header 'Accept-Encoding: gzip') turns off
// Go's transparent decompression, and Cloudflare's edge answers gzip: read
// raw, its page would be classified as binary noise. The caller's cap
// bounds what is decompressed, so a gzip bomb stays flat in memory. A body
// that claims gzip without gzip's magic bytes is read as it came.
func decoded(resp *http.Response) io.Reader {
	if resp.Uncompressed || !strings.EqualFold(strings.TrimSpace(classify.Header(resp.Header, "Content-Encoding")), "gzip") {
		return resp.Body
	}
	br := bufio.NewReaderSize(resp.Body, 512)
	if magic, _ := br.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return br
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return errReader{err} // a header cut short: the body was cut
	}
	zr.Multistream(false) // one member: bytes after it are not the answer
	return zr
}

// errReader is a Reader that fails with err, for a body cut mid-header.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// bodyCut records an answer whose status arrived and whose body did not.
// The status is the server's answer and is used: the record keeps the
// status's outcome, with net_error naming what cut the body. A timeout
// (a body trickled slower than the request's timeout) and the user's
// interrupt are what happened to the request instead.
func bodyCut(ctx context.Context, rec *runfile.Record, err error) {
	outcome, msg := classify.ClassifyError(err)
	if ctx.Err() != nil || outcome == classify.OutcomeTimeout {
		failed(ctx, rec, err)
		return
	}
	rec.NetError = strings.TrimPrefix(string(outcome), "network-")
	if rec.Message == "" {
		rec.Message = classify.Printable("body cut after the status: "+msg, classify.MaxMessage)
	}
}

// readCapped reads r to its end or to limit bytes, whichever comes first,
// as io.ReadAll(io.LimitReader(r, limit)) does, but into b's memory.
func readCapped(r io.Reader, b []byte, limit int64) ([]byte, error) {
	b = b[:0]
	for int64(len(b)) < limit {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
		room := min(int64(cap(b)-len(b)), limit-int64(len(b)))
		n, err := r.Read(b[len(b) : len(b)+int(room)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// recordHeaders keeps the headers support and the verdict care about. The
// names differ by provider but never collide, so both are read. The map is
// read by the canonical names net/http stores parsed headers under, which
// saves canonicalising each name on every request.
func recordHeaders(rec *runfile.Record, h http.Header) {
	rec.OrganizationID = classify.Printable(firstHeader(h, orgHeaders...), 64)
	rec.CFRay = classify.Printable(classify.Header(h, "Cf-Ray"), 64)
	rec.CFMitigated = classify.Printable(classify.Header(h, "Cf-Mitigated"), 32)
	rec.Server = classify.Printable(classify.Header(h, "Server"), 64)
	rec.ContentType = classify.Printable(classify.Header(h, "Content-Type"), 80)
	rec.RetryAfter = classify.Printable(classify.Header(h, "Retry-After"), 64)
	if v := classify.Header(h, "Retry-After-Ms"); v != "" {
		rec.RetryAfter = classify.Printable(v, 60) + "ms"
	}
	rec.ShouldRetry = classify.Printable(classify.Header(h, "X-Should-Retry"), 16)
	for name, vals := range h {
		key, ok := rateLimitKey(name)
		if !ok || len(vals) == 0 {
			continue
		}
		if rec.RateLimit == nil {
			rec.RateLimit = map[string]string{}
		}
		if len(rec.RateLimit) < 16 {
			rec.RateLimit[classify.Printable(strings.ToLower(key), 64)] = classify.Printable(vals[0], 64)
		}
	}
}

// The answer headers every provider's descriptor names, read from every
// answer whichever provider is probed: a gateway may pass on another API's
// headers, and a header that is there is evidence either way.
var (
	orgHeaders        = canonical(func(p *provider.Provider) string { return p.OrgHeader })
	rateLimitPrefixes = canonical(func(p *provider.Provider) string { return p.RateLimitPrefix })
)

// canonical returns, for each known provider, the header field() names in
// its canonical form (as net/http keys an answer's headers), skipping empty
// names and repeats.
func canonical(field func(*provider.Provider) string) []string {
	var out []string
	for _, p := range provider.All() {
		if n := http.CanonicalHeaderKey(field(p)); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// rateLimitKey returns a rate-limit header's name without its provider's
// prefix, and whether it is one.
func rateLimitKey(name string) (string, bool) {
	for _, prefix := range rateLimitPrefixes {
		if key, ok := cutPrefixFold(name, prefix); ok {
			return key, true
		}
	}
	return name, false
}

// cutPrefixFold is strings.CutPrefix ignoring case, for header names.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := classify.Header(h, n); v != "" {
			return v
		}
	}
	return ""
}

// failed records a transport error; a request cut by the user's interrupt
// is marked cancelled rather than blamed on the network.
func failed(ctx context.Context, rec *runfile.Record, err error) {
	if ctx.Err() != nil {
		rec.Outcome, rec.Message, rec.NetError = classify.OutcomeCanceled, "cancelled by the user", ""
		return
	}
	switch {
	case outOfFiles(err):
		// Out of file descriptors: probe's own limit, not the network's
		// failure; the run cannot measure anything at this concurrency.
		rec.Outcome, rec.NetError = classify.OutcomeTool, NetErrorTool
		rec.Message = "probe ran out of file descriptors (too many open files): raise the limit (ulimit -n) or lower the concurrency"
		return
	case errors.Is(err, errDesync):
		rec.Outcome, rec.NetError = classify.OutcomeNetwork, NetErrorDesync
		rec.Message = errDesync.Error()
		if errors.Is(err, errStrayBeforeRequest) {
			rec.Message = errStrayBeforeRequest.Error() // says it was not sent
		}
		return
	case calm(err):
		// The server's HTTP/2 "slow down": a rate limit, without a status.
		rec.Outcome, rec.NetError = classify.OutcomeRateLimit, NetErrorCalm
		rec.Message = classify.Printable("HTTP/2 ENHANCE_YOUR_CALM: the server asks to slow down ("+err.Error()+")", classify.MaxMessage)
		return
	}
	rec.Outcome, rec.Message = classify.ClassifyError(err)
	rec.NetError = strings.TrimPrefix(string(rec.Outcome), "network-")
}

// The net_error kinds the engine sets besides the network outcomes' own.
const (
	// NetErrorTool marks a failure of probe's own machine (out of file
	// descriptors), not of the network or the API.
	NetErrorTool = "tool"
	// NetErrorCalm marks an HTTP/2 ENHANCE_YOUR_CALM: the server asked to
	// slow down; the record's outcome is a rate limit.
	NetErrorCalm = "enhance-your-calm"
)

// calm reports whether err is the server's HTTP/2 ENHANCE_YOUR_CALM, sent
// on a stream (RST_STREAM) or on the connection (GOAWAY). net/http's
// bundled HTTP/2 has its own unexported error types, so the code is also
// recognised by its name in the text.
func calm(err error) bool {
	var se http2.StreamError
	var ge http2.GoAwayError
	switch {
	case errors.As(err, &se):
		return se.Code == http2.ErrCodeEnhanceYourCalm
	case errors.As(err, &ge):
		return ge.ErrCode == http2.ErrCodeEnhanceYourCalm
	}
	return strings.Contains(err.Error(), "ENHANCE_YOUR_CALM")
}
