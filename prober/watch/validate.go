package watch

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/provider"
)

// Defaults for what a target may leave out; gentle on purpose.
const (
	DefaultProvider           = "anthropic"
	DefaultInterval           = 5 * time.Minute
	DefaultMaxRequestsPerHour = 60
	// MaxStep caps one step's concurrency: a canary is not a load test.
	MaxStep = 50
)

var (
	envName    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

// validate checks one raw target and fills in defaults; on failure it names
// the field (relative to the target) and what is wrong with it. Messages
// quote only values that cannot be secrets.
func validate(rt rawTarget) (t Target, field, msg string) {
	t = Target{
		Name: rt.Name, Provider: rt.Provider, BaseURL: rt.BaseURL, KeyFile: rt.KeyFile,
		KeyEnv: rt.KeyEnv, Model: rt.Model, Steps: rt.Steps,
		MaxRequestsPerHour: rt.MaxRequestsPerHour, Headers: rt.Headers,
	}
	switch {
	case t.Name == "":
		return t, "name", "is required"
	case !labelSafe.MatchString(t.Name):
		return t, "name", fmt.Sprintf("%q is not label-safe (letters, digits, _ . -; up to 63)", t.Name)
	}
	if t.Provider == "" {
		t.Provider = DefaultProvider
	} else if !labelSafe.MatchString(t.Provider) {
		return t, "provider", fmt.Sprintf("%q is not a provider name", t.Provider)
	} else if p, err := provider.ByName(t.Provider); err != nil {
		return t, "provider", fmt.Sprintf("unknown provider %q (known: %s)", t.Provider, strings.Join(provider.Names(), ", "))
	} else {
		t.Provider = p.Name
	}
	if f, m := checkBaseURL(t.BaseURL); m != "" {
		return t, f, m
	}
	switch {
	case t.KeyFile != "" && t.KeyEnv != "":
		return t, "key_env", "give key_file or key_env, not both"
	case t.KeyEnv != "" && !envName.MatchString(t.KeyEnv):
		return t, "key_env", fmt.Sprintf("%q is not an environment variable name", t.KeyEnv)
	}
	var ok bool
	if t.Interval, ok = parseDuration(rt.Interval, DefaultInterval); !ok {
		return t, "interval", fmt.Sprintf("%q is not a duration (e.g. 5m, 30s, 250ms)", rt.Interval)
	}
	if t.Window, ok = parseDuration(rt.Window, DefaultWindow); !ok {
		return t, "window", fmt.Sprintf("%q is not a duration (e.g. 1h, 30m)", rt.Window)
	}
	if f, m := checkBudget(&t); m != "" {
		return t, f, m
	}
	for h := range t.Headers {
		if !headerName.MatchString(h) {
			return t, "headers", fmt.Sprintf("%q is not a header name", h)
		}
	}
	return t, "", ""
}

// checkBaseURL refuses a base URL that is not http(s) or that carries a
// password; the URL itself is never quoted back, as it may hold one.
func checkBaseURL(s string) (field, msg string) {
	if s == "" {
		return "", ""
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return "base_url", "is not an http(s) URL with a host"
	case u.User != nil:
		return "base_url", "must not carry credentials (use key_file or key_env)"
	}
	return "", ""
}

// checkBudget defaults the steps and the hourly budget and checks that one
// probe fits in the budget, or the bucket could never grant it.
func checkBudget(t *Target) (field, msg string) {
	if len(t.Steps) == 0 {
		t.Steps = []int{1}
	}
	for _, s := range t.Steps {
		if s < 1 || s > MaxStep {
			return "steps", fmt.Sprintf("%d is not a concurrency between 1 and %d", s, MaxStep)
		}
	}
	switch {
	case t.MaxRequestsPerHour == 0:
		t.MaxRequestsPerHour = DefaultMaxRequestsPerHour
	case t.MaxRequestsPerHour < 0:
		return "max_requests_per_hour", fmt.Sprintf("%d is not a positive number", t.MaxRequestsPerHour)
	}
	if n := t.ProbeRequests(); n > t.MaxRequestsPerHour {
		return "max_requests_per_hour", fmt.Sprintf("%d is less than one probe's %d requests (the sum of steps)", t.MaxRequestsPerHour, n)
	}
	return "", ""
}

// parseDuration reads a Go duration, or def when s is empty; zero and
// negative durations are refused.
func parseDuration(s string, def time.Duration) (time.Duration, bool) {
	if s == "" {
		return def, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, false
	}
	return d, true
}

// Flags is the single target `probe watch` builds from its usual flags when
// no config file is given.
type Flags struct {
	Provider           string
	BaseURL            string
	KeyFile            string
	KeyEnv             string
	Model              string
	Interval           time.Duration
	Steps              []int
	MaxRequestsPerHour int
	Window             time.Duration
}

// FromFlags validates a single target named "default" built from flags; its
// errors name the flag rather than a config line.
func FromFlags(f Flags) (*Config, error) {
	rt := rawTarget{
		Name: "default", Provider: f.Provider, BaseURL: f.BaseURL, KeyFile: f.KeyFile,
		KeyEnv: f.KeyEnv, Model: f.Model, Steps: f.Steps, MaxRequestsPerHour: f.MaxRequestsPerHour,
	}
	if f.Interval != 0 {
		rt.Interval = f.Interval.String()
	}
	if f.Window != 0 {
		rt.Window = f.Window.String()
	}
	t, field, msg := validate(rt)
	if msg != "" {
		return nil, fmt.Errorf("--%s: %s", flagName(field), msg)
	}
	return &Config{Targets: []Target{t}}, nil
}

func flagName(field string) string {
	b := []byte(field)
	for i, c := range b {
		if c == '_' {
			b[i] = '-'
		}
	}
	return string(b)
}
