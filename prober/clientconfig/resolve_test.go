package clientconfig

import (
	"testing"
	"time"
)

func TestEnvPrecedence(t *testing.T) {
	t.Parallel()
	all := map[string]string{
		managedSettings: envJSON("ANTHROPIC_BASE_URL", "https://managed.example"),
		localSettings:   envJSON("ANTHROPIC_BASE_URL", "https://local.example"),
		projectSettings: envJSON("ANTHROPIC_BASE_URL", "https://project.example"),
		userSettings:    envJSON("ANTHROPIC_BASE_URL", "https://user.example"),
	}
	shell := map[string]string{"ANTHROPIC_BASE_URL": "https://shell.example"}
	order := []string{managedSettings, localSettings, projectSettings, userSettings}
	tests := []struct {
		name    string
		drop    int // how many of order (from the top) are absent
		want    string
		wantSrc string
	}{
		{"managed wins", 0, "https://managed.example", managedSettings},
		{"local beats project", 1, "https://local.example", localSettings},
		{"project beats user", 2, "https://project.example", projectSettings},
		{"user beats shell", 3, "https://user.example", userSettings},
		{"shell when no file sets it", 4, "https://shell.example", ShellSource},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{}
			for _, p := range order[tt.drop:] {
				files[p] = all[p]
			}
			cfg := load(t, files, shell)
			if cfg.BaseURL.Value != tt.want || cfg.BaseURL.Source != tt.wantSrc {
				t.Errorf("BaseURL = %+v; want %s from %s", cfg.BaseURL, tt.want, tt.wantSrc)
			}
			if cfg.RawBaseURL() != tt.want {
				t.Errorf("RawBaseURL() = %q; want %q", cfg.RawBaseURL(), tt.want)
			}
		})
	}
}

func TestManagedPathByOS(t *testing.T) {
	t.Parallel()
	tests := []struct{ goos, path string }{
		{"linux", "/etc/claude-code/managed-settings.json"},
		{"darwin", "/Library/Application Support/ClaudeCode/managed-settings.json"},
		{"windows", "C:/Program Files/ClaudeCode/managed-settings.json"},
		{"windows", "C:/ProgramData/ClaudeCode/managed-settings.json"},
	}
	for _, tt := range tests {
		t.Run(tt.goos+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			fsys := machine(map[string]string{tt.path: envJSON("ANTHROPIC_MODEL", "claude-opus-4-1")})
			cfg := loadOn(t, tt.goos, fsys, nil)
			if len(cfg.Models) == 0 || cfg.Models[0].Source != tt.path {
				t.Errorf("Models = %+v; want ANTHROPIC_MODEL from %s", cfg.Models, tt.path)
			}
		})
	}
}

func TestCredentialPrecedence(t *testing.T) {
	t.Parallel()
	goodLogin := login(loginToken, testNow.Add(time.Hour), `"user:inference"`)
	tests := []struct {
		name   string
		files  map[string]string
		vars   map[string]string
		kind   CredentialKind
		via    string
		secret string
		header string
	}{
		{"auth token beats api key", nil,
			map[string]string{"ANTHROPIC_API_KEY": shellKey, "ANTHROPIC_AUTH_TOKEN": authToken},
			KindAuthToken, "ANTHROPIC_AUTH_TOKEN", authToken, "authorization"},
		{"settings key beats shell key", map[string]string{userSettings: envJSON("ANTHROPIC_API_KEY", settingsKey)},
			map[string]string{"ANTHROPIC_API_KEY": shellKey},
			KindAPIKey, "ANTHROPIC_API_KEY", settingsKey, "x-api-key"},
		{"api key beats helper and login",
			map[string]string{userSettings: `{"apiKeyHelper": "pass show k"}`, loginFile: goodLogin},
			map[string]string{"ANTHROPIC_API_KEY": shellKey},
			KindAPIKey, "ANTHROPIC_API_KEY", shellKey, "x-api-key"},
		{"refused key falls through to the login",
			map[string]string{globalConfig: approvals(nil, []string{shellKey}), loginFile: goodLogin},
			map[string]string{"ANTHROPIC_API_KEY": shellKey},
			KindLogin, "login", loginToken, "authorization"},
		{"helper beats login (value unknown until run)",
			map[string]string{userSettings: `{"apiKeyHelper": "pass show k"}`, loginFile: goodLogin}, nil,
			KindHelper, "apiKeyHelper", "", ""},
		{"oauth token variable beats login", map[string]string{loginFile: goodLogin},
			map[string]string{"CLAUDE_CODE_OAUTH_TOKEN": oatToken},
			KindOAuthToken, "CLAUDE_CODE_OAUTH_TOKEN", oatToken, "authorization"},
		{"cloud backend uses no Anthropic credential", nil,
			map[string]string{"CLAUDE_CODE_USE_BEDROCK": "1", "ANTHROPIC_API_KEY": shellKey},
			KindCloud, "bedrock", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := load(t, tt.files, tt.vars)
			if cfg.Auth.Kind != tt.kind || cfg.Auth.Via != tt.via {
				t.Errorf("Auth = %+v; want kind %s via %s", cfg.Auth, tt.kind, tt.via)
			}
			value, header := cfg.Credential()
			if value != tt.secret || header != tt.header {
				t.Errorf("Credential() = (fp:%s, %q); want (fp:%s, %q)", fingerprint(value), header, fingerprint(tt.secret), tt.header)
			}
			if cfg.Auth.Fingerprint != fingerprint(tt.secret) {
				t.Errorf("Auth.Fingerprint = %q; want %q", cfg.Auth.Fingerprint, fingerprint(tt.secret))
			}
		})
	}
}

func TestEffectiveValues(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		userSettings:    `{"model": "opus", "env": {"ANTHROPIC_SMALL_FAST_MODEL": "claude-haiku-4-5", "HTTPS_PROXY": "http://bob:` + proxyPass + `@proxy:3128"}}`,
		projectSettings: envJSON("ANTHROPIC_CUSTOM_HEADERS", "X-Team: infra\nAuthorization: Bearer "+headerTok),
	}
	cfg := load(t, files, map[string]string{"ANTHROPIC_MODEL": "claude-sonnet-4-5", "NO_PROXY": "localhost"})
	wantModels := []Value{
		{"ANTHROPIC_MODEL", "claude-sonnet-4-5", ShellSource},
		{"ANTHROPIC_SMALL_FAST_MODEL", "claude-haiku-4-5", userSettings},
		{"model", "opus", userSettings},
	}
	if len(cfg.Models) != len(wantModels) {
		t.Fatalf("Models = %+v; want %+v", cfg.Models, wantModels)
	}
	for i, w := range wantModels {
		if cfg.Models[i] != w {
			t.Errorf("Models[%d] = %+v; want %+v", i, cfg.Models[i], w)
		}
	}
	if len(cfg.Headers) != 2 || cfg.Headers[0] != (Header{"X-Team", "infra", projectSettings}) ||
		cfg.Headers[1].Name != "Authorization" || cfg.Headers[1].Value != redact("Bearer "+headerTok) {
		t.Errorf("Headers = %+v; want X-Team: infra and a redacted Authorization", cfg.Headers)
	}
	if len(cfg.Proxy) != 2 || cfg.Proxy[0].Value != "http://redacted@proxy:3128" || cfg.Proxy[1].Value != "localhost" {
		t.Errorf("Proxy = %+v; want HTTPS_PROXY without userinfo, then NO_PROXY", cfg.Proxy)
	}
	if cfg.Backend.Name != "anthropic" || cfg.BaseURL.Value != DefaultBaseURL || cfg.BaseURL.Source != "default" {
		t.Errorf("Backend, BaseURL = %+v, %+v; want anthropic and the default base", cfg.Backend, cfg.BaseURL)
	}
}

func TestLoadRejectsBadEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  Env
	}{
		{"unknown OS", Env{Home: home, ProjectDir: proj, OS: "plan9"}},
		{"relative home", Env{Home: "home/u", ProjectDir: proj, OS: "linux"}},
		{"empty project", Env{Home: home, OS: "linux"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Load(tt.env); err == nil {
				t.Errorf("Load(%+v) = nil error; want one", tt.env)
			}
		})
	}
}

// TestProxyEnv: the proxy variables answer as Claude Code sees them (its
// settings' env over the shell's), NO_PROXY in the form Go matches, and
// every other name passes through.
func TestProxyEnv(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		userSettings: envJSON("HTTPS_PROXY", "http://bob:pw@proxy.corp:3128", "NO_PROXY", "localhost  .corp.example, 10.0.0.1"),
	}
	shell := map[string]string{"HTTPS_PROXY": "http://shell-proxy:8080", "HTTP_PROXY": "http://plain:8080"}
	cfg := load(t, files, shell)
	outside := map[string]string{"HOME": "/home/bob", "HTTPS_PROXY": "http://ignored:1", "https_proxy": "http://ignored:2"}
	getenv := cfg.ProxyEnv(func(name string) string { return outside[name] })
	tests := []struct{ name, want string }{
		{"HTTPS_PROXY", "http://bob:pw@proxy.corp:3128"}, // settings beat the shell
		{"HTTP_PROXY", "http://plain:8080"},              // the shell's, as Claude Code sees it
		{"NO_PROXY", "localhost,.corp.example,10.0.0.1"}, // spaces and commas both separate
		{"https_proxy", ""},                              // unset for Claude Code, whatever getenv says
		{"HOME", "/home/bob"},                            // not a proxy variable: passed through
	}
	for _, tt := range tests {
		if got := getenv(tt.name); got != tt.want {
			t.Errorf("ProxyEnv(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
}
