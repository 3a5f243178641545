package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The comparison tools, pinned: the newest versions the Go module proxy had
// when the harness was written (`go list -m -versions MODULE`). They are
// built outside this module, so they never enter go.mod.
const (
	vegetaModule  = "github.com/tsenart/vegeta/v12"
	vegetaVersion = "v12.13.0"
	heyModule     = "github.com/rakyll/hey"
	heyVersion    = "v0.1.5"
)

// tools are the built binaries; a comparison tool that could not be built
// (no network for the module proxy, say) is left empty and its columns say so.
type tools struct {
	probe, vegeta, hey string
	why                map[string]string // tool -> why it is missing
}

// buildTools builds probe from the tree at root and the comparison tools at
// their pinned versions into dir, so no timing includes compilation.
func buildTools(ctx context.Context, root, dir string, skip map[string]bool, log io.Writer) (*tools, error) {
	t := &tools{why: map[string]string{}}
	t.probe = filepath.Join(dir, "probe")
	fmt.Fprintf(log, "building probe from %s\n", root)
	if err := goCmd(ctx, root, nil, "build", "-o", t.probe, "./cmd/probe"); err != nil {
		return nil, fmt.Errorf("building probe: %v", err)
	}
	install := func(name, module, version string) string {
		if skip[name] {
			t.why[name] = "skipped (-skip)"
			return ""
		}
		fmt.Fprintf(log, "building %s@%s\n", module, version)
		// From the empty dir, `go install pkg@version` resolves the tool's
		// own go.mod; GOFLAGS=-mod=mod keeps a -mod setting of the
		// caller's environment out of it.
		env := []string{"GOBIN=" + dir, "GOFLAGS=-mod=mod"}
		if err := goCmd(ctx, dir, env, "install", module+"@"+version); err != nil {
			t.why[name] = "could not be built: " + firstLine(err.Error())
			fmt.Fprintf(log, "harness: %s %s\n", name, t.why[name])
			return ""
		}
		return filepath.Join(dir, name)
	}
	t.vegeta = install("vegeta", vegetaModule, vegetaVersion)
	t.hey = install("hey", heyModule, heyVersion)
	return t, nil
}

func goCmd(ctx context.Context, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, goTool(), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// goTool is the go command that runs the harness, so `make bench GO=...`
// builds everything with the same toolchain.
func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
