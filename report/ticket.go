package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/verdict"
)

// Ticket is what a support ticket about a run says.
type Ticket struct {
	// ToolVersion is the version writing the ticket; the run header has the
	// version that recorded the run.
	ToolVersion string
	RunFile     string
	Header      runfile.Header
	Summary     *diagnose.Summary
	Verdict     verdict.Verdict
	// Email and Workspace fill the placeholders the user must otherwise fill.
	Email     string
	Workspace string
	// All lists every request, not only the failed ones.
	All bool
	// Curl is the command that reproduces one request, with the key as an
	// environment variable.
	Curl string
	// Requests calls fn for every request of the run in file order. It reads
	// the run file again rather than holding its records, so a ticket of a
	// long run takes no more memory than a short one.
	Requests func(fn func(*runfile.Record) error) error
}

// WriteTicket writes a Markdown support ticket, ready to paste: who is
// asking, what probe found, the layers it ruled out, a table of the failed
// requests with their ids, how they were sent and how to reproduce one.
func WriteTicket(w io.Writer, t Ticket) error {
	bw := bufio.NewWriter(w)
	api := provider.ForRun(t.Header.Target.Provider)
	ticketWho(bw, t, api)
	ticketWhat(bw, Explain(t.Verdict))
	if err := ticketRequests(bw, t, api); err != nil {
		return err
	}
	ticketHow(bw, t, api)
	fmt.Fprintln(bw, "## Reproduce")
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "One request as probe sent it (the key comes from the environment):")
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "```sh")
	fmt.Fprintln(bw, t.Curl)
	fmt.Fprintln(bw, "```")
	return bw.Flush()
}

// ticketWho writes the title and who is asking: account, workspace,
// organization and key.
func ticketWho(bw *bufio.Writer, t Ticket, api *provider.Provider) {
	h := t.Header
	fmt.Fprintf(bw, "# HTTP 403 from the %s: request ids and evidence\n", api.Title)
	fmt.Fprintln(bw)
	if h.Target.Scenario != "" {
		fmt.Fprintf(bw, "> This run was against probe's simulated API (scenario %s), not the real API: its ids are made up.\n\n", mdText(h.Target.Scenario))
	}
	fmt.Fprintf(bw, "- **Account email:** %s\n", placeholder(t.Email, "<account email>"))
	fmt.Fprintf(bw, "- **Workspace id:** %s\n", placeholder(t.Workspace, "<workspace id>"))
	orgs := fmt.Sprintf("none seen (the answers carried no %s header)", api.OrgHeader)
	if s := t.Summary; s != nil && len(s.OrgIDs) > 0 {
		quoted := make([]string, len(s.OrgIDs))
		for i, id := range s.OrgIDs {
			quoted[i] = "`" + codeText(id) + "`"
		}
		orgs = strings.Join(quoted, ", ")
	}
	fmt.Fprintf(bw, "- **Organization id (from the answers):** %s\n", orgs)
	fmt.Fprintf(bw, "- **Key:** `%s` (fingerprint `%s`; the key itself is not included)\n", codeText(h.Target.Key), codeText(h.Target.KeyFingerprint))
	fmt.Fprintln(bw)
}

// ticketWhat writes the verdict, the layers ruled out and the evidence.
func ticketWhat(bw *bufio.Writer, v verdict.Verdict) {
	fmt.Fprintln(bw, "## What happens")
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "probe's verdict: **%s**. %s\n", headline(v), mdText(v.Summary))
	if v.Partial {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "The run was cut short; the verdict is on the requests it recorded.")
	}
	fmt.Fprintln(bw)
	mdList(bw, "Layers ruled out", v.RuledOut)
	mdList(bw, "Evidence", v.Evidence)
}

// ticketCounts are the run's requests sent, answered and failed.
func ticketCounts(t Ticket) (sent, answered, failed int) {
	if t.Summary != nil {
		return t.Summary.Sent, t.Summary.Answered, t.Summary.FailedIDCount
	}
	return 0, 0, 0
}

// ticketRequests writes the table of failed (or all) requests with their ids.
func ticketRequests(bw *bufio.Writer, t Ticket, api *provider.Provider) error {
	sent, answered, failed := ticketCounts(t)
	if t.All {
		fmt.Fprintf(bw, "## Every request (%d; %d failed)\n\n", sent, failed)
	} else {
		fmt.Fprintf(bw, "## Failed requests (%d of %d answered)\n\n", failed, answered)
	}
	fmt.Fprintf(bw, "Support finds a request by its id (the `%s` header of each answer).\n\n", api.IDHeader)
	fmt.Fprintln(bw, "| time (UTC) | concurrency | status | error type | message | request id |")
	fmt.Fprintln(bw, "|---|---:|---:|---|---|---|")
	rows := 0
	if t.Requests != nil {
		err := t.Requests(func(r *runfile.Record) error {
			if !t.All && !r.Failed() {
				return nil
			}
			rows++
			_, err := fmt.Fprintf(bw, "| %s | %d | %s | %s | %s | %s |\n",
				r.Started.UTC().Format("2006-01-02 15:04:05.000"), r.Concurrency, statusText(r),
				cell(cmp.Or(r.ErrorType, string(r.Outcome))), cell(r.Message), idCell(r))
			return err
		})
		if err != nil {
			return err
		}
	}
	if rows == 0 {
		fmt.Fprintln(bw, "| - | - | - | - | no failed requests | - |")
	}
	fmt.Fprintln(bw)
	return nil
}

// ticketHow writes how the requests were sent: endpoint, plan, run, tool.
func ticketHow(bw *bufio.Writer, t Ticket, api *provider.Provider) {
	h := t.Header
	sent, answered, _ := ticketCounts(t)
	fmt.Fprintln(bw, "## How the requests were sent")
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "- Endpoint: `POST %s` with model `%s`, `max_tokens: 1`, one user message \"hi\"\n", codeText(strings.TrimSuffix(h.Target.BaseURL, "/")+api.ProbePath), codeText(h.Target.Model))
	fmt.Fprintf(bw, "- Plan: %s\n", mdText(h.Plan.Describe()))
	fmt.Fprintf(bw, "- Run: started %s, %d requests, %d answered; run file `%s`\n", h.Started.UTC().Format(time.RFC3339), sent, answered, codeText(t.RunFile))
	fmt.Fprintf(bw, "- Tool: probe %s (run recorded by probe %s)\n", mdText(t.ToolVersion), mdText(h.ToolVersion))
	fmt.Fprintln(bw)
}

func statusText(r *runfile.Record) string {
	if r.Status == 0 {
		return "-"
	}
	return fmt.Sprint(r.Status)
}

// idCell is the request id as the server sent it, saying when it is only
// Cloudflare's cf-ray: support must know that such a request never reached
// the API.
func idCell(r *runfile.Record) string {
	switch {
	case r.RequestID == "":
		if r.CFRay != "" {
			return cell(r.CFRay) + " — cf-ray (edge answer, no request id)"
		}
		return "(none)"
	case r.RequestIDSource == classify.IDFromCFRay:
		return cell(r.RequestID) + " — cf-ray (edge answer, no request id)"
	}
	return cell(r.RequestID)
}

// cell makes text safe inside a Markdown table cell: inert (see mdInert), and
// a pipe would end the cell.
func cell(s string) string {
	return strings.ReplaceAll(mdInert(s), "|", `\|`)
}

// mdText keeps text on one line outside tables, inert: verdicts quote
// server messages.
func mdText(s string) string { return mdInert(s) }

// markdownPunct are the characters that start Markdown syntax inside a line:
// code spans, emphasis, links, images, HTML, entities, strikethrough and
// headings (in a list item).
const markdownPunct = "\\`*[]<>!~&#"

// mdInert makes server text show as it is in Markdown instead of acting as
// Markdown: each character that starts syntax is backslash-escaped, a line
// break is shown as \n or \r, and '_' is escaped where it could start or
// end emphasis (not inside a word, so ids such as req_011 stay copyable).
func mdInert(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r' && i+1 < len(s) && s[i+1] == '\n':
			b.WriteString(`\n`)
			i++
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case strings.IndexByte(markdownPunct, c) >= 0,
			c == '_' && !(i > 0 && wordByte(s[i-1]) && i+1 < len(s) && wordByte(s[i+1])):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func wordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}

// codeText keeps text inside a code span: a backtick would end it.
func codeText(s string) string {
	return strings.ReplaceAll(mdText(s), "`", "'")
}

func placeholder(v, def string) string {
	if v == "" {
		return "`" + def + "`"
	}
	return mdText(v)
}

// listStart matches text that would open a list inside a list item.
var listStart = regexp.MustCompile(`^([-+]|[0-9]+[.)])(\s|$)`)

// mdList writes a titled Markdown list, or nothing when lines is empty.
func mdList(w io.Writer, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "## %s\n\n", title)
	for _, l := range lines {
		l = mdText(l)
		// "- - x" or "- 1. x" would nest a list: escape the marker.
		if m := listStart.FindStringSubmatchIndex(l); m != nil {
			l = l[:m[3]-1] + `\` + l[m[3]-1:]
		}
		fmt.Fprintf(w, "- %s\n", l)
	}
	fmt.Fprintln(w)
}
