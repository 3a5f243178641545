package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/llm-probe/probe/report"
	"github.com/llm-probe/probe/scenarios"
)

// parseFormat checks a format flag's value against the allowed ones, ignoring
// case, and returns it in lower case.
func parseFormat(flag, value string, allowed ...string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(value))
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	last := allowed[len(allowed)-1]
	list := last
	if len(allowed) > 1 {
		list = strings.Join(allowed[:len(allowed)-1], ", ") + " or " + last
	}
	return "", usagef("%s %q: use %s", flag, value, list)
}

// noArgs is cobra.NoArgs with a typed usage error, so the exit code does not
// hang on cobra's message text.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %d (see '%s --help')", cmd.CommandPath(), len(args), cmd.CommandPath())
	}
	return nil
}

// exactArgs is cobra.ExactArgs with a typed usage error naming what is expected.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %d %s (%s), got %d", cmd.CommandPath(), n, report.Plural(n, "argument", "arguments"), strings.TrimPrefix(cmd.Use, cmd.Name()+" "), len(args))
		}
		return nil
	}
}

// keyPrefixed matches command-line words that start as the providers' keys
// and tokens do.
var keyPrefixed = regexp.MustCompile(`^(?:sk-ant-\S{8,}|sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|xai-[A-Za-z0-9]{20,}|gsk_[A-Za-z0-9]{20,})$`)

// keyGeneric matches long tokens of letters, digits, '-' and '_', such as
// bare keys. Paths, URLs and file names carry '/', '.' or ':' and so never match.
var keyGeneric = regexp.MustCompile(`^[A-Za-z0-9_-]{32,}$`)

// looksLikeKey reports whether a command-line word could be a secret.
func looksLikeKey(s string) bool {
	if keyPrefixed.MatchString(s) {
		return true
	}
	// A generic token must mix letters and digits, as keys do; long
	// scenario-style names do not.
	return keyGeneric.MatchString(s) && strings.ContainsAny(s, "0123456789") && strings.IndexFunc(s, isLetter) >= 0
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// screenArgs refuses, before cobra sees them, arguments that cobra would
// echo back in an error (a key typed as a command or flag value) and stray
// `--` separators, which probe never uses. The key itself is never echoed:
// only its position is named.
func screenArgs(args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return usagef("stray '--' (argument %d): probe takes no arguments after '--'; name a file starting with '-' as ./-name", i+1)
		}
		// --header values may carry a gateway's own key on purpose; they
		// are redacted later, not refused.
		if a == "--header" {
			i++
			continue
		}
		if strings.HasPrefix(a, "--header=") {
			continue
		}
		// NAME=value is a flag's value, or an environment assignment typed
		// in the wrong place (probe ANTHROPIC_API_KEY=sk-…).
		_, value, _ := strings.Cut(a, "=")
		if looksLikeKey(a) || looksLikeKey(value) {
			return usagef("argument %d looks like an API key and is refused (not shown): a key on the command line is saved in shell history and visible in ps; use the provider's key variable (e.g. ANTHROPIC_API_KEY), --key-file FILE or --key-stdin", i+1)
		}
	}
	return nil
}

// stdinRunFile is the run-file argument that means standard input.
const stdinRunFile = "-"

// runFileArgs turns run-file arguments into paths that can be opened (and
// re-opened) by name: `-` is copied from stdin into a temporary file once.
// At most one argument may be `-`. The returned function removes the copy.
func runFileArgs(ios *IOStreams, args ...string) ([]string, func(), error) {
	paths := append([]string(nil), args...)
	cleanup := func() {}
	seen := false
	for i, a := range args {
		if a != stdinRunFile {
			continue
		}
		if seen {
			return nil, cleanup, usagef("only one run file can come from standard input ('-')")
		}
		seen = true
		if ios.InTTY {
			return nil, cleanup, usagef("'-' reads a run file from standard input, which is a terminal: pipe the file in (probe report - < run.jsonl)")
		}
		tmp, err := os.CreateTemp("", "probe-stdin-*.jsonl")
		if err != nil {
			return nil, cleanup, fmt.Errorf("standard input: %v", err)
		}
		cleanup = func() { _ = os.Remove(tmp.Name()) }
		_, err = io.Copy(tmp, ios.In)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			cleanup()
			return nil, func() {}, fmt.Errorf("reading the run file from standard input: %v", err)
		}
		paths[i] = tmp.Name()
		ios.stdinCopy = tmp.Name()
	}
	return paths, cleanup, nil
}

// refuseExisting refuses to replace an existing file without --force.
func refuseExisting(flag, path string, force bool) error {
	if path == "" || force {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return usagef("%s %s already exists (use --force to overwrite it)", flag, path)
	}
	return nil
}

// runFileName is how a run file's path is named in messages: standard input
// rather than the name of its temporary copy.
func (s *IOStreams) runFileName(path string) string {
	if path != "" && path == s.stdinCopy {
		return "standard input"
	}
	return path
}

// shownRunFile is how a run file is named in output: as the user typed it,
// with `-` spelled out.
func shownRunFile(shown, path string) string {
	switch shown {
	case "":
		return path
	case stdinRunFile:
		return "standard input"
	}
	return shown
}

// newScenario is scenarios.New with a usage error that, for a name the
// provider lacks, says which provider has it.
func newScenario(name string, opts scenarios.Options) (*scenarios.API, error) {
	api, err := scenarios.New(name, opts)
	if err == nil {
		return api, nil
	}
	want := opts.Provider
	if want == "" {
		want = scenarios.Anthropic
	}
	for _, p := range []string{scenarios.Anthropic, scenarios.OpenAI} {
		if p == want {
			continue
		}
		for _, sc := range scenarios.AllFor(p) {
			if sc.Name == name {
				return nil, usagef("scenario %q is one of the %s scenarios, not %s: add --provider %s", name, p, want, p)
			}
		}
	}
	return nil, usageError{err}
}
