package main

import (
	"fmt"
	"os"

	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/llm-probe/probe/report"
	"github.com/spf13/cobra"
)

// reportOptions are the flags and argument of `probe report`.
type reportOptions struct {
	RunFile string
	Output  string
	HTML    string
	Force   bool
	Shown   string
}

func newReportCmd(ios *IOStreams) *cobra.Command {
	opts := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report RUN.jsonl",
		Short: "Show a run file's table and verdict again, or as an HTML page",
		Long: `report reads a run file (complete or cut short) and prints the per-step
table and the verdict again, decided anew from the recorded requests.

With --html FILE it also writes one self-contained page: a timeline of every
request (time since the start by concurrency step, colour and shape by
outcome; hover a mark for its status, error type and request id), the
per-step table, the verdict and its evidence. The page needs no network and
no script. Runs of more than 4000 requests are drawn as merged marks, so a
run of a million requests still opens at once.

The exit code is the verdict's, as for ramp.`,
		Example: `  probe report run.jsonl
  probe report run.jsonl --html run.html
  probe report - -o json < run.jsonl`,
		Args: exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			paths, cleanup, err := runFileArgs(ios, args[0])
			defer cleanup()
			if err != nil {
				return err
			}
			opts.RunFile, opts.Shown = paths[0], args[0]
			return reportRun(ios, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	fs.StringVar(&opts.HTML, "html", "", "also write an HTML report to this file")
	fs.BoolVar(&opts.Force, "force", false, "overwrite an existing --html file")
	return cmd
}

func reportRun(ios *IOStreams, opts *reportOptions) error {
	output, err := parseFormat("--output", opts.Output, "table", "json")
	if err != nil {
		return err
	}
	if err := checkNotRunFile(opts.HTML, opts.RunFile, "--html"); err != nil {
		return err
	}
	if err := refuseExisting("--html", opts.HTML, opts.Force); err != nil {
		return err
	}
	var tl *report.Timeline
	var fn func(*runfile.Record) error
	if opts.HTML != "" {
		// The timeline needs the start time before the first record, and
		// is fed while the file is read: a run of a million requests is
		// never held in memory.
		h, err := readHeader(ios, opts.RunFile)
		if err != nil {
			return err
		}
		tl = report.NewTimeline(h.Started, report.DefaultMaxMarks)
		for _, st := range h.Plan.Steps {
			tl.AddLevel(st.Concurrency)
		}
		fn = func(r *runfile.Record) error {
			tl.Add(r)
			return nil
		}
	}
	// The report shows no rate-limit headers: not decoding them makes a
	// large run file quicker to read.
	lr, err := loadRunFile(ios, opts.RunFile, fn, runfile.WithoutRateLimits())
	if err != nil {
		return err
	}
	h := lr.File.Header
	run := report.Run{
		ToolVersion: h.ToolVersion, Target: h.Target, Plan: h.Plan, Summary: lr.Summary,
		Verdict: lr.Verdict, RunFile: shownRunFile(opts.Shown, opts.RunFile), Sent: lr.Summary.Sent,
	}
	var recorded *verdict.Verdict
	if f := lr.File.Footer; f != nil {
		run.Stop = f.Stop
		v := f.Verdict
		recorded = &v
		if v.Signature != lr.Verdict.Signature {
			fmt.Fprintf(ios.Err, "probe: note: the run file recorded the verdict %s; decided again from its requests it is %s\n", v.Signature, lr.Verdict.Signature)
		}
	}
	if opts.HTML != "" {
		page := report.HTMLReport{Run: run, Started: h.Started, Timeline: tl, Recorded: recorded}
		if err := writeFileAtomic(opts.HTML, opts.Force, func(f *os.File) error { return report.WriteHTML(f, page) }); err != nil {
			return err
		}
		fmt.Fprintf(ios.Err, "probe: wrote %s (%d requests, %d marks)\n", opts.HTML, tl.Requests(), tl.Marks())
	}
	if output == "json" {
		err = report.WriteJSON(ios.Out, run)
	} else {
		err = report.WriteText(ios.Out, withWidth(ios, run))
	}
	if err != nil {
		return err
	}
	return exitError{exitFor(lr.Verdict)}
}
