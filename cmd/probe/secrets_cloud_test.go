package main

import (
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fake cloud credentials for the echo test: long and distinctive, so that
// any 8-character slice found in an output is a leak.
const (
	echoAWSKeyID   = "AKIAFAKEECHOTEST7QRS"
	echoAWSSecret  = "fakeEchoSecretKeyJj3Kk5Ll7Mm9Nn1Oo3Pp5Qq7"
	echoAWSSession = "fakeEchoSessionTokenRr2Ss4Tt6Uu8Vv0Ww2Xx4"
	echoGToken     = "ya29.fakeEchoGoogleTokenYy1Zz3Aa5Bb7Cc9Dd"
	echoFoundry    = "fakeEchoFoundryKeyEe2Ff4Gg6Hh8Ii0Jj2Kk4Ll"
)

// cloudEchoCases are the cloud providers, each with the credential probe
// sends and the secrets that must never come back out of probe.
var cloudEchoCases = []struct {
	name    string
	args    []string
	env     map[string]string
	secrets []string
}{
	{"bedrock", []string{"--provider", "bedrock", "--region", "us-west-2"}, map[string]string{
		"AWS_ACCESS_KEY_ID": echoAWSKeyID, "AWS_SECRET_ACCESS_KEY": echoAWSSecret, "AWS_SESSION_TOKEN": echoAWSSession,
		"AWS_EC2_METADATA_DISABLED": "true",
	}, []string{echoAWSKeyID[:16], echoAWSSecret, echoAWSSession}}, // the key id's last 4 may be shown
	{"vertex", []string{"--provider", "vertex", "--region", "global", "--project", "my-proj"},
		map[string]string{"GOOGLE_OAUTH_ACCESS_TOKEN": echoGToken}, []string{echoGToken}},
	{"foundry", []string{"--provider", "foundry"},
		map[string]string{"ANTHROPIC_FOUNDRY_API_KEY": echoFoundry}, []string{echoFoundry}},
}

// echoCredentials is a refusing server that echoes every credential header
// it received in every field probe keeps: message, request ids, cf-ray,
// organization id, server.
func echoCredentials(w http.ResponseWriter, r *http.Request) {
	echo := strings.Join([]string{r.Header.Get("Authorization"), r.Header.Get("X-Amz-Security-Token"), r.Header.Get("Api-Key")}, " | ")
	h := w.Header()
	h.Set("Content-Type", "application/json")
	for _, name := range []string{"Request-Id", "X-Amzn-Requestid", "Apim-Request-Id", "X-Request-Id", "Cf-Ray", "Anthropic-Organization-Id", "Server"} {
		h.Set(name, echo)
	}
	w.WriteHeader(http.StatusForbidden)
	json.NewEncoder(w).Encode(map[string]any{
		"type": "error", "message": "denied for " + echo, "request_id": echo,
		"error": map[string]any{"type": "permission_error", "message": "credential " + echo + " is not allowed", "code": 403, "status": "PERMISSION_DENIED"},
	})
}

// TestCloudSecretsNeverLeak runs ramp, check, export and report against an
// echoing server for each cloud provider and searches stdout, stderr and
// every file written for any 8-character slice of a fake cloud secret.
func TestCloudSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	for _, tc := range cloudEchoCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(echoCredentials))
			t.Cleanup(srv.Close)
			dir := t.TempDir()
			env := map[string]string{"AWS_CONFIG_FILE": filepath.Join(dir, "c"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "k")}
			for k, v := range tc.env {
				env[k] = v
			}
			base := append([]string{"--base-url", srv.URL, "--timeout", "2s"}, tc.args...)
			runEveryCommand(t, env, nil, base, tc.secrets)
		})
	}
}

// runEveryCommand runs check, ramp, export and report with base's target
// flags and searches stdout, stderr and every file written for any
// 8-character slice of the secrets.
func runEveryCommand(t *testing.T, env map[string]string, roots *x509.CertPool, base, secrets []string) {
	t.Helper()
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		ios, out, errb := TestStreams(env)
		ios.RootCAs = roots
		code := Main(t.Context(), args, ios)
		for _, where := range []struct{ name, text string }{{"stdout", out.String()}, {"stderr", errb.String()}} {
			if l := cloudLeaks(secrets, where.text); l != "" {
				t.Errorf("probe %s (exit %d): %s shows %q", strings.Join(args, " "), code, where.name, l)
			}
		}
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	run(append([]string{"check", "--output", "json"}, base...)...)
	run(append([]string{"check"}, base...)...)
	run(append([]string{"ramp", "--out", p("ramp.jsonl"), "--steps", "1,2", "--requests", "3", "--no-extend"}, base...)...)
	run(append([]string{"ramp", "--out", p("ramp2.jsonl"), "--steps", "1", "--requests", "2", "--output", "json"}, base...)...)
	for _, f := range []string{"ticket", "csv", "json"} {
		run("export", p("ramp.jsonl"), "--format", f, "--all")
		run("export", p("ramp.jsonl"), "--format", f, "--out", p("export."+f))
	}
	run("report", p("ramp.jsonl"), "--html", p("report.html"))
	run("report", p("ramp.jsonl"), "--output", "json")
	run("report", p("ramp.jsonl"))
	run("compare", p("ramp.jsonl"), p("ramp2.jsonl"))
	files := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if l := cloudLeaks(secrets, string(b)); l != "" {
			t.Errorf("%s shows %q", d.Name(), l)
		}
		return nil
	})
	if files < 6 {
		t.Errorf("only %d files written; the commands did not all run", files)
	}
}

// cloudLeaks returns the first 8-character slice of a secret found in text.
func cloudLeaks(secrets []string, text string) string {
	for _, s := range secrets {
		for i := 0; i+8 <= len(s); i++ {
			if strings.Contains(text, s[i:i+8]) {
				return s[i : i+8]
			}
		}
	}
	return ""
}
