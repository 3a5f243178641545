package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/llm-probe/probe/scenarios"
)

// TestWatchPrometheus runs probe watch on two simulated targets (one
// abuse-flagged, one healthy) and a real Prometheus (Debian's package; `make
// prometheus` installs it) scraping it every second with the example alert
// rules, their for: shortened to a second. Prometheus's HTTP API must show
// the flagged target's intermittent_403 verdict and its alert firing.
// Everything listens on loopback and stops within two minutes.
func TestWatchPrometheus(t *testing.T) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("skip: the prometheus binary is not on PATH (make prometheus installs Debian's package)")
	}
	// A deadline, not a measure: Prometheus and a -race probe on a loaded
	// machine may take a while to get there.
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	dir := t.TempDir()
	flagged, healthy := simulatedAPI(t, "abuse"), simulatedAPI(t, "healthy")
	config := fmt.Sprintf(`targets:
  - name: flagged
    base_url: %s
    key_env: FLAGGED_KEY
    interval: 1s
    steps: [1, 5, 10]
    max_requests_per_hour: 1000000
  - name: healthy
    base_url: %s
    key_env: HEALTHY_KEY
    interval: 1s
    steps: [1, 2]
    max_requests_per_hour: 1000000
`, flagged, healthy)
	cfgPath := filepath.Join(dir, "watch.yaml")
	must(t, os.WriteFile(cfgPath, []byte(config), 0o600))
	listen := freePort(t)
	ios, _, errb := TestStreams(map[string]string{"FLAGGED_KEY": demoKey, "HEALTHY_KEY": demoKey})
	wctx, stopWatch := context.WithCancel(ctx)
	done := make(chan ExitCode, 1)
	go func() {
		done <- Main(wctx, []string{"watch", "--config", cfgPath, "--listen", listen, "--run-dir", filepath.Join(dir, "runs")}, ios)
	}()
	defer func() {
		stopWatch()
		<-done
		t.Logf("probe watch stderr:\n%s", errb)
	}()

	promAddr := startPrometheus(ctx, t, bin, dir, listen)
	want := map[string]string{
		"verdict": `probe_llm_verdict_info{target="flagged",signature="intermittent_403",layer="5"} == 1`,
		"alert":   `ALERTS{alertname="ProbeLayer5Verdict",alertstate="firing",target="flagged"}`,
		"healthy": `probe_llm_verdict_info{target="healthy",signature="healthy"} == 1`,
	}
	for name, q := range want {
		if !waitQuery(ctx, t, promAddr, q) {
			t.Errorf("%s: Prometheus never answered %s", name, q)
		}
	}
	// ProbeTargetStale is left out: it fires when a probe takes longer than
	// about two intervals (1s here), which says how loaded the machine is,
	// not what the healthy target answered.
	if waitQueryOnce(ctx, t, promAddr, `ALERTS{alertstate="firing",target="healthy",alertname!="ProbeTargetStale"}`) {
		t.Errorf("an alert fires for the healthy target")
	}
}

// simulatedAPI serves a scenario on loopback for the test.
func simulatedAPI(t *testing.T, scenario string) string {
	t.Helper()
	api, err := scenarios.New(scenario, scenarios.Options{Seed: 3, Latency: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv.URL
}

// startPrometheus runs Prometheus on loopback with its data in dir,
// scraping probe watch at target every second with the example rules
// (for: shortened); it is killed when the test ends.
func startPrometheus(ctx context.Context, t *testing.T, bin, dir, target string) string {
	t.Helper()
	rules, err := os.ReadFile(filepath.Join("..", "..", "deploy", "prometheus", "alerts.yml"))
	must(t, err)
	rules = regexp.MustCompile(`(?m)^(\s+for:) \S+$`).ReplaceAll(rules, []byte("$1 1s"))
	must(t, os.WriteFile(filepath.Join(dir, "alerts.yml"), rules, 0o600))
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  evaluation_interval: 1s
rule_files: [alerts.yml]
scrape_configs:
  - job_name: probe-watch
    static_configs:
      - targets: [%q]
`, target)
	must(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600))
	addr := freePort(t)
	cmd := exec.CommandContext(ctx, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--log.level=warn")
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	must(t, err)
	cmd.Stdout, cmd.Stderr = logf, logf
	must(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("prometheus log:\n%s", b)
		}
	})
	return addr
}

// waitQuery polls an instant query until it returns a series or ctx ends.
func waitQuery(ctx context.Context, t *testing.T, addr, q string) bool {
	t.Helper()
	for ctx.Err() == nil {
		if waitQueryOnce(ctx, t, addr, q) {
			return true
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
	return false
}

// waitQueryOnce runs an instant query once and reports whether any series
// came back.
func waitQueryOnce(ctx context.Context, t *testing.T, addr, q string) bool {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/v1/query?query="+url.QueryEscape(q), nil)
	must(t, err)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false // not up yet
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Data   struct {
			Result []json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		return false
	}
	return len(body.Data.Result) > 0
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
