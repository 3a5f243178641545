package classify

import (
	"net/http"
	"strings"

	"github.com/llm-probe/probe/prober/provider"
)

// idHeader is a request-id header: its canonical name, and the request id
// source recorded with an id taken from it (its name in lower case).
type idHeader struct{ name, source string }

// idHeaders are the request-id headers the known providers' descriptors
// name, in provider.All's order. An answer's id is taken from whichever it
// carries, whichever provider is probed: a gateway may pass on another
// API's.
var idHeaders = func() []idHeader {
	var out []idHeader
	for _, p := range provider.All() {
		if p.IDHeader != "" {
			out = append(out, idHeader{http.CanonicalHeaderKey(p.IDHeader), strings.ToLower(p.IDHeader)})
		}
	}
	return out
}()

// Header is h.Get(name) for a name already in canonical form, as net/http
// stores the headers it parses: it skips canonicalising a constant name,
// which every answer would otherwise pay for each header read.
func Header(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}
