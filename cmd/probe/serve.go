package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/llm-probe/probe/scenarios"
)

// serveOptions are the flags of `probe serve`.
type serveOptions struct {
	Scenario string
	Addr     string
	Prefix   string
	Seed     int64
	URLFile  string
	Provider string
}

func newServeCmd(ios *IOStreams) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a simulated API scenario on loopback for other clients",
		Example: `  probe serve --scenario abuse --addr 127.0.0.1:8080
  ANTHROPIC_BASE_URL=http://127.0.0.1:8080 probe ramp`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serveRun(cmd.Context(), ios, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Scenario, "scenario", "healthy", "scenario to serve (see 'probe scenarios')")
	fs.StringVar(&opts.Addr, "addr", "127.0.0.1:0", "address to listen on (port 0: any free port)")
	fs.StringVar(&opts.Prefix, "prefix", "", "serve only under this path prefix, as a gateway would (e.g. /gateway/anthropic)")
	fs.Int64Var(&opts.Seed, "seed", 0, "seed of the simulated API")
	fs.StringVar(&opts.URLFile, "url-file", "", "write the base URL to this file once listening (for scripts)")
	fs.StringVar(&opts.Provider, "provider", "anthropic", "which API the simulation speaks: anthropic or openai")
	return cmd
}

func serveRun(ctx context.Context, ios *IOStreams, opts *serveOptions) error {
	if opts.Prefix != "" && (!strings.HasPrefix(opts.Prefix, "/") || strings.HasSuffix(opts.Prefix, "/")) {
		return usagef("--prefix %q: start with / and do not end with /", opts.Prefix)
	}
	api, err := scenarios.New(opts.Scenario, scenarios.Options{Seed: opts.Seed, Prefix: opts.Prefix, Provider: opts.Provider})
	if err != nil {
		return usageError{err}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return usagef("--addr %s: %v", opts.Addr, err)
	}
	base := "http://" + ln.Addr().String() + opts.Prefix
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(ios.Out, "serving scenario %s at %s (Ctrl-C to stop)\n", opts.Scenario, base)
	if opts.URLFile != "" {
		// Written whole under a temporary name, so a script polling for the
		// file never reads half a URL.
		tmp := opts.URLFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(base+"\n"), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, opts.URLFile); err != nil {
			return err
		}
	}
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_ = srv.Shutdown(sctx)
		_ = srv.Close()
		fmt.Fprintf(ios.Err, "probe: served %d requests\n", api.Requests())
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
