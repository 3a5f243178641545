package main

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/llm-probe/probe/prober/check"
	"github.com/llm-probe/probe/prober/cloudauth"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/report"
	"github.com/spf13/cobra"
)

// checkOptions are the flags of `probe check`.
type checkOptions struct {
	target  targetOptions
	client  clientOptions
	Output  string
	Timeout time.Duration
	Curl    bool
	Quiet   bool
}

func newCheckCmd(ios *IOStreams) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Walk the layers for one key: local key, route, models, one message",
		Long: `check is what to run first. It inspects the key locally (source, prefix,
length, whitespace, quotes, placeholders), then the route (base URL, proxy
variables, DNS, TCP, TLS and who issued the certificate), then asks the API
about the model and sends one tiny message, whose answer decides. It stops
at the first layer that fails and prints the fix.

Without --model (or $ANTHROPIC_MODEL) it picks the model from the key's own
models list: the newest Haiku (OpenAI: the newest gpt-*-mini), and says so;
the built-in default is used only when the list gives none. With a model
named, GET /v1/models/{model} resolves it (an alias to its dated id) and the
list supports that answer. It sends the list's pages (at most 10), at most
one model lookup and one message: three requests on a usual key.`,
		Example: `  probe check
  probe check --scenario region-blocked
  probe check --curl`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return checkRun(cmd, ios, opts)
		},
	}
	fs := cmd.Flags()
	opts.target.register(fs)
	opts.client.register(fs, true)
	fs.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	fs.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "timeout of each request and network check")
	fs.BoolVar(&opts.Curl, "curl", false, "print only the reproduction curl command and send nothing")
	fs.BoolVarP(&opts.Quiet, "quiet", "q", false, "nothing on stderr but errors (check draws no live progress)")
	return cmd
}

func checkRun(cmd *cobra.Command, ios *IOStreams, opts *checkOptions) error {
	if err := checkOutput(&opts.Output); err != nil {
		return err
	}
	if opts.Timeout <= 0 {
		return usagef("--timeout must be positive")
	}
	cl, err := opts.client.prepare(cmd.Context(), ios, &opts.target, true)
	if err != nil {
		return err
	}
	rt, err := opts.target.resolveRoute(ios)
	if err != nil {
		return err
	}
	defer rt.Close()
	if opts.Curl && rt.Target.API().Cloud != "" {
		fmt.Fprintln(ios.Out, rt.Target.Curl())
		return nil
	}
	if opts.Curl {
		key, _, _ := keys.LoadKey(rt.Keys)
		t := rt.Target
		t.Key = keys.NewKey("", "", key.Kind)
		fmt.Fprintln(ios.Out, t.Curl())
		return nil
	}
	c := &check.Checker{
		// The walk reads the key (perhaps from a FIFO or stdin) before it
		// sends: until its first request, a signal ends probe at once.
		Transport:  startedTransport{rt.Target.Transport(ios.transport(1, rt.Keys.Getenv)), ios},
		RootCAs:    ios.RootCAs,
		CloudErr:   rt.CloudErr,
		Target:     rt.Target,
		Keys:       rt.Keys,
		Timeout:    opts.Timeout,
		BaseSource: rt.BaseSource,
		Now:        ios.Now,
		Client:     cl,
		// Without a model named, check picks one from the key's own list.
		ModelExplicit: modelExplicit(ios, &opts.target, rt, cl != nil),
	}
	noKey := keyMissing(rt.Keys)
	if rt.Target.API().Cloud != "" {
		// A cloud's credential is not a key: missing, it is the same usage
		// error, found when the route was resolved.
		noKey = errors.Is(rt.CloudErr, cloudauth.ErrNoCredentials)
	}
	res := c.Run(cmd.Context())
	t := c.Target // with the key the walk found, for the target line and curl
	info := t.Info()
	info.Scenario = opts.target.Scenario
	out := report.Check{ToolVersion: version(), Target: info, Result: res, Curl: t.Curl()}
	if cl != nil {
		out.Client = cl.Config
	}
	if opts.Output == "json" {
		err = report.WriteCheckJSON(ios.Out, out)
	} else {
		err = report.WriteCheckText(ios.Out, out)
	}
	if err != nil {
		return err
	}
	if cmd.Context().Err() != nil {
		return exitError{ExitInconclusive}
	}
	if noKey {
		return exitError{ExitUsage}
	}
	return exitError{exitFor(res.Verdict)}
}

// startedTransport marks the command started when its first request goes out.
type startedTransport struct {
	base http.RoundTripper
	ios  *IOStreams
}

func (t startedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.ios.Started()
	return t.base.RoundTrip(r)
}

// keyMissing reports that no key is set. A missing key is a usage error for
// every command (exit 2, nothing sent); check still prints its walk, which
// says where a key can come from. Only the environment is looked at: a key
// file or stdin is read once, by the walk.
func keyMissing(src keys.KeySources) bool {
	if src.UseStdin || src.File != "" {
		return false
	}
	for _, k := range src.Provider.Keys {
		if src.Getenv(k.Name) != "" {
			return false
		}
	}
	return true
}
