package watch

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// DefaultWindow is how much history a target's verdict is judged over when
// the config does not say.
const DefaultWindow = time.Hour

// Target is one key, workspace or provider to watch, as validated from the
// config: every field is ready to use.
type Target struct {
	Name               string
	Provider           string
	BaseURL            string
	KeyFile            string
	KeyEnv             string
	Model              string
	Interval           time.Duration
	Steps              []int
	MaxRequestsPerHour int
	Window             time.Duration
	Headers            map[string]string
}

// ProbeRequests returns how many requests one probe of t sends: one request
// per worker at each step, so the sum of the steps.
func (t Target) ProbeRequests() int { return probeSize(t.Steps) }

// Config is a validated watch configuration.
type Config struct {
	Targets []Target
}

// Target returns the target named name, if the config has one.
func (c *Config) Target(name string) (Target, bool) {
	for _, t := range c.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return Target{}, false
}

// rawTarget is a target as written in YAML, before validation; durations stay
// strings so that a bad one is reported in the config's own words.
type rawTarget struct {
	Name               string            `yaml:"name"`
	Provider           string            `yaml:"provider"`
	BaseURL            string            `yaml:"base_url"`
	KeyFile            string            `yaml:"key_file"`
	KeyEnv             string            `yaml:"key_env"`
	Model              string            `yaml:"model"`
	Interval           string            `yaml:"interval"`
	Steps              []int             `yaml:"steps"`
	MaxRequestsPerHour int               `yaml:"max_requests_per_hour"`
	Window             string            `yaml:"window"`
	Headers            map[string]string `yaml:"headers"`
}

type rawConfig struct {
	Targets []rawTarget `yaml:"targets"`
}

// labelSafe is what a target name may be: it becomes a Prometheus label
// value and a file name, so it stays short and plain.
var labelSafe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

// ConfigError is an invalid config: the file, the line (0 when unknown), the
// field path and what is wrong, printed on one line.
type ConfigError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

// Error returns the one-line form, e.g.
// `watch.yaml:7: targets[1].interval: "5 minutes" is not a duration`.
func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// LoadConfig parses and validates a watch config read from path (used only
// to name the file in errors). An invalid config gives a *ConfigError.
func LoadConfig(path string, data []byte) (*Config, error) {
	name := filepath.Base(path)
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(name, nil, err)
	}
	var raw rawConfig
	if err := yaml.UnmarshalWithOptions(data, &raw, yaml.DisallowUnknownField()); err != nil {
		return nil, yamlError(name, file, err)
	}
	if len(raw.Targets) == 0 {
		return nil, &ConfigError{File: name, Line: lineOf(file, "$"), Field: "targets", Msg: "no targets"}
	}
	cfg := &Config{}
	seen := map[string]bool{}
	for i, rt := range raw.Targets {
		t, field, msg := validate(rt)
		if msg == "" && seen[t.Name] {
			field, msg = "name", fmt.Sprintf("%q is used by an earlier target", t.Name)
		}
		if msg != "" {
			at := fmt.Sprintf("targets[%d]", i)
			line := lineOf(file, "$."+at+"."+field)
			if line == 0 {
				line = lineOf(file, "$."+at)
			}
			return nil, &ConfigError{File: name, Line: line, Field: at + "." + field, Msg: msg}
		}
		seen[t.Name] = true
		cfg.Targets = append(cfg.Targets, t)
	}
	return cfg, nil
}

// yamlError turns a go-yaml error into a one-line ConfigError, with the
// field path of the node it points at when the file parsed.
func yamlError(name string, file *ast.File, err error) error {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return &ConfigError{File: name, Msg: oneLine(err.Error())}
	}
	tk := ye.GetToken()
	return &ConfigError{File: name, Line: tk.Position.Line, Field: fieldAt(file, tk), Msg: oneLine(ye.GetMessage())}
}

// fieldAt finds the path (targets[1].interval) of the node at tk's position.
func fieldAt(file *ast.File, tk *token.Token) string {
	if file == nil {
		return ""
	}
	var found string
	for _, doc := range file.Docs {
		ast.Walk(visitFunc(func(n ast.Node) bool {
			t := n.GetToken()
			if found == "" && t != nil && t.Position.Line == tk.Position.Line && t.Position.Column == tk.Position.Column {
				found = strings.TrimPrefix(strings.TrimPrefix(n.GetPath(), "$"), ".")
			}
			return found == ""
		}), doc)
	}
	return found
}

type visitFunc func(ast.Node) bool

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	if !f(n) {
		return nil
	}
	return f
}

// lineOf returns the line of the node at a YAML path, or 0.
func lineOf(file *ast.File, path string) int {
	p, err := yaml.PathString(path)
	if err != nil || file == nil {
		return 0
	}
	n, err := p.FilterFile(file)
	if err != nil || n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}
