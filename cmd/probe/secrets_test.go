package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/scenarios"
)

// keySources are the ways a key reaches probe, per provider; the property
// test uses each.
var keySources = map[string][]string{
	scenarios.Anthropic: {"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "--key-file", "--key-stdin"},
	scenarios.OpenAI:    {"OPENAI_API_KEY", "--key-file", "--key-stdin"},
}

// freshKey returns a unique key of the Console's shape, or of OpenAI's
// project keys for that provider.
func freshKey(t *testing.T, provider string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, 93)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			t.Fatal(err)
		}
		b[i] = alphabet[n.Int64()]
	}
	if provider == scenarios.OpenAI {
		return "sk-proj-" + string(b) + "AA"
	}
	return "sk-ant-api03-" + string(b) + "AA"
}

// leaks returns what of key appears in text: the key, its base64 forms, or
// any 12-character window past its public prefix.
func leaks(key, text string) []string {
	var found []string
	needles := []string{key,
		base64.StdEncoding.EncodeToString([]byte(key)),
		base64.URLEncoding.EncodeToString([]byte(key)),
		base64.RawStdEncoding.EncodeToString([]byte(key))}
	secret := strings.TrimPrefix(strings.TrimPrefix(key, "sk-ant-api03-"), "sk-proj-")
	for i := 0; i+12 <= len(secret); i++ {
		needles = append(needles, secret[i:i+12])
	}
	for _, n := range needles {
		if strings.Contains(text, n) {
			found = append(found, n)
		}
	}
	return found
}

// TestSecretsNeverLeak runs every command against every scenario of both
// providers with a fresh key from a rotating key source (and every source on
// two scenarios), half of them also with a secret gateway header, then
// searches stdout, stderr and every file written for any part of either.
func TestSecretsNeverLeak(t *testing.T) {
	type combo struct{ provider, scenario, source string }
	var combos []combo
	for _, provider := range []string{scenarios.Anthropic, scenarios.OpenAI} {
		sources := keySources[provider]
		for i, sc := range scenarios.AllFor(provider) {
			combos = append(combos, combo{provider, sc.Name, sources[i%len(sources)]})
		}
		for _, src := range sources {
			combos = append(combos, combo{provider, "abuse", src}, combo{provider, "revoked-key", src})
		}
	}
	for i, c := range combos {
		t.Run(c.provider+"/"+c.scenario+"/"+c.source, func(t *testing.T) {
			t.Parallel()
			key := freshKey(t, c.provider)
			secrets := []string{key}
			dir := t.TempDir()
			env := map[string]string{}
			keyArgs := []string{}
			stdin := ""
			switch c.source {
			case "--key-file":
				path := filepath.Join(dir, "key.txt")
				if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				keyArgs = []string{"--key-file", path}
			case "--key-stdin":
				keyArgs, stdin = []string{"--key-stdin"}, key+"\n"
			default:
				env[c.source] = key
			}
			target := append([]string{"--provider", c.provider, "--scenario", c.scenario, "--timeout", "500ms"}, keyArgs...)
			if i%2 == 0 {
				token := freshKey(t, c.provider)
				secrets = append(secrets, token)
				target = append(target, "--header", "X-Gateway-Token: "+token, "--header", "X-Team: probe")
			}
			run := func(args ...string) {
				t.Helper()
				ios, out, errb := TestStreams(env)
				ios.In = strings.NewReader(stdin)
				code := Main(t.Context(), args, ios)
				for _, where := range []struct{ name, text string }{{"stdout", out.String()}, {"stderr", errb.String()}} {
					for _, secret := range secrets {
						if l := leaks(secret, where.text); len(l) > 0 {
							t.Errorf("probe %s (exit %d): %s shows %q", strings.Join(args, " "), code, where.name, l[0])
						}
					}
				}
			}
			p := func(name string) string { return filepath.Join(dir, name) }
			for _, out := range []string{"table", "json"} {
				run(append([]string{"check", "--output", out}, target...)...)
			}
			run(append([]string{"ramp", "--out", p("ramp.jsonl"), "--output", "json"}, target...)...)
			run(append([]string{"ramp", "--out", p("ramp2.jsonl"), "--steps", "1,2", "--requests", "4"}, target...)...)
			run(append([]string{"cooldown", "--wait", "50ms", "--steps", "1,2", "--requests", "3", "--out-before", p("before.jsonl"), "--out-after", p("after.jsonl"), "--output", "json"}, target...)...)
			run("compare", p("ramp.jsonl"), p("ramp2.jsonl"))
			run("compare", "--output", "json", p("before.jsonl"), p("after.jsonl"))
			for _, f := range []string{"ticket", "csv", "json"} {
				run("export", p("ramp.jsonl"), "--format", f, "--all")
				run("export", p("ramp.jsonl"), "--format", f, "--out", p("export."+f))
			}
			run("report", p("ramp.jsonl"), "--html", p("report.html"))
			run("report", p("ramp.jsonl"), "--output", "json")

			files := 0
			filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() || d.Name() == "key.txt" {
					return err
				}
				files++
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				for _, secret := range secrets {
					if l := leaks(secret, string(b)); len(l) > 0 {
						t.Errorf("%s shows %q", d.Name(), l[0])
					}
				}
				return nil
			})
			if files < 8 {
				t.Errorf("only %d files written; the commands did not all run", files)
			}
		})
	}
}

// TestLeaksFindsTheKey proves the search above would see a leak.
func TestLeaksFindsTheKey(t *testing.T) {
	if !(target.Header{Name: "X-Gateway-Token"}).Secret() {
		t.Fatal("X-Gateway-Token is not treated as a secret; the property test relies on it")
	}
	key := freshKey(t, scenarios.Anthropic)
	for _, text := range []string{key, "x" + key[20:32] + "y", base64.StdEncoding.EncodeToString([]byte(key))} {
		if len(leaks(key, text)) == 0 {
			t.Errorf("leaks(%q) found nothing", text)
		}
	}
	if l := leaks(key, fmt.Sprintf("key %s…%s", key[:15], key[len(key)-4:])); len(l) > 0 {
		t.Errorf("the redacted form counts as a leak: %q", l)
	}
}
