package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The browser test opens HTML reports in headless Chromium (Debian's
// chromium package). It runs only with PROBE_BROWSER=1, as `make
// e2e-browser` sets after installing Chromium if needed: a browser is too
// heavy a dependency for `go test ./...`.

// chromium is the browser's command: PROBE_CHROMIUM, or chromium on PATH.
func chromium(t *testing.T) string {
	t.Helper()
	if os.Getenv("PROBE_BROWSER") != "1" {
		t.Skip("set PROBE_BROWSER=1 (make e2e-browser) to open the HTML report in headless Chromium")
	}
	name := os.Getenv("PROBE_CHROMIUM")
	if name == "" {
		name = "chromium"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("PROBE_BROWSER=1 but %s is not installed: %v", name, err)
	}
	return path
}

// browsed is what Chromium made of a page.
type browsed struct {
	dom      string
	console  []string // console messages the page caused
	requests []string // network requests the page made
}

// openInChromium loads file in headless Chromium, isolated from the
// network (every host name resolves to nothing), and returns the DOM after
// load, the console messages and the requests the page itself made, read
// from Chromium's own network log.
func openInChromium(t *testing.T, bin, file string) browsed {
	t.Helper()
	dir := t.TempDir()
	netlog := filepath.Join(dir, "netlog.json")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"--host-resolver-rules=MAP * ~NOTFOUND",
		"--enable-logging=stderr", "--v=0",
		"--log-net-log="+netlog,
		"--dump-dom", "file://"+file)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	b := browsed{dom: out.String()}
	// Chromium logs what a page writes to the console, and its own
	// complaints about the page (a blocked load, a CSP violation), as
	// CONSOLE lines when logging to stderr.
	for _, line := range strings.Split(errb.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") || strings.Contains(line, "Refused to") {
			b.console = append(b.console, line)
		}
	}
	b.requests = pageRequests(t, netlog)
	return b
}

// pageRequests reads Chromium's network log for requests a page started.
// The browser's own background requests (update checks and the like, all
// unresolvable here) have no origin as initiator and are left out.
func pageRequests(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("chromium wrote no network log: %v", err)
	}
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int `json:"type"`
			Params struct {
				URL       string `json:"url"`
				Initiator string `json:"initiator"`
			} `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(raw, &log); err != nil {
		// A log cut short at exit lacks the end of its events array.
		fixed := append(bytes.TrimSuffix(bytes.TrimSpace(raw), []byte(",")), "]}"...)
		if err2 := json.Unmarshal(fixed, &log); err2 != nil {
			t.Fatalf("chromium's network log: %v", err)
		}
	}
	start, ok := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok {
		t.Fatal("chromium's network log has no URL_REQUEST_START_JOB event type")
	}
	var out []string
	for _, e := range log.Events {
		// End events of a job carry no parameters.
		if e.Type == start && e.Params.URL != "" && e.Params.Initiator != "not an origin" {
			out = append(out, fmt.Sprintf("%s (initiator %s)", e.Params.URL, e.Params.Initiator))
		}
	}
	return out
}

var domMarkRE = regexp.MustCompile(`<path class="mark o-[a-z]+"`)

// TestBrowserControl proves the test can see what it looks for: a page
// that writes to the console and loads an image from a closed loopback
// port is caught on both counts.
func TestBrowserControl(t *testing.T) {
	bin := chromium(t)
	file := filepath.Join(t.TempDir(), "control.html")
	page := `<!doctype html><title>control</title><img src="http://127.0.0.1:1/x.png"><script>console.error("probe-control")</script>`
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	b := openInChromium(t, bin, file)
	if len(b.console) == 0 {
		t.Error("console.error on the control page was not seen: the console check is blind")
	}
	if len(b.requests) == 0 {
		t.Error("the control page's image request was not seen: the network check is blind")
	}
}

// TestBrowserReport opens HTML reports of a small, a medium and a binned
// large run: no console message, no request, and as many marks in the
// browser's DOM as the timeline drew.
func TestBrowserReport(t *testing.T) {
	bin := chromium(t)
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		requests int
	}{
		{"fixture", 0},
		{"300 requests", 300},
		{"20000 requests", 20_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var page []byte
			requests, marks := 16, 16
			if tc.requests == 0 {
				page = fixtureHTML(t)
			} else {
				tl := NewTimeline(start, DefaultMaxMarks)
				rec := synthetic(tc.requests, 10*time.Minute, start)
				for i := range tc.requests {
					tl.Add(rec(i))
				}
				requests, marks = tc.requests, tl.Marks()
				var buf bytes.Buffer
				if err := WriteHTML(&buf, HTMLReport{Run: Run{Verdict: loadFixture(t).Verdict}, Started: start, Timeline: tl}); err != nil {
					t.Fatal(err)
				}
				page = buf.Bytes()
			}
			checkPage(t, page, requests, marks)
			file := filepath.Join(t.TempDir(), "report.html")
			if err := os.WriteFile(file, page, 0o644); err != nil {
				t.Fatal(err)
			}
			b := openInChromium(t, bin, file)
			if len(b.console) > 0 {
				t.Errorf("console messages:\n%s", strings.Join(b.console, "\n"))
			}
			if len(b.requests) > 0 {
				t.Errorf("the page made requests:\n%s", strings.Join(b.requests, "\n"))
			}
			if got := len(domMarkRE.FindAllString(b.dom, -1)); got != marks {
				t.Errorf("%d marks in the browser's DOM; want %d", got, marks)
			}
			if !strings.Contains(b.dom, `<svg id="timeline"`) {
				t.Error("the DOM has no timeline")
			}
		})
	}
}
