package keys

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fileKey is made up; no output may show more of it than its redacted form.
const fileKey = "sk-ant-api03-KEYFILEtestOnly0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_AbCdEAA"

// TestKeyFileNotAKey: files that hold something else than one UTF-8 key are
// refused, named, and never quoted; nothing is cut silently.
func TestKeyFileNotAKey(t *testing.T) {
	t.Parallel()
	utf16 := func(s string) string {
		var b strings.Builder
		b.WriteString("\xff\xfe")
		for _, c := range s {
			b.WriteByte(byte(c))
			b.WriteByte(0)
		}
		return b.String()
	}
	cases := []struct{ name, content, want string }{
		{"over 16 KiB", fileKey + "\n" + strings.Repeat("x", 17<<10), "over 16 KiB"},
		{"utf-16 with bom", utf16(fileKey), "UTF-16"},
		{"utf-16 without bom", utf16(fileKey)[2:], "UTF-16"},
		{"nul", fileKey + "\x00\n", "NUL"},
		{"utf-8 bom", "\xef\xbb\xbf" + fileKey + "\n", "byte-order mark"},
		{"env file", "ANTHROPIC_API_KEY=" + fileKey + "\n", "NAME=value"},
		{"export line", "export ANTHROPIC_API_KEY=" + fileKey + "\n", "NAME=value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "key")
			if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadKey(KeySources{File: path})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("LoadKey = %v; want an error naming %q", err, c.want)
			}
			if strings.Contains(err.Error(), fileKey[13:25]) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error quotes the content or spans lines: %q", err)
			}
			_, err = loadStdin(c.content)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("--key-stdin: %v; want an error naming %q", err, c.want)
			}
		})
	}
}

func loadStdin(content string) (Key, error) {
	k, _, err := LoadKey(KeySources{UseStdin: true, Stdin: strings.NewReader(content)})
	return k, err
}

// TestInspectKeyWarnsAsRampDoes: check shows the key file's warnings that
// LoadKey gives ramp (issue 16 #9).
func TestInspectKeyWarnsAsRampDoes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"readable by others", fileKey + "\n", 0o644, "readable by others (mode 0644)"},
		{"crlf", fileKey + "\r\n", 0o600, "newline"},
		{"surrounding space", "  " + fileKey + "\n", 0o600, "whitespace"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "key")
			if err := os.WriteFile(path, []byte(c.content), c.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, c.mode); err != nil {
				t.Fatal(err)
			}
			src := KeySources{File: path, Getenv: func(string) string { return "" }}
			_, warnings, err := LoadKey(src)
			if err != nil || len(warnings) == 0 {
				t.Fatalf("LoadKey: %v, warnings %q; want a warning", err, warnings)
			}
			_, fs := InspectKey(src)
			for _, w := range warnings {
				found := false
				for _, f := range fs {
					found = found || f.Status == Warned && f.Message == w
				}
				if !found {
					t.Errorf("InspectKey findings %v lack ramp's warning %q", fs, w)
				}
			}
			if !strings.Contains(strings.Join(warnings, " "), c.want) {
				t.Errorf("warnings %q; want one about %q", warnings, c.want)
			}
		})
	}
}
