package main

import (
	"github.com/llm-probe/probe/prober/clientconfig"
	"github.com/llm-probe/probe/report"
	"github.com/spf13/cobra"
)

// configOptions are the flags of `probe config`.
type configOptions struct {
	Output       string
	RunKeyHelper bool
}

func newConfigCmd(ios *IOStreams) *cobra.Command {
	opts := &configOptions{}
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show Claude Code's configuration and what is wrong with it",
		Long: `config reads Claude Code's settings files (managed, local, project, user),
their "env" objects, ~/.claude.json, the login credentials file, the
project's .env and .mcp.json, and the shell's variables, and prints the
credential (fingerprint only), base URL, models, custom headers and backend
Claude Code would use, each with the file it came from, and every local
fault with its fix. It sends no request; it only checks that a configured
base URL's host resolves and accepts a TCP connection. An apiKeyHelper is
shown, never run, unless --run-key-helper is given.

Exit 0 when nothing fails, 3 when a finding fails, 2 on bad input.`,
		Example: `  probe config
  probe config --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return configRun(cmd, ios, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	fs.BoolVar(&opts.RunKeyHelper, "run-key-helper", false, "allow running Claude Code's apiKeyHelper (with a timeout; its output is treated as a secret)")
	return cmd
}

func configRun(cmd *cobra.Command, ios *IOStreams, opts *configOptions) error {
	if err := checkOutput(&opts.Output); err != nil {
		return err
	}
	co := clientOptions{Client: clientClaude, RunKeyHelper: opts.RunKeyHelper}
	cl, err := co.load(cmd.Context(), ios)
	if err != nil {
		return err
	}
	out := report.ClientConfig{ToolVersion: version(), Config: cl.Config, Findings: cl.Findings()}
	if opts.Output == "json" {
		err = report.WriteClientConfigJSON(ios.Out, out)
	} else {
		err = report.WriteClientConfigText(ios.Out, out)
	}
	if err != nil {
		return err
	}
	for _, f := range out.Findings {
		if f.Severity == clientconfig.SeverityFail {
			return exitError{ExitDiagnosed}
		}
	}
	return nil
}
