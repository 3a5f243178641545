package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdTicketIDs checks a Markdown ticket against its run file: every failed
// request has a table row whose id cell starts with the id exactly as the
// run file holds it (cf-ray ids marked as such), and there are no other rows.
//
//	ticketids RUN.jsonl TICKET.md
func cmdTicketIDs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: ticketids RUN.jsonl TICKET.md")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	var want []*runfile.Record
	_, err = runfile.Read(f, func(r *runfile.Record) error {
		if r.Failed() {
			want = append(want, r)
		}
		return nil
	})
	ts.Check(err)
	if len(want) == 0 {
		ts.Fatalf("ticketids: %s has no failed requests to look for", args[0])
	}

	// The id is the last cell of a row of the failed-requests table.
	var cells []string
	sc := bufio.NewScanner(strings.NewReader(ts.ReadFile(args[1])))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "| 20") { // a row starts with its UTC time
			continue
		}
		parts := strings.Split(strings.TrimSuffix(line, " |"), " | ")
		cells = append(cells, parts[len(parts)-1])
	}
	if len(cells) != len(want) {
		ts.Fatalf("ticketids: the ticket has %d request rows; the run file has %d failed requests", len(cells), len(want))
	}
	seen := map[string]int{}
	for _, c := range cells {
		seen[c]++
	}
	for _, r := range want {
		cell := r.RequestID
		if r.RequestIDSource == classify.IDFromCFRay {
			cell += " — cf-ray (edge answer, no request id)"
		}
		if r.RequestID == "" {
			ts.Fatalf("ticketids: request #%d has no id in the run file", r.Seq)
		}
		if seen[cell] == 0 {
			ts.Fatalf("ticketids: no row of the ticket has the id cell %q", cell)
		}
		seen[cell]--
	}
	ts.Logf("%d failed requests, each with its id in the ticket", len(want))
}

// cmdCutRun copies a run file as a run killed while writing leaves it: the
// footer gone and the last request line cut in the middle, without a newline.
//
//	cutrun SRC DST
func cmdCutRun(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cutrun SRC DST")
	}
	lines := strings.SplitAfter(strings.TrimSuffix(ts.ReadFile(args[0]), "\n"), "\n")
	if len(lines) < 3 {
		ts.Fatalf("cutrun: %s is too short to cut", args[0])
	}
	if strings.Contains(lines[len(lines)-1], `"kind":"verdict"`) {
		lines = lines[:len(lines)-1]
	}
	last := lines[len(lines)-1]
	lines[len(lines)-1] = last[:len(last)/2]
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(strings.Join(lines, "")), 0o644))
}

// cmdNULTail copies a run file as a crash on some filesystems leaves it:
// the footer gone and the file extended by N zero bytes that never got
// their data; with -cut, the last request line is cut in the middle first.
//
//	nultail [-cut] SRC DST N
func cmdNULTail(ts *testscript.TestScript, neg bool, args []string) {
	cut := len(args) > 0 && args[0] == "-cut"
	if cut {
		args = args[1:]
	}
	if neg || len(args) != 3 {
		ts.Fatalf("usage: nultail [-cut] SRC DST N")
	}
	n, err := strconv.Atoi(args[2])
	ts.Check(err)
	lines := strings.SplitAfter(strings.TrimSuffix(ts.ReadFile(args[0]), "\n"), "\n")
	if strings.Contains(lines[len(lines)-1], `"kind":"verdict"`) {
		lines = lines[:len(lines)-1]
	}
	if cut {
		last := lines[len(lines)-1]
		lines[len(lines)-1] = last[:len(last)/2]
	}
	data := append([]byte(strings.Join(lines, "")), make([]byte, n)...)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}

var markRE = regexp.MustCompile(`<path class="mark `)

// cmdHTMLMarks checks an HTML report: it holds one mark per request of the
// run file (for runs small enough to draw every request), no script, and
// no http or https URL anywhere.
//
//	htmlmarks REPORT.html RUN.jsonl
func cmdHTMLMarks(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: htmlmarks REPORT.html RUN.jsonl")
	}
	page := []byte(ts.ReadFile(args[0]))
	f, err := os.Open(ts.MkAbs(args[1]))
	ts.Check(err)
	defer f.Close()
	rf, err := runfile.Read(f, func(*runfile.Record) error { return nil })
	ts.Check(err)
	marks := len(markRE.FindAll(page, -1))
	if marks != rf.Records {
		ts.Fatalf("htmlmarks: %d marks for %d requests", marks, rf.Records)
	}
	if want := fmt.Sprintf(`data-marks="%d"`, rf.Records); !bytes.Contains(page, []byte(want)) {
		ts.Fatalf("htmlmarks: the plot does not say %s", want)
	}
	lower := bytes.ToLower(page)
	for _, bad := range []string{"http://", "https://", "<script", "@import", "url("} {
		if bytes.Contains(lower, []byte(bad)) {
			ts.Fatalf("htmlmarks: the page contains %q", bad)
		}
	}
}
