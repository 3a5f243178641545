package scenarios

import (
	"cmp"
	"fmt"
	"strings"
	"sync"
)

// realAnswersByName is the fixtures by name, read once: scenarios replay them.
var realAnswersByName = sync.OnceValues(func() (map[string]RealAnswer, error) {
	all, err := RealAnswers()
	if err != nil {
		return nil, err
	}
	m := make(map[string]RealAnswer, len(all))
	for _, a := range all {
		m[a.Name] = a
	}
	return m, nil
})

// realAnswer returns the fixture called name; a missing one is a bug of the
// catalogue, which TestCatalogue catches.
func realAnswer(name string) RealAnswer {
	m, err := realAnswersByName()
	if err != nil {
		panic(err)
	}
	a, ok := m[name]
	if !ok {
		panic(fmt.Sprintf("scenarios: no real answer %q", name))
	}
	return a
}

// replay answers with the real answer called name: its status, headers and
// body, with fresh ids where the API or Cloudflare would draw new ones, and
// gzip-encoded when the fixture was and the client takes it.
func replay(name string) func(*call) bool {
	return replayModel(name, "")
}

// replayModel replays a fixture whose message names a model (fixtureModel),
// naming the requested one instead.
func replayModel(name, fixtureModel string) func(*call) bool {
	return func(c *call) bool {
		a := realAnswer(name)
		body := a.Body
		if fixtureModel != "" {
			body = strings.ReplaceAll(body, fixtureModel, cmp.Or(c.model, c.modelID))
		}
		h := c.w.Header()
		for k, v := range a.Headers {
			switch strings.ToLower(k) {
			case "content-length", "content-encoding", "vary", "date", "request-id", "cf-ray", "anthropic-organization-id":
				continue
			}
			h.Set(k, v)
		}
		delay := c.edgeDelay()
		if old := a.Header("Request-Id"); old != "" {
			delay = c.originDelay()
			body = strings.ReplaceAll(body, old, c.stampOrigin())
		} else if a.Header("Cf-Ray") != "" {
			c.stampEdge()
		}
		if a.Gzipped() {
			c.sendEdge(a.Status, []byte(body))
			return true
		}
		c.send(delay, a.Status, []byte(body))
		return true
	}
}
