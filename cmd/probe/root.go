package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/llm-probe/probe/prober/verdict"
	"github.com/spf13/cobra"
)

// ExitCode is what the process returns; scripts branch on it.
type ExitCode int

// The exit codes, as documented in the README and `probe --help`.
const (
	ExitHealthy      ExitCode = 0 // the target is healthy
	ExitFailure      ExitCode = 1 // the tool itself failed
	ExitUsage        ExitCode = 2 // bad flags or arguments
	ExitDiagnosed    ExitCode = 3 // a problem was diagnosed
	ExitInconclusive ExitCode = 4 // too few answers to decide
)

// exitFor maps a verdict onto the exit code.
func exitFor(v verdict.Verdict) ExitCode {
	switch v.Signature {
	case verdict.Healthy:
		return ExitHealthy
	case verdict.Inconclusive:
		return ExitInconclusive
	}
	return ExitDiagnosed
}

// usageError marks errors in what the user typed: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitError carries an exit code out of a command that already printed its result.
type exitError struct{ code ExitCode }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// version returns the tool's version from the build information.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

const exitHelp = `
Exit codes:
  0  healthy: the answers were successes
  1  the tool itself failed
  2  usage error: bad flags or arguments
  3  a problem was diagnosed (see the verdict)
  4  inconclusive: too few answers to decide
`

// newRootCmd wires every command onto the streams.
func newRootCmd(ctx context.Context, ios *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "probe",
		Short: "Find out why an LLM API answers 403, with evidence for support",
		Long: `probe sends tiny requests (max_tokens 1) to the Anthropic Messages API (or,
with --provider openai, to OpenAI-compatible APIs) at stepped concurrency, records every answer (status, timings, error type and
message, request id) and names the failing layer: key, workspace, region,
model, or the intermittent 403s of an abuse flag, or something in between
such as a proxy. Every command can run against a built-in simulated API
with --scenario NAME; see 'probe scenarios'.` + "\n" + exitHelp,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       version(),
	}
	root.SetOut(ios.Out)
	root.SetErr(ios.Err)
	root.SetIn(ios.In)
	root.SetContext(ctx)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newRampCmd(ios),
		newCheckCmd(ios),
		newConfigCmd(ios),
		newScenariosCmd(ios),
		newServeCmd(ios),
		newCooldownCmd(ios),
		newCompareCmd(ios),
		newExportCmd(ios),
		newReportCmd(ios),
		newWatchCmd(ios),
	)
	return root
}

// Main runs the command line args and returns the exit code. It is the one
// place that prints an error.
func Main(ctx context.Context, args []string, ios *IOStreams) ExitCode {
	root := newRootCmd(ctx, ios)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitHealthy
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	msg := strings.TrimSpace(err.Error())
	fmt.Fprintf(ios.Err, "probe: %s\n", msg)
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(msg) {
		return ExitUsage
	}
	return ExitFailure
}

// isCobraUsage recognises the argument errors cobra returns as plain errors.
func isCobraUsage(msg string) bool {
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
