package watch

import (
	"strings"
	"testing"
	"time"
)

const goodConfig = `targets:
  - name: prod-workspace
    provider: anthropic
    base_url: https://api.anthropic.com
    key_file: /etc/probe/prod.key
    model: claude-haiku-4-5
    interval: 5m
    steps: [1, 5]
    max_requests_per_hour: 60
  - name: fast.loopback
    key_env: LOOP_KEY
    interval: 250ms
    window: 10m
    headers:
      x-team: canary
`

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig("/etc/probe/watch.yaml", []byte(goodConfig))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	a, b := cfg.Targets[0], cfg.Targets[1]
	if a.Interval != 5*time.Minute || a.ProbeRequests() != 6 || a.Window != DefaultWindow || a.KeyFile != "/etc/probe/prod.key" {
		t.Errorf("first target = %+v", a)
	}
	if b.Interval != 250*time.Millisecond || b.Provider != DefaultProvider || len(b.Steps) != 1 || b.Steps[0] != 1 ||
		b.MaxRequestsPerHour != DefaultMaxRequestsPerHour || b.Window != 10*time.Minute || b.Headers["x-team"] != "canary" {
		t.Errorf("second target (defaults) = %+v", b)
	}
	if _, ok := cfg.Target("fast.loopback"); !ok {
		t.Error(`Target("fast.loopback") not found`)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	two := "targets:\n  - name: a\n    interval: 1m\n  - name: b\n    model: m\n"
	tests := []struct {
		name string
		yaml string
		want string // the whole message, or its start when it ends in "…"
	}{
		{"bad interval", two + "    interval: 5 minutes\n", `watch.yaml:6: targets[1].interval: "5 minutes" is not a duration…`},
		{"negative interval", two + "    interval: -1s\n", `watch.yaml:6: targets[1].interval: "-1s" is not a duration…`},
		{"bad window", two + "    window: forever\n", `watch.yaml:6: targets[1].window: "forever" is not a duration…`},
		{"unknown field", two + "    intervall: 1m\n", `watch.yaml:6: targets[1].intervall: unknown field "intervall"`},
		{"duplicate name", "targets:\n  - name: a\n  - name: a\n", `watch.yaml:3: targets[1].name: "a" is used by an earlier target`},
		{"missing name", "targets:\n  - model: m\n", `watch.yaml:2: targets[0].name: is required`},
		{"name not label-safe", "targets:\n  - name: \"a b\"\n", `watch.yaml:2: targets[0].name: "a b" is not label-safe…`},
		{"both key sources", "targets:\n  - name: a\n    key_file: /k\n    key_env: K\n", `watch.yaml:4: targets[0].key_env: give key_file or key_env, not both`},
		{"steps over budget", "targets:\n  - name: a\n    steps: [5, 10]\n    max_requests_per_hour: 10\n", `watch.yaml:4: targets[0].max_requests_per_hour: 10 is less than one probe's 15 requests…`},
		{"step too big", "targets:\n  - name: a\n    steps: [1, 500]\n", `watch.yaml:3: targets[0].steps: 500 is not a concurrency…`},
		{"steps not numbers", "targets:\n  - name: a\n    steps: [x]\n", `watch.yaml:3:…`},
		{"unknown provider", two + "    provider: acme\n", `watch.yaml:6: targets[1].provider: unknown provider "acme" (known: anthropic, bedrock, foundry, openai, vertex)`},
		{"no targets", "targets: []\n", `watch.yaml:1: targets: no targets`},
		{"empty file", "", `watch.yaml: targets: no targets`},
		{"syntax error", "targets:\n  - name: a\n   bad: [\n", `watch.yaml:…`},
		{"password in base_url", "targets:\n  - name: a\n    base_url: https://u:hunter2@gw.example/\n", `watch.yaml:3: targets[0].base_url: must not carry credentials (use key_file or key_env)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadConfig("conf/watch.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("LoadConfig(%q) = nil error; want %q", tt.yaml, tt.want)
			}
			got := err.Error()
			if strings.Contains(got, "\n") || strings.Contains(got, "hunter2") {
				t.Errorf("error %q is not one clean line", got)
			}
			if !matchEllipsis(got, tt.want) {
				t.Errorf("LoadConfig error = %q; want %q", got, tt.want)
			}
		})
	}
}

// matchEllipsis matches got against want, where "…" stands for any text.
func matchEllipsis(got, want string) bool {
	parts := strings.Split(want, "…")
	if !strings.HasPrefix(got, parts[0]) {
		return false
	}
	rest := got[len(parts[0]):]
	for _, p := range parts[1:] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return len(parts) > 1 || rest == ""
}

func TestFromFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		flags   Flags
		wantErr string
	}{
		{"defaults", Flags{}, ""},
		{"sub-second", Flags{Interval: 500 * time.Millisecond, Steps: []int{1, 2}}, ""},
		{"negative interval", Flags{Interval: -time.Second}, `--interval: "-1s" is not a duration (e.g. 5m, 30s, 250ms)`},
		{"budget below a probe", Flags{Steps: []int{5}, MaxRequestsPerHour: 2}, "--max-requests-per-hour: 2 is less than one probe's 5 requests (the sum of steps)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := FromFlags(tt.flags)
			switch {
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("FromFlags(%+v) error = %v; want %q", tt.flags, err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Errorf("FromFlags(%+v) = %v", tt.flags, err)
			case tt.wantErr == "" && cfg.Targets[0].Name != "default":
				t.Errorf("FromFlags target name = %q; want default", cfg.Targets[0].Name)
			}
		})
	}
}
