package live

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/watch"
	"github.com/llm-probe/probe/scenarios"
)

// testKey has a real key's shape; the simulated API takes any such key.
const testKey = "sk-ant-api03-SIMULATED-live-test-key-not-a-secret-000000000000000000000000000000000000000000000000000000AA"

// simulated starts a scenario's API on loopback for the test.
func simulated(t *testing.T, scenario string) (*scenarios.API, string) {
	t.Helper()
	api, err := scenarios.New(scenario, scenarios.Options{Seed: 7, Latency: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv.URL
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestProbe(t *testing.T) {
	t.Parallel()
	_, healthy := simulated(t, "healthy")
	_, abuse := simulated(t, "abuse")
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "k")
	if err := os.WriteFile(keyFile, []byte(testKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	tests := []struct {
		name      string
		target    watch.Target
		steps     []int
		wantN     int
		wantErr   watch.ErrorReason
		want403   bool
		wantAllOK bool
	}{
		{"healthy via key_env", watch.Target{Name: "h", Provider: "anthropic", BaseURL: healthy, KeyEnv: "MY_KEY"}, []int{1, 3}, 4, "", false, true},
		{"abuse via provider variable", watch.Target{Name: "a", Provider: "anthropic", BaseURL: abuse}, []int{1, 10, 10}, 21, "", true, false},
		{"key file", watch.Target{Name: "f", Provider: "anthropic", BaseURL: healthy, KeyFile: keyFile}, []int{2}, 2, "", false, true},
		{"vanished key file", watch.Target{Name: "v", Provider: "anthropic", BaseURL: healthy, KeyFile: filepath.Join(dir, "gone")}, []int{1}, 0, watch.ReasonKeyFile, false, false},
		{"unset key_env", watch.Target{Name: "u", Provider: "anthropic", BaseURL: healthy, KeyEnv: "UNSET"}, []int{1}, 0, watch.ReasonKeyFile, false, false},
		{"connection refused", watch.Target{Name: "c", Provider: "anthropic", BaseURL: closed, KeyEnv: "MY_KEY"}, []int{1}, 0, watch.ReasonConnect, false, false},
	}
	p := &Prober{Getenv: env(map[string]string{"MY_KEY": testKey, "ANTHROPIC_API_KEY": testKey}), Timeout: 5 * time.Second}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := p.Probe(ctx, tt.target, tt.steps)
			if err != nil && strings.Contains(err.Error(), testKey[14:30]) {
				t.Fatalf("error quotes the key: %v", err)
			}
			var te *watch.TargetError
			if tt.wantErr != "" {
				if !errors.As(err, &te) || te.Reason != tt.wantErr {
					t.Fatalf("Probe error = %v, want a TargetError %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if len(res.Answers) != tt.wantN {
				t.Fatalf("%d answers, want %d", len(res.Answers), tt.wantN)
			}
			any403, allOK := false, true
			for _, a := range res.Answers {
				any403 = any403 || a.Is403
				allOK = allOK && a.Outcome == "ok"
				if a.Concurrency == 0 || a.RequestID == "" {
					t.Errorf("answer without concurrency or request id: %+v", a)
				}
			}
			if any403 != tt.want403 || allOK != tt.wantAllOK {
				t.Errorf("any 403 %v, all ok %v; want %v, %v", any403, allOK, tt.want403, tt.wantAllOK)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Duration
	}{
		{"empty", "", 0},
		{"seconds", "30", 30 * time.Second},
		{"fraction", "1.5", 1500 * time.Millisecond},
		{"negative", "-3", 0},
		{"date", "Mon, 02 Mar 2026 12:01:00 GMT", time.Minute},
		{"past date", "Mon, 02 Mar 2026 11:00:00 GMT", 0},
		{"junk", "soon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := retryAfter(tt.in, now); got != tt.want {
				t.Errorf("retryAfter(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// answersAt builds answers spread over an hour: ok[i] successes and bad[i]
// 403s in the i-th slice of time.
func answersAt(ok, bad []int, conc int) []watch.Answer {
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var out []watch.Answer
	slice := time.Hour / time.Duration(len(ok))
	for i := range ok {
		n := ok[i] + bad[i]
		for j := range n {
			a := watch.Answer{Time: t0.Add(time.Duration(i)*slice + time.Duration(j)*time.Millisecond),
				Outcome: "ok", Status: 200, Concurrency: conc, RequestID: "req_x", Duration: 50 * time.Millisecond}
			if j < bad[i] {
				a.Outcome, a.Status, a.Is403, a.ErrorType, a.Message = "permission", 403, true, "permission_error", "denied"
			}
			out = append(out, a)
		}
	}
	return out
}

func TestTimeTrendReference(t *testing.T) {
	t.Parallel()
	// R ?prop.trend.test: prop.trend.test(c(83, 90, 129, 70), c(86, 93,
	// 136, 82)) gives X-squared = 8.2249, p-value = 0.004132; the share
	// falls, so the one-sided p of a rise is 1 - 0.004132/2.
	ok := []int{86 - 83, 93 - 90, 136 - 129, 82 - 70}
	bad := []int{83, 90, 129, 70}
	p, done := TimeTrend(answersAt(ok, bad, 1), 4)
	if want := 1 - 0.004132/2; !done || math.Abs(p-want) > 1e-5 {
		t.Errorf("TimeTrend = %g, %v; want %g", p, done, want)
	}
	// The same counts in reverse order rise: p = 0.004132/2.
	rok := []int{ok[3], ok[2], ok[1], ok[0]}
	rbad := []int{bad[3], bad[2], bad[1], bad[0]}
	if p, _ := TimeTrend(answersAt(rok, rbad, 1), 4); math.Abs(p-0.004132/2) > 1e-5 {
		t.Errorf("TimeTrend reversed = %g, want %g", p, 0.004132/2)
	}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answers   []watch.Answer
		wantSig   string
		wantLayer string
		wantTrend bool // a significant rise of the 403 share
	}{
		{"empty", nil, "inconclusive", "-", false},
		{"healthy", answersAt([]int{5, 5, 5}, []int{0, 0, 0}, 1), "healthy", "-", false},
		{"all 403", answersAt([]int{0, 0}, []int{5, 5}, 1), "workspace_denied", "2", false},
		{"rising 403s", answersAt([]int{10, 10, 8, 5, 3, 2}, []int{0, 0, 2, 5, 7, 8}, 5), "intermittent_403", "5", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := Judge(tt.answers)
			if v.Signature != tt.wantSig || v.Layer != tt.wantLayer {
				t.Errorf("Judge = %s/%s, want %s/%s", v.Signature, v.Layer, tt.wantSig, tt.wantLayer)
			}
			if got := v.TrendP != nil && *v.TrendP < 0.05; got != tt.wantTrend {
				t.Errorf("trend significant = %v (%v), want %v", got, v.TrendP, tt.wantTrend)
			}
		})
	}
}

func TestRunFilesRotate(t *testing.T) {
	t.Parallel()
	_, abuse := simulated(t, "abuse")
	dir := t.TempDir()
	runs := &RunFiles{Dir: dir, MaxSize: 4 << 10, Keep: 3, ToolVersion: "test"}
	p := &Prober{Getenv: env(map[string]string{"ANTHROPIC_API_KEY": testKey}), Runs: runs, Timeout: 5 * time.Second}
	tg := watch.Target{Name: "prod", Provider: "anthropic", BaseURL: abuse, Steps: []int{1, 5}}
	other := watch.Target{Name: "prod-eu", Provider: "anthropic", BaseURL: abuse, Steps: []int{2}}
	for range 12 {
		_, _ = p.Probe(context.Background(), tg, tg.Steps)
	}
	_, _ = p.Probe(context.Background(), other, []int{1}) // gentle: a level not in its steps
	if err := runs.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := runs.Files("prod")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("%d files kept for prod, want 3: %v", len(files), files)
	}
	eu, _ := runs.Files("prod-eu")
	for _, path := range append(files, eu...) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		lr, err := diagnose.LoadRun(f, nil)
		f.Close()
		switch {
		case err != nil:
			t.Errorf("%s: %v", path, err)
		case lr.File.Footer == nil || lr.File.Skipped != 0 || lr.File.Records == 0:
			t.Errorf("%s: footer %v, %d skipped, %d records", path, lr.File.Footer != nil, lr.File.Skipped, lr.File.Records)
		case lr.Verdict.Signature != lr.File.Footer.Verdict.Signature:
			t.Errorf("%s: footer says %s, records say %s", path, lr.File.Footer.Verdict.Signature, lr.Verdict.Signature)
		}
		if st, _ := os.Stat(path); st != nil && st.Size() > 8<<10 {
			t.Errorf("%s: %d bytes, rotation at 4 KiB", path, st.Size())
		}
	}
	if len(eu) != 1 {
		t.Errorf("prod-eu has %d files, want 1", len(eu))
	}
}
