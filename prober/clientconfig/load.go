package clientconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"time"
)

// origin is one place that sets a variable; value is raw and never leaves
// the package unredacted.
type origin struct {
	value, source string
	scope         Scope
}

// settingsDoc is the part of a settings file this package reads.
type settingsDoc struct {
	Env          map[string]any `json:"env"`
	APIKeyHelper string         `json:"apiKeyHelper"`
	Model        string         `json:"model"`

	scope Scope
	path  string
}

// loader carries the state of one Load.
type loader struct {
	env        Env
	fsys       fs.FS
	now        time.Time
	cfg        *Config
	settings   []settingsDoc       // found and parsed, highest precedence first
	vars       map[string][]origin // per variable, highest precedence first
	approved   map[string]bool     // customApiKeyResponses, by last 20 characters
	rejected   map[string]bool
	loginToken string // the /login access token, a secret
}

// Load reads Claude Code's configuration as env describes it and works out
// the effective settings and their findings. It sends nothing and runs
// nothing. The error is for an unusable Env only: every problem with a file
// is a Finding.
func Load(env Env) (*Config, error) {
	if err := env.validate(); err != nil {
		return nil, err
	}
	l := &loader{env: env, fsys: env.FS, cfg: &Config{OS: env.OS}, vars: map[string][]origin{}}
	if l.fsys == nil {
		l.fsys = OSFS()
	}
	l.now = time.Now()
	if env.Now != nil {
		l.now = env.Now()
	}
	l.readSettings()
	l.collectEnv()
	l.resolveBackend()
	l.resolveBaseURL()
	l.resolveModels()
	l.resolveHeaders()
	l.resolveNetwork()
	l.readApprovals()
	l.readLogin()
	l.resolveCredential()
	l.readProjectKeys()
	return l.cfg, nil
}

// configDir is Claude Code's per-user directory: CLAUDE_CONFIG_DIR moves it
// (https://code.claude.com/docs/en/env-vars). Only the shell can set it:
// the settings files live inside it.
func (l *loader) configDir() string {
	if d := l.env.Vars["CLAUDE_CONFIG_DIR"]; d != "" && isAbs(d) {
		return join(d)
	}
	return join(l.env.Home, ".claude")
}

// globalConfigPath is ~/.claude.json, which moves into CLAUDE_CONFIG_DIR
// when that is set.
func (l *loader) globalConfigPath() string {
	if d := l.env.Vars["CLAUDE_CONFIG_DIR"]; d != "" && isAbs(d) {
		return join(d, ".claude.json")
	}
	return join(l.env.Home, ".claude.json")
}

// managedPaths are the system-wide managed settings files
// (https://code.claude.com/docs/en/settings, "Settings files"). Windows
// moved from ProgramData to Program Files; both are read, newest first.
func managedPaths(goos string) []string {
	switch goos {
	case "darwin":
		return []string{"/Library/Application Support/ClaudeCode/managed-settings.json"}
	case "windows":
		return []string{"C:/Program Files/ClaudeCode/managed-settings.json", "C:/ProgramData/ClaudeCode/managed-settings.json"}
	}
	return []string{"/etc/claude-code/managed-settings.json"}
}

// readSettings reads the four settings files in precedence order.
func (l *loader) readSettings() {
	for _, p := range managedPaths(l.env.OS) {
		if l.readSettingsFile(ScopeManaged, p) {
			break
		}
	}
	l.readSettingsFile(ScopeLocal, join(l.env.ProjectDir, ".claude", "settings.local.json"))
	l.readSettingsFile(ScopeProject, join(l.env.ProjectDir, ".claude", "settings.json"))
	l.readSettingsFile(ScopeUser, join(l.configDir(), "settings.json"))
}

// readSettingsFile reads one settings file; it reports whether the file exists.
func (l *loader) readSettingsFile(scope Scope, p string) bool {
	var doc settingsDoc
	found, ok := l.readJSON(p, scope, "settings", &doc, SeverityFail)
	if ok {
		doc.scope, doc.path = scope, p
		l.settings = append(l.settings, doc)
	}
	return found
}

// readJSON reads and decodes one file, records it in Files, and turns any
// problem into a Finding of severity sev. found says the file exists; ok
// says v was filled.
func (l *loader) readJSON(p string, scope Scope, role string, v any, sev Severity) (found, ok bool) {
	data, err := readFile(l.fsys, p)
	if errors.Is(err, errNotFound) {
		l.cfg.Files = append(l.cfg.Files, File{Path: p, Scope: scope, Role: role})
		return false, false
	}
	if err == nil {
		err = decodeJSON(data, v)
	}
	f := File{Path: p, Scope: scope, Role: role, Found: true}
	if err != nil {
		f.Problem = err.Error()
		l.cfg.add(sev, p, fmt.Sprintf("%s %s; Claude Code cannot use it", p, err),
			"Fix or remove the file; check it with a JSON linter (e.g. `jq . FILE`).")
	}
	l.cfg.Files = append(l.cfg.Files, f)
	return true, err == nil
}

// envValue turns a JSON value of a settings "env" object into the string
// Claude Code would export; objects, arrays and null are not variables.
func envValue(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64, bool:
		return fmt.Sprint(t), true
	}
	return "", false
}

// collectEnv merges the settings files' env objects over the shell: a
// variable in a settings file applies whatever the shell says
// (https://code.claude.com/docs/en/env-vars, "In settings files").
func (l *loader) collectEnv() {
	for _, doc := range l.settings {
		for name, raw := range doc.Env {
			if v, ok := envValue(raw); ok {
				l.vars[name] = append(l.vars[name], origin{value: v, source: doc.path, scope: doc.scope})
			}
		}
	}
	for _, name := range relevantVars {
		if v := l.env.Vars[name]; v != "" {
			l.vars[name] = append(l.vars[name], origin{value: v, source: ShellSource, scope: ScopeShell})
		}
	}
	names := make([]string, 0, len(l.vars))
	for name := range l.vars {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		l.cfg.Env = append(l.cfg.Env, l.envVar(name))
		l.checkShadowed(name)
	}
}

// envVar is the printable record of one variable and what it overrode.
func (l *loader) envVar(name string) EnvVar {
	from := l.vars[name]
	ev := EnvVar{Value: Value{Name: name, Value: display(name, from[0].value), Source: from[0].source}}
	for _, o := range from[1:] {
		ev.Overridden = append(ev.Overridden, Value{Name: name, Value: display(name, o.value), Source: o.source})
	}
	return ev
}

// checkShadowed reports a settings variable that differs from the shell's:
// the classic "I exported a new key and nothing changed".
func (l *loader) checkShadowed(name string) {
	from := l.vars[name]
	win, shell := from[0], from[len(from)-1]
	if win.scope == ScopeShell || shell.scope != ScopeShell || win.value == shell.value {
		return
	}
	l.cfg.add(SeverityWarn, win.source,
		fmt.Sprintf("env.%s in %s (%s) differs from the shell's %s (%s); Claude Code uses the one from %s",
			name, win.source, display(name, win.value), name, display(name, shell.value), win.source),
		fmt.Sprintf("Remove %s from the \"env\" object of %s, or make it match the value you meant.", name, win.source))
}

// lookup returns the winning value of a variable.
func (l *loader) lookup(name string) (origin, bool) {
	from := l.vars[name]
	if len(from) == 0 || from[0].value == "" {
		return origin{}, false
	}
	return from[0], true
}

// relevantVars are the shell variables that shape what Claude Code sends.
var relevantVars = []string{
	"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_CUSTOM_HEADERS",
	"ANTHROPIC_MODEL", "ANTHROPIC_SMALL_FAST_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL",
	"ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL",
	"CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_FOUNDRY",
	"AWS_REGION", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_BEDROCK_BASE_URL",
	"CLOUD_ML_REGION", "ANTHROPIC_VERTEX_PROJECT_ID", "ANTHROPIC_VERTEX_BASE_URL",
	"ANTHROPIC_FOUNDRY_BASE_URL", "ANTHROPIC_FOUNDRY_RESOURCE", "ANTHROPIC_FOUNDRY_API_KEY",
	"HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy",
	"NODE_EXTRA_CA_CERTS", "CLAUDE_CODE_OAUTH_TOKEN", "CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "CLAUDE_CONFIG_DIR",
}
