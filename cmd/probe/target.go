package main

import (
	"cmp"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/scenarios"
	"github.com/spf13/pflag"
)

// demoKey is the Anthropic demo key (see demoKeys), of a real key's length.
const demoKey = "sk-ant-api03-SIMULATED-demo-key-not-a-secret-0000000000000000000000000000000000000000000000000000000000000AA"

// targetOptions are the flags that say what to probe, shared by every
// command that sends requests.
type targetOptions struct {
	BaseURL  string
	Model    string
	KeyFile  string
	KeyStdin bool
	Key      string // refused: exists to explain why
	Scenario string
	Seed     int64
	Provider string
	Headers  []string
	Strict   bool
	// Region, Project and Profile place a cloud provider's requests.
	Region  string
	Project string
	Profile string
	// adjust, when set, rewrites the resolved route (--as claude-code).
	adjust func(*resolvedTarget) error
}

func (o *targetOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.BaseURL, "base-url", "", "API base URL, path prefix kept (default $ANTHROPIC_BASE_URL or "+provider.DefaultBaseURL+")")
	fs.StringVar(&o.Model, "model", "", "model to probe (default $ANTHROPIC_MODEL or "+provider.DefaultModel+")")
	fs.StringVar(&o.KeyFile, "key-file", "", "read the key from this file (mode 600)")
	fs.BoolVar(&o.KeyStdin, "key-stdin", false, "read the key from standard input")
	fs.BoolVar(&o.Strict, "strict", false, "refuse a --key-file that others can read, instead of warning")
	fs.StringVar(&o.Key, "key", "", "refused: a key on the command line leaks into shell history and ps")
	_ = fs.MarkHidden("key")
	fs.StringVar(&o.Scenario, "scenario", "", "run against the built-in simulated API in this scenario (see 'probe scenarios')")
	fs.Int64Var(&o.Seed, "seed", 0, "seed of the simulated API (with --scenario)")
	fs.StringVar(&o.Provider, "provider", "", "API to probe: "+strings.Join(provider.Names(), " or ")+" (default: inferred from the base URL, else anthropic)")
	fs.StringVar(&o.Region, "region", "", "cloud region: Bedrock's AWS region (default $AWS_REGION) or Vertex AI's location (default $CLOUD_ML_REGION; global allowed)")
	fs.StringVar(&o.Project, "project", "", "Vertex AI project (default $ANTHROPIC_VERTEX_PROJECT_ID), or Foundry resource name (default $ANTHROPIC_FOUNDRY_RESOURCE)")
	fs.StringVar(&o.Profile, "profile", "", "AWS profile for Bedrock (default $AWS_PROFILE)")
	fs.StringArrayVar(&o.Headers, "header", nil, "extra request header 'Name: value' for gateways (repeatable; values of secret-looking names are redacted everywhere)")
}

// resolvedTarget is a target ready to probe, with what it took to get there.
type resolvedTarget struct {
	Target   target.Target
	Info     target.Info
	Limits   target.Limits
	Warnings []string
	// Keys are the key's sources, for commands that inspect the key themselves.
	Keys keys.KeySources
	// BaseSource says where the base URL came from.
	BaseSource string
	// Close stops the in-process simulated API, if one was started.
	Close func()
	// CloudErr is why a cloud credential, region or project could not be
	// resolved (a *cloudauth.ConfigError): `probe check` reports it as a
	// local finding, the other commands as an error.
	CloudErr error
}

// resolve turns the flags and environment into a target. With --scenario it
// starts the simulated API on loopback inside this process.
func (o *targetOptions) resolve(ios *IOStreams) (*resolvedTarget, error) {
	rt, err := o.resolveRoute(ios)
	if err != nil {
		return nil, err
	}
	if rt.Target.API().Cloud != "" {
		if rt.CloudErr != nil {
			rt.Close()
			return nil, usageError{rt.CloudErr}
		}
		rt.Info = rt.Target.Info()
		rt.Info.Scenario = o.Scenario
		return rt, nil
	}
	key, warnings, err := keys.LoadKey(rt.Keys)
	if err != nil {
		rt.Close()
		return nil, usageError{err}
	}
	rt.Warnings = warnings
	rt.Target.Key = key
	rt.Target = rt.Target.WithScrubber(rt.Keys.Getenv) // the proxies' passwords too
	rt.Info = rt.Target.Info()
	rt.Info.Scenario = o.Scenario
	return rt, nil
}

// resolveRoute resolves everything but the key: `probe check` inspects the
// key itself and treats its absence as a finding, not a usage error.
func (o *targetOptions) resolveRoute(ios *IOStreams) (*resolvedTarget, error) {
	if o.Key != "" {
		return nil, usagef("--key is refused: a key on the command line is saved in shell history and visible in ps; use the provider's key variable (e.g. ANTHROPIC_API_KEY), --key-file FILE or --key-stdin")
	}
	if o.KeyStdin && ios.InTTY {
		return nil, usagef("--key-stdin reads the key from a pipe, and standard input is a terminal (the key would echo): pipe it in, e.g. 'pass show anthropic | probe ramp --key-stdin', or use --key-file FILE")
	}
	if o.Scenario != "" && o.BaseURL != "" {
		return nil, usagef("--scenario and --base-url exclude each other: a scenario runs its own simulated API")
	}
	prov, err := o.pickProvider(ios)
	if err != nil {
		return nil, err
	}
	var headers []target.Header
	for _, raw := range o.Headers {
		h, err := target.ParseHeader(raw)
		if err != nil {
			return nil, usageError{err}
		}
		headers = append(headers, h)
	}

	modelEnv := ""
	if prov == provider.Anthropic || prov.Cloud != "" {
		// Claude Code reads ANTHROPIC_MODEL whichever cloud serves Claude.
		modelEnv = ios.Getenv("ANTHROPIC_MODEL")
	}
	model := cmp.Or(o.Model, modelEnv, prov.DefaultModel)
	if strings.TrimSpace(model) == "" || strings.ContainsAny(model, "\r\n") {
		return nil, usagef("--model %q is not a model name", model)
	}
	rt := &resolvedTarget{Close: func() {}}
	rt.Keys = keys.KeySources{Getenv: ios.Getenv, File: o.KeyFile, Stdin: ios.In, UseStdin: o.KeyStdin, Provider: prov, Strict: o.Strict}
	var raw string
	switch {
	case o.Scenario != "":
		base, stop, err := startScenario(o.Scenario, scenarios.Options{Seed: o.Seed, Provider: prov.Name})
		if err != nil {
			return nil, err
		}
		raw, rt.BaseSource, rt.Close = base, "simulated API, scenario "+o.Scenario, stop
		if o.KeyFile == "" && !o.KeyStdin && !anyKeySet(ios, prov) && prov.Cloud == "" {
			rt.Keys.Getenv = withDemoKey(ios.Getenv, prov)
			rt.Keys.Demo = demoKeys[prov.Name]
		}
	case o.BaseURL != "":
		raw, rt.BaseSource = o.BaseURL, "--base-url"
	case ios.Getenv(prov.BaseURLEnv) != "":
		raw, rt.BaseSource = ios.Getenv(prov.BaseURLEnv), prov.BaseURLEnv
	default:
		raw, rt.BaseSource = provider.DefaultBaseURL, "default"
	}
	base, err := parseBase(raw, rt.BaseSource)
	if err != nil {
		rt.Close()
		return nil, err
	}
	rt.Target = target.Target{Provider: prov, BaseURL: base, Model: model, Headers: headers, UserAgent: "probe/" + version()}
	rt.Limits = target.LimitsFor(base)
	if prov.Cloud != "" {
		if err := o.cloudRoute(ios, rt, raw); err != nil {
			rt.Close()
			return nil, err
		}
	}
	if o.adjust != nil {
		if err := o.adjust(rt); err != nil {
			rt.Close()
			return nil, err
		}
	}
	// After adjust: --as claude-code brings its own headers and proxies,
	// whose secrets the scrubber must know.
	rt.Target = rt.Target.WithScrubber(rt.Keys.Getenv) // the proxies' passwords too
	rt.Info = rt.Target.Info()
	rt.Info.Scenario = o.Scenario
	return rt, nil
}

// pickProvider is --provider, else the one the base URL's host names, else
// the cloud Claude Code's CLAUDE_CODE_USE_* switches name, else Anthropic.
func (o *targetOptions) pickProvider(ios *IOStreams) (*provider.Provider, error) {
	if o.Provider != "" {
		p, err := provider.ByName(o.Provider)
		if err != nil {
			return nil, usagef("--provider: %v", err)
		}
		return p, nil
	}
	if o.BaseURL != "" {
		if u, err := target.ParseBaseURL(o.BaseURL); err == nil {
			if p := provider.Infer(u); p != nil {
				return p, nil
			}
		}
		return provider.Anthropic, nil
	}
	if p := cloudProviderFromEnv(ios.Getenv); p != nil {
		return p, nil
	}
	return provider.Anthropic, nil
}

// demoKeys are sent to the simulated API when the user has no key: they let
// a first-time user try every command, and they are no secret. Each has the
// shape of its provider's keys, so `probe check` finds nothing odd in it.
var demoKeys = map[string]string{
	"anthropic": demoKey,
	"openai":    "sk-proj-SIMULATED-demo-key-not-a-secret-0000000000000000000000000000000000000000000000000000AA",
}

func anyKeySet(ios *IOStreams, p *provider.Provider) bool {
	for _, k := range p.Keys {
		if ios.Getenv(k.Name) != "" {
			return true
		}
	}
	return false
}

// withDemoKey answers the provider's first key variable with its demo key.
func withDemoKey(getenv func(string) string, p *provider.Provider) func(string) string {
	return func(name string) string {
		if name == p.Keys[0].Name {
			return demoKeys[p.Name]
		}
		return getenv(name)
	}
}

// startScenario serves a simulated API on an ephemeral loopback port.
func startScenario(name string, opts scenarios.Options) (baseURL string, stop func(), err error) {
	api, err := newScenario(name, opts)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("simulated API: %v", err)
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// endpointSuffixes are the API paths probe adds to a base URL itself, with
// the part a base URL must lose: OpenAI's clients keep /v1 in the base.
var endpointSuffixes = []struct{ path, drop string }{
	{"/v1/messages", "/v1/messages"},
	{"/v1/chat/completions", "/chat/completions"},
}

// parseBase parses a base URL and refuses, with the corrected URL, mistakes
// that would send every request to a wrong address: a port out of range and
// a full endpoint URL given as the base.
func parseBase(raw, source string) (*url.URL, error) {
	base, err := target.ParseBaseURL(raw)
	if err != nil {
		return nil, usageError{err}
	}
	if p := base.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, usagef("base URL from %s: port %s is not a number from 1 to 65535", source, p)
		}
	}
	path := strings.TrimSuffix(base.EscapedPath(), "/")
	for _, suf := range endpointSuffixes {
		if strings.HasSuffix(path, suf.path) {
			root := base.Scheme + "://" + base.Host
			return nil, usagef("base URL from %s ends in %s, the endpoint itself: clients (probe, SDKs, Claude Code) add it, so requests would go to %s%s%s; set the base URL to %s%s",
				source, suf.path, root, path, suf.path, root, strings.TrimSuffix(path, suf.drop))
		}
	}
	return base, nil
}
