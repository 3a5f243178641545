package target

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/keys"
	"golang.org/x/net/http/httpguts"
)

// Header is an extra request header a gateway needs (--header 'Name: value').
type Header struct {
	Name  string
	Value string
}

// secretWords mark a header whose value is a credential.
var secretWords = []string{"authorization", "key", "token", "secret", "cookie", "password", "auth"}

// Secret reports whether the header's value must be treated like a key.
func (h Header) Secret() bool {
	name := strings.ToLower(h.Name)
	for _, w := range secretWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// Shown is the value as outputs may show it: redacted when it is a secret.
func (h Header) Shown() string {
	if h.Secret() {
		return keys.Redact(h.Value)
	}
	return classify.Printable(h.Value, 200)
}

// String shows the header without its secret.
func (h Header) String() string { return h.Name + ": " + h.Shown() }

// GoString shows the header without its secret, so %#v is safe too.
func (h Header) GoString() string { return "prober.Header(" + h.String() + ")" }

// reserved are headers probe sets itself; overriding them would probe
// something else than the user's key.
var reserved = map[string]bool{"X-Api-Key": true, "Authorization": true, "Content-Type": true, "Content-Length": true, "Host": true}

// ParseHeader reads a --header value of the form "Name: value".
func ParseHeader(s string) (Header, error) {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" {
		return Header{}, fmt.Errorf("--header %q: use the form 'Name: value'", classify.Printable(name, 60))
	}
	if !httpguts.ValidHeaderFieldName(name) {
		return Header{}, fmt.Errorf("--header: %q is not a valid header name", classify.Printable(name, 60))
	}
	h := Header{Name: http.CanonicalHeaderKey(name), Value: value}
	if !httpguts.ValidHeaderFieldValue(value) {
		return Header{}, fmt.Errorf("--header %s: the value has characters a header cannot carry", h.Name)
	}
	if reserved[h.Name] {
		return Header{}, fmt.Errorf("--header %s: probe sets this header itself; pass the key with %s, --key-file or --key-stdin", h.Name, "the provider's key variable")
	}
	return h, nil
}
