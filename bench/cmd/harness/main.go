// Command harness measures probe against vegeta and hey on a loopback
// server, in one run on one machine: throughput at fixed concurrency,
// pacing accuracy at set rates, peak memory over growing runs, and the
// speed of the analysis commands on a million-request run file. It prints
// one table and, with -out, writes it as Markdown with the machine it ran on
// (bench/RESULTS.md).
//
// Run it from the repository root, as `make bench` does:
//
//	go run ./bench/cmd/harness -out bench/RESULTS.md
//
// The harness only ever sends requests to the server it starts on
// 127.0.0.1; the children get a dummy key and no proxy settings.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

// config is what a harness run measures.
type config struct {
	Concurrency     []int
	Requests        int // per throughput run
	Reps            int
	Rates           []float64
	PacingDuration  time.Duration
	MemSizes        []int
	AnalysisRecords int
	Sections        map[string]bool
	Skip            map[string]bool // tools left out
}

func defaultConfig() config {
	return config{
		Concurrency:     []int{1, 10, 50},
		Requests:        30_000,
		Reps:            5,
		Rates:           []float64{10, 100, 1000},
		PacingDuration:  10 * time.Second,
		MemSizes:        []int{10_000, 100_000, 1_000_000},
		AnalysisRecords: 1_000_000,
		Sections:        map[string]bool{"throughput": true, "pacing": true, "memory": true, "analysis": true},
		Skip:            map[string]bool{},
	}
}

// quickConfig is a trial of every section in well under a minute; its
// figures are too small to mean much.
func quickConfig() config {
	c := defaultConfig()
	c.Requests, c.Reps = 2_000, 1
	c.Rates, c.PacingDuration = []float64{10, 100}, 2*time.Second
	c.MemSizes = []int{1_000, 10_000}
	c.AnalysisRecords = 20_000
	return c
}

type harness struct {
	cfg      config
	srv      *apiServer
	tools    *tools
	tmp      string
	bodyFile string
	res      *results
	largest  map[string]string // tool -> its results file of the largest memory run
	source   string            // the tree probe was built from (treeState)
	log      io.Writer
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(h.log, format+"\n", args...)
}

func (h *harness) has(tool string) bool {
	switch tool {
	case toolProbe:
		return h.tools.probe != ""
	case toolVegeta:
		return h.tools.vegeta != ""
	case toolHey:
		return h.tools.hey != ""
	}
	return false
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) >= 2 && args[0] == childFlag {
		return childMain(args[1], args[2:])
	}
	fs := flag.NewFlagSet("harness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		out      = fs.String("out", "", "write the results as Markdown to this file (e.g. bench/RESULTS.md)")
		micro    = fs.String("micro", "", "output of `go test -bench` to include in the Markdown")
		quick    = fs.Bool("quick", false, "a fast trial with tiny sizes")
		only     = fs.String("only", "", "sections to run, comma-separated: throughput,pacing,memory,analysis (default all)")
		skip     = fs.String("skip", "", "comparison tools to leave out, comma-separated: vegeta,hey")
		requests = fs.Int("requests", 0, "requests per throughput run (default 30000)")
		reps     = fs.Int("reps", 0, "repetitions of each throughput run (default 5)")
		keep     = fs.Bool("keep", false, "keep the temporary directory (binaries, run files)")
		analyzeF = fs.String("analyze", "", "internal: load a run file with diagnose.LoadRun and exit")
		writeRun = fs.String("write-run", "", "write a synthetic run file of -records requests to this path and exit")
		records  = fs.Int("records", 0, "requests in the analysis run files (default 1000000)")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *analyzeF != "" {
		if err := analyze(*analyzeF, stdout); err != nil {
			fmt.Fprintf(stderr, "harness: %v\n", err)
			return 1
		}
		return 0
	}
	cfg := defaultConfig()
	if *quick {
		cfg = quickConfig()
	}
	if *records > 0 {
		cfg.AnalysisRecords = *records
	}
	if *writeRun != "" {
		if err := writeSyntheticRun(*writeRun, cfg.AnalysisRecords, 1, beforeRefused); err != nil {
			fmt.Fprintf(stderr, "harness: %v\n", err)
			return 1
		}
		return 0
	}
	if *requests > 0 {
		cfg.Requests = *requests
	}
	if *reps > 0 {
		cfg.Reps = *reps
	}
	if *only != "" {
		cfg.Sections = map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			cfg.Sections[strings.TrimSpace(s)] = true
		}
	}
	for _, s := range strings.Split(*skip, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.Skip[s] = true
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := measure(ctx, cfg, *out, *micro, *keep, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "harness: %v\n", err)
		return 1
	}
	return 0
}

func measure(ctx context.Context, cfg config, out, micro string, keep bool, stdout, log io.Writer) error {
	began := time.Now()
	root, err := repoRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "probe-bench-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Fprintf(log, "keeping %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	h := &harness{cfg: cfg, tmp: tmp, res: newResults(), largest: map[string]string{}, log: log}
	h.bodyFile = filepath.Join(tmp, "body.json")
	if err := os.WriteFile(h.bodyFile, []byte(body), 0o644); err != nil {
		return err
	}
	h.source = treeState(root)
	if h.tools, err = buildTools(ctx, root, tmp, cfg.Skip, log); err != nil {
		return err
	}
	if h.srv, err = startServer(); err != nil {
		return err
	}
	defer h.srv.Close()
	h.logf("loopback server at %s", h.srv.URL)

	for _, s := range []struct {
		name string
		f    func(context.Context) error
	}{
		{"throughput", h.throughput}, {"pacing", h.pacing}, {"memory", h.memory}, {"analysis", h.analysis},
	} {
		if !cfg.Sections[s.name] {
			continue
		}
		t0 := time.Now()
		if err := s.f(ctx); err != nil {
			return fmt.Errorf("%s: %v", s.name, err)
		}
		h.logf("%s done in %v", s.name, time.Since(t0).Round(time.Second))
	}
	for _, p := range h.largest {
		removeQuiet(p)
	}
	took := time.Since(began).Round(time.Second)

	rows, targets := h.table()
	if err := renderTable(stdout, rows, false); err != nil {
		return err
	}
	for _, t := range targets {
		fmt.Fprintf(stdout, "%-7s %s: %s\n", metOrMissed(t.Met), t.Name, t.Figure)
	}
	for k, e := range h.res.errs {
		fmt.Fprintf(stdout, "not measured: %s %s %s: %s\n", k.section, k.key, k.tool, e)
	}
	if out == "" {
		return nil
	}
	var microOut []byte
	if micro != "" {
		if microOut, err = os.ReadFile(micro); err != nil {
			return err
		}
	}
	var md bytes.Buffer
	if err := h.markdown(&md, rows, targets, microOut, took); err != nil {
		return err
	}
	if err := os.WriteFile(out, md.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote %s (the run took %v)\n", out, took)
	return nil
}

// repoRoot is the directory of the main module's go.mod.
func repoRoot(ctx context.Context) (string, error) {
	o, err := exec.CommandContext(ctx, goTool(), "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	mod := strings.TrimSpace(string(o))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run the harness from the probe repository (no go.mod found)")
	}
	return filepath.Dir(mod), nil
}
