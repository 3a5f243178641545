package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/verdict"
)

// HTMLReport is everything the HTML page of `probe report --html` shows.
type HTMLReport struct {
	Run
	Started time.Time
	// Timeline holds the plotted requests, filled while the run file was read.
	Timeline *Timeline
	// Recorded is the verdict the run file's footer holds, if any.
	Recorded *verdict.Verdict
}

// htmlRow is one line of the step table.
type htmlRow struct {
	Concurrency, Sent, OK, Refused, R429, R5xx, Network, Other, Rate, P50, P95 string
}

type htmlData struct {
	Title    string
	R        HTMLReport
	Head     string
	Plan     string
	Rows     []htmlRow
	Plot     svgPlot
	Recorded string
	Lists    []htmlList
}

// htmlList is one titled list under the verdict: evidence, what was ruled
// out, next steps.
type htmlList struct {
	Title string
	Items []string
}

// WriteHTML writes the report as one self-contained page: inline CSS and
// SVG, no script, and nothing fetched from anywhere. Its Content Security
// Policy forbids every load, so the page cannot make a request even if some
// text in it looked like a resource.
func WriteHTML(w io.Writer, r HTMLReport) error {
	r.Verdict = explainRun(r.Verdict, r.RunFile)
	d := htmlData{
		Title: fmt.Sprintf("probe report: %s", r.Verdict.Signature),
		R:     r,
		Head:  headline(r.Verdict),
		Plan:  r.Plan.Describe(),
		Lists: []htmlList{
			{"Evidence", r.Verdict.Evidence},
			{"Ruled out", r.Verdict.RuledOut},
			{"Next steps", r.Verdict.NextSteps},
		},
	}
	if r.Recorded != nil {
		d.Recorded = headline(*r.Recorded)
	}
	if r.Summary != nil {
		for _, st := range r.Summary.Steps {
			if st.Sent == 0 {
				continue
			}
			c := stepCounts(st)
			d.Rows = append(d.Rows, htmlRow{
				fmt.Sprint(st.Concurrency), fmt.Sprint(st.Sent), fmt.Sprint(st.OK), fmt.Sprint(st.Refused403),
				fmt.Sprint(c.r429), fmt.Sprint(c.r5xx), fmt.Sprint(c.network), fmt.Sprint(c.other),
				pct(st.Refused403, st.Answered),
				fmt.Sprintf("%.0f", millis(st.Latency.Quantile(0.5))), fmt.Sprintf("%.0f", millis(st.Latency.Quantile(0.95))),
			})
		}
	}
	if r.Timeline != nil {
		d.Plot = r.Timeline.plot()
	}
	return pageTemplate.Execute(w, d)
}

// stepCountsOf are the columns of the step table besides ok and 403.
type stepCountsOf struct{ r429, r5xx, network, other int }

func stepCounts(st *diagnose.StepStats) stepCountsOf {
	var c stepCountsOf
	for o, n := range st.Outcomes {
		if o.IsNetwork() {
			c.network += n
		}
	}
	for code, n := range st.Statuses {
		switch {
		case code == 429:
			c.r429 += n
		case code >= 500 && code < 600:
			c.r5xx += n
		}
	}
	c.other = max(0, st.Answered-st.OK-st.Refused403-c.r429-c.r5xx-c.network)
	return c
}

// inert escapes text for HTML and breaks every "://" with a character
// reference, so the bytes of the page hold no URL for anything to fetch or
// link, while a reader sees the text unchanged.
func inert(s string) template.HTML {
	return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(s), "://", "&#58;//"))
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"t":   inert,
	"utc": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"num": trimFloat,
	"add": func(a, b float64) float64 { return a + b },
	"sub": func(a, b float64) float64 { return a - b },
}).Parse(pageHTML))

const pageHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{t .Title}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;color:#1d2430;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:24px 0 8px}
.meta{color:#566;margin:0 0 16px}
.meta span{margin-right:14px;white-space:nowrap}
.verdict{border-left:5px solid #c0392b;background:#fbf3f2;padding:10px 14px;margin:12px 0}
.verdict.healthy{border-color:#2e8b57;background:#f1f8f4}
.verdict.inconclusive{border-color:#888;background:#f4f4f4}
.verdict .head{font-weight:600}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d6dbe1;padding:3px 9px;text-align:right}
th{background:#f3f5f7;font-weight:600}
ul{margin:4px 0;padding-left:22px}
svg{display:block;max-width:100%;height:auto;border:1px solid #e3e7eb;background:#fcfdfe}
.band{fill:#f4f6f9}
.rowlabel,.tick{font-size:11px;fill:#566}
.axis{stroke:#9aa4ae;stroke-width:1}
.grid{stroke:#e3e7eb;stroke-width:1}
.mark{stroke-width:1.4}
.o-ok{fill:#2e8b57;stroke:none;fill-opacity:.75}
.o-refused{fill:none;stroke:#c0392b;stroke-width:2}
.o-auth{fill:#7d3c98;stroke:none}
.o-limit{fill:#e6a100;stroke:none}
.o-server{fill:#d35400;stroke:none}
.o-network{fill:none;stroke:#7f8c8d}
.o-other{fill:#34495e;stroke:none}
.o-canceled{fill:#b0b7bf;stroke:none}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:6px 0;color:#334}
.legend svg{display:inline;border:0;background:none;vertical-align:middle}
.note{color:#566;font-size:13px}
code{font-size:13px}
</style>
</head>
<body>
<h1>{{t .Title}}</h1>
<p class="meta">
<span>run file <code>{{t .R.RunFile}}</code></span>
<span>started {{utc .R.Started}}</span>
<span>target <code>{{t .R.Target.BaseURL}}</code></span>
<span>model <code>{{t .R.Target.Model}}</code></span>
<span>key <code>{{t .R.Target.Key}}</code> (fingerprint {{t .R.Target.KeyFingerprint}})</span>
{{- if .R.Target.Scenario}}
<span>scenario {{t .R.Target.Scenario}} (simulated API)</span>
{{- end}}
<span>{{.R.Sent}} requests</span>
<span>probe {{t .R.ToolVersion}}</span>
</p>

<div class="verdict {{.R.Verdict.Signature}}">
<div class="head">Verdict: {{t .Head}}</div>
<div>{{t .R.Verdict.Summary}}</div>
{{- if .R.Verdict.Partial}}
<div class="note">The run was cut short: this verdict is on the requests it recorded.</div>
{{- end}}
{{- if .Recorded}}
<div class="note">Recorded in the run file: {{t .Recorded}}</div>
{{- end}}
</div>

<h2>Every request over time</h2>
<div class="legend">
{{- range .Plot.Legend}}
<span><svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path class="{{.Class}}" d="{{.Path}}"/></svg> {{t .Label}} ({{.Count}})</span>
{{- end}}
</div>
<svg id="timeline" viewBox="0 0 {{num .Plot.Width}} {{num .Plot.Height}}" width="{{num .Plot.Width}}" height="{{num .Plot.Height}}" role="img" aria-label="timeline of every request by concurrency step" data-requests="{{.Plot.Requests}}" data-marks="{{len .Plot.Marks}}">
{{- range $i, $r := .Plot.Rows}}
<rect class="band" x="{{num $.Plot.PlotLeft}}" y="{{num $r.Y}}" width="{{num (sub $.Plot.PlotRight $.Plot.PlotLeft)}}" height="{{num $r.H}}"/>
<text class="rowlabel" x="{{num (sub $.Plot.PlotLeft 8)}}" y="{{num $r.LabelY}}" text-anchor="end">{{t $r.Label}}</text>
{{- end}}
{{- range .Plot.Ticks}}
<line class="grid" x1="{{num .X}}" x2="{{num .X}}" y1="{{num $.Plot.Top}}" y2="{{num .Y}}"/>
<text class="tick" x="{{num .X}}" y="{{num (add .Y 16)}}" text-anchor="middle">{{t .Label}}</text>
{{- end}}
<line class="axis" x1="{{num .Plot.PlotLeft}}" x2="{{num .Plot.PlotRight}}" y1="{{num .Plot.AxisY}}" y2="{{num .Plot.AxisY}}"/>
<text class="tick" x="{{num .Plot.PlotRight}}" y="{{num (add .Plot.AxisY 30)}}" text-anchor="end">time since the run started</text>
{{- range .Plot.Marks}}
<path class="{{.Class}}" d="{{.Path}}" data-n="{{.N}}"><title>{{t .Title}}</title></path>
{{- end}}
</svg>
{{- if .Plot.Binned}}
<p class="note">{{t .Plot.BinNote}}</p>
{{- else}}
<p class="note">One mark per request ({{.Plot.Requests}}); hover a mark for its status, error type and request id.</p>
{{- end}}

<h2>Per step</h2>
<table>
<tr><th>concurrency</th><th>sent</th><th>ok</th><th>403</th><th>429</th><th>5xx</th><th>network</th><th>other</th><th>403 rate</th><th>p50 ms</th><th>p95 ms</th></tr>
{{- range .Rows}}
<tr><td>{{.Concurrency}}</td><td>{{.Sent}}</td><td>{{.OK}}</td><td>{{.Refused}}</td><td>{{.R429}}</td><td>{{.R5xx}}</td><td>{{.Network}}</td><td>{{.Other}}</td><td>{{.Rate}}</td><td>{{.P50}}</td><td>{{.P95}}</td></tr>
{{- end}}
</table>
<p class="note">Plan: {{t .Plan}}</p>

{{- range .Lists}}
{{- if .Items}}
<h2>{{.Title}}</h2>
<ul>
{{- range .Items}}
<li>{{t .}}</li>
{{- end}}
</ul>
{{- end}}
{{- end}}
</body>
</html>
`
