package clientconfig

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeRunner plays a helper: it counts its calls and answers as told.
type fakeRunner struct {
	calls  atomic.Int32
	stdout string
	stderr string
	err    error
	block  bool // wait for the context to end
}

func (f *fakeRunner) Run(ctx context.Context, _ string) ([]byte, []byte, error) {
	f.calls.Add(1)
	if f.block {
		<-ctx.Done()
		return nil, nil, ctx.Err()
	}
	return []byte(f.stdout), []byte(f.stderr), f.err
}

// exitErr mimics *exec.ExitError.
type exitErr int

func (e exitErr) Error() string { return "exit status" }
func (e exitErr) ExitCode() int { return int(e) }

func TestRunKeyHelper(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		runner  *fakeRunner
		opts    HelperOptions
		wantErr string // empty: success
		calls   int32
		want    string // credential after a success
	}{
		{"project helper not run without the allow", &fakeRunner{stdout: helperOut + "\n"},
			HelperOptions{}, ErrHelperNotAllowed.Error(), 0, ""},
		{"runs with the allow and trims one newline", &fakeRunner{stdout: helperOut + "\n"},
			HelperOptions{Allow: true}, "", 1, helperOut},
		{"keeps other whitespace", &fakeRunner{stdout: helperOut + " \n\n"},
			HelperOptions{Allow: true}, "", 1, helperOut + " \n"},
		{"exit status without the output", &fakeRunner{stdout: helperOut, stderr: "bad " + helperOut, err: exitErr(1)},
			HelperOptions{Allow: true}, "helper exited 1 (stderr: 55 bytes)", 1, ""},
		{"empty output", &fakeRunner{stdout: "\n"},
			HelperOptions{Allow: true}, "printed nothing", 1, ""},
		{"timeout", &fakeRunner{block: true},
			HelperOptions{Allow: true, Timeout: 20 * time.Millisecond}, "timed out after 20ms", 1, ""},
		{"run failure without its error text", &fakeRunner{err: errors.New("boom " + helperOut)},
			HelperOptions{Allow: true}, "could not be run", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := load(t, map[string]string{projectSettings: `{"apiKeyHelper": "vault read -field=key secret/anthropic"}`}, nil)
			err := cfg.RunKeyHelper(context.Background(), tt.runner, tt.opts)
			if got := tt.runner.calls.Load(); got != tt.calls {
				t.Errorf("runner called %d times; want %d", got, tt.calls)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("RunKeyHelper() = %v; want an error containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), helperOut[13:21]) {
					t.Errorf("RunKeyHelper() error %q leaks the helper's output", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("RunKeyHelper() = %v; want nil", err)
			}
			if v, h := cfg.Credential(); v != tt.want || h != "x-api-key" {
				t.Errorf("Credential() = (fp:%s, %q); want (fp:%s, x-api-key)", fingerprint(v), h, fingerprint(tt.want))
			}
			if cfg.Auth.Fingerprint != fingerprint(tt.want) {
				t.Errorf("Auth.Fingerprint = %q; want %q", cfg.Auth.Fingerprint, fingerprint(tt.want))
			}
		})
	}
}

func TestRunKeyHelperWithoutHelper(t *testing.T) {
	t.Parallel()
	cfg := load(t, nil, nil)
	r := &fakeRunner{}
	if err := cfg.RunKeyHelper(context.Background(), r, HelperOptions{Allow: true}); !errors.Is(err, ErrNoKeyHelper) {
		t.Errorf("RunKeyHelper() = %v; want ErrNoKeyHelper", err)
	}
}

// TestShellRunner runs real, local sh commands (no network): the output
// arrives, and a helper that hangs is killed at the timeout.
func TestShellRunner(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, command string
		timeout       time.Duration
		wantErr       string
	}{
		// The helpers that end get a timeout a loaded machine cannot reach
		// (starting sh can take longer than 300ms); the one that hangs
		// sleeps a minute, so the bound below still proves it was killed.
		{"prints a key", "printf '%s\\n' " + helperOut, time.Minute, ""},
		{"exits 3", "echo oops >&2; exit 3", time.Minute, "helper exited 3 (stderr: 5 bytes)"},
		{"hangs", "sleep 60", 300 * time.Millisecond, "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := load(t, map[string]string{userSettings: `{"apiKeyHelper": "` + strings.ReplaceAll(tt.command, `\`, `\\`) + `"}`}, nil)
			start := time.Now()
			err := cfg.RunKeyHelper(context.Background(), ShellRunner{}, HelperOptions{Allow: true, Timeout: tt.timeout})
			if elapsed := time.Since(start); elapsed > 30*time.Second {
				t.Errorf("RunKeyHelper took %s; want it bounded by the timeout", elapsed)
			}
			if tt.wantErr == "" {
				if v, _ := cfg.Credential(); err != nil || v != helperOut {
					t.Errorf("RunKeyHelper() = %v, credential fp:%s; want nil, fp:%s", err, fingerprint(v), fingerprint(helperOut))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("RunKeyHelper() = %v; want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
