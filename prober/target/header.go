package target

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/secret"
	"golang.org/x/net/http/httpguts"
)

// Header is an extra request header a gateway needs (--header 'Name: value').
type Header struct {
	Name  string
	Value string
}

// Secret reports whether the header's value must be treated like a key: its
// name says it carries a credential (X-Credential, Session, Signature…) or
// its value looks like one whatever the name.
func (h Header) Secret() bool {
	return secret.LooksSecretName(h.Name) || secret.LooksSecretValue(h.Value)
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

// ParseHeader reads a --header value of the form "Name: value". Its errors
// never quote the value, nor a malformed argument (which may be all value).
func ParseHeader(s string) (Header, error) {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" {
		return Header{}, fmt.Errorf("--header: use the form 'Name: value' (this argument of %d characters has no name before a ':')", len(s))
	}
	if !httpguts.ValidHeaderFieldName(name) {
		return Header{}, fmt.Errorf("--header: the text before the first ':' is not a valid header name (letters, digits and -_.!#$%%&'*+^`|~ only)")
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
