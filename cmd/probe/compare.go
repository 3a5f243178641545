package main

import (
	"fmt"

	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/report"
	"github.com/spf13/cobra"
)

// compareOptions are the flags and arguments of `probe compare`.
type compareOptions struct {
	Before string
	After  string
	Output string
	// shownBefore and shownAfter are the files as the user named them.
	shownBefore, shownAfter string
}

func newCompareCmd(ios *IOStreams) *cobra.Command {
	opts := &compareOptions{}
	cmd := &cobra.Command{
		Use:   "compare BEFORE.jsonl AFTER.jsonl",
		Short: "Compare the 403s of two runs, e.g. before and after a cooldown",
		Long: `compare reads two run files (complete or cut short) and sets their
concurrency steps side by side: requests sent, 403 refusals and their rate
before and after, with a two-sided Fisher exact test per step and overall.
It names the change in the 403s:

  cleared       403s before, none after, and the difference is significant
  persists      403s in both runs, no significant difference
  improved      fewer 403s after (significantly), but not none
  worse         more 403s after (significantly)
  appeared      no 403s before, significantly many after
  unchanged     no 403s in either run
  inconclusive  too few answers to tell; says how many more would

The exit code follows the change: 0 when the 403s cleared (or neither run
has any) and the after run is healthy, 3 when 403s persist, appeared, got
worse or only improved (or the after run shows another problem), 4 when
inconclusive, 2 when a file is not a run file.`,
		Example: `  probe compare before.jsonl after.jsonl
  probe compare before.jsonl after.jsonl --output json | jq -r .change
  ssh host cat run.jsonl | probe compare before.jsonl -`,
		Args: exactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			paths, cleanup, err := runFileArgs(ios, args...)
			defer cleanup()
			if err != nil {
				return err
			}
			opts.Before, opts.After = paths[0], paths[1]
			opts.shownBefore, opts.shownAfter = args[0], args[1]
			return compareRun(ios, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func compareRun(ios *IOStreams, opts *compareOptions) error {
	if err := checkOutput(&opts.Output); err != nil {
		return err
	}
	before, err := loadRunFile(ios, opts.Before, nil, runfile.WithoutRateLimits())
	if err != nil {
		return err
	}
	after, err := loadRunFile(ios, opts.After, nil, runfile.WithoutRateLimits())
	if err != nil {
		return err
	}
	c := compareRuns(shownRunFile(opts.shownBefore, opts.Before), before, shownRunFile(opts.shownAfter, opts.After), after)
	warnDifferences(ios, before.File.Header, after.File.Header, false)
	return writeCompare(ios, opts.Output, c)
}

// compareRuns sets two loaded runs side by side.
func compareRuns(beforePath string, before *diagnose.LoadedRun, afterPath string, after *diagnose.LoadedRun) report.Compare {
	side := func(path string, lr *diagnose.LoadedRun) report.CompareSide {
		s := report.CompareSide{RunFile: path, Header: lr.File.Header, Verdict: lr.Verdict, Skipped: lr.File.Skipped}
		if f := lr.File.Footer; f != nil {
			v := f.Verdict
			s.Recorded = &v
		}
		return s
	}
	return report.Compare{
		ToolVersion: version(),
		Before:      side(beforePath, before),
		After:       side(afterPath, after),
		Comparison:  diagnose.Compare(before.Summary, after.Summary),
	}
}

// warnDifferences says on stderr what else than time sets the runs apart;
// ignorePlan leaves out the plan, when the user asked for a different one.
func warnDifferences(ios *IOStreams, before, after runfile.Header, ignorePlan bool) {
	if ignorePlan {
		after.Plan = before.Plan
	}
	for _, d := range before.Differences(after) {
		fmt.Fprintf(ios.Err, "probe: warning: the runs differ in %s\n", d)
	}
}

func writeCompare(ios *IOStreams, output string, c report.Compare) error {
	var err error
	if output == "json" {
		err = report.WriteCompareJSON(ios.Out, c)
	} else {
		err = report.WriteCompareText(ios.Out, c)
	}
	if err != nil {
		return err
	}
	return exitError{exitForChange(c)}
}

// exitForChange maps a comparison onto the exit code: a change that leaves
// 403s is a diagnosed problem, and when the 403s are gone (or never were)
// the after run's own verdict decides, so a run that traded its 403s for
// 429s does not pass as healthy.
func exitForChange(c report.Compare) ExitCode {
	switch ch := c.Comparison.Change; {
	case ch == diagnose.ChangeInconclusive:
		return ExitInconclusive
	case ch.IsProblem():
		return ExitDiagnosed
	}
	return exitFor(c.After.Verdict)
}
