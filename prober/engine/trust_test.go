package engine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
)

// h2Mode says how h2Server answers the n-th complete request it saw
// (counting from 1 across connections) and the i-th on its connection.
type h2Mode func(n int64, i int) h2Answer

type h2Answer int

const (
	h2OK      h2Answer = iota // 200 with a message
	h2Refuse                  // RST_STREAM REFUSED_STREAM
	h2GoAway                  // GOAWAY naming an earlier stream, then close
	h2Calm                    // RST_STREAM ENHANCE_YOUR_CALM
	h2CalmAll                 // GOAWAY ENHANCE_YOUR_CALM, then close
)

// h2Server is a loopback HTTP/2 server (prior knowledge, no TLS) written
// with x/net/http2's framer, so a test can refuse streams as a real server
// does. It counts every request it received whole, whatever it answered.
func h2Server(t *testing.T, mode h2Mode) (string, *atomic.Int64) {
	t.Helper()
	var seen atomic.Int64
	addr := rawServer(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		preface := make([]byte, len(http2.ClientPreface))
		if _, err := io.ReadFull(c, preface); err != nil {
			return
		}
		fr := http2.NewFramer(c, c)
		fr.WriteSettings()
		serveH2(fr, c, mode, &seen)
	})
	return "http://" + addr, &seen
}

// serveH2 reads frames until the connection ends, answering each request
// once its body has arrived.
func serveH2(fr *http2.Framer, c net.Conn, mode h2Mode, seen *atomic.Int64) {
	onConn := 0
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		var id uint32
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
			continue
		case *http2.PingFrame:
			fr.WritePing(true, f.Data)
			continue
		case *http2.HeadersFrame:
			if !f.StreamEnded() {
				continue
			}
			id = f.StreamID
		case *http2.DataFrame:
			if !f.StreamEnded() {
				continue
			}
			id = f.StreamID
		default:
			continue
		}
		onConn++
		if !answerH2(fr, id, mode(seen.Add(1), onConn)) {
			c.Close()
			return
		}
	}
}

// answerH2 answers stream id, and reports whether the connection goes on.
func answerH2(fr *http2.Framer, id uint32, a h2Answer) bool {
	switch a {
	case h2Refuse:
		fr.WriteRSTStream(id, http2.ErrCodeRefusedStream)
	case h2Calm:
		fr.WriteRSTStream(id, http2.ErrCodeEnhanceYourCalm)
	case h2GoAway:
		fr.WriteGoAway(id-2, http2.ErrCodeNo, nil)
		return false
	case h2CalmAll:
		fr.WriteGoAway(0, http2.ErrCodeEnhanceYourCalm, []byte("slow down"))
		return false
	default:
		var hb bytes.Buffer
		enc := hpack.NewEncoder(&hb)
		enc.WriteField(hpack.HeaderField{Name: ":status", Value: "200"})
		enc.WriteField(hpack.HeaderField{Name: "content-type", Value: "application/json"})
		enc.WriteField(hpack.HeaderField{Name: "request-id", Value: "req_h2"})
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hb.Bytes(), EndHeaders: true})
		fr.WriteData(id, true, []byte(`{"id":"msg_01","type":"message","role":"assistant","content":[{"type":"text","text":"Hi"}]}`))
	}
	return true
}

// h2cTransport is probe's transport speaking HTTP/2 without TLS to the
// frame server.
func h2cTransport(t *testing.T) *Transport {
	t.Helper()
	tr := testTransport(t, 4)
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetUnencryptedHTTP2(true)
	return tr
}

// getBodySetter stands for middleware above probe's transport that
// rewinds bodies, as cloudauth's SigV4 signer does on its signed copy.
type getBodySetter struct{ rt http.RoundTripper }

func (g getBodySetter) RoundTrip(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(b))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return g.rt.RoundTrip(out)
}

// Go's HTTP/2 transport replays a request refused by REFUSED_STREAM or cut
// by a GOAWAY when it can rewind the body: the server saw more requests
// than probe recorded. Every request a server receives must be a record.
func TestNoSilentHTTP2Retries(t *testing.T) {
	t.Parallel()
	modes := []struct {
		name string
		mode h2Mode
	}{
		{"REFUSED_STREAM every other request", func(n int64, _ int) h2Answer { return h2Answer(n % 2) }},
		{"GOAWAY on each connection's second request", func(_ int64, i int) h2Answer {
			return map[bool]h2Answer{true: h2GoAway, false: h2OK}[i == 2]
		}},
	}
	wrappers := []struct {
		name string
		wrap func(*Transport) http.RoundTripper
	}{
		{"probe's transport", func(tr *Transport) http.RoundTripper { return tr }},
		{"a plain http.Transport", func(tr *Transport) http.RoundTripper { return tr.Transport }},
		{"middleware setting GetBody", func(tr *Transport) http.RoundTripper { return getBodySetter{tr} }},
	}
	for _, m := range modes {
		for _, w := range wrappers {
			t.Run(m.name+"/"+w.name, func(t *testing.T) {
				t.Parallel()
				base, seen := h2Server(t, m.mode)
				var recs []*runfile.Record
				e := newEngine(t, base, testPlan(target.Step{Concurrency: 2, Requests: 8}), &recs)
				e.Transport = w.wrap(h2cTransport(t))
				runEngine(t, e)
				ok := 0
				for _, r := range recs {
					if r.Outcome == classify.OutcomeOK {
						ok++
					}
				}
				// A request cut before the server had it whole is
				// recorded and not seen; one seen and not recorded is a
				// silent retry.
				if n := seen.Load(); n > int64(len(recs)) || len(recs) != 8 || ok == 0 || ok == len(recs) {
					t.Errorf("the server received %d requests, probe recorded %d (%d ok); want no more received than recorded, 8 recorded, some refused", n, len(recs), ok)
				}
			})
		}
	}
}

// ENHANCE_YOUR_CALM is the server asking to slow down: a rate limit, never
// health and not a network failure.
func TestEnhanceYourCalm(t *testing.T) {
	t.Parallel()
	for _, m := range []struct {
		name string
		a    h2Answer
	}{{"RST_STREAM", h2Calm}, {"GOAWAY", h2CalmAll}} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			base, seen := h2Server(t, func(int64, int) h2Answer { return m.a })
			var recs []*runfile.Record
			e := newEngine(t, base, testPlan(target.Step{Concurrency: 1, Requests: 3}), &recs)
			e.Transport = h2cTransport(t)
			res := runEngine(t, e)
			for _, r := range recs {
				if r.Outcome != classify.OutcomeRateLimit || r.NetError != NetErrorCalm {
					t.Errorf("outcome %s net_error %q (%s); want %s, %s", r.Outcome, r.NetError, r.Message, classify.OutcomeRateLimit, NetErrorCalm)
				}
			}
			if n := seen.Load(); n != int64(len(recs)) {
				t.Errorf("the server received %d requests, probe recorded %d", n, len(recs))
			}
			if res.Verdict.Signature == "healthy" {
				t.Errorf("verdict %s on a server that only asked to slow down", res.Verdict.Signature)
			}
		})
	}
}

// A complete 403 head whose body is cut short is the 403, once: the
// status is used, and the record says the body was cut.
func TestCutBody(t *testing.T) {
	t.Parallel()
	addr := rawServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		fmt.Fprint(c, "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nRequest-Id: req_cut\r\nContent-Length: 500\r\n\r\n")
		fmt.Fprint(c, `{"type":"error","error":{"type":"permission_error","message":"not allowed`)
	})
	var recs []*runfile.Record
	e := newEngine(t, "http://"+addr, testPlan(target.Step{Concurrency: 1, Requests: 3}), &recs)
	res := runEngine(t, e)
	if len(recs) != 3 {
		t.Fatalf("%d records for 3 requests", len(recs))
	}
	for _, r := range recs {
		if r.Status != 403 || r.Outcome.IsNetwork() || r.NetError != "reset" {
			t.Errorf("status %d outcome %s net_error %q; want the 403's outcome, net_error reset", r.Status, r.Outcome, r.NetError)
		}
	}
	if res.Verdict.Signature == "network_error" {
		t.Errorf("verdict %s: the 403s arrived", res.Verdict.Signature)
	}
}

// Running out of file descriptors is probe's failure, not the network's:
// such a request is no answer at all.
func TestOutOfFileDescriptors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
	}{
		{"EMFILE from a dial", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", syscall.EMFILE)}},
		{"ENFILE", fmt.Errorf("dial: %w", syscall.ENFILE)},
		// The resolver's own socket: net.DNSError keeps only the text.
		{"EMFILE in a DNS lookup", &url.Error{Op: "Post", URL: "https://api.anthropic.com/v1/messages", Err: &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "dial udp 127.0.0.53:53: socket: too many open files", Name: "api.anthropic.com", Server: "127.0.0.53:53"}}}},
		{"ENFILE in a DNS lookup", &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "dial udp 127.0.0.53:53: socket: too many open files in system", Name: "api.anthropic.com", Server: "127.0.0.53:53"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var rec runfile.Record
			failed(context.Background(), &rec, c.err)
			if rec.Outcome != classify.OutcomeTool || rec.Outcome.IsNetwork() || rec.Outcome.IsAnswer() || rec.NetError != NetErrorTool {
				t.Errorf("outcome %s net_error %q; want %s, not an answer", rec.Outcome, rec.NetError, classify.OutcomeTool)
			}
		})
	}
	var rec runfile.Record
	failed(context.Background(), &rec, errors.New("connection reset by peer"))
	if rec.Outcome == classify.OutcomeTool {
		t.Error("a reset counted as a tool failure")
	}
	rec = runfile.Record{}
	failed(context.Background(), &rec, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}})
	if rec.Outcome == classify.OutcomeTool {
		t.Error("an unknown host counted as a tool failure")
	}
}

// The warning comes before anything is sent when the open-file limit is
// below what the requests in flight may need.
func TestFileLimitWarning(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		limit       uint64
		concurrency int
		want        string // a part of the warning; "" for none
	}{
		{"below the need", 30, 20, "ulimit -n 56"},
		{"just below", 55, 20, "is 55, below the 56"},
		{"exactly the need", 56, 20, ""},
		{"the default soft limit at the providers' ceiling", 1024, 50, ""},
		{"no steps", 10, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := fileLimitWarning(c.limit, c.concurrency)
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Errorf("fileLimitWarning(%d, %d) = %q; want %q in it", c.limit, c.concurrency, got, c.want)
			}
		})
	}
}
