package clientconfig

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// credentialVars are the variable names whose values are Anthropic
// credentials when found in a project's .env or .mcp.json.
var credentialVars = map[string]bool{
	"ANTHROPIC_API_KEY": true, "ANTHROPIC_AUTH_TOKEN": true, "CLAUDE_CODE_OAUTH_TOKEN": true,
}

// isCredential says whether name=value in a project file is an Anthropic
// credential worth comparing with the effective one.
func isCredential(name, value string) bool {
	return value != "" && (credentialVars[name] || strings.HasPrefix(value, "sk-ant-"))
}

// readProjectKeys looks for credentials in the project's .env and
// .mcp.json: tools and MCP servers started from the project read them, so a
// different key there explains "works here, fails there".
func (l *loader) readProjectKeys() {
	l.readDotEnv(join(l.env.ProjectDir, ".env"))
	l.readMCP(join(l.env.ProjectDir, ".mcp.json"))
	want := l.cfg.Auth.Fingerprint
	for _, k := range l.cfg.ProjectKeys {
		if want == "" || k.Fingerprint == want {
			continue
		}
		l.cfg.add(SeverityWarn, k.Path,
			fmt.Sprintf("%s in %s holds a different credential (fp:%s) from the one Claude Code uses (%s, fp:%s)",
				k.Name, k.Path, k.Fingerprint, l.cfg.Auth.Via, want),
			fmt.Sprintf("Update or remove %s in %s so that tools started from the project use the same key.", k.Name, k.Path))
	}
}

// readDotEnv reads KEY=value lines, with optional "export " and quotes.
func (l *loader) readDotEnv(p string) {
	data, err := readFile(l.fsys, p)
	if errors.Is(err, errNotFound) {
		return
	}
	f := File{Path: p, Scope: ScopeProject, Role: "dotenv", Found: true}
	if err != nil {
		f.Problem = err.Error()
		l.cfg.add(SeverityWarn, p, p+" "+err.Error(), "Fix or remove the file.")
	}
	l.cfg.Files = append(l.cfg.Files, f)
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "export "))
		name, value, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		name, value = strings.TrimSpace(name), strings.Trim(strings.TrimSpace(value), `"'`)
		if isCredential(name, value) {
			l.foundKey(p, name, value)
		}
	}
}

// readMCP walks .mcp.json for credentials, wherever the servers keep them
// (usually mcpServers.NAME.env).
func (l *loader) readMCP(p string) {
	var doc any
	if _, ok := l.readJSON(p, ScopeProject, "mcp", &doc, SeverityWarn); !ok {
		return
	}
	l.walkJSON(p, "", doc)
}

// walkJSON visits every string in a decoded JSON value, in a stable order.
func (l *loader) walkJSON(p, at string, v any) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			l.walkJSON(p, strings.TrimPrefix(at+"."+k, "."), t[k])
		}
	case []any:
		for i, e := range t {
			l.walkJSON(p, fmt.Sprintf("%s[%d]", at, i), e)
		}
	case string:
		name := at[strings.LastIndex(at, ".")+1:]
		if isCredential(name, t) {
			l.foundKey(p, at, t)
		}
	}
}

// foundKey records a credential found in a project file, by fingerprint.
func (l *loader) foundKey(p, name, value string) {
	l.cfg.ProjectKeys = append(l.cfg.ProjectKeys, FoundKey{Path: p, Name: name,
		Format: format(value), Fingerprint: fingerprint(value), Last4: last4(value)})
}
