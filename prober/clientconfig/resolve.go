package clientconfig

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// backendSwitches are checked in this order; the variables after each are
// the ones that backend reads (https://code.claude.com/docs/en/amazon-bedrock,
// /google-vertex-ai, /microsoft-foundry).
var backendSwitches = []struct {
	name, switchVar string
	vars            []string
}{
	{"bedrock", "CLAUDE_CODE_USE_BEDROCK", []string{"AWS_REGION", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_BEDROCK_BASE_URL"}},
	{"vertex", "CLAUDE_CODE_USE_VERTEX", []string{"CLOUD_ML_REGION", "ANTHROPIC_VERTEX_PROJECT_ID", "ANTHROPIC_VERTEX_BASE_URL"}},
	{"foundry", "CLAUDE_CODE_USE_FOUNDRY", []string{"ANTHROPIC_FOUNDRY_RESOURCE", "ANTHROPIC_FOUNDRY_BASE_URL", "ANTHROPIC_FOUNDRY_API_KEY"}},
}

// truthy is how Claude Code reads its boolean switches.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// value is the printable Value of a variable's winning origin.
func (l *loader) value(name string) (Value, bool) {
	o, ok := l.lookup(name)
	if !ok {
		return Value{}, false
	}
	return Value{Name: name, Value: display(name, o.value), Source: o.source}, true
}

// resolveBackend finds a CLAUDE_CODE_USE_* switch: with one set, Claude Code
// does not use an Anthropic key at all.
func (l *loader) resolveBackend() {
	l.cfg.Backend = Backend{Name: "anthropic"}
	for _, b := range backendSwitches {
		o, ok := l.lookup(b.switchVar)
		if !ok || !truthy(o.value) {
			continue
		}
		if l.cfg.Backend.Name != "anthropic" {
			l.cfg.add(SeverityWarn, b.switchVar+" ("+o.source+")",
				fmt.Sprintf("%s is set as well as the %s switch; Claude Code uses %s", b.switchVar, l.cfg.Backend.Name, l.cfg.Backend.Name),
				"Set only one CLAUDE_CODE_USE_* variable.")
			continue
		}
		l.cfg.Backend = Backend{Name: b.name, Source: o.source}
		for _, name := range b.vars {
			if v, ok := l.value(name); ok {
				l.cfg.Backend.Vars = append(l.cfg.Backend.Vars, v)
			}
		}
		l.cfg.add(SeverityWarn, b.switchVar+" ("+o.source+")",
			fmt.Sprintf("Claude Code is pointed at %s (%s in %s): it does not use ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN or the login at all", b.name, b.switchVar, o.source),
			fmt.Sprintf("Test the %s credentials (probe --provider %s), or unset %s to use the Anthropic API.", b.name, b.name, b.switchVar))
	}
}

// resolveBaseURL records the effective ANTHROPIC_BASE_URL and checks its
// shape. Whether it answers needs the network: the integrator dials
// RawBaseURL.
func (l *loader) resolveBaseURL() {
	o, ok := l.lookup("ANTHROPIC_BASE_URL")
	if !ok {
		o = origin{value: DefaultBaseURL, source: "default"}
	}
	l.cfg.BaseURL = Value{Name: "ANTHROPIC_BASE_URL", Value: display("ANTHROPIC_BASE_URL", o.value), Source: o.source}
	l.cfg.baseURL = &secretBox{v: o.value}
	if ok {
		l.checkBaseURL(o)
	}
}

// checkBaseURL reports a base URL Claude Code cannot use as written.
func (l *loader) checkBaseURL(o origin) {
	subject := "ANTHROPIC_BASE_URL (" + o.source + ")"
	shown := display("ANTHROPIC_BASE_URL", o.value)
	u, err := url.Parse(strings.TrimSpace(o.value))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.cfg.add(SeverityFail, subject, fmt.Sprintf("ANTHROPIC_BASE_URL %q is not an http(s) URL with a host", shown),
			"Set it to a full URL such as https://api.anthropic.com, or remove it.")
		return
	}
	// Claude Code appends /v1/messages itself (REAL-ANSWERS, claude-code#87259).
	p := strings.TrimSuffix(path.Clean("/"+u.Path), "/")
	if strings.HasSuffix(p, "/v1") || strings.HasSuffix(p, "/v1/messages") {
		l.cfg.add(SeverityFail, subject,
			fmt.Sprintf("ANTHROPIC_BASE_URL %s ends in %s; Claude Code appends /v1/messages itself, so requests go to …/v1/v1/messages", shown, p[strings.LastIndex(p, "/v1"):]),
			"Drop the /v1 (or /v1/messages) suffix: give the base only, e.g. https://api.anthropic.com.")
	}
	if u.Hostname() != "api.anthropic.com" {
		l.cfg.add(SeverityInfo, subject,
			fmt.Sprintf("Claude Code sends to %s, not api.anthropic.com: a gateway or proxy answers first", u.Host),
			"Test the same base URL with probe (--as claude-code), or unset ANTHROPIC_BASE_URL to go direct.")
	}
}

// modelVars are the model variables, in the order a person reads them
// (https://code.claude.com/docs/en/model-config).
var modelVars = []string{"ANTHROPIC_MODEL", "ANTHROPIC_SMALL_FAST_MODEL",
	"ANTHROPIC_DEFAULT_OPUS_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL"}

// resolveModels records the model variables and the settings "model" key;
// ANTHROPIC_MODEL outranks the settings key.
func (l *loader) resolveModels() {
	for _, name := range modelVars {
		if v, ok := l.value(name); ok {
			l.cfg.Models = append(l.cfg.Models, v)
		}
	}
	for _, doc := range l.settings {
		if doc.Model != "" {
			l.cfg.Models = append(l.cfg.Models, Value{Name: "model", Value: doc.Model, Source: doc.path})
			return
		}
	}
}

// proxyVars are the proxy variables Claude Code reads, as Go's proxy
// matching reads them too.
var proxyVars = []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"}

// resolveNetwork records proxy variables and checks NODE_EXTRA_CA_CERTS.
func (l *loader) resolveNetwork() {
	for _, name := range proxyVars {
		if v, ok := l.value(name); ok {
			l.cfg.Proxy = append(l.cfg.Proxy, v)
			o, _ := l.lookup(name)
			if l.cfg.proxy == nil {
				l.cfg.proxy = map[string]*secretBox{}
			}
			l.cfg.proxy[name] = &secretBox{o.value}
		}
	}
	o, ok := l.lookup("NODE_EXTRA_CA_CERTS")
	if !ok {
		return
	}
	l.cfg.CACerts = &Value{Name: "NODE_EXTRA_CA_CERTS", Value: o.value, Source: o.source}
	p := o.value
	if !isAbs(p) {
		p = join(l.env.ProjectDir, p)
	}
	subject := "NODE_EXTRA_CA_CERTS (" + o.source + ")"
	if _, err := readFile(l.fsys, p); err != nil {
		l.cfg.add(SeverityFail, subject,
			fmt.Sprintf("NODE_EXTRA_CA_CERTS names %s, which %s; Node (and Claude Code) then trusts no extra CA and a TLS-intercepting proxy fails", o.value, reason(err)),
			"Point NODE_EXTRA_CA_CERTS at your proxy's CA bundle (PEM), or unset it.")
		return
	}
	l.cfg.add(SeverityInfo, subject, fmt.Sprintf("NODE_EXTRA_CA_CERTS adds the CAs in %s: TLS is expected to be intercepted", o.value), "")
}

// reason words a readFile error for a sentence.
func reason(err error) string {
	if err == errNotFound {
		return "does not exist"
	}
	return err.Error()
}
