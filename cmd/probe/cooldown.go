package main

import (
	"context"
	"fmt"
	"time"

	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/llm-probe/probe/report"
	"github.com/spf13/cobra"
)

// cooldownOptions are the flags of `probe cooldown`.
type cooldownOptions struct {
	target targetOptions
	planOptions
	Wait       time.Duration
	AfterSteps string
	OutBefore  string
	OutAfter   string
	Force      bool
	Output     string
	Quiet      bool
}

func newCooldownCmd(ios *IOStreams) *cobra.Command {
	opts := &cooldownOptions{}
	cmd := &cobra.Command{
		Use:   "cooldown",
		Short: "Ramp, wait, ramp again: does the 403 clear with a pause?",
		Long: `cooldown automates the usual advice for intermittent 403s ("drop the
concurrency, wait five minutes, try again"): it runs a ramp, waits --wait
with a countdown, runs the ramp again (the same plan, or --after-steps), and
compares the two runs as 'probe compare' does. Both runs are kept in run
files. Ctrl-C during the wait ends there, keeping the first run. The plan
flags (--steps, --requests, --max-requests, ...) apply to each ramp.

The output and exit code are those of 'probe compare': 0 when the 403s
cleared (or neither run had any) and the second run is healthy, 3 when 403s
persist, appeared, got worse or only improved, 4 when inconclusive.`,
		Example: `  probe cooldown --wait 5m
  probe cooldown --scenario cooldown --wait 2s
  probe cooldown --steps 1,5,10 --after-steps 1,2 --wait 10m --output json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cooldownRun(cmd.Context(), ios, opts)
		},
	}
	fs := cmd.Flags()
	opts.target.register(fs)
	opts.planOptions.register(fs)
	fs.DurationVar(&opts.Wait, "wait", 5*time.Minute, "pause between the two ramps")
	fs.StringVar(&opts.AfterSteps, "after-steps", "", "concurrency levels of the second ramp (default: the same as --steps)")
	fs.StringVar(&opts.OutBefore, "out-before", "", "run file of the first ramp (default probe-run-<UTC time>-before.jsonl)")
	fs.StringVar(&opts.OutAfter, "out-after", "", "run file of the second ramp (default probe-run-<UTC time>-after.jsonl)")
	fs.BoolVar(&opts.Force, "force", false, "overwrite existing run files")
	fs.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	fs.BoolVarP(&opts.Quiet, "quiet", "q", false, "no live progress or countdown")
	return cmd
}

func cooldownRun(ctx context.Context, ios *IOStreams, opts *cooldownOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	// One target for both ramps: with --scenario it is one simulated API,
	// whose state (how long since its first request) the second ramp must see.
	rt, err := opts.target.resolve(ios)
	if err != nil {
		return err
	}
	defer rt.Close()
	beforePlan, afterPlan, err := opts.plans(rt.Limits)
	if err != nil {
		return err
	}
	warnTarget(ios, rt)
	// One listing for both ramps, out of both budgets, so that the plans
	// stay alike and the runs compare.
	if err := pickRampModel(ctx, ios, rt, modelExplicit(ios, &opts.target, rt, false), opts.Quiet, &beforePlan, &afterPlan); err != nil {
		return err
	}

	stamp := ios.Now().UTC().Format("20060102T150405Z")
	say := func(format string, args ...any) {
		if !opts.Quiet {
			fmt.Fprintf(ios.Err, "probe: "+format+"\n", args...)
		}
	}

	// ramp runs one side; side names its run file.
	ramp := func(plan target.Plan, out, side string) (*rampResult, error) {
		res, err := runRamp(ctx, ios, rampSpec{Target: rt, Plan: plan, Out: out, Stem: "probe-run-" + stamp + "-" + side, Force: opts.Force, Quiet: opts.Quiet})
		if err == nil {
			err = res.Err
		}
		return res, err
	}

	say("cooldown: first ramp")
	before, err := ramp(beforePlan, opts.OutBefore, "before")
	if err != nil {
		return err
	}
	if before.Result.Stop == runfile.StopInterrupted {
		return writeRampResult(ios, opts.Output, before)
	}
	say("before: %s; run file %s", verdictBrief(before.Run.Verdict), before.Run.RunFile)

	if !countdown(ctx, ios, opts.Wait, time.Second, opts.Quiet) {
		fmt.Fprintf(ios.Err, "probe: interrupted during the wait: the first run is kept in %s; no second ramp was sent\n", before.Run.RunFile)
		return writeRampResult(ios, opts.Output, before)
	}

	say("cooldown: second ramp")
	after, err := ramp(afterPlan, opts.OutAfter, "after")
	if err != nil {
		return err
	}
	say("after: %s; run file %s", verdictBrief(after.Run.Verdict), after.Run.RunFile)

	c := report.Compare{
		ToolVersion: version(),
		Before:      cooldownSide(before),
		After:       cooldownSide(after),
		Comparison:  diagnose.Compare(before.Result.Summary, after.Result.Summary),
	}
	warnDifferences(ios, before.Header, after.Header, opts.AfterSteps != "")
	return writeCompare(ios, opts.Output, c)
}

// check refuses, before anything is sent, the flags that would end the
// cooldown in an error.
func (opts *cooldownOptions) check() error {
	if err := checkOutput(&opts.Output); err != nil {
		return err
	}
	if opts.Wait < 0 {
		return usagef("--wait must not be negative")
	}
	if opts.OutBefore != "" && opts.OutBefore == opts.OutAfter {
		return usagef("--out-before and --out-after are both %s: the runs need a file each", opts.OutBefore)
	}
	// The second file is created only after the wait; refusing it now saves
	// the user a wait that would end in an error.
	return refuseExisting("--out-after", opts.OutAfter, opts.Force)
}

// plans are the plans of the two ramps: the second has --after-steps, if given.
func (opts *cooldownOptions) plans(lim target.Limits) (before, after target.Plan, err error) {
	if before, err = opts.buildPlan(lim); err != nil {
		return before, after, err
	}
	after = before
	if opts.AfterSteps != "" {
		po := opts.planOptions
		po.Steps = opts.AfterSteps
		after, err = po.buildPlan(lim)
	}
	return before, after, err
}

func cooldownSide(r *rampResult) report.CompareSide {
	s := report.CompareSide{RunFile: r.Run.RunFile, Header: r.Header, Verdict: r.Run.Verdict}
	if r.Complete {
		v := r.Run.Verdict
		s.Recorded = &v
	}
	return s
}

// writeRampResult prints a single ramp as `probe ramp` does, for a cooldown
// that ended before its second ramp.
func writeRampResult(ios *IOStreams, output string, r *rampResult) error {
	var err error
	if output == "json" {
		err = report.WriteJSON(ios.Out, r.Run)
	} else {
		err = report.WriteText(ios.Out, withWidth(ios, r.Run))
	}
	if err != nil {
		return err
	}
	return exitError{exitFor(r.Run.Verdict)}
}

func verdictBrief(v verdict.Verdict) string {
	s := string(v.Signature)
	if v.Layer != "" && v.Layer != "-" {
		s += " (layer " + v.Layer + ")"
	}
	return s
}

// countdown waits d. On a terminal it shows the time left on one line of
// stderr, rewritten every tick; piped, it writes a line at the start and one
// a minute, so a log is not flooded. It reports false when ctx ended first.
func countdown(ctx context.Context, ios *IOStreams, d, tick time.Duration, quiet bool) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	live := ios.Live() && !quiet
	every := tick
	if !live {
		every = time.Minute
	}
	deadline := time.Now().Add(d)
	done := time.NewTimer(d)
	defer done.Stop()
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	show := func() {
		left := max(0, time.Until(deadline))
		switch {
		case quiet:
		case live:
			fmt.Fprintf(ios.Err, "\r\x1b[K%s", report.CountdownLine(left, ios.Width))
		default:
			round := time.Second
			if left < time.Second {
				round = time.Millisecond
			}
			fmt.Fprintf(ios.Err, "probe: cooling down: %s left\n", left.Round(round))
		}
	}
	end := func() {
		if live {
			fmt.Fprint(ios.Err, "\r\x1b[K")
		}
	}
	show()
	for {
		select {
		case <-ctx.Done():
			end()
			return false
		case <-done.C:
			end()
			return ctx.Err() == nil
		case <-ticker.C:
			// Piped, a last line for the final second is only noise.
			if live || time.Until(deadline) >= time.Second {
				show()
			}
		}
	}
}
