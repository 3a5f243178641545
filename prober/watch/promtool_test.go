package watch

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// promtool runs Debian's promtool (package prometheus; `make prometheus`
// installs it), or skips the test saying why.
func promtool(t *testing.T, stdin string, args ...string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not on PATH (make prometheus installs Debian's prometheus package)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestPromtoolCheckRules(t *testing.T) {
	t.Parallel()
	rules := filepath.Join("..", "..", "deploy", "prometheus", "alerts.yml")
	if _, err := os.Stat(rules); err != nil {
		t.Fatalf("alert rules: %v", err)
	}
	promtool(t, "", "check", "rules", rules)
}

func TestPromtoolCheckMetrics(t *testing.T) {
	t.Parallel()
	clock := newAutoClock()
	p := &fakeProber{clock: clock, answer: func(_ string, call int) (Answer, error) {
		if call%2 == 0 {
			return forbiddenAnswer, nil
		}
		return okAnswer, nil
	}}
	w, _ := newTestWatcher(t, clock, p, target("a", time.Minute, 600, 1, 2), target("b", time.Minute, 600))
	for range 3 {
		for _, name := range []string{"a", "b"} {
			_, _ = w.probe(context.Background(), w.byName[name])
		}
		clock.Advance(time.Minute)
	}
	for _, path := range []string{"/metrics", "/probe?target=b"} {
		code, body := get(t, w.Handler(), path)
		if code != 200 {
			t.Fatalf("GET %s = %d: %s", path, code, body)
		}
		promtool(t, body, "check", "metrics")
	}
}
