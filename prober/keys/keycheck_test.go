package keys

import (
	"strings"
	"testing"
)

// realShape is a key of the Console's shape and length, for the shape checks.
var realShape = "sk-ant-api03-" + strings.Repeat("Q", 93) + "AA"

func TestInspectKey(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		status Status // the worst finding
		want   string // a finding's message contains this
	}{
		{"good", map[string]string{"ANTHROPIC_API_KEY": realShape}, Passed, "key from ANTHROPIC_API_KEY"},
		{"none", nil, Failed, "no key"},
		{"trailing newline", map[string]string{"ANTHROPIC_API_KEY": realShape + "\n"}, Failed, "a trailing newline"},
		{"windows newline", map[string]string{"ANTHROPIC_API_KEY": realShape + "\r\n"}, Failed, "a trailing newline"},
		{"spaces", map[string]string{"ANTHROPIC_API_KEY": " " + realShape}, Failed, "surrounding whitespace"},
		{"double quotes", map[string]string{"ANTHROPIC_API_KEY": `"` + realShape + `"`}, Failed, "quotes"},
		{"single quotes", map[string]string{"ANTHROPIC_API_KEY": `'` + realShape + `'`}, Failed, "quotes"},
		{"placeholder", map[string]string{"ANTHROPIC_API_KEY": "sk-ant-..."}, Failed, "placeholder"},
		{"template", map[string]string{"ANTHROPIC_API_KEY": "<your-api-key>"}, Failed, "placeholder"},
		{"admin", map[string]string{"ANTHROPIC_API_KEY": "sk-ant-admin01-" + strings.Repeat("Z", 90)}, Failed, "Admin API key"},
		{"oauth in api key var", map[string]string{"ANTHROPIC_API_KEY": "sk-ant-oat01-" + strings.Repeat("Z", 90)}, Failed, "is in ANTHROPIC_API_KEY"},
		{"oauth in token var", map[string]string{"ANTHROPIC_AUTH_TOKEN": "sk-ant-oat01-" + strings.Repeat("Z", 90)}, Passed, "authorization: Bearer"},
		{"short", map[string]string{"ANTHROPIC_API_KEY": "sk-ant-api03-" + strings.Repeat("Z", 40)}, Warned, "characters long"},
		{"foreign prefix", map[string]string{"ANTHROPIC_API_KEY": "gw-" + strings.Repeat("Z", 40)}, Warned, "does not start with sk-ant-"},
		{"inner space", map[string]string{"ANTHROPIC_API_KEY": "sk-ant-api03-" + strings.Repeat("Z", 40) + " " + strings.Repeat("Z", 54)}, Failed, "spaces, control"},
		{"disagree", map[string]string{"ANTHROPIC_API_KEY": realShape, "ANTHROPIC_AUTH_TOKEN": "sk-ant-oat01-" + strings.Repeat("Y", 90)}, Failed, "both set and disagree"},
		{"agree", map[string]string{"ANTHROPIC_API_KEY": realShape, "ANTHROPIC_AUTH_TOKEN": realShape}, Passed, "key from ANTHROPIC_API_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, fs := InspectKey(KeySources{Getenv: func(k string) string { return tt.env[k] }})
			worst, found := Passed, false
			for _, f := range fs {
				if f.Status == Failed || f.Status == Warned && worst == Passed {
					worst = f.Status
				}
				found = found || strings.Contains(f.Message, tt.want)
				for _, v := range tt.env {
					if s := strings.TrimSpace(strings.Trim(v, `"'`)); len(s) > 16 && (strings.Contains(f.Message, s[13:]) || strings.Contains(f.Fix, s[13:])) {
						t.Errorf("finding %q leaks the key", f.Message)
					}
				}
			}
			if worst != tt.status || !found {
				t.Errorf("InspectKey(%s) = %v (worst %s); want %s with a finding containing %q", tt.name, fs, worst, tt.status, tt.want)
			}
		})
	}
}
