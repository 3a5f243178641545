package clientconfig

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestUnreadableFiles(t *testing.T) {
	t.Parallel()
	big := strings.Repeat(" ", maxFileSize) + "{}"
	tests := []struct {
		name string
		file *fstest.MapFile
		msg  string
	}{
		{"oversized", &fstest.MapFile{Data: []byte(big)}, "larger than 1 MiB"},
		{"fifo", &fstest.MapFile{Mode: fs.ModeNamedPipe}, "not a regular file"},
		{"directory", &fstest.MapFile{Mode: fs.ModeDir | 0o755}, "is a directory"},
		{"invalid UTF-8", &fstest.MapFile{Data: []byte("{\"env\": {\"A\": \"\xff\xfe\"}}")}, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{strings.TrimPrefix(userSettings, "/"): tt.file}
			cfg := loadOn(t, "linux", fsys, nil)
			if _, ok := findFinding(cfg, SeverityFail, userSettings, tt.msg); !ok {
				t.Errorf("no fail finding on %s saying %q; got %+v", userSettings, tt.msg, cfg.Findings())
			}
		})
	}
}

func TestLineCol(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		data      string
		off       int64
		line, col int
	}{
		{"start", "abc", 0, 1, 1},
		{"first line", "abc", 2, 1, 3},
		{"after newline", "ab\ncd", 4, 2, 2},
		{"past the end", "a\n", 9, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if l, c := lineCol([]byte(tt.data), tt.off); l != tt.line || c != tt.col {
				t.Errorf("lineCol(%q, %d) = %d, %d; want %d, %d", tt.data, tt.off, l, c, tt.line, tt.col)
			}
		})
	}
}

func TestConfigDirAndKeychain(t *testing.T) {
	t.Parallel()
	t.Run("CLAUDE_CONFIG_DIR moves user settings, approvals and login", func(t *testing.T) {
		t.Parallel()
		files := map[string]string{
			"/cfg/settings.json":     envJSON("ANTHROPIC_MODEL", "claude-opus-4-1"),
			"/cfg/.credentials.json": login(loginToken, testNow.Add(time.Hour), `"user:inference"`),
			userSettings:             envJSON("ANTHROPIC_MODEL", "ignored"),
		}
		cfg := load(t, files, map[string]string{"CLAUDE_CONFIG_DIR": "/cfg"})
		if len(cfg.Models) == 0 || cfg.Models[0].Source != "/cfg/settings.json" {
			t.Errorf("Models = %+v; want ANTHROPIC_MODEL from /cfg/settings.json", cfg.Models)
		}
		if cfg.Login == nil || cfg.Login.Path != "/cfg/.credentials.json" || cfg.Login.SubscriptionType != "max" {
			t.Errorf("Login = %+v; want the max login from /cfg", cfg.Login)
		}
	})
	t.Run("darwin says the keychain is not read", func(t *testing.T) {
		t.Parallel()
		cfg := loadOn(t, "darwin", machine(nil), nil)
		if _, ok := findFinding(cfg, SeverityInfo, "keychain", "does not read"); !ok {
			t.Errorf("no keychain finding; got %+v", cfg.Findings())
		}
	})
}
