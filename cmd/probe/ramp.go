package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/llm-probe/probe/prober/engine"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/report"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// rampOptions are the flags of `probe ramp`.
type rampOptions struct {
	target targetOptions
	client clientOptions
	planOptions
	Out    string
	Force  bool
	Output string
	Quiet  bool
}

// planOptions are the flags that shape a ramp's plan, shared by ramp and cooldown.
type planOptions struct {
	Steps       string
	Requests    int
	Rate        float64
	MaxRequests int
	Timeout     time.Duration
	MaxWait     time.Duration
	NoEarlyStop bool
	NoExtend    bool
}

func (o *planOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.Steps, "steps", "1,2,5,10", "concurrency levels, comma-separated")
	fs.IntVar(&o.Requests, "requests", 0, "requests per step (default max(10, 2×concurrency))")
	fs.Float64Var(&o.Rate, "rate", 0, "cap on requests per second across all workers (0: none)")
	fs.IntVar(&o.MaxRequests, "max-requests", 100, "budget for the whole run, extra requests included")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "timeout of each request, body included")
	fs.DurationVar(&o.MaxWait, "max-wait", time.Minute, "longest retry-after to sit out; a longer one ends the run")
	fs.BoolVar(&o.NoEarlyStop, "no-early-stop", false, "run every step even when the first shows a deterministic failure")
	fs.BoolVar(&o.NoExtend, "no-extend", false, "never add requests to decide an undecided run")
}

func newRampCmd(ios *IOStreams) *cobra.Command {
	opts := &rampOptions{}
	cmd := &cobra.Command{
		Use:   "ramp",
		Short: "Send tiny requests at rising concurrency; name the failing layer",
		Long: `ramp sends tiny requests (max_tokens 1, "hi") at each concurrency step,
records every answer to a JSONL run file, and decides with statistics which
layer failed, telling intermittent 403s (an abuse flag: worse under
concurrency, or alternating) from a clean permission failure.

Without --model (or $ANTHROPIC_MODEL) it first reads the key's own models
list and probes the newest Haiku (OpenAI: the newest gpt-*-mini), saying
so; the list's pages come out of --max-requests. When the list fails, the
built-in default is probed, with a warning.`,
		Example: `  probe ramp --scenario abuse
  probe ramp --steps 1,5,10 --requests 20 --output json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return rampRun(cmd.Context(), ios, opts)
		},
	}
	fs := cmd.Flags()
	opts.target.register(fs)
	opts.planOptions.register(fs)
	opts.client.register(fs, false)
	fs.StringVar(&opts.Out, "out", "", "run file to write (default probe-run-<UTC time>.jsonl)")
	fs.BoolVar(&opts.Force, "force", false, "overwrite an existing run file")
	fs.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	fs.BoolVarP(&opts.Quiet, "quiet", "q", false, "no live progress")
	return cmd
}

// buildPlan turns the flags into a plan checked against the host's limits.
func (o *planOptions) buildPlan(lim target.Limits) (target.Plan, error) {
	levels, err := target.ParseSteps(o.Steps, lim)
	if err != nil {
		return target.Plan{}, usageError{err}
	}
	if o.Requests < 0 {
		return target.Plan{}, usagef("--requests must be at least 1")
	}
	if o.MaxWait < 0 {
		return target.Plan{}, usagef("--max-wait must not be negative")
	}
	if err := checkRate(o.Rate); err != nil {
		return target.Plan{}, err
	}
	p := target.Plan{
		Rate: o.Rate, MaxRequests: o.MaxRequests,
		Timeout: target.Duration(o.Timeout), MaxWait: target.Duration(o.MaxWait),
		EarlyStop: !o.NoEarlyStop, Extend: !o.NoExtend,
	}
	for _, c := range levels {
		n := o.Requests
		if n == 0 {
			n = target.RequestsFor(c)
		}
		p.Steps = append(p.Steps, target.Step{Concurrency: c, Requests: n})
	}
	if err := p.Validate(lim); err != nil {
		return target.Plan{}, usageError{err}
	}
	return p, nil
}

// minRate is the lowest --rate accepted: one request every 100 seconds.
// Below it a plan of even ten requests would outlast any session.
const minRate = 0.01

// checkRate refuses rates that are not numbers, infinite, negative or so low
// that the run would never end (0 means no cap).
func checkRate(r float64) error {
	switch {
	case math.IsNaN(r) || math.IsInf(r, 0):
		return usagef("--rate %v is not a number of requests per second", r)
	case r < 0:
		return usagef("--rate must not be negative (0: no cap)")
	case r > 0 && r < minRate:
		return usagef("--rate %g is below %g requests per second: the run would take days (0: no cap)", r, minRate)
	}
	return nil
}

// checkOutput checks an --output of table or json, in any case, and leaves
// it in lower case.
func checkOutput(output *string) error {
	v, err := parseFormat("--output", *output, "table", "json")
	*output = v
	return err
}

func rampRun(ctx context.Context, ios *IOStreams, opts *rampOptions) error {
	if err := checkOutput(&opts.Output); err != nil {
		return err
	}
	cl, err := opts.client.prepare(ctx, ios, &opts.target, false)
	if err != nil {
		return err
	}
	if failed(cl) {
		return refuse(ios, cl)
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
	warnTarget(ios, rt)
	if err := pickRampModel(ctx, ios, rt, modelExplicit(ios, &opts.target, rt, cl != nil), opts.Quiet, &plan); err != nil {
		return err
	}

	res, err := runRamp(ctx, ios, rampSpec{Target: rt, Plan: plan, Out: opts.Out, Force: opts.Force, Quiet: opts.Quiet})
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		err = report.WriteJSON(ios.Out, res.Run)
	} else {
		err = report.WriteText(ios.Out, withWidth(ios, res.Run))
	}
	if err != nil {
		return err
	}
	if res.Err != nil {
		return res.Err
	}
	return exitError{exitFor(res.Run.Verdict)}
}

func warnTarget(ios *IOStreams, rt *resolvedTarget) {
	for _, w := range rt.Warnings {
		fmt.Fprintf(ios.Err, "probe: warning: %s\n", w)
	}
}

// rampSpec is one ramp to run: against what, with which plan, into which file.
type rampSpec struct {
	Target *resolvedTarget
	Plan   target.Plan
	// Out is the run file; empty means a new file named Stem.jsonl, or
	// probe-run-<UTC start time>.jsonl without a Stem.
	Out   string
	Stem  string
	Force bool
	Quiet bool
}

// rampResult is a ramp that ran, to the end or until interrupted.
type rampResult struct {
	Run    report.Run
	Header runfile.Header
	Result *engine.Result
	// Complete says the footer was written: the run was neither
	// interrupted nor failed.
	Complete bool
	// Err says the run file could not be completed; the result still stands.
	Err error
}

// runRamp runs one ramp to its run file: header, every record as it
// completes, and the footer unless interrupted. The error is for a ramp that
// could not start; a ramp that ran returns its result, with the run file's
// failure if any in rampResult.Err.
func runRamp(ctx context.Context, ios *IOStreams, spec rampSpec) (*rampResult, error) {
	rt, plan := spec.Target, spec.Plan
	start := ios.Now().UTC()
	stem := spec.Stem
	if stem == "" {
		stem = "probe-run-" + start.Format("20060102T150405Z")
	}
	path, f, err := createRunFile(spec.Out, spec.Force, stem)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rw := runfile.NewWriter(f)
	header := runfile.Header{ToolVersion: version(), Started: start, Target: rt.Info, Plan: plan}
	if err := rw.WriteHeader(header); err != nil {
		return nil, fmt.Errorf("run file %s: %v", path, err)
	}

	eng := &engine.Engine{
		Transport: rt.Target.Transport(ios.transport(maxConcurrency(plan), rt.Keys.Getenv)),
		Target:    rt.Target,
		Plan:      plan,
		Now:       ios.Now,
		Sink:      rw.WriteRecord,
	}
	progress := attachProgress(ios, eng, spec.Quiet)
	ios.Started()
	restoreGC := fewerCollections()
	res, runErr := eng.Run(ctx)
	restoreGC()
	if progress != nil {
		progress.Done()
	}
	if err := rw.Flush(); err != nil && runErr == nil {
		runErr = err
	}
	if spec.Quiet {
		// -q silences progress, not why the run ended before its plan.
		if why := stopReasons[res.Stop]; why != "" {
			fmt.Fprintf(ios.Err, "probe: %s\n", why)
		}
	}
	complete := false
	if res.Stop == runfile.StopInterrupted {
		fmt.Fprintf(ios.Err, "probe: interrupted: %d answers kept in %s; the verdict below is partial\n", res.Summary.Answered, path)
	} else if runErr == nil {
		runErr = rw.WriteFooter(runfile.Footer{Finished: ios.Now().UTC(), Sent: res.Sent, Stop: res.Stop, Verdict: report.Explain(res.Verdict)})
		complete = runErr == nil
	}
	if err := f.Sync(); err != nil && runErr == nil {
		runErr = err
	}
	out := &rampResult{
		Header:   header,
		Result:   res,
		Complete: complete,
		Run: report.Run{
			ToolVersion: version(), Target: rt.Info, Plan: plan, Summary: res.Summary,
			Verdict: res.Verdict, RunFile: path, Stop: res.Stop, Sent: res.Sent,
		},
	}
	if runErr != nil {
		out.Err = fmt.Errorf("run file %s: %v", path, runErr)
	}
	return out, nil
}

// attachProgress wires the live view onto the engine: a strip rewritten in
// place on a terminal that takes cursor control, plain notice lines
// elsewhere, nothing under -q but warnings, which -q keeps as it keeps the
// target's. NO_COLOR takes the colour away, not the progress. The Progress
// is nil when there is no strip to end.
func attachProgress(ios *IOStreams, eng *engine.Engine, quiet bool) *report.Progress {
	eng.Warn = func(msg string) { fmt.Fprintf(ios.Err, "probe: warning: %s\n", msg) }
	switch {
	case quiet:
		return nil
	case !ios.Live():
		eng.Notice = func(msg string) { fmt.Fprintf(ios.Err, "probe: %s\n", msg) }
		return nil
	}
	progress := report.NewProgress(ios.Err, ios.Color(), ios.Width)
	progress.Legend()
	eng.OnBatch = func(st target.Step, _, round int) { progress.Batch(st.Concurrency, round) }
	eng.Observe = func(r *runfile.Record) { progress.Add(r.Outcome) }
	eng.Notice = progress.Notice
	eng.Warn = func(msg string) { progress.Notice("warning: " + msg) }
	return progress
}

// stopReasons say, under -q, why a run ended before its plan; without -q
// the engine's notices have said it as it happened.
var stopReasons = map[string]string{
	runfile.StopEarly:      "stopped early: the first answers were all the same deterministic failure (--no-early-stop runs every step)",
	runfile.StopBudget:     "stopped at the request budget (--max-requests)",
	runfile.StopRetryAfter: "stopped: the server asked to wait longer than --max-wait",
	runfile.StopSinkFailed: "stopped: the run file could not be written",
}

// createRunFile opens the run file: the one asked for, which must not exist
// unless force is set, or a new timestamped one that never replaces another.
func createRunFile(path string, force bool, stem string) (string, *os.File, error) {
	if path != "" {
		f, err := runfile.CreateRunFile(path, force)
		if err != nil {
			return "", nil, usageError{err}
		}
		return path, f, nil
	}
	for i := 1; ; i++ {
		path = stem + ".jsonl"
		if i > 1 {
			path = fmt.Sprintf("%s-%d.jsonl", stem, i)
		}
		f, err := runfile.CreateRunFile(path, false)
		if err == nil {
			return path, f, nil
		}
		if _, statErr := os.Stat(path); statErr != nil || i == 100 {
			return "", nil, err
		}
	}
}

func maxConcurrency(p target.Plan) int {
	m := 1
	for _, s := range p.Steps {
		m = max(m, s.Concurrency)
	}
	return m
}

// withWidth fits a run's table to stdout when stdout is a terminal; piped
// output is never fitted.
func withWidth(ios *IOStreams, r report.Run) report.Run {
	if ios.OutTTY {
		r.Width = ios.Width
	}
	return r
}
