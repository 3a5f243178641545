package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
)

// fixturePath is a run file with fixed answers: successes at c=1; at c=5
// 403s with request ids (one message with a pipe and an escaped newline),
// a Cloudflare challenge with only a cf-ray, and a 429 whose message holds a
// URL. It has a footer, so it reads like a finished run.
var fixturePath = filepath.Join("testdata", "fixture-run.jsonl")

// loadFixture reads the fixture run file as the commands do.
func loadFixture(t *testing.T) *diagnose.LoadedRun {
	t.Helper()
	f, err := os.Open(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lr, err := diagnose.LoadRun(f, nil)
	if err != nil {
		t.Fatalf("LoadRun(%s): %v", fixturePath, err)
	}
	return lr
}

// fixtureRequests replays the fixture's records, as Ticket.Requests does.
func fixtureRequests(fn func(*runfile.Record) error) error {
	f, err := os.Open(fixturePath)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = runfile.Read(f, fn)
	return err
}

func fixtureTicket(t *testing.T) Ticket {
	t.Helper()
	lr := loadFixture(t)
	return Ticket{
		ToolVersion: "test", RunFile: "run.jsonl", Header: lr.File.Header,
		Summary: lr.Summary, Verdict: lr.Verdict,
		Curl:     "curl -sS -i 'https://api.anthropic.com/v1/messages' -H \"x-api-key: $ANTHROPIC_API_KEY\"",
		Requests: fixtureRequests,
	}
}

func TestTicketGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Ticket)
	}{
		{"ticket.md.golden", func(*Ticket) {}},
		{"ticket-all-filled.md.golden", func(tk *Ticket) {
			tk.All, tk.Email, tk.Workspace = true, "dev@example.com", "wrkspc_01ABC"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := fixtureTicket(t)
			tc.edit(&tk)
			var buf bytes.Buffer
			if err := WriteTicket(&buf, tk); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, buf.Bytes())
		})
	}
}

// TestTicketRows checks the table of failed requests: one row per failed
// request, each id exactly as recorded, the cf-ray one marked, and every
// row with the table's six cells however its message was written.
func TestTicketRows(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTicket(&buf, fixtureTicket(t)); err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(line, "| 2026-") {
			rows = append(rows, line)
		}
	}
	wantIDs := []string{"req_011PermA1", "req_011PermA2", "8f00aa11bb22d004-LHR — cf-ray (edge answer, no request id)", "req_011Limit1", "req_011PermA3"}
	if len(rows) != len(wantIDs) {
		t.Fatalf("%d rows; want %d:\n%s", len(rows), len(wantIDs), strings.Join(rows, "\n"))
	}
	for i, row := range rows {
		cells := splitRow(row)
		if len(cells) != 6 {
			t.Errorf("row %d has %d cells; want 6: %s", i, len(cells), row)
			continue
		}
		if cells[5] != wantIDs[i] {
			t.Errorf("row %d id cell = %q; want %q", i, cells[5], wantIDs[i])
		}
	}
}

// splitRow splits a Markdown table row at its unescaped pipes, as GitHub's
// table parser does.
func splitRow(row string) []string {
	var cells []string
	var cur strings.Builder
	body := strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	for i := 0; i < len(body); i++ {
		switch {
		case body[i] == '\\' && i+1 < len(body):
			cur.WriteByte(body[i])
			cur.WriteByte(body[i+1])
			i++
		case body[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(body[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func TestCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Permission denied", "Permission denied"},
		{"a | b", `a \| b`},
		{"line1\nline2", `line1\nline2`},
		{"crlf\r\nend", `crlf\nend`},
		{"cr\rend", `cr\rend`},
		{`already \| escaped`, `already \\\| escaped`},
		{`trailing\`, `trailing\\`},
	} {
		if got := cell(tc.in); got != tc.want {
			t.Errorf("cell(%q) = %q; want %q", tc.in, got, tc.want)
		}
		if cells := splitRow("| x | " + cell(tc.in) + " |"); len(cells) != 2 {
			t.Errorf("cell(%q) splits the row into %d cells", tc.in, len(cells))
		}
	}
}

// TestTicketProviderWording: the API's name, the id and organization
// headers and the endpoint come from the run's provider.
func TestTicketProviderWording(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		provider string
		want     []string
	}{
		{"anthropic", "anthropic", []string{"from the Anthropic API", "the `request-id` header", "/v1/messages`"}},
		{"openai", "openai", []string{"from the OpenAI API", "the `x-request-id` header", "/v1/chat/completions`"}},
		{"unknown is anthropic", "", []string{"from the Anthropic API", "/v1/messages`"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tk := fixtureTicket(t)
			tk.Header.Target.Provider = c.provider
			var buf bytes.Buffer
			if err := WriteTicket(&buf, tk); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("WriteTicket with provider %q lacks %q", c.provider, w)
				}
			}
		})
	}
}
