package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/report"
)

// callbackError carries an error of the caller's own record callback (such as
// a failed write to stdout) through prober.LoadRun, so it is not mistaken
// for a bad run file.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

// loadRunFile reads a run file named on the command line, calling fn (if not
// nil) for every request record. A file that cannot be read as a run file is
// a usage error: the user named the wrong file. Notes about a partial or
// damaged file go to stderr, once per file. opts change what is decoded
// (see runfile.Read).
func loadRunFile(ios *IOStreams, path string, fn func(*runfile.Record) error, opts ...runfile.ReadOption) (*diagnose.LoadedRun, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError{err}
	}
	name := ios.runFileName(path)
	defer f.Close()
	var wrapped func(*runfile.Record) error
	if fn != nil {
		wrapped = func(r *runfile.Record) error {
			if err := fn(r); err != nil {
				return callbackError{err}
			}
			return nil
		}
	}
	lr, err := diagnose.LoadRun(f, wrapped, opts...)
	if err != nil {
		var ce callbackError
		if errors.As(err, &ce) {
			return nil, ce.err
		}
		return nil, usagef("%s: %v", name, err)
	}
	if n := lr.File.Skipped; n > 0 {
		fmt.Fprintf(ios.Err, "probe: note: %s: %d unreadable %s skipped (cut short when the run was killed, or damaged)\n", name, n, report.Plural(n, "line", "lines"))
	}
	if n := lr.File.NULBytes; n > 0 {
		fmt.Fprintf(ios.Err, "probe: note: %s: %d NUL %s skipped (the zero-filled tail a crash leaves on some filesystems): the file is damaged, the records before it are kept\n", name, n, report.Plural(n, "byte", "bytes"))
	}
	if lr.File.Footer == nil {
		fmt.Fprintf(ios.Err, "probe: note: %s has no verdict line (the run was cut short); the verdict is decided again from its %d %s\n", name, lr.File.Records, report.Plural(lr.File.Records, "request", "requests"))
	}
	return lr, nil
}

// readHeader reads only the header of a run file named on the command line.
func readHeader(ios *IOStreams, path string) (runfile.Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return runfile.Header{}, usageError{err}
	}
	defer f.Close()
	h, err := runfile.ReadHeader(f)
	if err != nil {
		return h, usagef("%s: %v", ios.runFileName(path), err)
	}
	return h, nil
}

// checkNotRunFile refuses an output path that is the run file itself: a
// run file is evidence, and writing a report over it would lose it.
func checkNotRunFile(out, runFile, flag string) error {
	if out == "" {
		return nil
	}
	a, errA := os.Stat(out)
	b, errB := os.Stat(runFile)
	same := errA == nil && errB == nil && os.SameFile(a, b)
	if same || filepath.Clean(out) == filepath.Clean(runFile) {
		return usagef("%s %s is the run file itself: choose another name", flag, out)
	}
	return nil
}

// writeFileAtomic writes a file through fn to a temporary name in the same
// directory, then moves it into place, so a reader never sees half a file
// and a failure leaves any previous file as it was. Without force an existing
// file is never replaced: the move is a hard link, which fails if the name
// is taken, so even a file created meanwhile is safe.
func writeFileAtomic(path string, force bool, fn func(f *os.File) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		// The temporary name means nothing to the user; the directory does.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return usagef("cannot write %s: %v", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if force {
		return os.Rename(tmp.Name(), path)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return usagef("%s already exists (use --force to overwrite it)", path)
		}
		return fmt.Errorf("cannot write %s: %v", path, errors.Unwrap(err))
	}
	return nil
}
