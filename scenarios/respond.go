package scenarios

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// inputTokens is what "hi" costs, in count_tokens and in a message's usage.
const inputTokens = 8

// stampOrigin sets the headers every answer of the API itself carries, and
// returns the request id so an error body can repeat it, as the API does.
// The API sits behind Cloudflare, so its answers carry Cloudflare's headers
// too.
func (c *call) stampOrigin() string {
	id := c.api.requestID()
	h := c.w.Header()
	h.Set("Request-Id", id)
	h.Set("Anthropic-Organization-Id", c.api.orgID)
	h.Set("Cf-Cache-Status", "DYNAMIC")
	// The origin sits behind Google's load balancer, then Cloudflare.
	h.Set("Via", "1.1 google")
	c.stampEdge()
	return id
}

// stampEdge sets the headers of anything Cloudflare's edge sends, and returns
// the ray id as Cloudflare's pages show it: without the data centre.
func (c *call) stampEdge() string {
	ray := c.api.cfRay()
	h := c.w.Header()
	h.Set("Server", "cloudflare")
	h.Set("Cf-Ray", ray+"-"+dataCentre)
	return ray
}

// send writes the answer after delay, unless the client gave up meanwhile.
func (c *call) send(delay time.Duration, status int, body []byte) {
	if !c.pause(delay) {
		return
	}
	c.w.WriteHeader(status)
	c.w.Write(body) // the client hanging up is no error of the simulation
}

// apiJSON answers v as JSON from the API.
func (c *call) apiJSON(status int, v any) {
	c.stampOrigin()
	c.w.Header().Set("Content-Type", "application/json")
	c.send(c.originDelay(), status, mustJSON(v))
}

// errorBody is the API's error envelope.
type errorBody struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
	RequestID string `json:"request_id"`
}

// apiError answers an error from the API, in its envelope.
func (c *call) apiError(status int, errType, message string) {
	var body errorBody
	body.Type = "error"
	body.Error.Type = errType
	body.Error.Message = message
	body.RequestID = c.stampOrigin()
	c.w.Header().Set("Content-Type", "application/json")
	c.send(c.originDelay(), status, mustJSON(body))
}

// notFound is the API's answer to a path it does not serve.
func (c *call) notFound() {
	c.apiError(http.StatusNotFound, "not_found_error", "Not Found")
}

// Answers from Cloudflare's edge carry no request id and no organization:
// the API never saw the request.

// edgeJSON answers JSON from Cloudflare's edge.
func (c *call) edgeJSON(status int, body string) {
	c.stampEdge()
	c.w.Header().Set("Content-Type", "application/json")
	c.sendEdge(status, []byte(body))
}

// edgePage answers one of Cloudflare's HTML pages from its edge.
func (c *call) edgePage(status int, page string) {
	ray := c.stampEdge()
	c.w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	c.sendEdge(status, c.fill(page, ray))
}

// message answers a successful message, with the rate-limit headers the API
// sends on every success.
func (c *call) message() {
	m, ok := c.resolveModel(c.model)
	if !ok {
		// The API's answer to a model it does not know, or that the key
		// may not use (REAL-ANSWERS: anthropic-model-not-found).
		c.apiError(http.StatusNotFound, "not_found_error", "model: "+c.model)
		return
	}
	c.rateLimitHeaders(false)
	c.apiJSON(http.StatusOK, messageBody{
		ID:         c.api.messageID(),
		Type:       "message",
		Role:       "assistant",
		Model:      m.ID,
		Content:    []textBlock{{Type: "text", Text: "Hi"}},
		StopReason: "max_tokens",
		Usage:      usage{InputTokens: inputTokens, OutputTokens: 1},
	})
}

type messageBody struct {
	ID           string      `json:"id"`
	Type         string      `json:"type"`
	Role         string      `json:"role"`
	Model        string      `json:"model"`
	Content      []textBlock `json:"content"`
	StopReason   string      `json:"stop_reason"`
	StopSequence *string     `json:"stop_sequence"`
	Usage        usage       `json:"usage"`
}

type textBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// rateLimit is one of the limits the API reports in anthropic-ratelimit-*
// headers, with what one of probe's requests costs against it.
type rateLimit struct {
	name       string
	limit      int64
	perRequest int64
}

var rateLimits = []rateLimit{
	{"requests", 50, 1},
	{"tokens", 38000, inputTokens + 1},
	{"input-tokens", 30000, inputTokens},
	{"output-tokens", 8000, 1},
}

// rateLimitHeaders reports the limits as the API does. Capacity refills
// continuously over a minute, so what is used is what is in flight, and the
// reset is when that much will have refilled. An exhausted limit resets in
// the second that retry-after names.
func (c *call) rateLimitHeaders(exhausted bool) {
	h := c.w.Header()
	now := c.api.now().UTC()
	for _, l := range rateLimits {
		used := min(l.limit, l.perRequest*c.load(l.name))
		remaining := l.limit - used
		reset := now.Add(time.Duration(used) * time.Minute / time.Duration(l.limit))
		if exhausted {
			remaining, reset = 0, now.Add(time.Second)
		}
		prefix := "Anthropic-Ratelimit-" + l.name
		h.Set(prefix+"-Limit", strconv.FormatInt(l.limit, 10))
		h.Set(prefix+"-Remaining", strconv.FormatInt(remaining, 10))
		h.Set(prefix+"-Reset", reset.Format(time.RFC3339))
	}
}

// load is what counts against a limit called name: the messages of this
// minute for the requests limit, the messages in flight for the others
// (tokens refill continuously).
func (c *call) load(name string) int64 {
	if name == "requests" {
		return max(1, c.minuteSeq+1)
	}
	return c.inFlight
}

// mustJSON marshals values whose types cannot fail to marshal.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("scenarios: marshal %T: %v", v, err))
	}
	return b
}

// acceptsGzip reports whether the client said it takes gzip, as Go's
// transport does by itself unless told otherwise.
func (c *call) acceptsGzip() bool {
	return strings.Contains(strings.ToLower(c.r.Header.Get("Accept-Encoding")), "gzip")
}

// sendEdge writes an edge answer gzip-encoded when the client takes it, as
// Cloudflare's edge sends its pages and JSON.
func (c *call) sendEdge(status int, body []byte) {
	h := c.w.Header()
	h.Add("Vary", "Accept-Encoding")
	if c.acceptsGzip() {
		if gz, err := gzipBytes(body); err == nil {
			h.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	c.send(c.edgeDelay(), status, body)
}
