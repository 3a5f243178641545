package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
	probetarget "github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/report"
)

// syntheticSteps is the plan of the synthetic run files: a ramp well past
// the default one, so the summary has several steps to fill.
var syntheticSteps = []int{1, 2, 5, 10, 20, 50}

// writeSyntheticRun writes a run file of n requests through
// runfile.Writer, as a real ramp would, without sending any: what matters
// for the analysis commands is the file, not how it came to be. refused(c)
// is the share of 403s at concurrency c. Records carry the fields a real
// answer from the API fills, rate-limit headers included.
func writeSyntheticRun(path string, n int, seed uint64, refused func(c int) float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	rw := runfile.NewWriter(bw)
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	plan := probetarget.Plan{MaxRequests: n, Timeout: probetarget.Duration(30 * time.Second), MaxWait: probetarget.Duration(time.Minute)}
	per := n / len(syntheticSteps)
	for i, c := range syntheticSteps {
		k := per
		if i == len(syntheticSteps)-1 {
			k = n - per*(len(syntheticSteps)-1)
		}
		plan.Steps = append(plan.Steps, probetarget.Step{Concurrency: c, Requests: k})
	}
	target := probetarget.Info{BaseURL: "http://127.0.0.1:8080", Model: provider.DefaultModel, Key: "sk-ant-api03-be…0000", KeyFingerprint: "00000000", KeySource: "ANTHROPIC_API_KEY"}
	if err := rw.WriteHeader(runfile.Header{ToolVersion: "bench", Started: start, Target: target, Plan: plan}); err != nil {
		return err
	}
	sum := diagnose.NewSummary(plan.Steps)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	now := start
	var seq int64
	for i, st := range plan.Steps {
		p := refused(st.Concurrency)
		for range st.Requests {
			wait := time.Duration(rng.IntN(200)) * time.Microsecond
			ttfb := 250*time.Millisecond + time.Duration(rng.IntN(400))*time.Millisecond
			total := ttfb + time.Duration(rng.IntN(5))*time.Millisecond
			r := &runfile.Record{
				Step: i, Concurrency: st.Concurrency, Seq: seq,
				Scheduled: now, Started: now.Add(wait), Finished: now.Add(wait + total),
				QueueWaitMS: ms(wait), TTFBMS: ms(ttfb), TotalMS: ms(total),
				ConnReused: seq >= int64(st.Concurrency), InFlight: 1 + rng.IntN(st.Concurrency),
				RequestID: "req_011CS" + strconv.FormatInt(1e12+seq*7919, 36), RequestIDSource: classify.IDFromRequestID,
				OrganizationID: "0b6f7a4e-5c2d-4d3b-9b1a-2f8e6c7d9a01", Server: "cloudflare",
				CFRay: strconv.FormatInt(1e15+seq, 16) + "-AMS", ContentType: "application/json",
				RateLimit: map[string]string{
					"requests-limit": "50", "requests-remaining": strconv.Itoa(rng.IntN(50)),
					"requests-reset": now.Add(time.Second).Format(time.RFC3339),
					"tokens-limit":   "40000", "tokens-remaining": strconv.Itoa(39000 + rng.IntN(1000)),
				},
			}
			if rng.Float64() < p {
				r.Status, r.Outcome, r.ErrorType, r.Message, r.Bytes = 403, classify.OutcomePermission, "permission_error", "Permission denied", 124
			} else {
				r.Status, r.Outcome, r.Bytes = 200, classify.OutcomeOK, 215
			}
			if err := rw.WriteRecord(r); err != nil {
				return err
			}
			sum.Add(r)
			seq++
			now = now.Add(time.Duration(float64(time.Second) / float64(10*st.Concurrency)))
		}
	}
	if err := rw.WriteFooter(runfile.Footer{Finished: now, Sent: n, Verdict: report.Explain(diagnose.Decide(sum))}); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// The share of 403s at concurrency c in the synthetic runs: rising with
// concurrency before (the abuse-signal shape), a few stragglers after.
func beforeRefused(c int) float64 { return 0.002 * float64(c) }
func afterRefused(int) float64    { return 0.0005 }

// analysisRun is one analysis command over the large files.
type analysisRun struct {
	usage
	Note string
}

// analysis times probe report and probe compare on run files of the
// configured size, and vegeta report on vegeta's results of the largest
// memory run when there is one.
func (h *harness) analysis(ctx context.Context) error {
	n := h.cfg.AnalysisRecords
	before := filepath.Join(h.tmp, "analysis-before.jsonl")
	after := filepath.Join(h.tmp, "analysis-after.jsonl")
	t0 := time.Now()
	// Before: 403s that rise with concurrency (the abuse-signal shape);
	// after: a few stragglers.
	if err := writeSyntheticRun(before, n, 1, beforeRefused); err != nil {
		return err
	}
	if err := writeSyntheticRun(after, n, 2, afterRefused); err != nil {
		return err
	}
	defer removeQuiet(before)
	defer removeQuiet(after)
	size := fileSize(before)
	h.logf("analysis: wrote two synthetic run files of %d requests (%.0f MB each) in %v", n, float64(size)/1e6, time.Since(t0).Round(time.Millisecond))
	key := fmt.Sprintf("%d requests", n)
	h.res.AnalysisFileMB = float64(size) / 1e6

	// The engine's part of probe report: diagnose.LoadRun (runfile.Read, the
	// summary, the verdict), in a process of its own so its peak RSS is
	// its own.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	u, err := runChild(ctx, self, []string{"-analyze", before}, nil, nil)
	h.res.addAnalysis("LoadRun", key, toolProbe, u, err, "")

	if h.hasCommand(ctx, "report") {
		u, err := runChild(ctx, h.tools.probe, []string{"report", before}, nil, nil)
		h.res.addAnalysis("report", key, toolProbe, u, exitOK(u, err, 0, 3, 4), "")
	} else {
		msg := "`probe report` is not in this build yet: measured diagnose.LoadRun above instead"
		h.logf("analysis: %s", msg)
		h.res.addAnalysis("report", key, toolProbe, usage{}, errors.New("not built yet"), msg)
	}
	u, err = runChild(ctx, h.tools.probe, []string{"compare", before, after}, nil, nil)
	h.res.addAnalysis("compare", key, toolProbe, u, exitOK(u, err, 0, 3, 4), "")

	if v := h.largest[toolVegeta]; v != "" && h.has(toolVegeta) {
		u, err := runChild(ctx, h.tools.vegeta, []string{"report", v}, nil, nil)
		h.res.addAnalysis("report", key, toolVegeta, u, exitOK(u, err, 0), fmt.Sprintf("on its %d results of the largest memory run", h.cfg.MemSizes[len(h.cfg.MemSizes)-1]))
	}
	return nil
}

// hasCommand reports whether the probe build has a subcommand.
func (h *harness) hasCommand(ctx context.Context, name string) bool {
	u, err := runChild(ctx, h.tools.probe, []string{name, "--help"}, nil, io.Discard)
	return err == nil && u.Exit == 0
}

func exitOK(u usage, err error, codes ...int) error {
	if err != nil {
		return err
	}
	for _, c := range codes {
		if u.Exit == c {
			return nil
		}
	}
	return fmt.Errorf("exit code %d: %s", u.Exit, firstLine(u.Stderr))
}

// analyze is the child side of the LoadRun measurement.
func analyze(path string, w io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	lr, err := diagnose.LoadRun(f, nil, runfile.WithoutRateLimits()) // as probe report reads it
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%d records, verdict %s (%s)\n", lr.File.Records, lr.Verdict.Signature, lr.Verdict.Confidence)
	return err
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func removeQuiet(path string) { _ = os.Remove(path) }
