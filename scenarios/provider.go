package scenarios

import (
	"fmt"
	"net/http"
	"strings"
)

// Provider names, as --provider takes them.
const (
	Anthropic = "anthropic"
	OpenAI    = "openai"
)

// wire is how one provider's API speaks: its catalogue of scenarios, its
// routes, how it validates a request and how it answers one. What stands in
// front of an API (Cloudflare's edge, a corporate proxy, a bad network) is
// the same whoever is behind it, so those behaviours are shared; everything
// that names a header, an error envelope or an endpoint lives here.
//
// Adding a provider is one file: a wire value for it, its catalogue (which
// may reuse the edge behaviours), and an entry in wires below.
type wire struct {
	name      string
	host      string // the public API host, as Cloudflare's pages name it
	catalogue []Scenario

	// routeOf maps a path (prefix removed) to an endpoint. The endpoint the
	// tiny probe posts to is routeMessages, whatever the provider calls it.
	routeOf func(path string) (route, string)
	// orgID draws the organization id, fixed per API, from the seed.
	orgID func(*API) string
	// notFound answers a path the API does not serve; wrongMethod a known
	// path asked with the wrong method.
	notFound    func(*call)
	wrongMethod func(*call)
	// validHeaders and validBody check a request the way the API does,
	// answering and reporting false if it is wrong.
	validHeaders func(*call) bool
	validBody    func(*call) bool
	// answer is the healthy answer to a valid request on a known route.
	answer func(*call)
	// probePath is the probe endpoint's path, as Cloudflare's challenge
	// page quotes it in JavaScript (slashes escaped).
	probePath string
}

// wires are the known providers, the default first.
var wires = []*wire{anthropicWire, openAIWire, bedrockWire, vertexWire, foundryWire}

var anthropicWire = &wire{
	name:      Anthropic,
	host:      "api.anthropic.com",
	catalogue: catalogue,
	routeOf:   routeOf,
	orgID:     (*API).uuid,
	notFound:  (*call).notFound,
	wrongMethod: func(c *call) {
		c.w.Header().Set("Allow", c.route.method())
		c.apiError(http.StatusMethodNotAllowed, "invalid_request_error", "Method Not Allowed")
	},
	validHeaders: (*call).validHeaders,
	validBody:    (*call).validBody,
	answer:       (*call).answerAnthropic,
	probePath:    `\/v1\/messages`,
}

// answerAnthropic is the Anthropic API's healthy answer.
func (c *call) answerAnthropic() {
	switch c.route {
	case routeMessages:
		c.message()
	case routeCountTokens:
		c.apiJSON(http.StatusOK, map[string]int{"input_tokens": inputTokens})
	case routeModels:
		c.listModels()
	case routeModel:
		c.getModel()
	}
}

// wireFor finds a provider by name; "" is Anthropic.
func wireFor(provider string) (*wire, error) {
	if provider == "" {
		return anthropicWire, nil
	}
	for _, w := range wires {
		if w.name == provider {
			return w, nil
		}
	}
	names := make([]string, len(wires))
	for i, w := range wires {
		names[i] = w.name
	}
	return nil, fmt.Errorf("unknown provider %q (known: %s)", provider, strings.Join(names, ", "))
}

// AllFor returns every scenario of a provider's simulated API in a stable
// order, healthy first, each with the Signature a default ramp should reach
// against that provider. "" means Anthropic; an unknown provider has none.
// The slice is the caller's to keep.
func AllFor(provider string) []Scenario {
	w, err := wireFor(provider)
	if err != nil {
		return nil
	}
	return append([]Scenario(nil), w.catalogue...)
}

// LookupFor returns the scenario called name of a provider's simulated API.
// The error of an unknown name lists the names that provider knows.
func LookupFor(provider, name string) (Scenario, error) {
	w, err := wireFor(provider)
	if err != nil {
		return Scenario{}, err
	}
	return w.lookup(name)
}

func (w *wire) lookup(name string) (Scenario, error) {
	for _, s := range w.catalogue {
		if s.Name == name {
			return s, nil
		}
	}
	names := make([]string, len(w.catalogue))
	for i, s := range w.catalogue {
		names[i] = s.Name
	}
	known := "(known: " + strings.Join(names, ", ") + ")"
	if w == anthropicWire {
		return Scenario{}, fmt.Errorf("unknown scenario %q %s", name, known)
	}
	return Scenario{}, fmt.Errorf("unknown scenario %q for provider %s %s", name, w.name, known)
}
