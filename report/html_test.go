package report

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/verdict"
)

// fixtureHTML renders the fixture run file's HTML page as `probe report` does.
func fixtureHTML(t *testing.T) []byte {
	t.Helper()
	f, err := os.Open(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := runfile.ReadHeader(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	tl := NewTimeline(h.Started, DefaultMaxMarks)
	lr, err := diagnose.LoadRun(f, func(r *runfile.Record) error { tl.Add(r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	v := lr.File.Footer.Verdict
	page := HTMLReport{
		Run: Run{ToolVersion: "test", Target: h.Target, Plan: h.Plan, Summary: lr.Summary,
			Verdict: lr.Verdict, RunFile: "run.jsonl", Sent: lr.Summary.Sent},
		Started: h.Started, Timeline: tl, Recorded: &v,
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, page); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHTMLGolden(t *testing.T) {
	golden(t, "report.html.golden", fixtureHTML(t))
}

var markRE = regexp.MustCompile(`<path class="mark o-[a-z]+" d="[^"]+" data-n="(\d+)"><title>([^<]*)</title></path>`)

// checkPage asserts what every report page must be: self-contained (no
// URL, no script, nothing a browser would fetch), with marks that add up to
// the requests.
func checkPage(t *testing.T, page []byte, requests, marks int) {
	t.Helper()
	lower := bytes.ToLower(page)
	for _, bad := range []string{"http://", "https://", "<script", "<img", "<link", "<iframe", "@import", "url(", "src=", "href="} {
		if bytes.Contains(lower, []byte(bad)) {
			i := bytes.Index(lower, []byte(bad))
			t.Errorf("the page contains %q: …%s…", bad, page[max(0, i-60):min(len(page), i+60)])
		}
	}
	found := markRE.FindAllSubmatch(page, -1)
	if len(found) != marks {
		t.Errorf("%d marks in the page; want %d", len(found), marks)
	}
	if n := bytes.Count(page, []byte(`class="mark `)); n != marks {
		t.Errorf("%d elements of class mark; want %d", n, marks)
	}
	sum := 0
	for _, m := range found {
		var n int
		fmt.Sscan(string(m[1]), &n)
		sum += n
	}
	if sum != requests {
		t.Errorf("the marks hold %d requests; want %d", sum, requests)
	}
	if want := fmt.Sprintf(`data-requests="%d" data-marks="%d"`, requests, marks); !bytes.Contains(page, []byte(want)) {
		t.Errorf("the plot does not say %s", want)
	}
}

func TestHTMLFixture(t *testing.T) {
	page := fixtureHTML(t)
	checkPage(t, page, 16, 16)
	for _, want := range []string{
		// every mark's title has the status, error type and id
		"403 · permission_error · request id req_011PermA1",
		"403 · challenge · cf-ray 8f00aa11bb22d004-LHR (edge answer, no request id)",
		// text from the answers is escaped, and its URL made inert
		"rate limit (https&#58;//docs.anthropic.c…",
		"Permission | denied\\nsee `docs`", // escaped once, as stored
		"Verdict: intermittent_403 (layer 5), confidence medium, p=0.1154",
		"<td>5</td><td>10</td><td>5</td><td>4</td><td>1</td>",
	} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// synthetic returns n records spread over steps of concurrency 1, 10 and 50
// across about dur, with a 403 now and then.
func synthetic(n int, dur time.Duration, start time.Time) func(i int) *runfile.Record {
	levels := []int{1, 10, 50}
	return func(i int) *runfile.Record {
		step := i * len(levels) / n
		r := &runfile.Record{
			Kind: "request", Step: step, Concurrency: levels[step], Seq: int64(i),
			Started: start.Add(time.Duration(int64(dur) * int64(i) / int64(n))),
			Status:  200, Outcome: classify.OutcomeOK,
		}
		if i%7 == 3 {
			r.Status, r.Outcome, r.ErrorType, r.RequestID, r.RequestIDSource = 403, classify.OutcomePermission, "permission_error", fmt.Sprintf("req_%d", i), classify.IDFromRequestID
		}
		return r
	}
}

func TestTimelineMarks(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		requests int
		dur      time.Duration
		binned   bool
	}{
		{"one", 1, time.Second, false},
		{"small", 4, time.Second, false},
		{"at the limit", DefaultMaxMarks, time.Minute, false},
		{"one past", DefaultMaxMarks + 1, time.Minute, true},
		{"100k", 100_000, 30 * time.Minute, true},
		{"100k in a blink", 100_000, 50 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl := NewTimeline(start, DefaultMaxMarks)
			rec := synthetic(tc.requests, tc.dur, start)
			for i := range tc.requests {
				tl.Add(rec(i))
			}
			binned, _ := tl.Binned()
			if binned != tc.binned {
				t.Errorf("binned = %v; want %v", binned, tc.binned)
			}
			marks := tl.Marks()
			if !tc.binned && marks != tc.requests {
				t.Errorf("Marks() = %d; want one per request, %d", marks, tc.requests)
			}
			if marks > DefaultMaxMarks || marks < 1 {
				t.Errorf("Marks() = %d; want 1..%d", marks, DefaultMaxMarks)
			}
			var buf bytes.Buffer
			if err := WriteHTML(&buf, HTMLReport{Run: Run{Verdict: verdict.Verdict{Signature: verdict.Healthy}}, Started: start, Timeline: tl}); err != nil {
				t.Fatal(err)
			}
			checkPage(t, buf.Bytes(), tc.requests, marks)
			if buf.Len() > 1<<20 {
				t.Errorf("the page is %d bytes; want under 1 MiB", buf.Len())
			}
		})
	}
}

// TestTimelineMemory feeds a million requests and checks that the timeline
// holds a bounded number of bins, so memory does not grow with the run.
func TestTimelineMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a million records")
	}
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	const n = 1_000_000
	tl := NewTimeline(start, DefaultMaxMarks)
	rec := synthetic(n, 3*time.Hour, start)
	var before, after runtime.MemStats
	for i := range n {
		tl.Add(rec(i))
		if i == n/10 {
			runtime.GC()
			runtime.ReadMemStats(&before)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if len(tl.bins) > DefaultMaxMarks {
		t.Errorf("%d bins; want at most %d", len(tl.bins), DefaultMaxMarks)
	}
	if tl.Requests() != n {
		t.Errorf("Requests() = %d; want %d", tl.Requests(), n)
	}
	// From a tenth of the run to its end the live heap must stay about the
	// same: a timeline that kept records would grow by hundreds of MB.
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Errorf("the heap grew by %d bytes over 900,000 records", grew)
	}
}

// TestTimelineOddTimes feeds times a damaged file could hold: none, far
// apart, before the start. The page must still come out whole.
func TestTimelineOddTimes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start time.Time
		times []time.Time
	}{
		{"no start in the header", time.Time{}, []time.Time{time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 10, 0, 1, 0, time.UTC)}},
		{"no times at all", time.Time{}, []time.Time{{}, {}}},
		{"centuries apart", time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), []time.Time{time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), time.Date(2900, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"before the start", time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), []time.Time{time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl := NewTimeline(tc.start, 3)
			for i, at := range tc.times {
				for j := range 3 {
					tl.Add(&runfile.Record{Concurrency: 1 + j, Seq: int64(3*i + j), Started: at, Status: 200, Outcome: classify.OutcomeOK})
				}
			}
			var buf bytes.Buffer
			if err := WriteHTML(&buf, HTMLReport{Timeline: tl}); err != nil {
				t.Fatal(err)
			}
			checkPage(t, buf.Bytes(), 3*len(tc.times), tl.Marks())
		})
	}
}
