package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/runfile"
)

// hostileServer answers every message with a 403 whose error message and
// request id carry commas, quotes, newlines and a leading "=", as a hostile
// or broken server could.
func hostileServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Header values cannot hold a raw newline (net/http turns it into a
		// space); the body's message can.
		w.Header().Set("Request-Id", `=HYPERLINK("http://x","y"),"q"`+"\nnext")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"type":"error","error":{"type":"permission_error","message":"=1+2, \"quoted\"\nsecond line, @three"},"request_id":"req_body"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runCLI runs the CLI in-process, with "@name" arguments naming files in dir, and returns its exit code and output.
func runCLI(t *testing.T, dir string, env map[string]string, args ...string) (ExitCode, string, string) {
	t.Helper()
	ios, out, errb := TestStreams(env)
	// Paths in args ("@name") are made absolute instead of changing the
	// directory, which would race with parallel tests.
	for i, a := range args {
		if strings.HasPrefix(a, "@") {
			args[i] = filepath.Join(dir, a[1:])
		}
	}
	code := Main(context.Background(), args, ios)
	return code, out.String(), errb.String()
}

// TestExportCSVRoundTrip sends requests to a hostile server, exports the
// run as CSV and reads it back with encoding/csv: the message and request
// id are the run file's, apart from the inert prefix, and no cell starts
// with a character a spreadsheet would run.
func TestExportCSVRoundTrip(t *testing.T) {
	t.Parallel()
	srv := hostileServer(t)
	dir := t.TempDir()
	env := map[string]string{"ANTHROPIC_API_KEY": "sk-ant-api03-EXPORTTESTKEY-0123456789-abcdefghijklmnop"}
	code, _, stderr := runCLI(t, dir, env, "ramp", "--base-url", srv.URL, "--steps", "1", "--requests", "3", "--no-extend", "--out", "@run.jsonl", "--quiet")
	if code != ExitDiagnosed {
		t.Fatalf("ramp exit %d; want %d\n%s", code, ExitDiagnosed, stderr)
	}
	code, _, stderr = runCLI(t, dir, env, "export", "@run.jsonl", "--format", "csv", "--all", "--out", "@run.csv")
	if code != ExitHealthy {
		t.Fatalf("export exit %d\n%s", code, stderr)
	}

	var recs []*runfile.Record
	f, err := os.Open(filepath.Join(dir, "run.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := runfile.Read(f, func(r *runfile.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records; want 3", len(recs))
	}
	if !strings.HasPrefix(recs[0].RequestID, "=HYPERLINK") || !strings.Contains(recs[0].Message, ",") {
		t.Fatalf("the server's hostile values did not reach the run file: %+v", recs[0])
	}

	b, err := os.ReadFile(filepath.Join(dir, "run.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read the export: %v\n%s", err, b)
	}
	if len(rows) != len(recs)+1 {
		t.Fatalf("%d rows; want a header and %d", len(rows), len(recs))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, r := range recs {
		row := rows[i+1]
		for j, c := range row {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("row %d, %s = %q starts with a live formula character", i, rows[0][j], c)
			}
		}
		for name, want := range map[string]string{"message": r.Message, "request_id": r.RequestID, "error_type": r.ErrorType} {
			got := row[col[name]]
			if strings.ContainsRune("=+-@\t\r", rune(want[0])) {
				if !strings.HasPrefix(got, "'") {
					t.Errorf("row %d %s = %q; want the inert prefix", i, name, got)
				}
				got = got[1:]
			}
			if got != want {
				t.Errorf("row %d %s = %q; want %q as in the run file", i, name, got, want)
			}
		}
	}
	if bytes.Contains(b, []byte("EXPORTTESTKEY")) {
		t.Error("the key is in the CSV")
	}
}

// TestExitCodes checks the exit codes compare, report and export document.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{}
	for _, sc := range []string{"abuse", "healthy", "revoked-key"} {
		if code, _, stderr := runCLI(t, dir, env, "ramp", "--scenario", sc, "--out", "@"+sc+".jsonl", "--quiet"); code == ExitFailure || code == ExitUsage {
			t.Fatalf("ramp %s: exit %d\n%s", sc, code, stderr)
		}
	}
	os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte("not json\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "one.jsonl"), []byte(`{"kind":"run","schema":1,"plan":{"steps":[{"concurrency":1,"requests":1}]}}`+"\n"+
		`{"kind":"request","step":0,"concurrency":1,"status":200,"outcome":"ok"}`+"\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want ExitCode
	}{
		{[]string{"compare", "@abuse.jsonl", "@healthy.jsonl"}, ExitHealthy},         // cleared
		{[]string{"compare", "@abuse.jsonl", "@abuse.jsonl"}, ExitDiagnosed},         // persists
		{[]string{"compare", "@healthy.jsonl", "@abuse.jsonl"}, ExitDiagnosed},       // appeared
		{[]string{"compare", "@healthy.jsonl", "@healthy.jsonl"}, ExitHealthy},       // unchanged, healthy
		{[]string{"compare", "@healthy.jsonl", "@revoked-key.jsonl"}, ExitDiagnosed}, // unchanged, but the key fails
		{[]string{"compare", "@abuse.jsonl", "@one.jsonl"}, ExitInconclusive},        // one answer after
		{[]string{"compare", "@abuse.jsonl", "@bad.jsonl"}, ExitUsage},
		{[]string{"report", "@healthy.jsonl"}, ExitHealthy},
		{[]string{"report", "@abuse.jsonl"}, ExitDiagnosed},
		{[]string{"report", "@one.jsonl"}, ExitHealthy},
		{[]string{"report", "@bad.jsonl"}, ExitUsage},
		{[]string{"export", "@abuse.jsonl"}, ExitHealthy},
		{[]string{"export", "@bad.jsonl"}, ExitUsage},
		{[]string{"export", "@nosuch.jsonl"}, ExitUsage},
	} {
		code, _, stderr := runCLI(t, dir, env, append([]string(nil), tc.args...)...)
		if code != tc.want {
			t.Errorf("probe %s: exit %d; want %d\n%s", strings.Join(tc.args, " "), code, tc.want, stderr)
		}
		if strings.Contains(stderr, "panic") {
			t.Errorf("probe %s panicked:\n%s", strings.Join(tc.args, " "), stderr)
		}
	}
}
