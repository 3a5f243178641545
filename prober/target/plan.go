package target

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Step is one concurrency level of a ramp.
type Step struct {
	Concurrency int `json:"concurrency"`
	Requests    int `json:"requests"`
}

// Plan is what a ramp will send: the steps, the pacing and the limits.
type Plan struct {
	Steps []Step `json:"steps"`
	// Rate caps requests per second across all workers; 0 means no cap.
	Rate float64 `json:"rate,omitempty"`
	// MaxRequests is the budget for the whole run, extensions included.
	MaxRequests int `json:"max_requests"`
	// Timeout bounds each request, body included.
	Timeout Duration `json:"timeout"`
	// MaxWait is the longest retry-after the run will sit out; a longer one ends the step.
	MaxWait Duration `json:"max_wait"`
	// EarlyStop ends the run once the lowest step shows the same deterministic failure every time.
	EarlyStop bool `json:"early_stop"`
	// Extend allows extra requests at the decisive steps when the verdict is undecided.
	Extend bool `json:"extend"`
}

// Limits bound what a plan may ask of a host.
type Limits struct {
	MaxConcurrency int
	MaxRequests    int
}

// Gentle limits apply to the providers' public hosts: no user of this tool
// should be able to hammer them, whatever the flags say.
var Gentle = Limits{MaxConcurrency: 50, MaxRequests: 1000}

// OwnHost limits apply to any other host (loopback, the user's own gateway),
// where load work on infrastructure the user owns is legitimate.
var OwnHost = Limits{MaxConcurrency: 1024, MaxRequests: 10_000_000}

// publicHosts are the providers' API hosts that get the gentle limits.
// The clouds' hosts count too: a ramp must not hammer Bedrock, Vertex AI
// or Foundry, nor run up the user's cloud bill.
var publicHosts = []string{"api.anthropic.com", "api.openai.com", "amazonaws.com", "googleapis.com", "services.ai.azure.com"}

// LimitsFor returns the limits that apply to base.
func LimitsFor(base *url.URL) Limits {
	host := strings.ToLower(strings.TrimSuffix(base.Hostname(), "."))
	for _, h := range publicHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return Gentle
		}
	}
	return OwnHost
}

// DefaultSteps are the concurrency levels of a default ramp.
var DefaultSteps = []int{1, 2, 5, 10}

// RequestsFor is the default number of requests at concurrency c: at least
// 10, so a step's failure rate means something, and two per worker, so the
// step actually holds c requests in flight for a while.
func RequestsFor(c int) int { return max(10, 2*c) }

// ParseSteps reads a comma-separated list of concurrency levels such as "1,2,5,10".
func ParseSteps(s string, lim Limits) ([]int, error) {
	var steps []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			return nil, fmt.Errorf("--steps %q: empty entry", s)
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("--steps %q: %q is not a whole number", s, f)
		}
		if n < 1 {
			return nil, fmt.Errorf("--steps %q: concurrency must be at least 1, got %d", s, n)
		}
		if n > lim.MaxConcurrency {
			return nil, fmt.Errorf("--steps %q: concurrency %d is over the limit of %d for this host", s, n, lim.MaxConcurrency)
		}
		steps = append(steps, n)
	}
	return steps, nil
}

// Validate checks p against lim and its own consistency.
func (p Plan) Validate(lim Limits) error {
	if len(p.Steps) == 0 {
		return fmt.Errorf("the plan has no steps")
	}
	if p.MaxRequests < 1 {
		return fmt.Errorf("--max-requests must be at least 1")
	}
	if p.MaxRequests > lim.MaxRequests {
		return fmt.Errorf("--max-requests %d is over the limit of %d for this host", p.MaxRequests, lim.MaxRequests)
	}
	total := 0
	for _, s := range p.Steps {
		if s.Concurrency < 1 || s.Concurrency > lim.MaxConcurrency {
			return fmt.Errorf("concurrency %d is outside 1..%d for this host", s.Concurrency, lim.MaxConcurrency)
		}
		if s.Requests < 1 {
			return fmt.Errorf("each step needs at least 1 request, got %d", s.Requests)
		}
		if s.Requests > lim.MaxRequests {
			return fmt.Errorf("%d requests per step is over the limit of %d for this host", s.Requests, lim.MaxRequests)
		}
		total += s.Requests
	}
	if total > p.MaxRequests {
		return fmt.Errorf("the plan needs %d requests, over the budget of %d: raise --max-requests or lower --requests", total, p.MaxRequests)
	}
	if p.Rate < 0 {
		return fmt.Errorf("--rate must not be negative")
	}
	if p.Timeout.D() <= 0 {
		return fmt.Errorf("--timeout must be positive")
	}
	return nil
}

// Planned returns the number of requests the steps ask for, before extensions.
func (p Plan) Planned() int {
	n := 0
	for _, s := range p.Steps {
		n += s.Requests
	}
	return n
}

// Duration is a time.Duration written as text ("30s") in JSON.
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalText writes the duration as Go duration text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads Go duration text.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = Duration(v)
	return err
}

// Describe renders the plan in one line, e.g. "steps c=1×10, c=5×10; no rate cap; timeout 30s; budget 100".
func (p Plan) Describe() string {
	steps := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		steps[i] = fmt.Sprintf("c=%d×%d", s.Concurrency, s.Requests)
	}
	rate := "no rate cap"
	if p.Rate > 0 {
		rate = fmt.Sprintf("at most %g requests/s", p.Rate)
	}
	return fmt.Sprintf("steps %s; %s; timeout %s; budget %d", strings.Join(steps, ", "), rate, p.Timeout.D(), p.MaxRequests)
}
