package check

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/clientconfig"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/verdict"
)

// ClientConfig is the verdict of a walk stopped by Claude Code's own
// configuration: the fault is local, in a settings file or a variable, and
// nothing was sent.
const ClientConfig verdict.Signature = "client_config"

// Client is Claude Code's configuration as the client layer shows it.
type Client struct {
	// Config is what clientconfig.Load (and any helper run) worked out.
	Config *clientconfig.Config
	// Extra are findings the caller made on top of Load's: the base URL
	// dial, a helper run that failed, --as claude-code's own limits.
	Extra []clientconfig.Finding
}

// Findings returns Load's findings followed by the caller's.
func (c *Client) Findings() []clientconfig.Finding {
	return append(c.Config.Findings(), c.Extra...)
}

// clientLayer is the step before the key: what Claude Code would send.
func clientLayer() Layer {
	return Layer{ID: "client", Name: "Client: Claude Code's configuration", Layers: "0"}
}

// clientStep reports the effective settings as facts, then every finding
// with its fix. A fail finding stops the walk before anything is sent, as a
// broken key does.
func (c *Checker) clientStep(_ context.Context, l *Layer, _ *Result) *verdict.Verdict {
	l.Findings = append(l.Findings, Facts(c.Client.Config)...)
	first := ""
	for _, f := range c.Client.Findings() {
		kf := keys.Finding{Status: statusOf(f.Severity), Message: f.Subject + ": " + f.Message, Fix: f.Fix}
		if kf.Status == keys.Failed && first == "" {
			first = kf.Message
		}
		l.Findings = append(l.Findings, kf)
	}
	return settle(l, ClientConfig, reason(verdict.CheckClientBroken, first))
}

// statusOf maps a finding's severity onto the walk's states; an info
// finding is a fact worth showing, not a fault.
func statusOf(s clientconfig.Severity) keys.Status {
	switch s {
	case clientconfig.SeverityFail:
		return keys.Failed
	case clientconfig.SeverityWarn:
		return keys.Warned
	}
	return keys.Passed
}

// Facts lists what Claude Code would use, each with its source: the
// credential (fingerprint, never the key), base URL, models, custom header
// names, backend and apiKeyHelper.
func Facts(cfg *clientconfig.Config) []keys.Finding {
	var out []keys.Finding
	add := func(format string, args ...any) {
		out = append(out, keys.Finding{Status: keys.Passed, Message: fmt.Sprintf(format, args...)})
	}
	add("backend: %s%s", cfg.Backend.Name, sourceSuffix(cfg.Backend.Source))
	a := cfg.Auth
	switch {
	case a.Kind == clientconfig.KindNone:
		add("credential: none found")
	case a.Fingerprint == "":
		add("credential: %s via %s%s (not known until it runs)", a.Kind, a.Via, sourceSuffix(a.Source))
	default:
		add("credential: %s via %s%s, %s, fingerprint %s, sent as %s", a.Kind, a.Via, sourceSuffix(a.Source), a.Format, a.Fingerprint, a.Header)
	}
	add("base URL: %s%s", cfg.BaseURL.Value, sourceSuffix(cfg.BaseURL.Source))
	for _, m := range cfg.Models {
		add("model: %s=%s%s", m.Name, m.Value, sourceSuffix(m.Source))
	}
	for _, h := range cfg.Headers {
		add("custom header: %s: %s%s", h.Name, h.Value, sourceSuffix(h.Source))
	}
	if h := cfg.KeyHelper; h != nil {
		add("apiKeyHelper: %q (%s settings, %s)", h.Command, h.Scope, h.Source)
	}
	return out
}

func sourceSuffix(src string) string {
	if src == "" {
		return ""
	}
	return " (" + src + ")"
}

// DialBaseURL checks that the host of Claude Code's configured base URL
// resolves and accepts a TCP connection within timeout. It is a local
// network check, not an API request: it only dials the host the user
// configured, and only when a setting or variable overrides the default
// (the default host is probed by the walk itself). With a proxy configured
// the proxy resolves the name, so there is nothing to dial.
func DialBaseURL(ctx context.Context, cfg *clientconfig.Config, timeout time.Duration) []clientconfig.Finding {
	if cfg.Backend.Name != "anthropic" || cfg.BaseURL.Source == "default" || cfg.BaseURL.Source == "" || len(cfg.Proxy) > 0 {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(cfg.RawBaseURL()))
	if err != nil || u.Hostname() == "" {
		return nil // Load already reports a base URL that does not parse
	}
	subject := "ANTHROPIC_BASE_URL (" + cfg.BaseURL.Source + ")"
	host, port := u.Hostname(), portOf(u)
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if net.ParseIP(host) == nil {
		if _, err := net.DefaultResolver.LookupHost(dctx, host); err != nil {
			return []clientconfig.Finding{{Severity: clientconfig.SeverityFail, Subject: subject,
				Message: fmt.Sprintf("the base URL's host %s does not resolve: Claude Code cannot reach it", host),
				Fix:     fmt.Sprintf("Correct or remove ANTHROPIC_BASE_URL in %s (check with: nslookup %s).", cfg.BaseURL.Source, host)}}
		}
	}
	addr := net.JoinHostPort(host, port)
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	if err != nil {
		o, msg := classify.ClassifyError(err)
		return []clientconfig.Finding{{Severity: clientconfig.SeverityFail, Subject: subject,
			Message: fmt.Sprintf("nothing accepts a TCP connection at the base URL's %s (%s: %s): Claude Code cannot reach it", addr, o, msg),
			Fix:     fmt.Sprintf("Start the gateway, or correct or remove ANTHROPIC_BASE_URL in %s (check with: nc -vz %s %s).", cfg.BaseURL.Source, host, port)}}
	}
	conn.Close()
	return nil
}
