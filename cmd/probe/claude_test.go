package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/scenarios"
	"github.com/rogpeppe/go-internal/testscript"
)

// keyLogs holds, per simulated API started by claudeapi, the fingerprints
// of the x-api-key and Authorization values each request carried.
var keyLogs sync.Map // URL -> *keyLog

// keyLog is a simulated API's request log: fingerprints only, never keys.
type keyLog struct {
	mu     sync.Mutex
	apiKey []string
	bearer []string
}

// cmdClaudeAPI starts a healthy simulated API that logs the fingerprint of
// every key it receives, and sets VAR to its URL. apicount works on it too.
//
//	claudeapi VAR
func cmdClaudeAPI(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: claudeapi VAR")
	}
	api, err := scenarios.New("healthy", scenarios.Options{})
	ts.Check(err)
	log := &keyLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.mu.Lock()
		log.apiKey = append(log.apiKey, keys.Fingerprint(r.Header.Get("X-Api-Key")))
		log.bearer = append(log.bearer, keys.Fingerprint(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")))
		log.mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	ts.Defer(srv.Close)
	apis.Store(srv.URL, api)
	keyLogs.Store(srv.URL, log)
	ts.Setenv(args[0], srv.URL)
}

// cmdAPIKeyFP asserts that the simulated API at URL received at least one
// request and that every request carried the key whose fingerprint is FP
// in x-api-key (and, with -bearer, also as Authorization: Bearer).
//
//	apikeyfp [-bearer] URL FP
func cmdAPIKeyFP(ts *testscript.TestScript, neg bool, args []string) {
	bearer := len(args) > 0 && args[0] == "-bearer"
	if bearer {
		args = args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: apikeyfp [-bearer] URL FP")
	}
	v, ok := keyLogs.Load(args[0])
	if !ok {
		ts.Fatalf("apikeyfp: no claudeapi at %s", args[0])
	}
	log := v.(*keyLog)
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.apiKey) == 0 {
		ts.Fatalf("apikeyfp: no request reached %s", args[0])
	}
	for i := range log.apiKey {
		if log.apiKey[i] != args[1] {
			ts.Fatalf("apikeyfp: request %d carried x-api-key fp:%s; want fp:%s", i, log.apiKey[i], args[1])
		}
		if bearer && log.bearer[i] != args[1] {
			ts.Fatalf("apikeyfp: request %d carried Authorization fp:%s; want fp:%s", i, log.bearer[i], args[1])
		}
	}
	ts.Logf("%d requests, each with fp:%s", len(log.apiKey), args[1])
}

// cmdFingerprint sets VAR to the fingerprint probe shows for SECRET.
//
//	fingerprint VAR SECRET
func cmdFingerprint(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fingerprint VAR SECRET")
	}
	ts.Setenv(args[0], keys.Fingerprint(args[1]))
}

// cmdSubst copies SRC to DST with $VAR and ${VAR} replaced by the
// script's variables, so a settings file can name the simulated API's URL.
//
//	subst SRC DST
func cmdSubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: subst SRC DST")
	}
	out := os.Expand(ts.ReadFile(args[0]), ts.Getenv)
	ts.Check(os.MkdirAll(filepath.Dir(ts.MkAbs(args[1])), 0o755))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(out), 0o600))
}
