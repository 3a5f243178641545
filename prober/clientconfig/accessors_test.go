package clientconfig

import (
	"slices"
	"testing"
)

func TestCustomHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		shell map[string]string
		want  []string
	}{
		{"none", nil, nil, nil},
		{"from the shell, malformed line dropped", nil,
			map[string]string{"ANTHROPIC_CUSTOM_HEADERS": "X-Team: blue\nnot a header\nX-Gw-Token: s3cr3t-value"},
			[]string{"X-Team: blue", "X-Gw-Token: s3cr3t-value"}},
		{"settings beat the shell",
			map[string]string{userSettings: envJSON("ANTHROPIC_CUSTOM_HEADERS", "X-From: settings")},
			map[string]string{"ANTHROPIC_CUSTOM_HEADERS": "X-From: shell"},
			[]string{"X-From: settings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := load(t, tt.files, tt.shell)
			if got := cfg.CustomHeaders(); !slices.Equal(got, tt.want) {
				t.Errorf("CustomHeaders() = %q; want %q", got, tt.want)
			}
			for _, h := range cfg.Headers {
				if h.Value == "s3cr3t-value" {
					t.Errorf("Headers shows the secret value of %s", h.Name)
				}
			}
		})
	}
}

func TestVarNames(t *testing.T) {
	t.Parallel()
	names := VarNames()
	for _, want := range []string{"ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "CLAUDE_CONFIG_DIR", "ANTHROPIC_CUSTOM_HEADERS"} {
		if !slices.Contains(names, want) {
			t.Errorf("VarNames() lacks %s", want)
		}
	}
	names[0] = "changed"
	if VarNames()[0] == "changed" {
		t.Error("VarNames() returns the package's own slice")
	}
}
