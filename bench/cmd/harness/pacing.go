package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/runfile"
)

// pacingWorkers is the concurrency of every pacing run: enough that no tool
// waits for a free worker at these rates on loopback.
const pacingWorkers = 10

// pacingRun is one tool asked for a constant rate.
type pacingRun struct {
	Target   float64 // requests per second asked for
	Achieved float64 // requests per second the start times show
	Anchored devStats
	// Own is the deviation from the schedule the tool itself recorded
	// (probe's Record.Scheduled), when it records one.
	Own *devStats
}

// pacing asks each tool for each rate for the configured duration.
func (h *harness) pacing(ctx context.Context) error {
	for _, rate := range h.cfg.Rates {
		for _, tool := range toolNames {
			if !h.has(tool) {
				continue
			}
			r, err := h.pace(ctx, tool, rate)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			key := fmt.Sprintf("%g/s", rate)
			if err != nil {
				h.res.fail("pacing", key, tool, err)
				continue
			}
			h.logf("pacing %6g/s %-6s: %6.2f%% of target, start deviation p50 %v p99 %v max %v",
				rate, tool, 100*r.Achieved/rate, r.Anchored.P50, r.Anchored.P99, r.Anchored.Max)
			h.res.addPacing(key, tool, r)
		}
	}
	return nil
}

func (h *harness) pace(ctx context.Context, tool string, rate float64) (*pacingRun, error) {
	d := h.cfg.PacingDuration
	n := int(rate * d.Seconds())
	url := h.srv.URL + "/v1/messages"
	out := filepath.Join(h.tmp, "pacing-"+tool+".out")
	defer removeQuiet(out)
	var starts []time.Duration
	r := &pacingRun{Target: rate}
	switch tool {
	case toolProbe:
		args := []string{"ramp", "--base-url", h.srv.URL, "--model", "claude-sonnet-4-5", "--steps", strconv.Itoa(pacingWorkers),
			"--requests", strconv.Itoa(n), "--max-requests", strconv.Itoa(n), "--rate", strconv.FormatFloat(rate, 'g', -1, 64),
			"--no-early-stop", "--no-extend", "--quiet", "--out", out, "--force", "-o", "json"}
		u, err := runChild(ctx, h.tools.probe, args, nil, nil)
		if err != nil {
			return nil, err
		}
		if u.Exit != 0 {
			return nil, fmt.Errorf("probe exited with %d: %s", u.Exit, firstLine(u.Stderr))
		}
		var own []time.Duration
		starts, own, err = readProbeStarts(out)
		if err != nil {
			return nil, err
		}
		s := summarise(own)
		r.Own = &s
	case toolVegeta:
		args := append([]string{"attack", "-rate=" + strconv.FormatFloat(rate, 'g', -1, 64) + "/1s", "-duration=" + d.String(),
			"-workers=" + strconv.Itoa(pacingWorkers), "-max-workers=" + strconv.Itoa(pacingWorkers),
			"-body", h.bodyFile, "-output", out}, vegetaHeaders()...)
		u, err := runChild(ctx, h.tools.vegeta, args, strings.NewReader("POST "+url+"\n\n"), nil)
		if err != nil {
			return nil, err
		}
		if u.Exit != 0 {
			return nil, fmt.Errorf("vegeta attack exited with %d: %s", u.Exit, firstLine(u.Stderr))
		}
		var enc bytes.Buffer
		if u, err := runChild(ctx, h.tools.vegeta, []string{"encode", "-to", "json", out}, nil, &enc); err != nil || u.Exit != 0 {
			return nil, fmt.Errorf("vegeta encode: exit %d, %v", u.Exit, err)
		}
		if starts, err = parseVegetaJSON(&enc); err != nil {
			return nil, err
		}
	case toolHey:
		// hey has no global pacer: -q is per worker, so the total asked
		// for is workers × q, each worker on its own ticker.
		args := append([]string{"-z", d.String(), "-c", strconv.Itoa(pacingWorkers),
			"-q", strconv.FormatFloat(rate/pacingWorkers, 'g', -1, 64), "-o", "csv",
			"-m", "POST", "-D", h.bodyFile, "-T", "application/json"}, heyHeaders()...)
		args = append(args, url)
		var csv bytes.Buffer
		u, err := runChild(ctx, h.tools.hey, args, nil, &csv)
		if err != nil {
			return nil, err
		}
		if u.Exit != 0 {
			return nil, fmt.Errorf("hey exited with %d: %s", u.Exit, firstLine(u.Stderr))
		}
		if starts, err = parseHeyCSV(&csv); err != nil {
			return nil, err
		}
	}
	if len(starts) < 2 {
		return nil, fmt.Errorf("%s: only %d requests recorded", tool, len(starts))
	}
	r.Achieved = achievedRate(starts)
	r.Anchored = anchored(starts, rate)
	return r, nil
}

// readProbeStarts reads a run file: the start of each request in sending
// order (as offsets from the first), and each start's distance from the
// schedule the engine recorded for it.
func readProbeStarts(path string) (starts, own []time.Duration, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	type rec struct {
		seq                int64
		scheduled, started time.Time
	}
	var recs []rec
	if _, err := runfile.Read(f, func(r *runfile.Record) error {
		if r.Outcome.IsAnswer() {
			recs = append(recs, rec{r.Seq, r.Scheduled, r.Started})
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(recs, func(a, b rec) int { return int(a.seq - b.seq) })
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("%s: no answered requests", path)
	}
	origin := recs[0].started
	for _, r := range recs {
		starts = append(starts, r.started.Sub(origin))
		own = append(own, r.started.Sub(r.scheduled))
	}
	return starts, own, nil
}

// parseVegetaJSON reads `vegeta encode -to json`: one result per line,
// returning their start times in sequence order.
func parseVegetaJSON(b *bytes.Buffer) ([]time.Duration, error) {
	type res struct {
		Seq       uint64    `json:"seq"`
		Code      int       `json:"code"`
		Timestamp time.Time `json:"timestamp"`
	}
	var rs []res
	sc := bufio.NewScanner(b)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var r res
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("vegeta results: %v", err)
		}
		if r.Code != 0 {
			rs = append(rs, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("vegeta results: none answered")
	}
	slices.SortFunc(rs, func(a, b res) int { return int(int64(a.Seq) - int64(b.Seq)) })
	starts := make([]time.Duration, len(rs))
	for i, r := range rs {
		starts[i] = r.Timestamp.Sub(rs[0].Timestamp)
	}
	return starts, nil
}

// parseHeyCSV reads hey's -o csv: the last column is each request's start
// as seconds since the run began (hey prints it to 0.1 ms).
func parseHeyCSV(b *bytes.Buffer) ([]time.Duration, error) {
	var starts []time.Duration
	sc := bufio.NewScanner(b)
	header := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if header {
			header = false
			if !strings.HasSuffix(line, "offset") {
				return nil, fmt.Errorf("hey csv: unexpected header %q", line)
			}
			continue
		}
		fields := strings.Split(line, ",")
		if len(fields) < 8 {
			return nil, fmt.Errorf("hey csv: short line %q", line)
		}
		if status := strings.TrimSpace(fields[6]); status != "200" {
			continue
		}
		sec, err := strconv.ParseFloat(strings.TrimSpace(fields[len(fields)-1]), 64)
		if err != nil {
			return nil, fmt.Errorf("hey csv: %v", err)
		}
		starts = append(starts, time.Duration(sec*float64(time.Second)))
	}
	slices.Sort(starts)
	return starts, sc.Err()
}
