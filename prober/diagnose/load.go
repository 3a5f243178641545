package diagnose

import (
	"io"
	"strings"

	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/verdict"
)

// LoadedRun is a run file read back: what runfile.Read found, the summary rebuilt
// from its records, and the verdict decided on that summary.
type LoadedRun struct {
	File    *runfile.File
	Summary *Summary
	// Verdict is decided again from the records, so it also exists for a run
	// cut short (then marked Partial); File.Footer holds the one recorded, if any.
	Verdict verdict.Verdict
}

// maxExtraSteps bounds the steps a run file may add to its plan's.
const maxExtraSteps = 64

// LoadRun reads a run file and rebuilds its summary and verdict, calling fn
// (if not nil) for every request record in file order. The summary needs the
// plan's steps before the first record, so r is read twice: once up to the
// first record for the header, then whole. Memory stays flat in the number
// of records. opts change what is decoded: runfile.WithoutRateLimits where
// fn does not read them.
func LoadRun(r io.ReadSeeker, fn func(*runfile.Record) error, opts ...runfile.ReadOption) (*LoadedRun, error) {
	h, err := runfile.ReadHeader(r)
	if err != nil {
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	s := NewSummary(h.Plan.Steps)
	bad := 0
	rf, err := runfile.Read(r, func(rec *runfile.Record) error {
		// A step index far past the plan is corruption; taken as is it
		// would make the summary allocate that many steps.
		if rec.Step < 0 || rec.Step >= len(s.Steps)+maxExtraSteps {
			bad++
			return nil
		}
		s.Add(rec)
		if fn != nil {
			return fn(rec)
		}
		return nil
	}, opts...)
	if err != nil {
		return nil, err
	}
	rf.Skipped += bad
	rf.Records -= bad
	lr := &LoadedRun{File: rf, Summary: s, Verdict: Decide(s)}
	if f := rf.Footer; f == nil {
		lr.Verdict.Partial = true
	} else {
		// A NUL block is where a crash lost data: answers may be missing
		// even before a footer.
		lr.Verdict.Partial = f.Verdict.Partial || rf.NULBytes > 0
		// The engine notes an early stop in the verdict's evidence; the
		// records alone cannot tell it, so the recorded words are carried
		// over as they were written (they are the file's, read back).
		if f.Stop == runfile.StopEarly {
			for _, e := range f.Verdict.Evidence {
				if strings.HasPrefix(e, "stopped early") {
					lr.Verdict.Basis.Carried = append(lr.Verdict.Basis.Carried, e)
				}
			}
		}
	}
	return lr, nil
}
