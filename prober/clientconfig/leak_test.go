package clientconfig

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// publicPart strips the public prefix of a planted secret: "sk-ant-api03-"
// says what kind of key it is and may be printed.
func publicPart(secret string) string {
	for _, p := range []string{"sk-ant-api03-", "sk-ant-oat01-", "sk-ant-ort01-"} {
		if strings.HasPrefix(secret, p) {
			return strings.TrimPrefix(secret, p)
		}
	}
	return secret
}

// assertNoSecret fails if any 8-character slice of a secret's private part
// appears in out.
func assertNoSecret(t *testing.T, what, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		priv := publicPart(s)
		for i := 0; i+8 <= len(priv); i++ {
			if strings.Contains(out, priv[i:i+8]) {
				t.Errorf("%s leaks %q, a slice of a planted secret (fp:%s)", what, priv[i:i+8], fingerprint(s))
				break
			}
		}
	}
}

// TestSecretsNeverPrinted plants a secret in every kind of file and
// variable, then formats everything Load and RunKeyHelper produce.
func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	secrets := []string{shellKey, settingsKey, authToken, oatToken, loginToken, refreshTok,
		dotenvKey, mcpKey, helperOut, headerTok, urlPass, proxyPass}
	files := map[string]string{
		managedSettings: envJSON("ANTHROPIC_AUTH_TOKEN", authToken),
		userSettings: envJSON("ANTHROPIC_API_KEY", settingsKey,
			"ANTHROPIC_CUSTOM_HEADERS", "X-Gateway-Token: "+headerTok+"\nX-Team: infra",
			"HTTPS_PROXY", "http://bob:"+proxyPass+"@proxy:3128"),
		localSettings:   `{"apiKeyHelper": "echo ` + helperOut + `", "env": {"ANTHROPIC_BASE_URL": "https://user:` + urlPass + `@gw.example.com/v1"}}`,
		projectSettings: `{"env": {"CLAUDE_CODE_OAUTH_TOKEN": "` + oatToken + `"}, "broken": ` + "\n",
		globalConfig:    approvals([]string{settingsKey}, []string{shellKey}),
		loginFile:       login(loginToken, testNow.Add(-time.Hour), `"user:profile"`),
		dotEnv:          "ANTHROPIC_API_KEY=" + dotenvKey + "\n",
		mcpFile:         `{"mcpServers": {"x": {"args": ["--key", "` + mcpKey + `"]}}}`,
	}
	vars := map[string]string{"ANTHROPIC_API_KEY": shellKey, "ANTHROPIC_AUTH_TOKEN": authToken + "-shell"}
	cfg := load(t, files, vars)
	if len(cfg.Findings()) < 8 {
		t.Fatalf("only %d findings; the fixture should trip most checks", len(cfg.Findings()))
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%+v\n%#v\n%v\n%s\n", cfg, *cfg, cfg.Findings(), js)
	fmt.Fprintf(&out, "%+v %+v %+v\n", cfg.KeyHelper, cfg.Login, cfg.Headers)
	for _, r := range []*fakeRunner{
		{stdout: helperOut, stderr: helperOut, err: exitErr(2)},
		{err: fmt.Errorf("sh: %s", helperOut)},
		{stdout: helperOut + "\n"},
	} {
		if err := cfg.RunKeyHelper(context.Background(), r, HelperOptions{Allow: true}); err != nil {
			fmt.Fprintf(&out, "%v\n", err)
		}
	}
	fmt.Fprintf(&out, "%+v\n%#v\n", cfg, cfg.Auth)
	assertNoSecret(t, "formatted config, findings and errors", out.String(), secrets...)
	if v, _ := cfg.Credential(); v == "" {
		t.Errorf("Credential() is empty; the fixture's auth token should win")
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, varName, value, want string
	}{
		{"secret name", "ANTHROPIC_API_KEY", shellKey, "[redacted …KEY0 fp:" + fingerprint(shellKey) + "]"},
		{"short secret shows no tail", "MY_TOKEN", "abc", "[redacted fp:" + fingerprint("abc") + "]"},
		{"key under an innocent name", "FOO", "sk-live-" + urlPass, redact("sk-live-" + urlPass)},
		{"URL userinfo", "ANTHROPIC_BASE_URL", "https://u:" + urlPass + "@gw.example/x", "https://redacted@gw.example/x"},
		{"plain value", "ANTHROPIC_MODEL", "claude-sonnet-4-5", "claude-sonnet-4-5"},
		{"custom headers show names only", "ANTHROPIC_CUSTOM_HEADERS", "A: 1\nB: " + headerTok, "headers: A, B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := display(tt.varName, tt.value)
			if got != tt.want {
				t.Errorf("display(%s, …) = %q; want %q", tt.varName, got, tt.want)
			}
		})
	}
}
