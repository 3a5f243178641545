package report

import (
	"strings"

	"github.com/llm-probe/probe/prober/verdict"
)

// headline is the verdict in one line, as every report shows it (text,
// compare, HTML, ticket): the signature, its layer, the confidence, the
// p-value the verdict leans on, and whether the run was cut short.
func headline(v verdict.Verdict) string {
	s := string(v.Signature)
	if v.Layer != "-" && v.Layer != "" {
		s += " (layer " + v.Layer + ")"
	}
	s += ", confidence " + v.Confidence
	if v.PValue != nil {
		s += ", p" + pRelation(*v.PValue)
	}
	if v.Partial {
		s += " [partial: the run was cut short]"
	}
	return s
}

// pRelation is a p-value as a relation: "=0.012", or "<1e-12" when it is
// below what formatP shows.
func pRelation(p float64) string {
	s := formatP(p)
	if strings.HasPrefix(s, "<") {
		return s
	}
	return "=" + s
}
