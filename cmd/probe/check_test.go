package main

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/llm-probe/probe/scenarios"
)

// checkSignature is what `probe check` (one models call, one message at
// concurrency 1) concludes on each scenario, where that differs from a
// ramp's verdict: a single request cannot see load-dependent failures.
var checkSignature = map[string]string{
	"cloudflare-challenge":   "healthy",          // challenges only after 30 messages
	"abuse":                  "healthy",          // clean at concurrency 1
	"works-once-fails-twice": "healthy",          // the first message succeeds
	"rate-limited":           "healthy",          // limited only above 3 in flight
	"throttling":             "healthy",          // Bedrock: throttled only above 3 in flight
	"quota-exceeded":         "healthy",          // Vertex: a real limit, only above 3 in flight
	"cooldown":               "workspace_denied", // flagged at first: one 403 looks like a setting
	"envoy-rbac":             "inconclusive",     // one plain-text 403 without anyone's marks: five make it proxy_interference
}

// TestCheckScenarios checks, through the real CLI, the layer and signature
// `probe check` names for every scenario of the catalogue.
func TestCheckScenarios(t *testing.T) {
	dir := t.TempDir()
	for _, provider := range allProviders {
		for _, sc := range scenarios.AllFor(provider) {
			want := sc.Signature
			if s, ok := checkSignature[sc.Name]; ok {
				want = s
			}
			extra := " --provider " + provider
			if sc.Name == "slow" {
				extra += " --timeout 300ms" // it never answers; the default 30s would only slow the test
			}
			exec := "! exec"
			if want == "healthy" {
				exec = "exec"
			}
			script := fmt.Sprintf(`# %[5]s %[1]s: probe check names %[2]s
%[3]s probe check --scenario %[1]s --output json%[4]s
stdout '"signature": "%[2]s"'
! stdout 'TESTKEY0nly4Scr1pts'
! stderr 'TESTKEY0nly4Scr1pts'
`, sc.Name, want, exec, extra, provider)
			if want != "healthy" {
				layer := (map[string]string{"auth_failure": "1", "workspace_denied": "2", "region_blocked": "3", "model_not_enabled": "4", "intermittent_403": "5", "account_flagged": "5", "proxy_interference": "Q4"})[want]
				if layer == "" {
					layer = "-"
				}
				script += fmt.Sprintf("stdout '\"layer\": \"%s\"'\n", layer)
			}
			name := fmt.Sprintf("check_%s_%s.txtar", provider, sc.Name)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	testscript.Run(t, scriptParams(dir))
}

// apis holds the simulated APIs scripts start, by the URL they serve at.
var apis sync.Map

// cmdAPIServer starts a simulated API in the test process and sets VAR to
// its URL, so a script can count what reached it.
//
//	apiserver SCENARIO VAR
func cmdAPIServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: apiserver SCENARIO VAR")
	}
	api, err := scenarios.New(args[0], scenarios.Options{})
	ts.Check(err)
	srv := httptest.NewServer(api)
	ts.Defer(srv.Close)
	apis.Store(srv.URL, api)
	ts.Setenv(args[1], srv.URL)
}

// cmdAPICount asserts how many requests the simulated API at URL received.
//
//	apicount URL N
func cmdAPICount(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: apicount URL N")
	}
	v, ok := apis.Load(args[0])
	if !ok {
		ts.Fatalf("apicount: no simulated API at %s", args[0])
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	if got := v.(*scenarios.API).Requests(); got != int64(want) {
		ts.Fatalf("the simulated API received %d requests; want %d", got, want)
	}
}

// cmdTLSServer starts a healthy simulated API behind TLS with httptest's
// self-signed certificate (issuer "Acme Co"), as an intercepting proxy would
// present, and sets VAR to its URL.
//
//	tlsserver VAR
func cmdTLSServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tlsserver VAR")
	}
	api, err := scenarios.New("healthy", scenarios.Options{})
	ts.Check(err)
	srv := httptest.NewTLSServer(api)
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.URL)
}

// cmdStripProxy starts a simulated API and, in front of it, a forward HTTP
// proxy that removes x-api-key as some corporate proxies do; VAR is set to
// the proxy's URL, and HOSTVAR, if given, to its host:port (for a script
// that writes a proxy URL with a password). Requests for any host go to the
// simulated API, so the script can use a base URL that never resolves and
// nothing leaves loopback.
//
//	stripproxy SCENARIO VAR [HOSTVAR]
func cmdStripProxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: stripproxy SCENARIO VAR [HOSTVAR]")
	}
	api, err := scenarios.New(args[0], scenarios.Options{})
	ts.Check(err)
	upstream := httptest.NewServer(api)
	ts.Defer(upstream.Close)
	target, _ := url.Parse(upstream.URL)
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.URL.Path = r.In.URL.Path
			r.Out.Header.Del("X-Api-Key")
		},
	}
	srv := httptest.NewServer(proxy)
	ts.Defer(srv.Close)
	ts.Setenv(args[1], srv.URL)
	if len(args) == 3 {
		ts.Setenv(args[2], srv.Listener.Addr().String())
	}
}

// TestMainExitCodes runs commands in-process through Main with test
// streams, checking the documented exit codes.
func TestMainExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want ExitCode
	}{
		{"healthy check", []string{"check", "--scenario", "healthy"}, nil, ExitHealthy},
		{"diagnosed check", []string{"check", "--scenario", "revoked-key"}, nil, ExitDiagnosed},
		{"no key is a usage error, as for ramp", []string{"check", "--base-url", "http://127.0.0.1:1"}, map[string]string{}, ExitUsage},
		{"unknown flag", []string{"ramp", "--nope"}, nil, ExitUsage},
		{"unknown command", []string{"frobnicate"}, nil, ExitUsage},
		{"bad output", []string{"check", "--scenario", "healthy", "--output", "xml"}, nil, ExitUsage},
		{"key on the command line", []string{"check", "--key", "sk-ant-api03-x"}, nil, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, stderr := TestStreams(tt.env)
			if got := Main(t.Context(), tt.args, ios); got != tt.want {
				t.Errorf("Main(%q) = %d; want %d (stderr: %s)", tt.args, got, tt.want, stderr)
			}
		})
	}
}

var _ http.Handler = (*scenarios.API)(nil)

// TestCheckWarnedLayerNotPassed: a layer that worked with a warning is not
// listed as "passed" among the layers ruled out.
func TestCheckWarnedLayerNotPassed(t *testing.T) {
	t.Parallel()
	ios, stdout, stderr := TestStreams(map[string]string{"ANTHROPIC_API_KEY": "gw-0123456789abcdef0123456789"})
	Main(t.Context(), []string{"check", "--scenario", "healthy"}, ios)
	out := stdout.String()
	if !strings.Contains(out, "! ") {
		t.Fatalf("the key layer gave no warning to test with:\n%s\n%s", out, stderr)
	}
	_, ruled, _ := strings.Cut(out, "Ruled out:")
	if strings.Contains(ruled, "Key (local) (layer 1): passed") || !strings.Contains(ruled, "with warnings") {
		t.Errorf("the warned key layer is ruled out as passed:\n%s", out)
	}
}

// TestScenarioKeySource: with --scenario and no key of the user's, the key's
// source is the simulated API's demo key, in check as in ramp.
func TestScenarioKeySource(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"check", "--scenario", "healthy"},
		{"ramp", "--scenario", "healthy", "--steps", "1", "-o", "json", "--out", t.TempDir() + "/run.jsonl"},
	} {
		ios, stdout, _ := TestStreams(nil)
		Main(t.Context(), args, ios)
		if !strings.Contains(stdout.String(), "demo key of the simulated API") || strings.Contains(stdout.String(), "key from ANTHROPIC_API_KEY") {
			t.Errorf("%s: the key's source is not the demo key:\n%s", args[0], stdout)
		}
	}
}

// TestCheckTLSTrustsWhatRequestsTrust: the TLS step's own handshake trusts
// the roots the requests do, so a server the requests trust is not called
// an interception.
func TestCheckTLSTrustsWhatRequestsTrust(t *testing.T) {
	api, err := scenarios.New("healthy", scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(api)
	defer srv.Close()
	ios, stdout, stderr := TestStreams(map[string]string{"ANTHROPIC_API_KEY": "sk-ant-api03-TLSTESTKEY-0123456789-abcdefghijklmnop"})
	ios.RootCAs = x509.NewCertPool()
	ios.RootCAs.AddCert(srv.Certificate())
	if got := Main(t.Context(), []string{"check", "--base-url", srv.URL, "--client", "none"}, ios); got != ExitHealthy {
		t.Fatalf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", got, ExitHealthy, stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "trusted") {
		t.Errorf("no trusted certificate in the TLS step:\n%s", stdout)
	}
}
