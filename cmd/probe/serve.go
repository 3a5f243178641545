package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
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
	Force    bool
}

func newServeCmd(ios *IOStreams) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a simulated API scenario on loopback for other clients",
		Long: `serve runs the simulated API of one scenario on a loopback address, for
clients other than probe itself (or for probe in another shell). It accepts
any key; it prints a command line that uses it, with the demo key.`,
		Example: "  probe serve --scenario abuse --addr 127.0.0.1:8080\n  " + serveTryLine("anthropic", "http://127.0.0.1:8080"),
		Args:    noArgs,
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
	fs.BoolVar(&opts.Force, "force", false, "overwrite an existing --url-file")
	fs.StringVar(&opts.Provider, "provider", "anthropic", "which API the simulation speaks: anthropic or openai")
	return cmd
}

func serveRun(ctx context.Context, ios *IOStreams, opts *serveOptions) error {
	if opts.Prefix != "" && (!strings.HasPrefix(opts.Prefix, "/") || strings.HasSuffix(opts.Prefix, "/")) {
		return usagef("--prefix %q: start with / and do not end with /", opts.Prefix)
	}
	api, err := newScenario(opts.Scenario, scenarios.Options{Seed: opts.Seed, Prefix: opts.Prefix, Provider: opts.Provider})
	if err != nil {
		return err
	}
	if err := checkListenPort(opts.Addr); err != nil {
		return err
	}
	// A URL file left by an earlier serve would hand a script a dead address.
	if err := refuseExisting("--url-file", opts.URLFile, opts.Force); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return usagef("--addr %s: %v", opts.Addr, err)
	}
	ios.Started()
	if w := addrWarning(opts.Addr); w != "" {
		fmt.Fprintf(ios.Err, "probe: warning: %s\n", w)
	}
	base := "http://" + ln.Addr().String() + opts.Prefix
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(ios.Out, "serving scenario %s at %s (Ctrl-C to stop)\n", opts.Scenario, base)
	fmt.Fprintf(ios.Out, "try: %s\n", serveTryLine(opts.Provider, base))
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

// serveTryLine is a command that works against a served scenario: the
// provider's base-URL and key variables set to the server and its demo key,
// so the user's own key is never sent to it.
func serveTryLine(provider, base string) string {
	if provider == scenarios.OpenAI {
		return "OPENAI_BASE_URL=" + base + " OPENAI_API_KEY=" + demoKeys["openai"] + " probe ramp --provider openai"
	}
	return "ANTHROPIC_BASE_URL=" + base + " ANTHROPIC_API_KEY=" + demoKey + " probe ramp"
}

// checkListenPort refuses a port outside 0-65535 with a clear line.
func checkListenPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--addr %s: %v", addr, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return usagef("--addr %s: port %q is not a number from 0 to 65535", addr, port)
	}
	return nil
}

// addrWarning warns about a listen address that is not loopback only.
func addrWarning(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		return "--addr " + addr + " listens on every network interface: other machines can reach the simulated API; use 127.0.0.1 to keep it local"
	}
	return ""
}
