package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
)

// NetErrorDesync marks an answer followed by bytes no request asked for
// (past its Content-Length or its last chunk): the answer itself is kept,
// and the connection is closed so the stray bytes cannot be read as the
// next request's answer.
const NetErrorDesync = "desync"

// stale records an answer read on a reused connection and followed by
// stray bytes: it may itself be what the server sent after an earlier
// answer (arriving only once this request was written, too late to tell),
// so it is not taken as the server's answer to this request.
func stale(rec *runfile.Record) {
	rec.Outcome, rec.NetError = classify.OutcomeNetwork, NetErrorDesync
	rec.Message = "HTTP/1.1 desync: bytes followed this answer on a reused connection, so it may answer an earlier request; not counted, connection closed"
}

// errDesync is what a guarded connection returns for bytes that arrive
// while no request is waiting for an answer.
var errDesync = errors.New("HTTP/1.1 desync: the server sent bytes no request asked for")

// guardConn is a dialled connection that follows HTTP/1.1 response framing
// just far enough to know where each answer ends, so that bytes past the
// end (a desyncing server's "200 OK" for a request never sent) are never
// handed to net/http as the next answer.
//
// net/http returns a connection to the idle pool when an answer's body
// reaches its end, and reads whatever the server sent after it as the next
// request's answer. So when an answer ends inside a read with bytes after
// it, or with bytes already waiting in the socket, the read returns the
// answer with io.EOF: net/http then never reuses the connection (it saw the
// server close it) and the stray bytes are dropped with it. Bytes arriving
// on an idle connection fail the read, which closes it, and bytes already
// waiting when the next request is about to be written stop that request
// before it leaves (see start).
//
// Over https the guard wraps the TLS connection (see guardDialTLS), so it
// follows the same plaintext, with one check fewer: it cannot ask whether
// bytes are waiting. The socket holds encrypted records, some of them not
// answers (a TLS 1.3 server's session tickets or key updates, a
// close_notify), and bytes the TLS layer has decrypted but not handed out
// cannot be seen without reading them. So over TLS stray bytes are caught
// when they come in the same read as the answer's end (the same TLS record,
// as a server that writes them in one go sends them) or on the idle
// connection (net/http's reader goes straight back to reading it). Stray
// bytes that reader has not taken yet when the next request is written (a
// record of their own right behind the answer's, or the rest of a record
// the answer ended inside at the end of a read) are what bytes arriving
// after the request are over TCP: they can be taken as its answer, at most
// once per connection, since the real answer behind them trips the guard.
// HTTP/2 (ALPN h2) is not guarded: its frames leave no room for stray
// bytes.
//
// Anything that is not plain HTTP/1.1 (TLS inside the connection, as under
// a CONNECT tunnel; HTTP/2 without TLS; framing the guard cannot follow)
// turns the guard off for good: it then passes bytes through untouched.
type guardConn struct {
	net.Conn
	off    atomic.Bool  // not HTTP/1.1 the guard follows: pass through
	desync atomic.Bool  // stray bytes were seen; the connection is done
	strays *atomic.Bool // shared by the transport's connections: set with desync
	peek   *peeker      // asks the socket for unread bytes; nil: cannot ask (TLS)

	mu       sync.Mutex
	pending  bool // a request was written whose final answer has not ended
	answered bool // an answer has ended on this connection
	fr       framing
}

// guardDial returns dial with each connection it makes guarded; strays
// is set when any of them sees bytes past an answer's end.
func guardDial(dial func(context.Context, string, string) (net.Conn, error), strays *atomic.Bool) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &guardConn{Conn: c, strays: strays, peek: newPeeker(c)}, nil
	}
}

// errStrayBeforeRequest is what writing a request returns when bytes no
// request asked for are already waiting on the reused connection: they
// would be read as its answer, so it is not sent.
var errStrayBeforeRequest = fmt.Errorf("%w (waiting on the reused connection before this request: not sent)", errDesync)

// Write notes the start of a request: the first write after an answer
// ended (net/http sends one request at a time on a connection).
func (c *guardConn) Write(p []byte) (int, error) {
	if !c.off.Load() {
		c.mu.Lock()
		var err error
		if !c.pending && len(p) > 0 {
			err = c.start(p)
		}
		c.mu.Unlock()
		if err != nil {
			return 0, err
		}
	}
	return c.Conn.Write(p)
}

// start begins following a request's answer; p opens the request. On a
// connection that has carried an answer it first looks for bytes already
// waiting: a server that sends stray bytes a little after an answer has
// them arrive between the answer and the next request, and the reader may
// not have taken them yet. Caught here, they cannot become this request's
// answer (net/http does not resend it: its body cannot be rewound).
func (c *guardConn) start(p []byte) error {
	method, _, ok := bytes.Cut(p, []byte(" "))
	if !ok || !isMethod(method) || string(method) == "CONNECT" || string(method) == "PRI" {
		c.off.Store(true) // a TLS hello, a tunnel, HTTP/2: not ours to follow
		return nil
	}
	if c.answered && c.peek.waiting() {
		c.poison()
		return errStrayBeforeRequest
	}
	c.pending = true
	c.fr = framing{head: string(method) == "HEAD"}
	return nil
}

// isMethod reports whether m looks like an HTTP method token.
func isMethod(m []byte) bool {
	if len(m) == 0 || len(m) > 16 {
		return false
	}
	for _, b := range m {
		if b < 'A' || b > 'Z' {
			return false
		}
	}
	return true
}

// Read reads from the connection and stops at the end of each answer; see
// guardConn.
func (c *guardConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n == 0 || c.off.Load() {
		return n, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.pending {
		if bytes.HasPrefix(p[:n], []byte("HTTP/1.1 408 ")) {
			// A server's notice that it closes an idle connection
			// (net/http knows it too): this connection is done, not the
			// run's others.
			c.desync.Store(true)
		} else {
			c.poison()
		}
		return 0, errDesync
	}
	end, ferr := c.fr.feed(p[:n])
	switch {
	case ferr != nil:
		c.off.Store(true) // net/http judges what the guard cannot follow
		return n, err
	case end < 0:
		return n, err
	}
	c.pending, c.answered = false, true
	// A read that did not fill p took every byte the socket held, so only
	// a full one can have left stray bytes behind it worth asking about
	// (and asking costs a system call on every answer).
	if end < n || n == len(p) && c.peek.waiting() {
		c.poison()
		return end, io.EOF
	}
	return n, err
}

// poison marks c, and the transport it belongs to, as having seen stray bytes.
func (c *guardConn) poison() {
	c.desync.Store(true)
	if c.strays != nil {
		c.strays.Store(true)
	}
}

// desynced reports whether c saw bytes past the end of an answer.
func (c *guardConn) desynced() bool { return c.desync.Load() }

// The states of framing: where in an answer the next byte falls.
const (
	inHead      = iota // status line and headers
	inBody             // Content-Length bytes
	inChunkSize        // a chunk's size line
	inChunk            // a chunk's data
	inChunkEnd         // the CRLF after a chunk's data
	inTrailer          // trailer lines after the last chunk
)

// maxLine caps a header or chunk-size line, well above what net/http takes
// for all of an answer's headers (NewTransport sets 256 KiB).
const maxLine = 1 << 20

var errFraming = errors.New("framing the guard cannot follow")

// framing follows one request's answers (any 1xx, then the final one).
type framing struct {
	state   int
	head    bool  // the request was HEAD: no body
	status  int   // the answer's status; 0 before its status line
	length  int64 // Content-Length, or -1
	chunked bool
	left    int64  // bytes of body or chunk still to come
	line    []byte // a line split across reads
}

// feed follows b; it returns the index just past the end of the final
// answer, or -1 when it does not end in b.
func (f *framing) feed(b []byte) (int, error) {
	for i := 0; i < len(b); {
		switch f.state {
		case inBody, inChunk:
			take := min(f.left, int64(len(b)-i))
			f.left -= take
			i += int(take)
			if f.left > 0 {
				continue
			}
			if f.state == inChunk {
				f.state = inChunkEnd
				continue
			}
			return i, nil
		case inChunkEnd:
			// net/http wants exactly CRLF here.
			want := byte('\r')
			if f.left == 1 {
				want = '\n'
			}
			if b[i] != want {
				return -1, errFraming
			}
			i++
			if f.left++; f.left == 2 {
				f.state, f.left = inChunkSize, 0
			}
		default:
			line, next, ok := f.nextLine(b, i)
			i = next
			if !ok {
				continue
			}
			done, err := f.onLine(line)
			if err != nil {
				return -1, err
			}
			if done {
				return i, nil
			}
		}
	}
	return -1, nil
}

// nextLine returns the line (without its end) that b[i:] completes, and
// the index after it; ok is false when b ends first and the part is kept.
func (f *framing) nextLine(b []byte, i int) (line []byte, next int, ok bool) {
	j := bytes.IndexByte(b[i:], '\n')
	if j < 0 {
		f.line = append(f.line, b[i:]...)
		if len(f.line) > maxLine {
			f.line = f.line[:0]
		}
		return nil, len(b), false
	}
	line = b[i : i+j]
	if len(f.line) > 0 {
		line = append(f.line, line...)
		f.line = f.line[:0]
	}
	return bytes.TrimSuffix(line, []byte("\r")), i + j + 1, true
}

// onLine takes one line of headers, a chunk size or a trailer; done is true
// when it ends the final answer.
func (f *framing) onLine(line []byte) (done bool, err error) {
	switch f.state {
	case inChunkSize:
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseUint(string(bytes.TrimRight(size, " \t")), 16, 62)
		if err != nil {
			return false, errFraming
		}
		f.state, f.left = inChunk, int64(n)
		if n == 0 {
			f.state = inTrailer
		}
		return false, nil
	case inTrailer:
		return len(line) == 0, nil
	}
	if f.status == 0 {
		return false, f.statusLine(line)
	}
	if len(line) > 0 {
		return false, f.header(line)
	}
	return f.headersEnd()
}

// statusLine reads an answer's first line.
func (f *framing) statusLine(line []byte) error {
	rest, ok := bytes.CutPrefix(line, []byte("HTTP/1.1 "))
	if !ok || len(rest) < 3 {
		return errFraming // HTTP/1.0's keep-alive rules, or not HTTP at all
	}
	code, err := strconv.Atoi(string(rest[:3]))
	if err != nil || code < 100 || code > 999 {
		return errFraming
	}
	f.status, f.length, f.chunked = code, -1, false
	return nil
}

// header reads the two header fields that frame a body.
func (f *framing) header(line []byte) error {
	name, value, ok := bytes.Cut(line, []byte(":"))
	if !ok {
		return errFraming
	}
	value = bytes.Trim(value, " \t")
	switch {
	case bytes.EqualFold(name, []byte("Content-Length")):
		n, err := strconv.ParseInt(string(value), 10, 63)
		if err != nil || (f.length >= 0 && n != f.length) {
			return errFraming
		}
		f.length = n
	case bytes.EqualFold(name, []byte("Transfer-Encoding")):
		if !bytes.EqualFold(value, []byte("chunked")) || f.chunked {
			return errFraming
		}
		f.chunked = true
	}
	return nil
}

// headersEnd decides, at the blank line, how the answer's body is framed.
func (f *framing) headersEnd() (done bool, err error) {
	status := f.status
	f.status = 0
	switch {
	case status == 101:
		return false, errFraming // the connection becomes something else
	case status < 200:
		return false, nil // an interim answer; the final one follows
	case f.head || status == 204 || status == 304:
		return true, nil
	case f.chunked:
		f.state = inChunkSize
		return false, nil
	case f.length == 0:
		return true, nil
	case f.length > 0:
		f.state, f.left = inBody, f.length
		return false, nil
	}
	return false, errFraming // the body runs to the close: nothing to desync
}
