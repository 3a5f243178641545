package clientconfig

import (
	"slices"
	"strings"
	"time"
)

// Scope names where a setting came from, highest precedence first.
type Scope string

// The scopes, in Claude Code's precedence order (managed wins): see "How
// scopes interact" at https://code.claude.com/docs/en/settings.
const (
	ScopeManaged Scope = "managed"
	ScopeLocal   Scope = "local"
	ScopeProject Scope = "project"
	ScopeUser    Scope = "user"
	ScopeShell   Scope = "shell"
)

// ShellSource is the Source of a value taken from the process environment.
const ShellSource = "shell environment"

// DefaultBaseURL is where Claude Code sends requests when nothing overrides it.
const DefaultBaseURL = "https://api.anthropic.com"

// Value is one effective setting with where it came from. Value is always
// printable: secrets are redacted, URLs lose their userinfo.
type Value struct {
	// Name is the variable or settings key, e.g. "ANTHROPIC_BASE_URL".
	Name string `json:"name"`
	// Value is the printable form of the value.
	Value string `json:"value"`
	// Source is a file path, ShellSource, or "default".
	Source string `json:"source"`
}

// EnvVar is a variable Claude Code would see, with every place that set it.
type EnvVar struct {
	Value
	// Overridden lists the lower-precedence places that set the same
	// variable and lost, highest first.
	Overridden []Value `json:"overridden,omitempty"`
}

// CredentialKind says which of Claude Code's credential mechanisms wins.
type CredentialKind string

// The credential kinds, in Claude Code's authentication precedence
// (https://code.claude.com/docs/en/authentication, "Authentication precedence").
const (
	KindCloud      CredentialKind = "cloud"       // CLAUDE_CODE_USE_BEDROCK/VERTEX/FOUNDRY: no Anthropic credential
	KindAuthToken  CredentialKind = "auth-token"  // ANTHROPIC_AUTH_TOKEN, sent as a Bearer token
	KindAPIKey     CredentialKind = "api-key"     // ANTHROPIC_API_KEY, sent as x-api-key
	KindHelper     CredentialKind = "helper"      // apiKeyHelper output
	KindOAuthToken CredentialKind = "oauth-token" // CLAUDE_CODE_OAUTH_TOKEN
	KindLogin      CredentialKind = "login"       // /login credentials (.credentials.json)
	KindNone       CredentialKind = "none"
)

// Credential describes the credential Claude Code would use. It carries no
// secret: the raw value is only available through Config.Credential.
type Credential struct {
	Kind CredentialKind `json:"kind"`
	// Via is the variable, "apiKeyHelper", or "login".
	Via string `json:"via,omitempty"`
	// Source is the file or ShellSource that supplied it.
	Source string `json:"source,omitempty"`
	// Header is "x-api-key" or "authorization" (Bearer).
	Header string `json:"header,omitempty"`
	// Format names the credential by its public prefix.
	Format string `json:"format,omitempty"`
	// Fingerprint is the first 8 hex of the SHA-256 of the secret; empty
	// until a helper has run.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Last4 is the last 4 characters of a long enough secret.
	Last4 string `json:"last4,omitempty"`
}

// Backend is the API Claude Code talks to.
type Backend struct {
	// Name is "anthropic", "bedrock", "vertex" or "foundry".
	Name string `json:"name"`
	// Source is where the CLAUDE_CODE_USE_* switch was set (empty for anthropic).
	Source string `json:"source,omitempty"`
	// Vars are the backend's region, project and base-URL variables that are set.
	Vars []Value `json:"vars,omitempty"`
}

// Header is one of ANTHROPIC_CUSTOM_HEADERS; secret-looking values are redacted.
type Header struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// KeyHelper is the apiKeyHelper setting that wins.
type KeyHelper struct {
	// Command is the shell command as written in the settings file.
	Command string `json:"command"`
	Source  string `json:"source"`
	Scope   Scope  `json:"scope"`
	// TTL is CLAUDE_CODE_API_KEY_HELPER_TTL_MS when set.
	TTL *Value `json:"ttl,omitempty"`

	// raw is the command as written; Command has any sk-… word in it
	// redacted, since people do write `echo sk-ant-…` helpers.
	raw *secretBox
}

// Login is what the /login credentials file says, without its tokens.
type Login struct {
	Path             string    `json:"path"`
	ExpiresAt        time.Time `json:"expires_at,omitzero"`
	Expired          bool      `json:"expired"`
	HasRefreshToken  bool      `json:"has_refresh_token"`
	Scopes           []string  `json:"scopes,omitempty"`
	SubscriptionType string    `json:"subscription_type,omitempty"`
	Fingerprint      string    `json:"fingerprint,omitempty"`
}

// File is one configuration file Load looked for.
type File struct {
	Path  string `json:"path"`
	Scope Scope  `json:"scope,omitempty"`
	// Role says what the file is: "settings", "approvals", "login", "mcp", "dotenv".
	Role  string `json:"role"`
	Found bool   `json:"found"`
	// Problem says why a found file could not be used.
	Problem string `json:"problem,omitempty"`
}

// FoundKey is a credential found in a project file (.env, .mcp.json).
type FoundKey struct {
	Path        string `json:"path"`
	Name        string `json:"name"`
	Format      string `json:"format"`
	Fingerprint string `json:"fingerprint"`
	Last4       string `json:"last4,omitempty"`
}

// Severity grades a Finding.
type Severity string

// The severities: fail breaks Claude Code, warn may, info is worth knowing.
const (
	SeverityFail Severity = "fail"
	SeverityWarn Severity = "warn"
	SeverityInfo Severity = "info"
)

// Finding is one local fault (or fact) with its fix.
type Finding struct {
	Severity Severity `json:"severity"`
	// Subject is the file or variable at fault.
	Subject string `json:"subject"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// Config is Claude Code's effective configuration as Load worked it out.
// Every exported field is printable; secrets sit behind unexported pointers.
type Config struct {
	// OS is the Env's OS.
	OS string `json:"os"`
	// Files lists every file looked for, found or not, with any problem.
	Files []File `json:"files"`
	// Auth is the credential Claude Code would use (no secret in it).
	Auth Credential `json:"credential"`
	// BaseURL is the effective ANTHROPIC_BASE_URL (printable form).
	BaseURL Value `json:"base_url"`
	// Models are the model variables set, then the settings "model" key.
	Models []Value `json:"models,omitempty"`
	// Headers are the ANTHROPIC_CUSTOM_HEADERS entries.
	Headers []Header `json:"headers,omitempty"`
	// Backend is anthropic, bedrock, vertex or foundry.
	Backend Backend `json:"backend"`
	// Proxy are the proxy variables set (userinfo removed).
	Proxy []Value `json:"proxy,omitempty"`
	// CACerts is NODE_EXTRA_CA_CERTS when set.
	CACerts *Value `json:"node_extra_ca_certs,omitempty"`
	// KeyHelper is the winning apiKeyHelper, if any.
	KeyHelper *KeyHelper `json:"api_key_helper,omitempty"`
	// Login is the /login credentials file's facts, if found.
	Login *Login `json:"login,omitempty"`
	// Env is every variable a settings file sets plus the relevant shell
	// ones, by name, with what each overrode.
	Env []EnvVar `json:"env,omitempty"`
	// ProjectKeys are credentials found in the project's .env and .mcp.json.
	ProjectKeys []FoundKey `json:"project_keys,omitempty"`

	findings []Finding
	cred     *secretBox // the winning credential's raw value
	baseURL  *secretBox // the base URL as configured, userinfo included
	headers  *secretBox // ANTHROPIC_CUSTOM_HEADERS as configured
	// proxy holds the proxy variables' winning raw values (a proxy URL may
	// carry a password), by name; a name missing is unset.
	proxy map[string]*secretBox
}

// Findings returns the local faults Load found, in a stable order.
func (c *Config) Findings() []Finding {
	return append([]Finding(nil), c.findings...)
}

// Credential returns the raw credential Claude Code would send and the
// header it goes in: "x-api-key", or "authorization" (send "Bearer " +
// value). Both are empty when there is none (a cloud backend, no
// credential, or an apiKeyHelper that has not been run). The value is a
// secret: never print it.
func (c *Config) Credential() (value string, header string) {
	if c.cred == nil || c.cred.v == "" {
		return "", ""
	}
	return c.cred.v, c.Auth.Header
}

// RawBaseURL returns the effective base URL exactly as configured, for the
// integrator to dial and probe. It may carry userinfo: treat it as a secret.
func (c *Config) RawBaseURL() string {
	if c.baseURL == nil {
		return ""
	}
	return c.baseURL.v
}

// CustomHeaders returns ANTHROPIC_CUSTOM_HEADERS as Claude Code would send
// them, one "Name: value" line per header, malformed lines left out. The
// values are raw and may be secrets (Headers holds the printable form):
// hand them to the request builder only, never print them.
func (c *Config) CustomHeaders() []string {
	if c.headers == nil {
		return nil
	}
	var out []string
	for _, h := range parseHeaders(c.headers.v) {
		if !h.bad {
			out = append(out, h.name+": "+h.value)
		}
	}
	return out
}

// ProxyEnv returns getenv with the proxy variables answered as Claude Code
// sees them: its settings files' "env" over the shell's, as it sends its
// own requests through them. Every other name passes through to getenv.
// Claude Code takes NO_PROXY's entries separated by spaces or commas; the
// spaces become commas, the only separator Go's proxy matching knows. The
// values are raw and may carry a proxy password: hand them to a transport
// and a scrubber, never print them.
func (c *Config) ProxyEnv(getenv func(string) string) func(string) string {
	return func(name string) string {
		if !slices.Contains(proxyVars, name) {
			return getenv(name)
		}
		b := c.proxy[name]
		if b == nil {
			return ""
		}
		if strings.EqualFold(name, "NO_PROXY") {
			return strings.Join(strings.Fields(strings.ReplaceAll(b.v, ",", " ")), ",")
		}
		return b.v
	}
}

// VarNames returns the names of the shell variables Load reads from
// Env.Vars, so a caller can fill Vars with exactly those and nothing else.
func VarNames() []string {
	return append([]string(nil), relevantVars...)
}

func (c *Config) add(sev Severity, subject, msg, fix string) {
	c.findings = append(c.findings, Finding{Severity: sev, Subject: subject, Message: msg, Fix: fix})
}
