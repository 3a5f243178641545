package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/check"
	"github.com/llm-probe/probe/prober/clientconfig"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/target"
	"github.com/spf13/pflag"
)

// The values of --client and --as.
const (
	clientAuto   = "auto"
	clientNone   = "none"
	clientClaude = "claude-code"
)

// dialTimeout bounds the DNS and TCP check of Claude Code's base URL: a
// local check that must not hold up the walk.
const dialTimeout = 3 * time.Second

// clientOptions are the flags that bring Claude Code's configuration in.
type clientOptions struct {
	// Client is none, claude-code or auto (check only).
	Client string
	// As is "" or claude-code: probe with what the client would send.
	As string
	// RunKeyHelper allows running the configured apiKeyHelper.
	RunKeyHelper bool
}

// register adds --as and --run-key-helper, and --client when withClient.
func (o *clientOptions) register(fs *pflag.FlagSet, withClient bool) {
	if withClient {
		fs.StringVar(&o.Client, "client", clientAuto, "client configuration layer: auto (when Claude Code's files exist), claude-code (always) or none")
	}
	fs.StringVar(&o.As, "as", "", "probe with exactly the credential, base URL, model, headers and proxy this client would use: claude-code")
	fs.BoolVar(&o.RunKeyHelper, "run-key-helper", false, "allow running Claude Code's apiKeyHelper (with a timeout; its output is treated as a secret)")
}

// validate checks the flags against each other and the target flags.
func (o *clientOptions) validate(t *targetOptions) error {
	switch o.Client {
	case "", clientAuto, clientNone, clientClaude:
	default:
		return usagef("--client %q: use auto, claude-code or none", o.Client)
	}
	switch {
	case o.As == "":
		return nil
	case o.As != clientClaude:
		return usagef("--as %q: the only client probe knows is claude-code", o.As)
	case o.Client == clientNone:
		return usagef("--as claude-code needs Claude Code's configuration: drop --client none")
	}
	for _, c := range []struct {
		set  bool
		flag string
	}{{t.BaseURL != "", "--base-url"}, {t.Scenario != "", "--scenario"}, {t.KeyFile != "", "--key-file"},
		{t.KeyStdin, "--key-stdin"}, {len(t.Headers) > 0, "--header"}, {t.Provider != "" && t.Provider != "anthropic", "--provider"}} {
		if c.set {
			return usagef("--as claude-code and %s exclude each other: the base URL, key and headers come from Claude Code's configuration", c.flag)
		}
	}
	return nil
}

// wanted says whether the client layer is to be loaded at all.
func (o *clientOptions) wanted() bool {
	return o.As != "" || o.Client != clientNone
}

// claudeEnv describes this machine to clientconfig.Load: HOME, the working
// directory as the project, and only the variables Load reads.
func claudeEnv(ios *IOStreams) (clientconfig.Env, error) {
	home := ios.Getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	dir, err := os.Getwd()
	if err != nil {
		return clientconfig.Env{}, fmt.Errorf("the working directory: %v", err)
	}
	vars := map[string]string{}
	for _, name := range clientconfig.VarNames() {
		if v := ios.Getenv(name); v != "" {
			vars[name] = v
		}
	}
	return clientconfig.Env{Home: home, ProjectDir: dir, OS: runtime.GOOS, Vars: vars, Now: ios.Now}, nil
}

// load reads Claude Code's configuration, runs its apiKeyHelper when
// allowed, and dials a configured base URL. It returns nil in auto mode
// when none of Claude Code's files exist.
func (o *clientOptions) load(ctx context.Context, ios *IOStreams) (*check.Client, error) {
	env, err := claudeEnv(ios)
	if err == nil {
		var cfg *clientconfig.Config
		if cfg, err = clientconfig.Load(env); err == nil {
			return o.finish(ctx, cfg), nil
		}
	}
	if o.As == "" && o.Client != clientClaude {
		return nil, nil // auto: a machine Load cannot describe has no Claude Code to show
	}
	return nil, usagef("Claude Code's configuration: %v", err)
}

// finish adds the helper run, the dial and --as's limits to cfg's findings.
func (o *clientOptions) finish(ctx context.Context, cfg *clientconfig.Config) *check.Client {
	if o.As == "" && o.Client != clientClaude && !anyFound(cfg) {
		return nil
	}
	cl := &check.Client{Config: cfg}
	if h := cfg.KeyHelper; h != nil && cfg.Auth.Kind == clientconfig.KindHelper {
		switch {
		case o.RunKeyHelper:
			dir, _ := os.Getwd()
			err := cfg.RunKeyHelper(ctx, clientconfig.ShellRunner{Dir: dir}, clientconfig.HelperOptions{Allow: true})
			if err != nil {
				cl.Extra = append(cl.Extra, clientconfig.Finding{Severity: clientconfig.SeverityFail, Subject: "apiKeyHelper (" + h.Source + ")",
					Message: err.Error(), Fix: "Run the helper by hand and fix it: it must print the key on stdout and exit 0."})
			}
		case o.As != "":
			cl.Extra = append(cl.Extra, clientconfig.Finding{Severity: clientconfig.SeverityFail, Subject: "apiKeyHelper (" + h.Source + ")",
				Message: "Claude Code's key comes from apiKeyHelper, which probe does not run unless you allow it",
				Fix:     "Read the command above; if you trust it, add --run-key-helper."})
		}
	}
	cl.Extra = append(cl.Extra, check.DialBaseURL(ctx, cfg, dialTimeout)...)
	if o.As != "" && cfg.Backend.Name != "anthropic" {
		cl.Extra = append(cl.Extra, clientconfig.Finding{Severity: clientconfig.SeverityFail, Subject: "CLAUDE_CODE_USE_" + strings.ToUpper(cfg.Backend.Name) + " (" + cfg.Backend.Source + ")",
			Message: fmt.Sprintf("Claude Code talks to %s, not the Anthropic API: --as claude-code cannot probe it", cfg.Backend.Name),
			Fix:     "Probe the Anthropic key without --as, or unset the switch if Claude Code should use the Anthropic API."})
	}
	return cl
}

// anyFound says whether any of Claude Code's files exist.
func anyFound(cfg *clientconfig.Config) bool {
	for _, f := range cfg.Files {
		if f.Found {
			return true
		}
	}
	return false
}

// failed says whether the client layer will stop the walk.
func failed(cl *check.Client) bool {
	if cl == nil {
		return false
	}
	for _, f := range cl.Findings() {
		if f.Severity == clientconfig.SeverityFail {
			return true
		}
	}
	return false
}

// asClaude returns the hook that makes a resolved target what Claude Code
// would send: its base URL, model (unless --model), custom headers and
// credential, through its proxy. The credential reaches the key checks as
// the variable Claude Code's precedence picked, and nothing else of the
// shell's keys; the proxy variables (the transport's, the route check's
// and the scrubber's) are those its settings' "env" make.
func asClaude(cfg *clientconfig.Config, ios *IOStreams, model string) func(*resolvedTarget) error {
	return func(rt *resolvedTarget) error {
		base, err := target.ParseBaseURL(cfg.RawBaseURL())
		if err != nil {
			return usagef("--as claude-code: the base URL %s from %s cannot be probed", cfg.BaseURL.Value, cfg.BaseURL.Source)
		}
		t := &rt.Target
		t.Provider, t.BaseURL, t.Headers = provider.Anthropic, base, nil
		if m := claudeModel(cfg); model == "" && m != "" {
			t.Model = m
		}
		for _, line := range cfg.CustomHeaders() {
			h, err := target.ParseHeader(line)
			if err != nil {
				rt.Warnings = append(rt.Warnings, "ANTHROPIC_CUSTOM_HEADERS: a header probe cannot send is left out")
				continue
			}
			t.Headers = append(t.Headers, h)
		}
		cred, header := cfg.Credential()
		if cfg.Auth.Kind == clientconfig.KindHelper && cred != "" {
			// Claude Code sends the helper's output in both headers.
			t.Headers = append(t.Headers, target.Header{Name: "Authorization", Value: "Bearer " + cred})
		}
		rt.Keys = keys.KeySources{Provider: provider.Anthropic, Getenv: claudeGetenv(cfg.ProxyEnv(ios.Getenv), cred, header)}
		rt.BaseSource = "Claude Code: " + cfg.BaseURL.Source
		rt.Limits = target.LimitsFor(base)
		rt.Info = t.Info()
		return nil
	}
}

// claudeGetenv answers the key variables with Claude Code's credential, in
// the variable matching its header, and passes every other name through.
func claudeGetenv(getenv func(string) string, cred, header string) func(string) string {
	return func(name string) string {
		switch {
		case name == "ANTHROPIC_API_KEY" && header == "x-api-key":
			return cred
		case name == "ANTHROPIC_AUTH_TOKEN" && header == "authorization":
			return cred
		case name == "ANTHROPIC_API_KEY" || name == "ANTHROPIC_AUTH_TOKEN":
			return ""
		}
		return getenv(name)
	}
}

// modelAliases are Claude Code's model aliases: they name no API model.
var modelAliases = map[string]bool{"default": true, "opus": true, "sonnet": true, "haiku": true, "opusplan": true, "best": true}

// claudeModel is the model Claude Code starts with: ANTHROPIC_MODEL, else
// the settings "model" key. An alias names no API model, so probe keeps
// its own default then.
func claudeModel(cfg *clientconfig.Config) string {
	for _, m := range cfg.Models {
		if m.Name == "ANTHROPIC_MODEL" || m.Name == "model" {
			id := strings.TrimSuffix(m.Value, "[1m]")
			if modelAliases[strings.ToLower(id)] {
				return ""
			}
			return id
		}
	}
	return ""
}

// prepare validates the flags, loads Claude Code's configuration when the
// command wants it (always for --as; for check's layer unless --client
// none), and hooks --as claude-code into the target's resolution. A
// configuration that fails locally is not applied: the walk stops at the
// client layer, before anything is sent.
func (o *clientOptions) prepare(ctx context.Context, ios *IOStreams, t *targetOptions, layer bool) (*check.Client, error) {
	if err := o.validate(t); err != nil {
		return nil, err
	}
	if o.As == "" && (!layer || o.Client == clientNone) {
		return nil, nil
	}
	cl, err := o.load(ctx, ios)
	if err != nil || cl == nil {
		return nil, err
	}
	if o.As != "" && !failed(cl) {
		t.adjust = asClaude(cl.Config, ios, t.Model)
	}
	return cl, nil
}

// refuse prints the client layer's fail findings for a command that has
// no layer walk (ramp) and returns the exit code of a diagnosis.
func refuse(ios *IOStreams, cl *check.Client) error {
	fmt.Fprintln(ios.Err, "probe: Claude Code's configuration fails locally; nothing was sent:")
	for _, f := range cl.Findings() {
		if f.Severity == clientconfig.SeverityFail {
			fmt.Fprintf(ios.Err, "  ✗ %s: %s\n", f.Subject, f.Message)
			if f.Fix != "" {
				fmt.Fprintf(ios.Err, "    fix: %s\n", f.Fix)
			}
		}
	}
	return exitError{ExitDiagnosed}
}
