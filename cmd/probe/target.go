package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/llm-probe/probe/prober"
	"github.com/llm-probe/probe/scenarios"
)

// demoKey is sent to the simulated API when the user has no key: it lets a
// first-time user try every command, and it is no secret.
// It has the length of a real key so `probe check` finds nothing odd in it.
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
}

func (o *targetOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.BaseURL, "base-url", "", "API base URL, path prefix kept (default $ANTHROPIC_BASE_URL or "+prober.DefaultBaseURL+")")
	fs.StringVar(&o.Model, "model", "", "model to probe (default $ANTHROPIC_MODEL or "+prober.DefaultModel+")")
	fs.StringVar(&o.KeyFile, "key-file", "", "read the key from this file (mode 600)")
	fs.BoolVar(&o.KeyStdin, "key-stdin", false, "read the key from standard input")
	fs.StringVar(&o.Key, "key", "", "refused: a key on the command line leaks into shell history and ps")
	_ = fs.MarkHidden("key")
	fs.StringVar(&o.Scenario, "scenario", "", "run against the built-in simulated API in this scenario (see 'probe scenarios')")
	fs.Int64Var(&o.Seed, "seed", 0, "seed of the simulated API (with --scenario)")
}

// resolvedTarget is a target ready to probe, with what it took to get there.
type resolvedTarget struct {
	Target   prober.Target
	Info     prober.TargetInfo
	Limits   prober.Limits
	Warnings []string
	// Keys are the key's sources, for commands that inspect the key themselves.
	Keys prober.KeySources
	// BaseSource says where the base URL came from.
	BaseSource string
	// Close stops the in-process simulated API, if one was started.
	Close func()
}

// resolve turns the flags and environment into a target. With --scenario it
// starts the simulated API on loopback inside this process.
func (o *targetOptions) resolve(ios *IOStreams) (*resolvedTarget, error) {
	rt, err := o.resolveRoute(ios)
	if err != nil {
		return nil, err
	}
	key, warnings, err := prober.LoadKey(rt.Keys)
	if err != nil {
		rt.Close()
		return nil, usageError{err}
	}
	rt.Warnings = warnings
	if key.Secret() == demoKey {
		key.Source = "demo key (simulated API)"
	}
	rt.Target.Key = key
	rt.Info = rt.Target.Info()
	rt.Info.Scenario = o.Scenario
	return rt, nil
}

// resolveRoute resolves everything but the key: `probe check` inspects the
// key itself and treats its absence as a finding, not a usage error.
func (o *targetOptions) resolveRoute(ios *IOStreams) (*resolvedTarget, error) {
	if o.Key != "" {
		return nil, usagef("--key is refused: a key on the command line is saved in shell history and visible in ps; use ANTHROPIC_API_KEY, --key-file FILE or --key-stdin")
	}
	if o.Scenario != "" && o.BaseURL != "" {
		return nil, usagef("--scenario and --base-url exclude each other: a scenario runs its own simulated API")
	}
	model := firstSet(o.Model, ios.Getenv("ANTHROPIC_MODEL"), prober.DefaultModel)
	if strings.TrimSpace(model) == "" || strings.ContainsAny(model, "\r\n") {
		return nil, usagef("--model %q is not a model name", model)
	}
	rt := &resolvedTarget{Close: func() {}}
	rt.Keys = prober.KeySources{Getenv: ios.Getenv, File: o.KeyFile, Stdin: ios.In, UseStdin: o.KeyStdin}
	var raw string
	switch {
	case o.Scenario != "":
		base, stop, err := startScenario(o.Scenario, scenarios.Options{Seed: o.Seed})
		if err != nil {
			return nil, usageError{err}
		}
		raw, rt.BaseSource, rt.Close = base, "simulated API, scenario "+o.Scenario, stop
		// A first-time user has no key: the simulated API takes a demo one.
		if o.KeyFile == "" && !o.KeyStdin && ios.Getenv("ANTHROPIC_API_KEY") == "" && ios.Getenv("ANTHROPIC_AUTH_TOKEN") == "" {
			rt.Keys.Getenv = func(name string) string {
				if name == "ANTHROPIC_API_KEY" {
					return demoKey
				}
				return ios.Getenv(name)
			}
		}
	case o.BaseURL != "":
		raw, rt.BaseSource = o.BaseURL, "--base-url"
	case ios.Getenv("ANTHROPIC_BASE_URL") != "":
		raw, rt.BaseSource = ios.Getenv("ANTHROPIC_BASE_URL"), "ANTHROPIC_BASE_URL"
	default:
		raw, rt.BaseSource = prober.DefaultBaseURL, "default"
	}
	base, err := prober.ParseBaseURL(raw)
	if err != nil {
		rt.Close()
		return nil, usageError{err}
	}
	rt.Target = prober.Target{BaseURL: base, Model: model, UserAgent: "probe/" + version()}
	rt.Info = rt.Target.Info()
	rt.Info.Scenario = o.Scenario
	rt.Limits = prober.LimitsFor(base)
	return rt, nil
}

// startScenario serves a simulated API on an ephemeral loopback port.
func startScenario(name string, opts scenarios.Options) (baseURL string, stop func(), err error) {
	api, err := scenarios.New(name, opts)
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

func firstSet(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
