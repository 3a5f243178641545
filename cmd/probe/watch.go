package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/llm-probe/probe/prober/engine"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/watch"
	"github.com/llm-probe/probe/prober/watch/live"
	"github.com/llm-probe/probe/report"
)

// watchOptions are the flags of `probe watch`.
type watchOptions struct {
	Config       string
	Listen       string
	URLFile      string
	RunDir       string
	RunFileSize  int64
	KeepRunFiles int
	// The single-target form.
	Target             targetOptions
	KeyEnv             string
	Interval           time.Duration
	Steps              string
	MaxRequestsPerHour int
	Window             time.Duration
}

func newWatchCmd(ios *IOStreams) *cobra.Command {
	o := &watchOptions{}
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Probe targets on a schedule and serve Prometheus metrics",
		Long: `probe watch is a gentle canary: it probes each target on its own jittered
schedule within an hourly request budget, judges a rolling window of answers
with the verdict engine, keeps every probe's records in rotating run files,
and serves /metrics and blackbox-style /probe?target=NAME for Prometheus.
A change of verdict is logged as one JSON line on stderr.`,
		Example: `  probe watch --config watch.yaml --listen :9464 --run-dir /var/lib/probe
  probe watch --listen 127.0.0.1:9464 --interval 5m --steps 1,5 --key-file ~/.anthropic.key
  probe watch --scenario abuse --interval 2s --listen 127.0.0.1:9464`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return watchRun(cmd, ios, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Config, "config", "", "YAML file of targets (see README, \"Watching keys with Prometheus\")")
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:9464", "address to serve /metrics and /probe on")
	fs.StringVar(&o.URLFile, "url-file", "", "write the metrics base URL to this file once listening (for scripts)")
	fs.StringVar(&o.RunDir, "run-dir", "", "keep every probe's records in rotating run files NAME-<time>.jsonl here")
	fs.Int64Var(&o.RunFileSize, "run-file-size", live.DefaultRunFileSize, "start a new run file once one reaches this many bytes")
	fs.IntVar(&o.KeepRunFiles, "keep-run-files", live.DefaultKeep, "run files kept per target; older ones are removed")
	o.Target.register(fs)
	fs.StringVar(&o.KeyEnv, "key-env", "", "read the key from this environment variable at every probe")
	fs.DurationVar(&o.Interval, "interval", watch.DefaultInterval, "one probe per interval, jittered ±10%")
	fs.StringVar(&o.Steps, "steps", "1", "concurrency levels of each probe, comma-separated")
	fs.IntVar(&o.MaxRequestsPerHour, "max-requests-per-hour", watch.DefaultMaxRequestsPerHour, "hourly request budget, whatever the interval")
	fs.DurationVar(&o.Window, "window", watch.DefaultWindow, "rolling window the verdict is judged over")
	return cmd
}

// watchSetup is what a watch runs: the config, the prober's environment and
// the simulated API to stop, if any.
type watchSetup struct {
	cfg    *watch.Config
	getenv func(string) string
	close  func()
}

// loadWatch reads the config file, or builds the single target from flags.
func loadWatch(cmd *cobra.Command, ios *IOStreams, o *watchOptions) (*watchSetup, error) {
	if o.Config != "" {
		for _, name := range []string{"base-url", "model", "key-file", "key-env", "scenario", "provider", "header", "interval", "steps", "max-requests-per-hour", "window"} {
			if cmd.Flags().Changed(name) {
				return nil, usagef("--%s and --config exclude each other: say it in the config file", name)
			}
		}
		data, err := os.ReadFile(o.Config)
		if err != nil {
			return nil, usageError{err}
		}
		cfg, err := watch.LoadConfig(o.Config, data)
		if err != nil {
			return nil, usageError{err}
		}
		return &watchSetup{cfg: cfg, getenv: ios.Getenv, close: func() {}}, nil
	}
	if o.Target.KeyStdin {
		return nil, usagef("--key-stdin: probe watch reads the key at every probe; use --key-file or --key-env")
	}
	rt, err := o.Target.resolveRoute(ios)
	if err != nil {
		return nil, err
	}
	steps, err := target.ParseSteps(o.Steps, target.Limits{MaxConcurrency: watch.MaxStep, MaxRequests: 1 << 20})
	if err != nil {
		rt.Close()
		return nil, usagef("--steps: %v", err)
	}
	cfg, err := watch.FromFlags(watch.Flags{
		Provider: rt.Target.API().Name, BaseURL: rt.Target.BaseURL.String(), KeyFile: o.Target.KeyFile,
		KeyEnv: o.KeyEnv, Model: rt.Target.Model, Interval: o.Interval, Steps: steps,
		MaxRequestsPerHour: o.MaxRequestsPerHour, Window: o.Window,
	})
	if err != nil {
		rt.Close()
		return nil, usageError{err}
	}
	for _, h := range rt.Target.Headers {
		if cfg.Targets[0].Headers == nil {
			cfg.Targets[0].Headers = map[string]string{}
		}
		cfg.Targets[0].Headers[h.Name] = h.Value
	}
	return &watchSetup{cfg: cfg, getenv: rt.Keys.Getenv, close: rt.Close}, nil
}

func watchRun(cmd *cobra.Command, ios *IOStreams, o *watchOptions) error {
	setup, err := loadWatch(cmd, ios, o)
	if err != nil {
		return err
	}
	defer setup.close()
	if msg := engine.FileLimitWarning(watchConcurrency(setup.cfg)); msg != "" {
		fmt.Fprintf(ios.Err, "probe: warning: %s\n", msg)
	}
	prober := &live.Prober{Getenv: setup.getenv, Now: ios.Now, UserAgent: "probe/" + version()}
	if o.RunDir != "" {
		prober.Runs = &live.RunFiles{Dir: o.RunDir, MaxSize: o.RunFileSize, Keep: o.KeepRunFiles, Now: ios.Now, ToolVersion: version(), Explain: report.Explain}
	}
	w, err := watch.New(setup.cfg, watch.Options{Prober: prober, Judge: live.Judge, Events: ios.Err, Seed: uint64(ios.Now().UnixNano())})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return usagef("--listen %s: %v", o.Listen, err)
	}
	srv := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(ios.Err, "probe: watching %d %s; metrics at %s/metrics\n", len(setup.cfg.Targets), report.Plural(len(setup.cfg.Targets), "target", "targets"), base)
	if o.URLFile != "" {
		if err := writeURLFile(o.URLFile, base); err != nil {
			_ = srv.Close()
			return err
		}
	}
	_ = w.Run(cmd.Context())
	// Stopping: in-flight probes saw the same context; answer the scrapes
	// in progress briefly, then close the run files with their footers.
	sctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_ = srv.Shutdown(sctx)
	_ = srv.Close()
	if prober.Runs != nil {
		if err := prober.Runs.Close(); err != nil {
			return err
		}
	}
	fmt.Fprintln(ios.Err, "probe: watch stopped")
	return nil
}

// writeURLFile writes the URL whole under a temporary name first, so a
// script polling for the file never reads half of it.
func writeURLFile(path, url string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(url+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	return nil
}

// watchConcurrency is the most requests a watch may have in flight: each
// target's highest step, for targets whose probes may overlap.
func watchConcurrency(cfg *watch.Config) int {
	n := 0
	for _, t := range cfg.Targets {
		n += slices.Max(append([]int{0}, t.Steps...))
	}
	return n
}
