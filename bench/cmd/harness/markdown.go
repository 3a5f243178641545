package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine describes where the figures were measured; source is the tree
// probe was built from (treeState).
func machine(source string) []string {
	var lines []string
	model := "unknown"
	if m := grepFile("/proc/cpuinfo", "model name"); m != "" {
		model = m
	}
	lines = append(lines, fmt.Sprintf("CPU: %s, %d logical cores (nproc)", model, runtime.NumCPU()))
	if kb := grepFile("/proc/meminfo", "MemTotal"); kb != "" {
		if n, err := strconv.ParseFloat(strings.Fields(kb)[0], 64); err == nil {
			lines = append(lines, fmt.Sprintf("Memory: %.1f GiB", n/1024/1024))
		}
	}
	osName := runtime.GOOS + "/" + runtime.GOARCH
	if pretty := grepFile("/etc/os-release", "PRETTY_NAME"); pretty != "" {
		osName += ", " + strings.Trim(pretty, `"`)
	}
	if rel, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		osName += ", kernel " + strings.TrimSpace(string(rel))
	}
	lines = append(lines, "OS: "+osName)
	if v, err := exec.Command(goTool(), "version").Output(); err == nil {
		lines = append(lines, "Go: "+strings.TrimSpace(string(v)))
	}
	lines = append(lines, "probe: built from "+source, "vegeta "+vegetaVersion+", hey "+heyVersion+": built with `go install MODULE@VERSION` before the run, outside go.mod")
	return lines
}

// treeState names the source tree at root: its commit, and whether it had
// changes not committed. It is read when probe is built, so edits made
// while the harness runs do not mislabel the figures.
func treeState(root string) string {
	rev, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "this tree"
	}
	state := "this tree at " + strings.TrimSpace(string(rev))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain").Output(); err == nil && len(st) > 0 {
		state += " with uncommitted changes"
	}
	return state
}

// grepFile returns the value after the colon or equals sign of the first
// line of path starting with key.
func grepFile(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, key) {
			continue
		}
		if _, v, ok := strings.Cut(line, ":"); ok {
			return strings.TrimSpace(v)
		}
		if _, v, ok := strings.Cut(line, "="); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// markdown writes bench/RESULTS.md: the machine, the table, the targets,
// how each figure is taken, and the micro-benchmarks.
func (h *harness) markdown(w io.Writer, rows []row, targets []target, micro []byte, took time.Duration) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format+"\n", args...) }
	h.mdIntro(p, took)
	if err := h.mdResults(bw, p, rows, targets); err != nil {
		return err
	}
	h.mdMethods(p)
	mdProbe(p)
	mdMicro(p, micro)
	return bw.Flush()
}

// printf writes one line of Markdown.
type printf func(format string, args ...any)

// mdIntro writes the title, how to rerun and the machine.
func (h *harness) mdIntro(p printf, took time.Duration) {
	p("# probe performance")
	p("")
	p("Measured by the benchmark harness (`bench/cmd/harness`) on %s; the run took %v. Every figure below comes from that run, on this machine. Rerun with:",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), took)
	p("")
	p("    make bench")
	p("")
	p("which runs the micro-benchmarks (`go test -run '^$' -bench . -benchmem ./...`, kept in a temporary file) and then `go run ./bench/cmd/harness -micro FILE -out bench/RESULTS.md`. The harness alone: `go run ./bench/cmd/harness` (`-quick` for a trial in under a minute, `-only pacing` for one section; `-h` lists the flags).")
	p("")
	p("## Machine")
	p("")
	for _, l := range machine(h.source) {
		p("- %s", l)
	}
	p("")
	p("The machine has %d cores, shared by the loopback server (inside the harness process) and the client under test, and other work may have been running at the same time: expect run-to-run noise of several percent, and read the ratios (measured in the same run, the tools' runs interleaved) rather than the absolute figures.", runtime.NumCPU())
	p("")
}

// mdResults writes the table and the targets.
func (h *harness) mdResults(bw *bufio.Writer, p printf, rows []row, targets []target) error {
	p("## Results")
	p("")
	if err := renderTable(bw, rows, true); err != nil {
		return err
	}
	p("")
	p("Ratios are probe's figure over the other tool's: above 1 is better for throughput, below 1 is better for CPU, deviations, memory and seconds.")
	p("")
	p("## Targets (issues 6 and 15)")
	p("")
	for _, t := range targets {
		p("- **%s** %s: %s.", metOrMissed(t.Met), t.Name, t.Figure)
		if !t.Met {
			if why := missNote(t.Name); why != "" {
				p("  %s", why)
			}
		}
	}
	if len(h.res.errs) > 0 {
		p("")
		p("Not measured:")
		p("")
		for k, e := range h.res.errs {
			p("- %s %s %s: %s", k.section, k.key, k.tool, e)
		}
	}
	p("")
	return nil
}

// mdMethods writes how each figure is taken.
func (h *harness) mdMethods(p printf) {
	p("## How each figure is taken")
	p("")
	p("- **Server**: a `net/http` server on 127.0.0.1 answers `POST /v1/messages` with a fixed %d-byte JSON message and a `request-id` header. It counts what it answers; requests per second are the server's count over the client process's wall time, start to exit, so start-up and the final report are included for every tool.", len(okBody))
	p("- **probe** runs as its built binary: `probe ramp --base-url URL --steps C --requests N --max-requests N --no-early-stop --no-extend --quiet --out FILE --force -o json` with a dummy `ANTHROPIC_API_KEY`. It traces every request (httptrace), classifies every answer and writes a JSON record per request to its run file as the request completes (one goroutine writes, behind the workers; a write carries the records that completed while the one before it was under way).")
	p("- **vegeta** (%s): `vegeta attack -lazy -rate=0 -workers=C -max-workers=C -body FILE -header ... -output FILE` with exactly N targets on stdin (`-rate=0` is as fast as possible; vegeta requires `-max-workers` with it, and a lazy target stream of N ends the attack after N). It writes each result to its output file, as probe does.", vegetaVersion)
	p("- **hey** (%s): `hey -n N -c C -m POST -D FILE -H ... URL`. It keeps its results in memory and prints a summary.", heyVersion)
	p("- **CPU** is the child's user + system time (`os.ProcessState`), per 1,000 answered requests. **Peak RSS** is the child's `ru_maxrss` (`os.ProcessState.SysUsage()`). Each tool is started by a small copy of the harness (`-child`), because Linux counts the parent's resident set in the `ru_maxrss` of a child started with vfork, as Go starts processes: through the small starter the floor is about 8 MiB, below every figure here.")
	p("- **Throughput** runs are repeated %d times, the tools' order rotated each time; the table shows the median and, in brackets, the lowest and highest run.", h.cfg.Reps)
	p("- **Pacing**: each tool is asked for a constant rate for %v with %d workers: probe `ramp --steps %d --rate R --requests R×%v`, vegeta `attack -rate=R/1s -duration=%v -workers=%d -max-workers=%d`, hey `-z %v -c %d -q R/%d`. hey has no global pacer: its `-q` is a rate per worker, each worker on its own ticker, so it is asked for R/%d per worker and its requests leave in bursts of %d. The achieved rate is (requests − 1) over the span from the first start to the last. The start deviation is each request's start against the constant-rate schedule anchored at the tool's first request (request k due at first + k/R, in the tool's own sending order: probe's `seq`, vegeta's `seq` from `vegeta encode`, hey's start offsets from `-o csv`, which hey prints to 0.1 ms); that way every tool is measured the same way from its start times alone. For probe the table also gives the deviation from the schedule it records itself (`scheduled` to `started` in the run file: the queue wait that exposes coordinated omission).",
		h.cfg.PacingDuration, pacingWorkers, pacingWorkers, h.cfg.PacingDuration.Seconds(), h.cfg.PacingDuration, pacingWorkers, pacingWorkers, h.cfg.PacingDuration, pacingWorkers, pacingWorkers, pacingWorkers, pacingWorkers)
	p("- **Memory**: one run per size at concurrency 50, each tool as in the throughput runs.")
	p("- **Analysis**: two synthetic run files of %s requests each are written through `runfile.Writer` (six steps from c=1 to c=50, 403s rising with concurrency in the first, rate-limit headers on every record, as the API sends them), then `probe report FILE` and `probe compare A B` run on them; `diagnose.LoadRun` (read, summary, verdict: what report and compare do before printing) is also timed on its own, in a child process so its peak RSS is its own. vegeta's column is `vegeta report` on its results file of the largest memory run, for scale.", thousands(h.cfg.AnalysisRecords))
	p("- The harness never contacts anything but its own loopback server: the children get the server's URL, a dummy key, and an environment without proxy or `ANTHROPIC_*` settings.")
	p("")
}

// mdProbe writes what probe does for these figures.
func mdProbe(p printf) {
	p("## What probe does for these figures")
	p("")
	p("- Pacing (`--rate`): one dispatcher keeps the schedule start + i/rate (a pure function, `pace`, as vegeta's pacer), so a late wake-up shortens the next wait instead of shifting every later request; the last 2 ms of each wait are slept with the kernel's high-resolution timer (`nanosleep`), because the Go runtime's timers wake an idle process up to a millisecond late; each ticket reaches its worker 2 ms before it is due, the first of a stretch too (it is due 2 ms after the stretch begins), so no request waits for its worker to wake. A request overdue by more than 100 ms (or two intervals) starts a new stretch rather than a burst, and so do a new step and a retry-after pause: `--rate` stays a cap.")
	p("- Without `--rate`, each worker takes the next request itself (no dispatcher hand-off per request); the probe request is built once and copied per send; the answer body is read into a buffer each worker keeps, and so are the httptrace hooks, built once per worker rather than per request. Requests go to the client's transport directly (probe follows no redirects, so http.Client's copy of the headers for one is waste), the proxy settings are read once, and the answer's headers are read by their canonical names. Each worker sends its requests under one context of its own, cancelled by a reusable timer when a request outlasts the timeout, rather than a timeout context (and a registration with the run's context) per request, and the desync guard asks the socket for stray bytes after an answer only when the read that ended it filled its buffer.")
	p("- The run file is written behind the workers, as vegeta hands its results to one encoding goroutine: a worker queues its record's line and returns to work, and one goroutine writes what has gathered in one call, so a fast run makes one write per batch of records rather than per record (a small batch waits a millisecond for more), and a gentle one still writes each record a millisecond after its answer.")
	p("- Run-file records are encoded and decoded by the json v2 library (`github.com/go-json-experiment/json`), each worker encoding its own record outside the writer's lock; reading a run file decodes its records on every core, in file order.")
	p("- Memory: every record goes to the run file as it completes and the summary is constant-size (per-step histograms, capped lists of ids and failure kinds), so a run of a million requests holds no more than one of ten thousand.")
}

// mdMicro writes the micro-benchmarks' lines, when there are any.
func mdMicro(p printf, micro []byte) {
	if len(micro) > 0 {
		p("")
		p("## Micro-benchmarks")
		p("")
		p("`go test -run '^$' -bench . -benchmem ./...`, run by `make bench` just before the harness:")
		p("")
		p("```")
		for _, l := range strings.Split(strings.TrimSpace(string(micro)), "\n") {
			if strings.HasPrefix(l, "Benchmark") || strings.HasPrefix(l, "goos") || strings.HasPrefix(l, "goarch") || strings.HasPrefix(l, "cpu") || strings.HasPrefix(l, "pkg") {
				p("%s", l)
			}
		}
		p("```")
	}
}

// missNote says what limits a missed target, as far as profiling it on
// this kind of machine has shown.
func missNote(name string) string {
	switch {
	case strings.HasPrefix(name, "throughput"):
		return "What limits it: with 2 cores shared by the client and the server, requests per second follow CPU per request (see the CPU rows), and probe does more per request than vegeta and hey by design: it traces each request's phases (httptrace), guards each HTTP/1.1 connection against desync, classifies each answer and keeps its headers, and writes a full JSON record of it (what each costs is in the micro-benchmarks below: BenchmarkClassify/ok, BenchmarkWriteRecord, BenchmarkGuard guarded=true against guarded=false). Compare the ranges too: on this shared machine the runs of one tool spread about as much as the tools differ."
	case strings.HasPrefix(name, "pacing at"):
		return "What limits it: the machine stalled the dispatcher for longer than the pacer's catch-up window (100 ms or two intervals), after which the debt is dropped so that --rate stays a cap; see the max deviation."
	case strings.HasPrefix(name, "start deviation"):
		return "What limits it: the kernel's timer and scheduling latency on 2 cores shared with the server; the worst requests wait for a core."
	case strings.HasPrefix(name, "peak RSS"):
		return "What limits it: something in the process grows with the number of requests."
	case strings.HasPrefix(name, "a "):
		return "What limits it: decoding the JSON records, spread over the machine's cores."
	}
	return ""
}
