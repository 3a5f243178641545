package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/report"
	"github.com/spf13/cobra"
)

// exportOptions are the flags and argument of `probe export`.
type exportOptions struct {
	RunFile   string
	Format    string
	All       bool
	Email     string
	Workspace string
	Out       string
	Force     bool
	// Shown is the run file as the user named it ("-" for stdin), for the ticket.
	Shown string
}

func newExportCmd(ios *IOStreams) *cobra.Command {
	opts := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export RUN.jsonl",
		Short: "Turn a run file into a support ticket, CSV or JSON",
		Long: `export reads a run file (complete or cut short) and writes the failed
requests (every request with --all) for support:

  ticket  a Markdown support ticket ready to paste: your account email and
          workspace id (placeholders unless --email and --workspace are
          given), the organization id seen in the answers, the verdict, the
          layers ruled out, a table of the failed requests with UTC time,
          concurrency, status, error type, message and request id, the
          plan, and a curl that reproduces one request with the key taken
          from $ANTHROPIC_API_KEY. Requests whose only id is Cloudflare's
          cf-ray are marked so: they never reached the API.
  csv     one row per request with a header row (RFC 4180); cells starting
          with =, +, -, @, tab or carriage return get a leading ' so that
          spreadsheets show them as text instead of running them.
  json    an array of the run file's request records.

The key is never in a run file, so it is never in an export.`,
		Example: `  probe export run.jsonl --email me@example.com --workspace wrkspc_01ABC > ticket.md
  probe export run.jsonl -o csv --all --out requests.csv
  probe export - -o json < run.jsonl`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("format") {
				fmt.Fprintln(ios.Err, "probe: note: --format is deprecated; use -o/--output")
			}
			paths, cleanup, err := runFileArgs(ios, args[0])
			defer cleanup()
			if err != nil {
				return err
			}
			opts.RunFile = paths[0]
			opts.Shown = args[0]
			return exportRun(ios, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&opts.Format, "output", "o", "ticket", "output format: ticket, csv or json")
	// --format was the flag's first name; scripts that use it keep working.
	fs.StringVarP(&opts.Format, "format", "f", "ticket", "output format (deprecated: use --output)")
	// Hidden rather than MarkDeprecated: cobra writes that note to stdout,
	// into the ticket or CSV being piped.
	_ = fs.MarkHidden("format")
	fs.BoolVar(&opts.Force, "force", false, "overwrite an existing --out file")
	fs.BoolVar(&opts.All, "all", false, "every request, not only the failed ones")
	fs.StringVar(&opts.Email, "email", "", "account email to put in the ticket")
	fs.StringVar(&opts.Workspace, "workspace", "", "workspace id to put in the ticket")
	fs.StringVar(&opts.Out, "out", "", "write to this file (atomically) instead of stdout")
	return cmd
}

func exportRun(ios *IOStreams, opts *exportOptions) error {
	format, err := parseFormat("--output", opts.Format, "ticket", "csv", "json")
	if err != nil {
		return err
	}
	var render func(w io.Writer) error
	switch format {
	case "ticket":
		render = func(w io.Writer) error { return writeTicket(ios, w, opts) }
	case "csv":
		render = func(w io.Writer) error { return writeCSV(ios, w, opts) }
	case "json":
		render = func(w io.Writer) error { return writeRecordsJSON(ios, w, opts) }
	}
	if err := checkNotRunFile(opts.Out, opts.RunFile, "--out"); err != nil {
		return err
	}
	if err := refuseExisting("--out", opts.Out, opts.Force); err != nil {
		return err
	}
	if opts.Out == "" {
		return render(ios.Out)
	}
	if err := writeFileAtomic(opts.Out, opts.Force, func(f *os.File) error { return render(f) }); err != nil {
		return err
	}
	fmt.Fprintf(ios.Err, "probe: wrote %s\n", opts.Out)
	return nil
}

func writeTicket(ios *IOStreams, w io.Writer, opts *exportOptions) error {
	lr, err := loadRunFile(ios, opts.RunFile, nil, runfile.WithoutRateLimits())
	if err != nil {
		return err
	}
	h := lr.File.Header
	return report.WriteTicket(w, report.Ticket{
		ToolVersion: version(), RunFile: shownRunFile(opts.Shown, opts.RunFile), Header: h,
		Summary: lr.Summary, Verdict: lr.Verdict,
		Email: opts.Email, Workspace: opts.Workspace, All: opts.All,
		Curl: reproduceCurl(ios, h.Target),
		Requests: func(fn func(*runfile.Record) error) error {
			f, err := os.Open(opts.RunFile)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = runfile.Read(f, fn, runfile.WithoutRateLimits())
			return err
		},
	})
}

// reproduceCurl is the curl of one probe request to the run's target. The
// target is rebuilt without a key, so the command reads the key from the
// environment variable it came from.
func reproduceCurl(ios *IOStreams, info target.Info) string {
	base, err := target.ParseBaseURL(info.BaseURL)
	if err != nil {
		fmt.Fprintf(ios.Err, "probe: warning: the run file's base URL is unusable (%v); the curl uses %s\n", err, provider.DefaultBaseURL)
		base, _ = target.ParseBaseURL(provider.DefaultBaseURL)
	}
	prov := provider.Anthropic
	if p, err := provider.ByName(info.Provider); err == nil {
		prov = p
	}
	kind := prov.Keys[0].Kind
	if info.KeySource == "ANTHROPIC_AUTH_TOKEN" || strings.HasPrefix(info.Key, "sk-ant-oat") {
		kind = provider.AuthToken
	}
	// Extra headers are shown by name only: their values were not kept.
	var headers []target.Header
	for _, h := range info.Headers {
		name, _, _ := strings.Cut(h, ":")
		headers = append(headers, target.Header{Name: name, Value: "$" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))})
	}
	t := target.Target{Provider: prov, BaseURL: base, Model: info.Model, Headers: headers, Key: keys.NewKey("", info.KeySource, kind)}
	return t.Curl()
}

func writeCSV(ios *IOStreams, w io.Writer, opts *exportOptions) error {
	cw, err := report.NewCSVWriter(w)
	if err != nil {
		return err
	}
	if err := eachExported(ios, opts, cw.Write); err != nil {
		return err
	}
	return cw.Flush()
}

func writeRecordsJSON(ios *IOStreams, w io.Writer, opts *exportOptions) error {
	aw := report.NewRecordArrayWriter(w)
	if err := eachExported(ios, opts, aw.Write); err != nil {
		return err
	}
	return aw.Close()
}

// eachExported reads the run file and passes write the records the export
// keeps: the failed ones, or every one with --all.
func eachExported(ios *IOStreams, opts *exportOptions, write func(*runfile.Record) error) error {
	_, err := loadRunFile(ios, opts.RunFile, func(r *runfile.Record) error {
		if !opts.All && !r.Failed() {
			return nil
		}
		return write(r)
	})
	return err
}
