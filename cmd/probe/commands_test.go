package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// The commands' roles, for the grammar rules. A command added to probe must
// be placed here, or TestCommandGrammar fails: the rules are meant to hold
// for every command, including the next one.
var (
	printingCommands = map[string]bool{"ramp": true, "check": true, "scenarios": true, "cooldown": true, "compare": true, "export": true, "report": true, "config": true}
	writingCommands  = map[string]bool{"ramp": true, "cooldown": true, "export": true, "report": true, "serve": true}
	sendingCommands  = map[string]bool{"ramp": true, "check": true, "cooldown": true}
	// readingCommands take run files as arguments; one may be '-'.
	readingCommands = map[string][]string{"report": {"-"}, "export": {"-"}, "compare": {fixtureRun, "-"}}
	// serve prints its address, not a result: it has no format to choose;
	// watch is a long-running exporter whose output is its /metrics page
	// and whose run files rotate under new names (nothing is replaced).
	otherCommands = map[string]bool{"serve": true, "watch": true}
)

// allCommands walks the command tree below root.
func allCommands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		out = append(out, c)
		out = append(out, allCommands(c)...)
	}
	return out
}

// TestCommandGrammar walks every command and checks the rules of issue 17.
func TestCommandGrammar(t *testing.T) {
	t.Parallel()
	ios, _, _ := TestStreams(nil)
	root := newRootCmd(t.Context(), ios)
	cmds := allCommands(root)
	if len(cmds) < 8 {
		t.Fatalf("found %d commands; the walk is broken", len(cmds))
	}
	for _, c := range cmds {
		name := c.Name()
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if !printingCommands[name] && !writingCommands[name] && !sendingCommands[name] && !otherCommands[name] {
				t.Fatalf("command %q has no role in commands_test.go: say whether it prints, writes files or sends requests", name)
			}
			if c.Example == "" {
				t.Errorf("%s: no Example in its help", name)
			}
			checkFlag(t, c, printingCommands[name], "output", "o")
			checkFlag(t, c, writingCommands[name], "force", "")
			checkFlag(t, c, sendingCommands[name], "quiet", "q")
			checkFlag(t, c, sendingCommands[name], "scenario", "")
			if args, ok := readingCommands[name]; ok {
				checkStdinRunFile(t, name, args)
			}
			if sendingCommands[name] {
				checkMissingKey(t, name)
			}
			if c.Args == nil {
				t.Errorf("%s: no Args validator: cobra would answer stray arguments with an untyped error", name)
			}
		})
	}
}

func checkFlag(t *testing.T, c *cobra.Command, want bool, name, short string) {
	t.Helper()
	if !want {
		return
	}
	f := c.Flags().Lookup(name)
	if f == nil {
		t.Errorf("%s: no --%s", c.Name(), name)
		return
	}
	if f.Shorthand != short {
		t.Errorf("%s: --%s has shorthand %q; want %q", c.Name(), name, f.Shorthand, short)
	}
}

// TestHelpFitsTerminal: the root help (what `probe` alone prints) fits an
// 80-column terminal.
func TestHelpFitsTerminal(t *testing.T) {
	t.Parallel()
	ios, stdout, _ := TestStreams(nil)
	if got := Main(t.Context(), []string{"--help"}, ios); got != ExitHealthy {
		t.Fatalf("probe --help = %d", got)
	}
	for i, line := range strings.Split(stdout.String(), "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("help line %d is %d columns: %q", i+1, n, line)
		}
	}
	if !bytes.Contains(stdout.Bytes(), []byte("Examples:")) {
		t.Errorf("root help has no examples")
	}
}

// fixtureRun is a complete run file of report's tests.
const fixtureRun = "../../report/testdata/fixture-run.jsonl"

// checkStdinRunFile runs a reading command with a run file on stdin.
func checkStdinRunFile(t *testing.T, name string, args []string) {
	t.Helper()
	f, err := os.Open(fixtureRun)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ios, _, stderr := TestStreams(nil)
	ios.In = f
	if got := Main(t.Context(), append([]string{name}, args...), ios); got == ExitUsage || got == ExitFailure {
		t.Errorf("%s %q with the run file on stdin = %d; stderr: %s", name, args, got, stderr)
	}
}

// checkMissingKey: without a key, every sending command exits 2 and sends
// nothing (the address is a closed loopback port).
func checkMissingKey(t *testing.T, name string) {
	t.Helper()
	ios, _, stderr := TestStreams(map[string]string{})
	args := []string{name, "--base-url", "http://127.0.0.1:1", "--out", t.TempDir() + "/run.jsonl"}
	if name == "check" {
		args = args[:3]
	}
	if name == "cooldown" {
		args = []string{name, "--base-url", "http://127.0.0.1:1", "--wait", "0s"}
	}
	if got := Main(t.Context(), args, ios); got != ExitUsage {
		t.Errorf("%s without a key = %d; want %d (stderr: %s)", name, got, ExitUsage, stderr)
	}
}
