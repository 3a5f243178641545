package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// okBody is the answer to every probe: the shape of a Messages API success,
// small as the API's answer to a max_tokens 1 request is.
var okBody = []byte(`{"id":"msg_bench","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi"}],"stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":8,"output_tokens":1}}`)

var (
	jsonType = []string{"application/json"}
	bodyLen  = []string{strconv.Itoa(len(okBody))}
)

// apiServer is the loopback stand-in for the Messages API: POST /v1/messages
// gets okBody with a request-id header, at once, so that what is measured
// is the client. It counts what it answered, so every tool's figures rest on
// the same count rather than on each tool's own report.
type apiServer struct {
	URL    string
	served atomic.Int64
	srv    *http.Server
	done   chan struct{}
}

// startServer listens on an ephemeral loopback port: the harness never
// sends a request anywhere else.
func startServer() (*apiServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &apiServer{URL: "http://" + ln.Addr().String(), done: make(chan struct{})}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

func (s *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/messages" {
		w.Header()["Content-Type"] = jsonType
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"type":"error","error":{"type":"not_found_error","message":"not found"}}`)
		return
	}
	_, _ = io.Copy(io.Discard, r.Body)
	n := s.served.Add(1)
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = bodyLen
	h["Request-Id"] = []string{"req_bench_" + strconv.FormatInt(n, 10)}
	_, _ = w.Write(okBody)
}

// Served returns the number of probe requests answered so far.
func (s *apiServer) Served() int64 { return s.served.Load() }

// Close stops the server and waits for it.
func (s *apiServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}
