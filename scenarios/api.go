package scenarios

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options tune a simulated API.
type Options struct {
	// Seed drives every random choice: ids, jitter, which messages fail.
	// 0 means a fixed default seed, so runs are repeatable.
	Seed int64
	// Prefix, when set (e.g. "/some/prefix"), is the only path under which the
	// API is served; other paths get the API's 404. It lets tests prove that
	// a client keeps a base URL's path prefix.
	Prefix string
	// Latency is the base latency of an API answer; 0 means 20ms and a
	// negative value means none. Edge and proxy answers take about a quarter
	// of it, as they do not travel to the origin. Each answer is jittered
	// by ±20%.
	Latency time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Provider is "" or "anthropic" for the Anthropic API, "openai" for
	// OpenAI's API shapes. It picks the catalogue the scenario is looked up
	// in as well as the routes, headers and bodies.
	Provider string
}

const (
	defaultSeed    = 1
	defaultLatency = 20 * time.Millisecond
)

// API is a running simulated API: an http.Handler with its own state
// (sequence numbers, requests in flight). It is safe for concurrent use.
type API struct {
	scenario Scenario
	wire     *wire
	prefix   string
	latency  time.Duration
	now      func() time.Time
	seed     uint64
	orgID    string // fixed per API, as one key always belongs to one organization
	project  string // OpenAI: the key's project, fixed per API too

	mu       sync.Mutex
	rng      *rand.Rand
	started  time.Time // arrival of the first request; zero before it
	requests int64
	messages int64
	// minute and minuteMessages count the messages of the current minute,
	// minutes counted from the first request, for per-minute limits.
	minute         int64
	minuteMessages int64

	inFlight atomic.Int64 // POST /v1/messages (or /v1/chat/completions) being handled
}

// New returns a simulated API of opts.Provider behaving as the scenario
// called name.
func New(name string, opts Options) (*API, error) {
	wire, err := wireFor(opts.Provider)
	if err != nil {
		return nil, err
	}
	sc, err := wire.lookup(name)
	if err != nil {
		return nil, err
	}
	seed := uint64(opts.Seed)
	if opts.Seed == 0 {
		seed = defaultSeed
	}
	latency := opts.Latency
	switch {
	case latency == 0:
		latency = defaultLatency
	case latency < 0:
		latency = 0
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	prefix := strings.TrimRight(opts.Prefix, "/")
	if prefix != "" && !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	a := &API{
		scenario: sc,
		wire:     wire,
		prefix:   prefix,
		latency:  latency,
		now:      now,
		seed:     seed,
		rng:      rand.New(rand.NewPCG(seed, 0x5ce7a7105)),
	}
	a.orgID = wire.orgID(a)
	if wire == openAIWire {
		a.project = "proj_" + a.randomString(base62, 24)
	}
	return a, nil
}

// Scenario returns the scenario the API plays.
func (a *API) Scenario() Scenario { return a.scenario }

// Requests returns how many requests arrived so far, on any path.
func (a *API) Requests() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.requests
}

// MessageRequests returns how many POST .../v1/messages (for OpenAI, POST
// .../v1/chat/completions) arrived so far.
func (a *API) MessageRequests() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.messages
}

// route is an endpoint of the API.
type route int

const (
	routeUnknown route = iota
	// routeMessages is the tiny probe's endpoint: /v1/messages, or OpenAI's
	// /v1/chat/completions.
	routeMessages
	routeCountTokens
	routeModels
	routeModel
)

// method is the one HTTP method the endpoint accepts.
func (r route) method() string {
	switch r {
	case routeMessages, routeCountTokens:
		return http.MethodPost
	}
	return http.MethodGet
}

// call is one request on its way through the simulated API.
type call struct {
	api *API
	w   http.ResponseWriter
	r   *http.Request
	// header is the request's headers as the API sees them; something in
	// the path may have removed some.
	header  http.Header
	route   route
	modelID string // for routeModel: the id in the path

	model string // the requested model, once the body is validated
	keyed bool   // OpenAI: a key arrived, so answers past a 401 name its organization
	seq   int64  // message sequence number, 0-based; -1 for other requests
	// minuteSeq is the message's number within its minute, 0-based.
	minuteSeq int64
	inFlight  int64         // messages in flight at arrival, this one included
	elapsed   time.Duration // since the API's first request
}

// ServeHTTP answers one request the way the scenario's API would.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{api: a, w: w, r: r, header: r.Header, seq: -1}
	path, served := a.strip(r.URL.Path)
	if served {
		c.route, c.modelID = a.wire.routeOf(path)
	}
	isMessage := c.route == routeMessages && r.Method == http.MethodPost
	if isMessage {
		c.inFlight = a.inFlight.Add(1)
		defer a.inFlight.Add(-1)
	}
	c.seq, c.minuteSeq, c.elapsed = a.arrive(isMessage)

	if !served {
		a.wire.notFound(c)
		return
	}
	b := a.scenario.behave
	if b.edge != nil && c.in(b.scope) && b.edge(c) {
		return
	}
	switch {
	case c.route == routeUnknown:
		a.wire.notFound(c)
		return
	case r.Method != c.route.method():
		a.wire.wrongMethod(c)
		return
	}
	if !a.wire.validHeaders(c) {
		return
	}
	if (c.route == routeMessages || c.route == routeCountTokens) && !a.wire.validBody(c) {
		return
	}
	if b.origin != nil && c.in(b.scope) && b.origin(c) {
		return
	}
	a.wire.answer(c)
}

// strip removes the prefix from path and reports whether path is under it.
func (a *API) strip(path string) (string, bool) {
	if a.prefix == "" {
		return path, true
	}
	rest, ok := strings.CutPrefix(path, a.prefix)
	if !ok || !strings.HasPrefix(rest, "/") {
		return "", false
	}
	return rest, true
}

// routeOf matches by suffix, so that any base URL path in front of /v1 works.
func routeOf(path string) (route, string) {
	switch {
	case strings.HasSuffix(path, "/v1/messages"):
		return routeMessages, ""
	case strings.HasSuffix(path, "/v1/messages/count_tokens"):
		return routeCountTokens, ""
	}
	return modelRoute(path)
}

// modelRoute matches the models endpoints, which both providers share:
// the list, and one model by id.
func modelRoute(path string) (route, string) {
	if strings.HasSuffix(path, "/v1/models") {
		return routeModels, ""
	}
	if i := strings.LastIndex(path, "/v1/models/"); i >= 0 {
		id := path[i+len("/v1/models/"):]
		if id != "" && !strings.Contains(id, "/") {
			return routeModel, id
		}
	}
	return routeUnknown, ""
}

// arrive counts a request and returns its message sequence number (-1 if it
// is no message), its number within the current minute, and the time since
// the API's first request.
func (a *API) arrive(isMessage bool) (seq, minuteSeq int64, elapsed time.Duration) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.requests == 0 {
		a.started = now
	}
	a.requests++
	elapsed = now.Sub(a.started)
	if !isMessage {
		return -1, -1, elapsed
	}
	if m := int64(elapsed / time.Minute); m != a.minute {
		a.minute, a.minuteMessages = m, 0
	}
	seq, minuteSeq = a.messages, a.minuteMessages
	a.messages++
	a.minuteMessages++
	return seq, minuteSeq, elapsed
}

// in reports whether the call is one of the requests in s.
func (c *call) in(s scope) bool {
	if s == scopeEverything {
		return true
	}
	if c.route == routeUnknown || c.r.Method != c.route.method() {
		return false
	}
	switch s {
	case scopeMessages:
		return c.route == routeMessages
	case scopeInference:
		return c.route == routeMessages || c.route == routeCountTokens
	}
	return true
}

// validHeaders checks the headers in the API's order: the key first, so that
// a request without one learns nothing else about the API. It answers and
// reports false if they are wrong.
func (c *call) validHeaders() bool {
	token, bearer := strings.CutPrefix(c.header.Get("Authorization"), "Bearer ")
	if c.header.Get("X-Api-Key") == "" && (!bearer || strings.TrimSpace(token) == "") {
		c.apiError(http.StatusUnauthorized, "authentication_error", msgKeyRequired)
		return false
	}
	if c.header.Get("Anthropic-Version") == "" {
		c.apiError(http.StatusBadRequest, "invalid_request_error", "anthropic-version: header is required")
		return false
	}
	return true
}

// maxBody is far more than probe's requests need; it only bounds memory.
const maxBody = 1 << 20

// validBody checks a messages or count_tokens body and remembers its model.
// It answers and reports false if the body is wrong.
func (c *call) validBody() bool {
	var req struct {
		Model     string            `json:"model"`
		MaxTokens *int              `json:"max_tokens"`
		Messages  []json.RawMessage `json:"messages"`
	}
	data, problem := c.readBody()
	switch {
	case problem != "":
	case json.Unmarshal(data, &req) != nil:
		problem = "There was an error parsing the body of your request. Check that it is valid JSON."
	case req.Model == "":
		problem = "model: Field required"
	case c.route == routeMessages && req.MaxTokens == nil:
		problem = "max_tokens: Field required"
	case c.route == routeMessages && *req.MaxTokens < 1:
		problem = "max_tokens: Input should be greater than or equal to 1"
	case req.Messages == nil:
		problem = "messages: Field required"
	case len(req.Messages) == 0:
		problem = "messages: at least one message is required"
	}
	if problem != "" {
		c.apiError(http.StatusBadRequest, "invalid_request_error", problem)
		return false
	}
	c.model = req.Model
	return true
}

// readBody reads the request body, up to maxBody; problem, if not empty,
// is what the API answers when it cannot.
func (c *call) readBody() (data []byte, problem string) {
	data, err := io.ReadAll(io.LimitReader(c.r.Body, maxBody+1))
	switch {
	case err != nil:
		return nil, "Could not read the request body."
	case len(data) > maxBody:
		return nil, fmt.Sprintf("Request body is larger than %d bytes.", maxBody)
	}
	return data, ""
}

// pause waits d, or until the client gives up; it reports whether the
// client is still there to be answered.
func (c *call) pause(d time.Duration) bool {
	ctx := c.r.Context()
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// originDelay and edgeDelay are how long an answer takes to come back from
// the API or from something in front of it.
func (c *call) originDelay() time.Duration { return c.api.jitter(c.api.latency) }
func (c *call) edgeDelay() time.Duration   { return c.api.jitter(c.api.latency / 4) }

// jitter spreads d by ±20%, so that concurrent answers do not come back in
// lockstep.
func (a *API) jitter(d time.Duration) time.Duration {
	a.mu.Lock()
	f := 0.8 + 0.4*a.rng.Float64()
	a.mu.Unlock()
	return time.Duration(float64(d) * f)
}

// coin is the uniform draw in [0, 1) that decides the fate of message seq.
// It depends on the seed and the sequence number alone, so which messages
// fail does not depend on how goroutines happened to interleave.
func (a *API) coin(seq int64) float64 {
	return rand.New(rand.NewPCG(a.seed, uint64(seq))).Float64()
}

const (
	base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	hex    = "0123456789abcdef"
)

// randomString draws n characters of alphabet from the seeded generator.
func (a *API) randomString(alphabet string, n int) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[a.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (a *API) requestID() string { return "req_011C" + a.randomString(base62, 20) }
func (a *API) messageID() string { return "msg_01" + a.randomString(base62, 22) }

// dataCentre is the Cloudflare data centre that handles every request.
const dataCentre = "SJC"

// cfRay is a Cloudflare ray id without its data-centre suffix.
func (a *API) cfRay() string { return a.randomString(hex, 16) }

func (a *API) uuid() string {
	s := a.randomString(hex, 32)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
