package main

import (
	"strings"
	"testing"
)

// TestUsageExitCodes pins exit 2 (usage error, nothing sent) for the
// grammar's refusals, a missing key above all: it is the same for every command.
func TestUsageExitCodes(t *testing.T) {
	t.Parallel()
	noKey := map[string]string{}
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"ramp without a key", []string{"ramp", "--base-url", "http://127.0.0.1:1"}, noKey},
		{"check without a key", []string{"check", "--base-url", "http://127.0.0.1:1"}, noKey},
		{"cooldown without a key", []string{"cooldown", "--base-url", "http://127.0.0.1:1", "--wait", "0s"}, noKey},
		{"separator before the command", []string{"--", "ramp"}, nil},
		{"separator after flags", []string{"ramp", "--scenario", "healthy", "--"}, nil},
		{"key as a command", []string{"sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345"}, nil},
		{"key as a flag value", []string{"ramp", "--model", "sk-proj-abcdefghijklmnopqrstuvwxyz012345"}, nil},
		{"key as an assignment", []string{"ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345", "ramp"}, nil},
		{"unknown command", []string{"rmap"}, nil},
		{"argument to a command without any", []string{"scenarios", "extra"}, nil},
		{"rate NaN", []string{"ramp", "--scenario", "healthy", "--rate", "NaN"}, nil},
		{"rate Inf", []string{"ramp", "--scenario", "healthy", "--rate", "Inf"}, nil},
		{"rate 1e-9", []string{"ramp", "--scenario", "healthy", "--rate", "1e-9"}, nil},
		{"port 99999", []string{"ramp", "--base-url", "http://127.0.0.1:99999"}, nil},
		{"serve port 99999", []string{"serve", "--addr", "127.0.0.1:99999"}, nil},
		{"format in another case is fine but yaml is not", []string{"scenarios", "-o", "YAML"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ios, stdout, stderr := TestStreams(tt.env)
			if got := Main(t.Context(), tt.args, ios); got != ExitUsage {
				t.Errorf("Main(%q) = %d; want %d (stderr: %s)", tt.args, got, ExitUsage, stderr)
			}
			for _, a := range tt.args {
				_, v, _ := strings.Cut(a, "=")
				if looksLikeKey(v) && strings.Contains(stdout.String()+stderr.String(), v[:12]) {
					t.Errorf("the key-looking argument was echoed: %s", stderr)
				}
				if looksLikeKey(a) && strings.Contains(stdout.String()+stderr.String(), a[:12]) {
					t.Errorf("the key-looking argument was echoed: %s", stderr)
				}
			}
		})
	}
}

func TestFormatsIgnoreCase(t *testing.T) {
	t.Parallel()
	ios, stdout, stderr := TestStreams(nil)
	if got := Main(t.Context(), []string{"scenarios", "-o", "JSON"}, ios); got != ExitHealthy {
		t.Fatalf("scenarios -o JSON = %d; stderr: %s", got, stderr)
	}
	if !strings.HasPrefix(stdout.String(), "[") {
		t.Errorf("scenarios -o JSON printed %.40q; want a JSON array", stdout)
	}
}

func TestLooksLikeKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"anthropic key", "sk-ant-api03-abcdefgh", true},
		{"openai key", "sk-proj-abcdefghijklmnop", true},
		{"aws access key", "AKIAABCDEFGHIJKLMNOP", true},
		{"bare long token", "AbCdEf0123456789AbCdEf0123456789", true},
		{"run file", "probe-run-20261202T011405Z.jsonl", false},
		{"url", "https://api.anthropic.com/v1/abcdefghijklmnopqrstuvwxyz0123456789", false},
		{"scenario", "works-once-fails-twice", false},
		{"steps", "1,2,5,10", false},
		{"short sk-", "sk-1", false},
		{"long word without digits", "cloudflare-challenge-cloudflare-challenge", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := looksLikeKey(tt.in); got != tt.want {
				t.Errorf("looksLikeKey(%q) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestAddrWarning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		addr string
		warn bool
	}{
		{"loopback", "127.0.0.1:0", false},
		{"ipv6 loopback", "[::1]:8080", false},
		{"every interface", "0.0.0.0:0", true},
		{"every interface, v6", "[::]:8080", true},
		{"no host", ":8080", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := addrWarning(tt.addr) != ""; got != tt.warn {
				t.Errorf("addrWarning(%q) warns = %v; want %v", tt.addr, got, tt.warn)
			}
		})
	}
}

// TestKeyStdinOnTerminal: on a terminal the key would echo as it is typed,
// and probe would wait for an EOF the user does not know to send; the same
// for a run file read from '-'.
func TestKeyStdinOnTerminal(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"ramp", "--scenario", "healthy", "--key-stdin"},
		{"check", "--scenario", "healthy", "--key-stdin"},
		{"report", "-"},
		{"compare", "a.jsonl", "-"},
	} {
		ios, _, stderr := TestStreams(nil)
		ios.InTTY = true
		if got := Main(t.Context(), args, ios); got != ExitUsage {
			t.Errorf("%q on a terminal = %d; want %d", args, got, ExitUsage)
		}
		if !strings.Contains(stderr.String(), "is a terminal") {
			t.Errorf("%q: stderr %q does not say why", args, stderr)
		}
	}
}
