package live

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/llm-probe/probe/prober/watch"
)

// Defaults of the rotating run files.
const (
	DefaultRunFileSize = 10 << 20
	DefaultKeep        = 10
)

// RunFiles keeps one open run file per target in Dir, named
// NAME-<UTC time>.jsonl. A file is a whole run: a header whose plan has one
// step per concurrency level the target may use, the probes' records in
// order, and, once it reaches MaxSize or on Close, a verdict footer; then a
// new file begins, and only the Keep newest of the target are kept.
type RunFiles struct {
	Dir string
	// MaxSize rotates a file once it holds this many bytes (DefaultRunFileSize when 0).
	MaxSize int64
	// Keep is how many files per target are kept (DefaultKeep when 0).
	Keep int
	// Now names files and stamps footers; nil means time.Now.
	Now func() time.Time
	// ToolVersion is written in each header.
	ToolVersion string
	// Explain fills a verdict's words before the footer stores it
	// (report.Explain, injected so that the prober never imports the
	// renderers); nil stores the verdict without words.
	Explain func(verdict.Verdict) verdict.Verdict

	mu   sync.Mutex
	open map[string]*openRun
}

// openRun is one target's current run file.
type openRun struct {
	path    string
	f       *os.File
	cw      *countingWriter
	w       *runfile.Writer
	levels  []int
	summary *diagnose.Summary
	seq     int64
}

type countingWriter struct {
	f *os.File
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.f.Write(p)
	c.n += int64(n)
	return n, err
}

// Append writes one probe's records to t's run file, opening one when
// needed and rotating it when it has grown past MaxSize.
func (rf *RunFiles) Append(t watch.Target, info target.Info, recs []runfile.Record) error {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	run, err := rf.current(t, info)
	if err != nil {
		return err
	}
	for i := range recs {
		r := recs[i]
		r.Seq = run.seq
		run.seq++
		r.Step = slices.Index(run.levels, r.Concurrency)
		if r.Step < 0 {
			// A level the header did not foresee: the reader grows the
			// summary's steps for it.
			run.levels = append(run.levels, r.Concurrency)
			r.Step = len(run.levels) - 1
		}
		run.summary.Add(&r)
		if err := run.w.WriteRecord(&r); err != nil {
			return fmt.Errorf("run file %s: %w", run.path, err)
		}
	}
	if err := run.w.Flush(); err != nil {
		return fmt.Errorf("run file %s: %w", run.path, err)
	}
	if run.cw.n >= rf.maxSize() {
		return rf.finish(t.Name)
	}
	return nil
}

// current returns t's open run file, creating it with its header.
func (rf *RunFiles) current(t watch.Target, info target.Info) (*openRun, error) {
	if run := rf.open[t.Name]; run != nil {
		return run, nil
	}
	if rf.open == nil {
		rf.open = map[string]*openRun{}
	}
	if err := os.MkdirAll(rf.Dir, 0o755); err != nil {
		return nil, err
	}
	now := rf.now().UTC()
	f, path, err := createUnique(rf.Dir, t.Name+"-"+now.Format("20060102T150405.000Z"))
	if err != nil {
		return nil, err
	}
	levels := []int{1}
	for _, c := range t.Steps {
		if !slices.Contains(levels, c) {
			levels = append(levels, c)
		}
	}
	slices.Sort(levels)
	plan := target.Plan{Timeout: target.Duration(DefaultTimeout)}
	for _, c := range levels {
		plan.Steps = append(plan.Steps, target.Step{Concurrency: c})
	}
	run := &openRun{path: path, f: f, cw: &countingWriter{f: f}, levels: levels, summary: diagnose.NewSummary(plan.Steps)}
	run.w = runfile.NewWriter(run.cw)
	if err := run.w.WriteHeader(runfile.Header{ToolVersion: rf.ToolVersion, Started: now, Target: info, Plan: plan}); err != nil {
		f.Close()
		return nil, fmt.Errorf("run file %s: %w", path, err)
	}
	rf.open[t.Name] = run
	return run, nil
}

// createUnique creates stem.jsonl in dir, or stem-2.jsonl, ... when taken.
func createUnique(dir, stem string) (*os.File, string, error) {
	for i := 1; i <= 100; i++ {
		name := stem + ".jsonl"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.jsonl", stem, i)
		}
		path := filepath.Join(dir, name)
		f, err := runfile.CreateRunFile(path, false)
		if err == nil {
			return f, path, nil
		}
		if !errors.Is(err, os.ErrExist) {
			if _, statErr := os.Stat(path); statErr != nil {
				return nil, "", err
			}
		}
	}
	return nil, "", fmt.Errorf("run file %s: too many files of that name", stem)
}

// finish writes the footer of name's open file, closes it and prunes the
// target's oldest files beyond Keep.
func (rf *RunFiles) finish(name string) error {
	run := rf.open[name]
	if run == nil {
		return nil
	}
	delete(rf.open, name)
	v := diagnose.Decide(run.summary)
	if rf.Explain != nil {
		v = rf.Explain(v)
	}
	err := run.w.WriteFooter(runfile.Footer{Finished: rf.now().UTC(), Sent: int(run.seq), Verdict: v})
	if ferr := run.w.Flush(); err == nil {
		err = ferr
	}
	if serr := run.f.Sync(); err == nil {
		err = serr
	}
	if cerr := run.f.Close(); err == nil {
		err = cerr
	}
	if perr := rf.prune(name); err == nil {
		err = perr
	}
	if err != nil {
		return fmt.Errorf("run file %s: %w", run.path, err)
	}
	return nil
}

// prune removes name's oldest run files beyond Keep. Names sort by time.
func (rf *RunFiles) prune(name string) error {
	files, err := rf.Files(name)
	if err != nil {
		return err
	}
	keep := rf.Keep
	if keep <= 0 {
		keep = DefaultKeep
	}
	var first error
	for len(files) > keep {
		if err := os.Remove(files[0]); err != nil && first == nil {
			first = err
		}
		files = files[1:]
	}
	return first
}

// Files lists name's run files in Dir, oldest first; another target's
// files (prod-eu's for prod) are not among them.
func (rf *RunFiles) Files(name string) ([]string, error) {
	entries, err := os.ReadDir(rf.Dir)
	if err != nil {
		return nil, err
	}
	own := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `-\d{8}T\d{6}\.\d{3}Z(-\d+)?\.jsonl$`)
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && own.MatchString(e.Name()) {
			files = append(files, filepath.Join(rf.Dir, e.Name()))
		}
	}
	sort.Strings(files)
	return files, nil
}

// Close writes every open file's footer and closes it; the next Append
// starts a new file.
func (rf *RunFiles) Close() error {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	var first error
	for name := range rf.open {
		if err := rf.finish(name); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (rf *RunFiles) maxSize() int64 {
	if rf.MaxSize > 0 {
		return rf.MaxSize
	}
	return DefaultRunFileSize
}

func (rf *RunFiles) now() time.Time {
	if rf.Now != nil {
		return rf.Now()
	}
	return time.Now()
}
