package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/llm-probe/probe/prober"
	"github.com/llm-probe/probe/report"
)

// rampOptions are the flags of `probe ramp`.
type rampOptions struct {
	target      targetOptions
	Steps       string
	Requests    int
	Rate        float64
	MaxRequests int
	Timeout     time.Duration
	MaxWait     time.Duration
	Out         string
	Force       bool
	Output      string
	Quiet       bool
	NoEarlyStop bool
	NoExtend    bool
}

func newRampCmd(ios *IOStreams) *cobra.Command {
	opts := &rampOptions{}
	cmd := &cobra.Command{
		Use:   "ramp",
		Short: "Send tiny requests at stepped concurrency and name the failing layer",
		Long: `ramp sends tiny requests (max_tokens 1, "hi") at each concurrency step,
records every answer to a JSONL run file, and decides with statistics which
layer failed, telling intermittent 403s (an abuse flag: worse under
concurrency, or alternating) from a clean permission failure.`,
		Example: `  probe ramp --scenario abuse
  probe ramp --steps 1,5,10 --requests 20 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return rampRun(cmd, ios, opts)
		},
	}
	fs := cmd.Flags()
	opts.target.register(fs)
	fs.StringVar(&opts.Steps, "steps", "1,2,5,10", "concurrency levels, comma-separated")
	fs.IntVar(&opts.Requests, "requests", 0, "requests per step (default max(10, 2×concurrency))")
	fs.Float64Var(&opts.Rate, "rate", 0, "cap on requests per second across all workers (0: none)")
	fs.IntVar(&opts.MaxRequests, "max-requests", 100, "budget for the whole run, extra requests included")
	fs.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "timeout of each request, body included")
	fs.DurationVar(&opts.MaxWait, "max-wait", time.Minute, "longest retry-after to sit out; a longer one ends the run")
	fs.StringVar(&opts.Out, "out", "", "run file to write (default probe-run-<UTC time>.jsonl)")
	fs.BoolVar(&opts.Force, "force", false, "overwrite an existing run file")
	fs.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	fs.BoolVarP(&opts.Quiet, "quiet", "q", false, "no live progress")
	fs.BoolVar(&opts.NoEarlyStop, "no-early-stop", false, "run every step even when the first shows a deterministic failure")
	fs.BoolVar(&opts.NoExtend, "no-extend", false, "never add requests to decide an undecided run")
	return cmd
}

// buildPlan turns the flags into a plan checked against the host's limits.
func (o *rampOptions) buildPlan(lim prober.Limits) (prober.Plan, error) {
	levels, err := prober.ParseSteps(o.Steps, lim)
	if err != nil {
		return prober.Plan{}, usageError{err}
	}
	if o.Requests < 0 {
		return prober.Plan{}, usagef("--requests must be at least 1")
	}
	if o.MaxWait < 0 {
		return prober.Plan{}, usagef("--max-wait must not be negative")
	}
	p := prober.Plan{
		Rate: o.Rate, MaxRequests: o.MaxRequests,
		Timeout: prober.Duration(o.Timeout), MaxWait: prober.Duration(o.MaxWait),
		EarlyStop: !o.NoEarlyStop, Extend: !o.NoExtend,
	}
	for _, c := range levels {
		n := o.Requests
		if n == 0 {
			n = prober.RequestsFor(c)
		}
		p.Steps = append(p.Steps, prober.Step{Concurrency: c, Requests: n})
	}
	if err := p.Validate(lim); err != nil {
		return prober.Plan{}, usageError{err}
	}
	return p, nil
}

func rampRun(cmd *cobra.Command, ios *IOStreams, opts *rampOptions) error {
	if opts.Output != "table" && opts.Output != "json" {
		return usagef("--output %q: use table or json", opts.Output)
	}
	rt, err := opts.target.resolve(ios)
	if err != nil {
		return err
	}
	defer rt.Close()
	plan, err := opts.buildPlan(rt.Limits)
	if err != nil {
		return err
	}
	for _, w := range rt.Warnings {
		fmt.Fprintf(ios.Err, "probe: warning: %s\n", w)
	}

	start := ios.Now().UTC()
	path, f, err := createRunFile(opts.Out, opts.Force, start)
	if err != nil {
		return err
	}
	defer f.Close()
	rw := prober.NewRunWriter(f)
	if err := rw.WriteHeader(prober.RunHeader{ToolVersion: version(), Started: start, Target: rt.Info, Plan: plan}); err != nil {
		return fmt.Errorf("run file %s: %v", path, err)
	}

	eng := &prober.Engine{
		Client: prober.NewHTTPClient(maxConcurrency(plan), ios.Getenv),
		Target: rt.Target,
		Plan:   plan,
		Now:    ios.Now,
		Sink:   rw.WriteRecord,
	}
	live := ios.ErrTTY && !opts.Quiet && ios.Getenv("NO_COLOR") == ""
	var progress *report.Progress
	if live {
		progress = report.NewProgress(ios.Err, ios.Color())
		eng.OnBatch = func(st prober.Step, _, round int) { progress.Batch(st.Concurrency, round) }
		eng.Observe = func(r *prober.Record) { progress.Add(r.Outcome) }
		eng.Notice = progress.Notice
	} else if !opts.Quiet {
		eng.Notice = func(msg string) { fmt.Fprintf(ios.Err, "probe: %s\n", msg) }
	}

	ctx := cmd.Context()
	res, runErr := eng.Run(ctx)
	if progress != nil {
		progress.Done()
	}
	if res.Stop == prober.StopInterrupted {
		fmt.Fprintf(ios.Err, "probe: interrupted: %d answers kept in %s; the verdict below is partial\n", res.Summary.Answered, path)
	} else if runErr == nil {
		runErr = rw.WriteFooter(prober.RunFooter{Finished: ios.Now().UTC(), Sent: res.Sent, Stop: res.Stop, Verdict: res.Verdict})
	}
	if err := f.Sync(); err != nil && runErr == nil {
		runErr = err
	}

	out := report.Run{
		ToolVersion: version(), Target: rt.Info, Plan: plan, Summary: res.Summary,
		Verdict: res.Verdict, RunFile: path, Stop: res.Stop, Sent: res.Sent,
	}
	if opts.Output == "json" {
		err = report.WriteJSON(ios.Out, out)
	} else {
		err = report.WriteText(ios.Out, out)
	}
	if err != nil {
		return err
	}
	if runErr != nil {
		return fmt.Errorf("run file %s: %v", path, runErr)
	}
	return exitError{exitFor(res.Verdict)}
}

// createRunFile opens the run file: the one asked for, which must not exist
// unless force is set, or a new timestamped one that never replaces another.
func createRunFile(path string, force bool, start time.Time) (string, *os.File, error) {
	if path != "" {
		f, err := prober.CreateRunFile(path, force)
		if err != nil {
			return "", nil, usageError{err}
		}
		return path, f, nil
	}
	stem := "probe-run-" + start.Format("20060102T150405Z")
	for i := 1; ; i++ {
		path = stem + ".jsonl"
		if i > 1 {
			path = fmt.Sprintf("%s-%d.jsonl", stem, i)
		}
		f, err := prober.CreateRunFile(path, false)
		if err == nil {
			return path, f, nil
		}
		if _, statErr := os.Stat(path); statErr != nil || i == 100 {
			return "", nil, err
		}
	}
}

func maxConcurrency(p prober.Plan) int {
	m := 1
	for _, s := range p.Steps {
		m = max(m, s.Concurrency)
	}
	return m
}
