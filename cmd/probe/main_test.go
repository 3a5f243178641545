package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/llm-probe/probe/scenarios"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"probe": main})
}

// scriptParams are shared by every script test: the custom commands below.
func scriptParams(dir string) testscript.Params {
	return testscript.Params{
		Dir: dir,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfile":   cmdWaitFile,
			"jsonl":      cmdJSONL,
			"interrupt":  cmdInterrupt,
			"apiserver":  cmdAPIServer,
			"apicount":   cmdAPICount,
			"tlsserver":  cmdTLSServer,
			"stripproxy": cmdStripProxy,
			"ticketids":  cmdTicketIDs,
			"cutrun":     cmdCutRun,
			"nultail":    cmdNULTail,
			"htmlmarks":  cmdHTMLMarks,
			// Claude Code's configuration (claude_test.go).
			"claudeapi":   cmdClaudeAPI,
			"apikeyfp":    cmdAPIKeyFP,
			"fingerprint": cmdFingerprint,
			"subst":       cmdSubst,
		},
		Setup: func(env *testscript.Env) error {
			// A fixed, recognisable key: the scripts check it never leaks.
			env.Setenv("ANTHROPIC_API_KEY", "sk-ant-api03-TESTKEY0nly4Scr1pts-LEAKCANARY-Zq9xW")
			env.Setenv("OPENAI_API_KEY", "sk-proj-TESTKEY0nly4Scr1pts-LEAKCANARY-OpenAI-Zq9xW")
			// Fake cloud credentials, each carrying the canary, and no way
			// off the machine: no metadata server, no shared AWS files.
			env.Setenv("AWS_ACCESS_KEY_ID", "AKIAFAKESCRIPTS0WXYZ")
			env.Setenv("AWS_SECRET_ACCESS_KEY", "TESTKEY0nly4Scr1pts-aws-secret-LEAKCANARY")
			env.Setenv("AWS_SESSION_TOKEN", "TESTKEY0nly4Scr1pts-aws-session-LEAKCANARY")
			env.Setenv("AWS_REGION", "eu-west-3")
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			env.Setenv("AWS_CONFIG_FILE", filepath.Join(env.WorkDir, "no-aws-config"))
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(env.WorkDir, "no-aws-credentials"))
			env.Setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.TESTKEY0nly4Scr1pts-google-LEAKCANARY")
			env.Setenv("ANTHROPIC_VERTEX_PROJECT_ID", "script-project")
			env.Setenv("CLOUD_ML_REGION", "europe-west1")
			env.Setenv("ANTHROPIC_FOUNDRY_API_KEY", "TESTKEY0nly4Scr1pts-foundry-LEAKCANARY")
			env.Setenv("ANTHROPIC_FOUNDRY_RESOURCE", "script-resource")
			return nil
		},
	}
}

// TestScripts runs the hand-written CLI scripts in testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/script"))
}

// TestRampScenarios checks, through the real CLI, that a default ramp on
// every scenario of the catalogue reaches that scenario's verdict, both
// in-process (--scenario) and against `probe serve` behind a path prefix.
// The scripts are generated from the catalogue so a new scenario cannot go
// untested.
func TestRampScenarios(t *testing.T) {
	dir := t.TempDir()
	for _, provider := range allProviders {
		for _, sc := range scenarios.AllFor(provider) {
			// The slow scenario never answers; the default 30s timeout would make
			// its five early-stop requests take 150s, so it gets a short one.
			extra := " --provider " + provider
			if sc.Name == "slow" {
				extra += " --timeout 300ms"
			}
			exit := "! exec"
			if sc.Signature == "healthy" {
				exit = "exec"
			}
			script := fmt.Sprintf(`# %[6]s %[1]s: a default ramp reaches %[2]s
%[3]s probe ramp --scenario %[1]s --output json --out inproc.jsonl%[4]s
stdout '"signature": "%[2]s"'
stdout '"layer": "%[5]s"'
stdout '"provider": "%[6]s"'
! stderr 'panic|TESTKEY0nly4Scr1pts'
jsonl inproc.jsonl

# the same through probe serve, with the base URL's path prefix kept
exec probe serve --provider %[6]s --scenario %[1]s --prefix /some/prefix --url-file url.txt &
waitfile url.txt BASE
%[3]s probe ramp --base-url $BASE --output json --out served.jsonl%[4]s
stdout '"signature": "%[2]s"'
jsonl served.jsonl
`, sc.Name, sc.Signature, exit, extra, sc.Layer, provider)
			name := fmt.Sprintf("ramp_%s_%s.txtar", provider, sc.Name)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	testscript.Run(t, scriptParams(dir))
}

// allProviders are every provider's simulated API, so the CLI suites
// cover each catalogue.
var allProviders = []string{scenarios.Anthropic, scenarios.OpenAI, scenarios.Bedrock, scenarios.Vertex, scenarios.Foundry}

// cmdWaitFile waits up to a minute for a file to appear (a -race probe
// serve on a loaded machine can be slow to start), then sets the variable
// VAR to its first line and VAR_ORIGIN to its scheme and host.
//
//	waitfile FILE VAR
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitfile FILE VAR")
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(time.Minute)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			v := strings.TrimSpace(string(b))
			ts.Setenv(args[1], v)
			if i := strings.Index(v, "://"); i >= 0 {
				origin := v
				if j := strings.Index(v[i+3:], "/"); j >= 0 {
					origin = v[:i+3+j]
				}
				ts.Setenv(args[1]+"_ORIGIN", origin)
			}
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfile: %s did not appear within a minute", args[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdJSONL checks that a run file is complete JSON lines: a run header
// first, every line a full object. With a number, at least that many
// request lines are required.
//
//	jsonl FILE [MIN_REQUESTS]
func cmdJSONL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: jsonl FILE [MIN_REQUESTS]")
	}
	data := ts.ReadFile(args[0])
	requests, lines := 0, 0
	var bad error
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines++
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			bad = fmt.Errorf("line %d is not complete JSON: %v", lines, err)
			break
		}
		if lines == 1 && obj["kind"] != "run" {
			bad = fmt.Errorf("first line is not a run header")
			break
		}
		if obj["kind"] == "request" {
			requests++
		}
	}
	if bad == nil && !strings.HasSuffix(data, "\n") && data != "" {
		bad = fmt.Errorf("the last line is not terminated")
	}
	if bad == nil && len(args) > 1 {
		var min int
		fmt.Sscan(args[1], &min)
		if requests < min {
			bad = fmt.Errorf("%d request lines, want at least %d", requests, min)
		}
	}
	switch {
	case neg && bad == nil:
		ts.Fatalf("jsonl: %s is a valid run file", args[0])
	case !neg && bad != nil:
		ts.Fatalf("jsonl %s: %v", args[0], bad)
	}
	ts.Logf("%s: %d lines, %d requests", args[0], lines, requests)
}

// scriptEnv rebuilds the script's environment for a child process.
func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	for _, k := range []string{"PATH", "HOME", "WORK", "TMPDIR", "ANTHROPIC_API_KEY", "GO_TESTSCRIPT_COMMANDS", "TESTSCRIPT_COMMAND"} {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
