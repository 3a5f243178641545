package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
)

// Tool names, in column order.
const (
	toolProbe  = "probe"
	toolVegeta = "vegeta"
	toolHey    = "hey"
)

var toolNames = []string{toolProbe, toolVegeta, toolHey}

// body is the probe request every tool sends, as probe builds it.
const body = `{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`

// loadRun is one tool sending n requests at concurrency c, as fast as it can.
type loadRun struct {
	usage
	Served int64 // answered by the server during the run
}

// RPS is answered requests per wall-clock second, process start to exit.
func (r loadRun) RPS() float64 { return float64(r.Served) / r.Wall.Seconds() }

// CPUPer1k is CPU seconds (user + system) per 1,000 answered requests.
func (r loadRun) CPUPer1k() float64 { return r.CPU.Seconds() / float64(r.Served) * 1000 }

// load runs tool for n requests at concurrency c against the server. out is
// where the tool writes its per-request results (probe's run file, vegeta's
// results), so both pay for recording every request; hey keeps its own in
// memory.
func (h *harness) load(ctx context.Context, tool string, c, n int, out string) (loadRun, error) {
	var (
		path string
		args []string
		in   *repeatReader
	)
	url := h.srv.URL + "/v1/messages"
	switch tool {
	case toolProbe:
		path = h.tools.probe
		args = []string{"ramp", "--base-url", h.srv.URL, "--model", "claude-sonnet-4-5", "--steps", strconv.Itoa(c),
			"--requests", strconv.Itoa(n), "--max-requests", strconv.Itoa(n),
			"--no-early-stop", "--no-extend", "--quiet", "--out", out, "--force", "-o", "json"}
	case toolVegeta:
		path = h.tools.vegeta
		// -rate=0 sends as fast as the workers allow, which vegeta only
		// accepts with -max-workers; -lazy with exactly n targets on stdin
		// ends the attack after n requests.
		args = append([]string{"attack", "-lazy", "-rate=0", "-workers=" + strconv.Itoa(c), "-max-workers=" + strconv.Itoa(c),
			"-body", h.bodyFile, "-output", out}, vegetaHeaders()...)
		in = &repeatReader{s: "POST " + url + "\n\n", n: n}
	case toolHey:
		path = h.tools.hey
		args = append([]string{"-n", strconv.Itoa(n), "-c", strconv.Itoa(c), "-m", "POST", "-D", h.bodyFile,
			"-T", "application/json"}, heyHeaders()...)
		args = append(args, url)
	}
	if path == "" {
		return loadRun{}, fmt.Errorf("%s %s", tool, h.tools.why[tool])
	}
	before := h.srv.Served()
	var u usage
	var err error
	if in != nil {
		u, err = runChild(ctx, path, args, in, nil)
	} else {
		u, err = runChild(ctx, path, args, nil, nil)
	}
	r := loadRun{usage: u, Served: h.srv.Served() - before}
	if err != nil {
		return r, err
	}
	if u.Exit != 0 {
		return r, fmt.Errorf("%s exited with %d: %s", tool, u.Exit, firstLine(u.Stderr))
	}
	if r.Served < int64(n)*99/100 {
		return r, fmt.Errorf("%s: the server answered %d of %d requests", tool, r.Served, n)
	}
	return r, nil
}

func vegetaHeaders() []string {
	return []string{"-header", "x-api-key: " + dummyKey, "-header", "anthropic-version: 2023-06-01", "-header", "content-type: application/json"}
}

func heyHeaders() []string {
	return []string{"-H", "x-api-key: " + dummyKey, "-H", "anthropic-version: 2023-06-01"}
}

// throughput measures every tool at each concurrency, reps times, rotating
// the order of the tools so none always runs first on a warm or cold machine.
func (h *harness) throughput(ctx context.Context) error {
	for _, c := range h.cfg.Concurrency {
		for rep := range h.cfg.Reps {
			for i := range toolNames {
				tool := toolNames[(i+rep)%len(toolNames)]
				if !h.has(tool) {
					continue
				}
				r, err := h.load(ctx, tool, c, h.cfg.Requests, filepath.Join(h.tmp, "throughput-"+tool+".out"))
				if ctx.Err() != nil {
					return ctx.Err()
				}
				key := fmt.Sprintf("c=%d", c)
				if err != nil {
					h.res.fail("throughput", key, tool, err)
					continue
				}
				h.logf("throughput c=%-3d %-6s rep %d: %7.0f req/s, %.3f CPU s per 1k", c, tool, rep+1, r.RPS(), r.CPUPer1k())
				h.res.addLoad("throughput", key, tool, r)
			}
		}
	}
	return nil
}

// memory measures peak RSS over growing runs at concurrency 50.
func (h *harness) memory(ctx context.Context) error {
	const c = 50
	for _, n := range h.cfg.MemSizes {
		for _, tool := range toolNames {
			if !h.has(tool) {
				continue
			}
			out := filepath.Join(h.tmp, fmt.Sprintf("memory-%s-%d.out", tool, n))
			r, err := h.load(ctx, tool, c, n, out)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			key := fmt.Sprintf("n=%d", n)
			if err != nil {
				h.res.fail("memory", key, tool, err)
				continue
			}
			h.logf("memory n=%-8d %-6s: peak RSS %6.1f MiB, %7.0f req/s", n, tool, float64(r.MaxRSS)/1024, r.RPS())
			h.res.addLoad("memory", key, tool, r)
			if n == h.cfg.MemSizes[len(h.cfg.MemSizes)-1] && tool != toolHey {
				h.largest[tool] = out // kept for the analysis figures
			} else {
				removeQuiet(out)
			}
		}
	}
	return nil
}
