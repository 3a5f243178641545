package engine

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/llm-probe/probe/scenarios"
)

// TestClassifyScenarios sends one real probe request to every scenario of
// the simulated API and checks the classifier reads its answer as intended.
// Every scenario must have a row, so a new one cannot be forgotten.
func TestClassifyScenarios(t *testing.T) {
	t.Parallel()
	want := map[string]scenarioAnswer{
		"healthy":               {classify.OutcomeOK, classify.IDFromRequestID},
		"revoked-key":           {classify.OutcomeAuth, classify.IDFromRequestID},
		"key-missing":           {classify.OutcomeKeyNotReceived, classify.IDFromRequestID},
		"empty-403":             {classify.OutcomePermission, classify.IDFromRequestID},
		"permission-denied":     {classify.OutcomePermission, classify.IDFromRequestID},
		"oauth-scope":           {classify.OutcomeAuth, classify.IDFromRequestID}, // REAL-ANSWERS.md: layer 1
		"org-disabled":          {classify.OutcomeWorkspace, classify.IDFromRequestID},
		"credential-restricted": {classify.OutcomeAuth, classify.IDFromRequestID}, // REAL-ANSWERS.md: layer 1
		"model-not-enabled":     {classify.OutcomeModel, classify.IDFromRequestID},
		"unknown-model":         {classify.OutcomeModel, classify.IDFromRequestID},
		"region-blocked":        {classify.OutcomeForbiddenEdge, classify.IDFromCFRay},
		"edge-ip-restricted":    {classify.OutcomeEdgeBlock, classify.IDFromCFRay},
		"cloudflare-block":      {classify.OutcomeEdgeBlock, classify.IDFromCFRay},
		"corporate-proxy":       {classify.OutcomeProxyPage, ""},
		// Load-dependent scenarios let a lone request through.
		"cloudflare-challenge":   {classify.OutcomeOK, classify.IDFromRequestID},
		"abuse":                  {classify.OutcomeOK, classify.IDFromRequestID},
		"rate-limited":           {classify.OutcomeOK, classify.IDFromRequestID},
		"works-once-fails-twice": {classify.OutcomeOK, classify.IDFromRequestID}, // message 0 of every three goes through
		// Coin-driven scenarios: with seed 1, message 0's coin fails both.
		"cooldown":   {classify.OutcomePermission, classify.IDFromRequestID},
		"overloaded": {classify.OutcomeOverloaded, classify.IDFromRequestID},

		"low-credit":               {classify.OutcomeBilling, classify.IDFromRequestID},
		"extra-usage":              {classify.OutcomeBilling, classify.IDFromRequestID}, // a 429 whose message is an entitlement
		"long-context-extra-usage": {classify.OutcomeBilling, classify.IDFromRequestID},
		"oauth-token-expired":      {classify.OutcomeAuth, classify.IDFromRequestID},
		"account-flagged":          {classify.OutcomeFlagged, classify.IDFromRequestID},
		"cloudflare-1020":          {classify.OutcomeEdgeBlock, classify.IDFromCFRay},
		"envoy-rbac":               {classify.OutcomeUnrecognised, ""},
		"captive-portal":           {classify.OutcomeUnexpected, ""},
		"server-error":             {classify.OutcomeServer, classify.IDFromRequestID},
		// No HTTP answer: the transport error is classified instead.
		"connection-reset": {classify.OutcomeReset, ""},
		"slow":             {classify.OutcomeTimeout, ""},
	}
	all := scenarios.All()
	known := map[string]bool{}
	for _, sc := range all {
		known[sc.Name] = true
		if _, ok := want[sc.Name]; !ok {
			t.Errorf("scenario %q has no expected answer in this test: add one", sc.Name)
		}
	}
	for name := range want {
		if !known[name] {
			t.Errorf("expected answer for %q, which is no scenario", name)
		}
	}
	for _, sc := range all {
		w, ok := want[sc.Name]
		if !ok {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			_, srv := startScenario(t, sc.Name, scenarios.Options{Seed: 1, Latency: time.Millisecond})
			tg := testTarget(t, srv.URL)
			// Only the slow scenario, which never answers, is meant to time
			// out; every other one gets a timeout no loaded machine reaches
			// (300ms for all, with every row in parallel under -race, made
			// an edge answer a network-timeout now and then).
			timeout := 30 * time.Second
			if sc.Name == "slow" {
				timeout = 300 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(t.Context(), timeout)
			defer cancel()
			req, err := tg.NewMessageRequest(ctx, tg.MessageBody())
			if err != nil {
				t.Fatal(err)
			}
			client := testClient(t, 1)
			var got classify.Classification
			status := 0
			resp, err := client.Do(req)
			if err != nil {
				got.Outcome, got.Message = classify.ClassifyError(err)
			} else {
				body, err := io.ReadAll(io.LimitReader(resp.Body, DefaultBodyCap))
				resp.Body.Close()
				if err != nil {
					t.Fatalf("reading the answer: %v", err)
				}
				status = resp.StatusCode
				got = classify.Classify(classify.Answer{Status: status, Header: resp.Header, Body: body, Model: tg.Model})
			}
			if got.Outcome != w.outcome || got.RequestIDSource != w.idSource {
				t.Fatalf("classify.Classify(%s) = %s (id from %q, %+v); want %s (id from %q)", sc.Name, got.Outcome, got.RequestIDSource, got, w.outcome, w.idSource)
			}
			if w.idSource != "" && got.RequestID == "" {
				t.Errorf("classify.Classify(%s): id source %q but no id", sc.Name, got.RequestIDSource)
			}
			// A failure seen alone must point at the scenario's layer, except
			// for the intermittent scenarios, whose layer only shows in a mix.
			if got.Outcome != classify.OutcomeOK && sc.Signature != string(verdict.Intermittent403) {
				sig := diagnose.SignatureFrom(got.Outcome, got.Producer, got.Message)
				if string(sig) != sc.Signature || sig.Layer() != sc.Layer {
					t.Errorf("signatureOf(%s) = %s (layer %s); want the scenario's %s (layer %s)", got.Outcome, sig, sig.Layer(), sc.Signature, sc.Layer)
				}
			}
		})
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// postError sends a probe request to rawURL with client and returns the
// transport error; it fails the test if an answer came back.
func postError(t *testing.T, ctx context.Context, client *http.Client, rawURL string) error {
	t.Helper()
	tg := testTarget(t, rawURL)
	req, err := tg.NewMessageRequest(ctx, tg.MessageBody())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("POST %s answered %s; want a transport error", rawURL, resp.Status)
	}
	return err
}

func TestClassifyError(t *testing.T) {
	t.Parallel()
	synthetic := []struct {
		name string
		err  error
		want classify.Outcome
	}{
		{"dns", &url.Error{Op: "Post", URL: "https://api.example/v1/messages", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}}}, classify.OutcomeDNS},
		{"dns value alone", &net.DNSError{Err: "server misbehaving", Name: "api.example"}, classify.OutcomeDNS},
		{"hostname mismatch", &url.Error{Op: "Post", Err: x509.HostnameError{Certificate: &x509.Certificate{}, Host: "api.anthropic.com"}}, classify.OutcomeTLS},
		{"deadline", os.ErrDeadlineExceeded, classify.OutcomeTimeout},
		{"context deadline", fmt.Errorf("post: %w", context.DeadlineExceeded), classify.OutcomeTimeout},
		{"unexpected EOF", &url.Error{Op: "Post", Err: io.ErrUnexpectedEOF}, classify.OutcomeReset},
		{"EOF", &url.Error{Op: "Post", Err: io.EOF}, classify.OutcomeReset},
		{"tls text", errors.New("remote error: tls: handshake failure"), classify.OutcomeTLS},
		{"something else", errors.New("weird"), classify.OutcomeNetwork},
		{"hostile text", errors.New("weird\x1b[31m\n"), classify.OutcomeNetwork},
	}
	for _, c := range synthetic {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, msg := classify.ClassifyError(c.err)
			if got != c.want {
				t.Errorf("classify.ClassifyError(%v) = %v; want %v", c.err, got, c.want)
			}
			if strings.ContainsAny(msg, "\x1b\n") {
				t.Errorf("classify.ClassifyError(%v) message %q is not printable", c.err, msg)
			}
		})
	}

	// Real failures of real connections, all on loopback.
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		err := postError(t, t.Context(), testClient(t, 1), "http://"+closedPort(t))
		if got, _ := classify.ClassifyError(err); got != classify.OutcomeRefused {
			t.Errorf("classify.ClassifyError(%v) = %v; want %v", err, got, classify.OutcomeRefused)
		}
	})
	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(http.ErrAbortHandler)
			}
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}))
		t.Cleanup(srv.Close)
		err := postError(t, t.Context(), testClient(t, 1), srv.URL)
		if got, _ := classify.ClassifyError(err); got != classify.OutcomeReset {
			t.Errorf("classify.ClassifyError(%v) = %v; want %v", err, got, classify.OutcomeReset)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Never answers; lets go when the client does, which the server
			// notices only once the body has been read.
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}))
		t.Cleanup(srv.Close)
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		began := time.Now()
		err := postError(t, ctx, testClient(t, 1), srv.URL)
		if got, _ := classify.ClassifyError(err); got != classify.OutcomeTimeout {
			t.Errorf("classify.ClassifyError(%v) = %v; want %v", err, got, classify.OutcomeTimeout)
		}
		// 30s: the server never answers, so only the 200ms deadline ends
		// the request; the margin is for -race on a loaded machine.
		if d := time.Since(began); d > 30*time.Second {
			t.Errorf("the timeout took %v", d)
		}
	})
	t.Run("client timeout", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}))
		t.Cleanup(srv.Close)
		client := testClient(t, 1)
		client.Timeout = 200 * time.Millisecond
		err := postError(t, t.Context(), client, srv.URL)
		if got, _ := classify.ClassifyError(err); got != classify.OutcomeTimeout {
			t.Errorf("classify.ClassifyError(%v) = %v; want %v", err, got, classify.OutcomeTimeout)
		}
	})
	t.Run("tls unknown authority", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t.Error("the TLS server answered a client that should not trust it")
		}))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake is expected
		srv.StartTLS()
		t.Cleanup(srv.Close)
		err := postError(t, t.Context(), testClient(t, 1), srv.URL)
		got, msg := classify.ClassifyError(err)
		issuer := srv.Certificate().Issuer.String()
		if got != classify.OutcomeTLS || !strings.Contains(msg, "unknown authority") || !strings.Contains(msg, issuer) {
			t.Errorf("classify.ClassifyError(%v) = %v, %q; want %v naming the unknown authority and issuer %q", err, got, msg, classify.OutcomeTLS, issuer)
		}
		if sig := diagnose.SignatureFor(got, msg); sig != verdict.ProxyInterference {
			t.Errorf("SignatureFor(TLS unknown authority) = %v; want %v", sig, verdict.ProxyInterference)
		}
	})
}

// scenarioAnswer is what one scenario gives a single probe request at
// concurrency 1: the outcome, and where its request id comes from.
type scenarioAnswer struct {
	outcome  classify.Outcome
	idSource string
}
