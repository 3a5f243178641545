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
  2  usage error, nothing sent: bad flags or arguments, or no key
  3  a problem was diagnosed (see the verdict)
  4  inconclusive: too few answers to decide
  130, 143  stopped by SIGINT or SIGTERM before anything was sent
`

// newRootCmd wires every command onto the streams.
func newRootCmd(ctx context.Context, ios *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "probe",
		Short: "Find out why an LLM API answers 403, with evidence for support",
		Long: `probe sends tiny requests (max_tokens 1) to the Anthropic Messages API
(or, with --provider, to OpenAI-compatible APIs and to Claude on Bedrock,
Vertex AI and Foundry) at stepped concurrency, records every answer
(status, timings, error type and message, request id) and names the
failing layer: key, workspace, region, model, or the intermittent 403s of
an abuse flag, or something in between such as a proxy. Every command
can run against a built-in simulated API with --scenario NAME; see
'probe scenarios'.` + "\n" + exitHelp,
		Example: `  probe check --scenario abuse
  probe ramp --scenario abuse
  probe export probe-run-20261202T011405Z.jsonl -o ticket`,
		// Without Args and RunE cobra answers an unknown command with its
		// own untyped error, repeating the word typed.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			hint := "see 'probe --help'"
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				hint = "did you mean " + strings.Join(s, " or ") + "?"
			}
			return usagef("unknown command %q (%s)", args[0], hint)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
		SilenceErrors:              true,
		SilenceUsage:               true,
		Version:                    version(),
		SuggestionsMinimumDistance: 2,
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
	err := screenArgs(args)
	if err == nil {
		root := newRootCmd(ctx, ios)
		root.SetArgs(args)
		err = root.ExecuteContext(ctx)
	}
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
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitFailure
}
