package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/llm-probe/probe/prober/clientconfig"
)

// ConfigSchema names the shape of the JSON `probe config` prints.
const ConfigSchema = "probe.config/v1"

// ClientConfig is everything `probe config` shows: Claude Code's effective
// configuration and every finding, the caller's (a dead base URL, a helper
// run) included. Nothing in it is a secret.
type ClientConfig struct {
	ToolVersion string
	Config      *clientconfig.Config
	Findings    []clientconfig.Finding
}

// ClientConfigJSON is the object `probe config --output json` prints.
type ClientConfigJSON struct {
	Schema      string                 `json:"schema"`
	ToolVersion string                 `json:"tool_version"`
	Config      *clientconfig.Config   `json:"config"`
	Findings    []clientconfig.Finding `json:"findings"`
}

// WriteClientConfigJSON prints c as one indented JSON object.
func WriteClientConfigJSON(w io.Writer, c ClientConfig) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	fs := c.Findings
	if fs == nil {
		fs = []clientconfig.Finding{}
	}
	return enc.Encode(ClientConfigJSON{Schema: ConfigSchema, ToolVersion: c.ToolVersion, Config: c.Config, Findings: fs})
}

var severityMark = map[clientconfig.Severity]string{
	clientconfig.SeverityFail: "✗",
	clientconfig.SeverityWarn: "!",
	clientconfig.SeverityInfo: "·",
}

// WriteClientConfigText prints the effective configuration as a table, as
// Claude Code's /status does, then the files looked at and the findings.
func WriteClientConfigText(w io.Writer, c ClientConfig) error {
	cfg := c.Config
	fmt.Fprintln(w, "Claude Code's effective configuration (read locally; nothing sent)")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, row := range settingRows(cfg) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", row[0], row[1], cmp.Or(row[2], "-"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nFiles")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range cfg.Files {
		state := "-"
		switch {
		case f.Problem != "":
			state = "unusable"
		case f.Found:
			state = "found"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", state, strings.TrimSpace(f.Role+" "+string(f.Scope)), f.Path)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nFindings")
	if len(c.Findings) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, f := range c.Findings {
		fmt.Fprintf(w, "  %s %s: %s\n", severityMark[f.Severity], f.Subject, f.Message)
		if f.Fix != "" {
			fmt.Fprintf(w, "    fix: %s\n", f.Fix)
		}
	}
	return nil
}

// settingRows are the table's rows: setting, value, source.
func settingRows(cfg *clientconfig.Config) [][3]string {
	rows := [][3]string{{"backend", cfg.Backend.Name, cfg.Backend.Source}}
	a := cfg.Auth
	cred := string(a.Kind)
	if a.Via != "" {
		cred += " via " + a.Via
	}
	if a.Format != "" {
		cred += ", " + a.Format
	}
	if a.Fingerprint != "" {
		cred += ", fingerprint " + a.Fingerprint
	}
	if a.Header != "" {
		cred += ", sent as " + a.Header
	}
	rows = append(rows, [3]string{"credential", cred, a.Source}, [3]string{"base URL", cfg.BaseURL.Value, cfg.BaseURL.Source})
	for _, m := range cfg.Models {
		rows = append(rows, [3]string{"model", m.Name + "=" + m.Value, m.Source})
	}
	for _, h := range cfg.Headers {
		rows = append(rows, [3]string{"custom header", h.Name + ": " + h.Value, h.Source})
	}
	if h := cfg.KeyHelper; h != nil {
		rows = append(rows, [3]string{"apiKeyHelper", fmt.Sprintf("%q (%s settings)", h.Command, h.Scope), h.Source})
	}
	if l := cfg.Login; l != nil {
		rows = append(rows, [3]string{"login", loginSummary(l), l.Path})
	}
	for _, p := range cfg.Proxy {
		rows = append(rows, [3]string{"proxy", p.Name + "=" + p.Value, p.Source})
	}
	if ca := cfg.CACerts; ca != nil {
		rows = append(rows, [3]string{"CA certificates", ca.Value, ca.Source})
	}
	for _, k := range cfg.ProjectKeys {
		rows = append(rows, [3]string{"project key", fmt.Sprintf("%s, %s, fingerprint %s", k.Name, k.Format, k.Fingerprint), k.Path})
	}
	return rows
}

// loginSummary says what the /login credentials allow, without a token.
func loginSummary(l *clientconfig.Login) string {
	var parts []string
	if l.SubscriptionType != "" {
		parts = append(parts, l.SubscriptionType)
	}
	if !l.ExpiresAt.IsZero() {
		state := "expires"
		if l.Expired {
			state = "expired"
		}
		parts = append(parts, state+" "+l.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if len(l.Scopes) > 0 {
		parts = append(parts, "scopes "+strings.Join(l.Scopes, " "))
	}
	if l.Fingerprint != "" {
		parts = append(parts, "fingerprint "+l.Fingerprint)
	}
	return strings.Join(parts, ", ")
}
