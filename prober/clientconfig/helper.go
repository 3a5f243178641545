package clientconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// DefaultHelperTimeout bounds an apiKeyHelper run when HelperOptions gives none.
const DefaultHelperTimeout = 10 * time.Second

// ErrHelperNotAllowed is returned when RunKeyHelper is called without an
// explicit allow (the CLI's --run-key-helper): a settings file, possibly
// from a cloned repository, must not make probe run commands by itself.
var ErrHelperNotAllowed = errors.New("apiKeyHelper not run: pass --run-key-helper to allow it")

// ErrNoKeyHelper is returned when no settings file sets apiKeyHelper.
var ErrNoKeyHelper = errors.New("no apiKeyHelper is configured")

// Runner runs a helper command and returns what it printed. Tests pass a
// fake; ShellRunner is the real one.
type Runner interface {
	Run(ctx context.Context, command string) (stdout, stderr []byte, err error)
}

// ShellRunner runs a command with "sh -c", as Claude Code runs apiKeyHelper.
type ShellRunner struct {
	// Dir is the working directory (the project directory); empty means
	// the current one.
	Dir string
	// Env is the environment in os/exec form; nil means the process's.
	Env []string
}

var _ Runner = ShellRunner{}

// Run runs command under sh -c and kills it when ctx ends.
func (r ShellRunner) Run(ctx context.Context, command string) (stdout, stderr []byte, err error) {
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Dir, cmd.Env = r.Dir, r.Env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	// Without WaitDelay a helper that leaves a child holding stdout open
	// would keep Run waiting after the kill.
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}

// HelperOptions says whether and how long RunKeyHelper may run the helper.
type HelperOptions struct {
	// Allow must be true (the user passed --run-key-helper).
	Allow bool
	// Timeout bounds the run; zero means DefaultHelperTimeout.
	Timeout time.Duration
}

// RunKeyHelper runs the configured apiKeyHelper through runner and, when the
// helper is the credential Claude Code would use, makes its output the
// credential (Credential, Auth.Fingerprint, Auth.Last4). The output is a
// secret: no error from RunKeyHelper quotes it, or the helper's stderr,
// only their lengths and the exit status.
func (c *Config) RunKeyHelper(ctx context.Context, runner Runner, opts HelperOptions) error {
	h := c.KeyHelper
	switch {
	case h == nil:
		return ErrNoKeyHelper
	case !opts.Allow:
		return ErrHelperNotAllowed
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultHelperTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	stdout, stderr, err := runner.Run(ctx, h.raw.v)
	if err != nil {
		return helperError(ctx, h, timeout, stderr, err)
	}
	key := trimNewline(string(stdout))
	if strings.TrimSpace(key) == "" {
		return fmt.Errorf("apiKeyHelper from %s printed nothing on stdout (stderr: %d bytes)", h.Source, len(stderr))
	}
	if c.Auth.Kind == KindHelper {
		c.Auth.Format, c.Auth.Fingerprint, c.Auth.Last4 = format(key), fingerprint(key), last4(key)
		c.cred = &secretBox{v: key}
	}
	return nil
}

// helperError says how the helper failed without a byte of what it printed.
func helperError(ctx context.Context, h *KeyHelper, timeout time.Duration, stderr []byte, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("apiKeyHelper from %s timed out after %s", h.Source, timeout)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("apiKeyHelper from %s was cancelled", h.Source)
	}
	var exit interface{ ExitCode() int }
	if errors.As(err, &exit) && exit.ExitCode() >= 0 {
		return fmt.Errorf("apiKeyHelper from %s: helper exited %d (stderr: %d bytes)", h.Source, exit.ExitCode(), len(stderr))
	}
	return fmt.Errorf("apiKeyHelper from %s could not be run (stderr: %d bytes)", h.Source, len(stderr))
}

// trimNewline removes exactly one trailing newline (LF or CRLF), as the
// shell's $(...) would, and keeps any other whitespace for the key checks
// to flag.
func trimNewline(s string) string {
	if strings.HasSuffix(s, "\r\n") {
		return s[:len(s)-2]
	}
	return strings.TrimSuffix(s, "\n")
}
