package target

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseSteps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		lim  Limits
		want []int
		err  string // a part of the error; "" if none is expected
	}{
		{"default", "1,2,5,10", OwnHost, []int{1, 2, 5, 10}, ""},
		{"spaces", " 1, 2 ", OwnHost, []int{1, 2}, ""},
		{"single", "7", OwnHost, []int{7}, ""},
		{"repeated level", "1,1", OwnHost, []int{1, 1}, ""},
		{"at the gentle limit", "50", Gentle, []int{50}, ""},
		{"at the own-host limit", "1024", OwnHost, []int{1024}, ""},
		{"empty entry", "1,,5", OwnHost, nil, "empty entry"},
		{"trailing comma", "1,2,", OwnHost, nil, "empty entry"},
		{"empty", "", OwnHost, nil, "empty entry"},
		{"zero", "0", OwnHost, nil, "at least 1"},
		{"negative", "-3", OwnHost, nil, "at least 1"},
		{"not a number", "abc", OwnHost, nil, "not a whole number"},
		{"fraction", "1.5", OwnHost, nil, "not a whole number"},
		{"over the own-host limit", "100000", OwnHost, nil, "over the limit of 1024"},
		{"over the gentle limit", "1,51", Gentle, nil, "over the limit of 50"},
		{"overflow", "99999999999999999999", OwnHost, nil, "not a whole number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSteps(c.in, c.lim)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("ParseSteps(%q) = %v, %v; want an error containing %q", c.in, got, err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("ParseSteps(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
}

// validPlan is a plan that passes Validate against OwnHost; rows change one thing.
func validPlan() Plan {
	return Plan{Steps: []Step{{1, 10}, {5, 10}}, MaxRequests: 20, Timeout: Duration(time.Second), MaxWait: Duration(time.Minute)}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(*Plan)
		lim    Limits
		err    string // "" if valid
	}{
		{"budget exactly the plan", func(p *Plan) {}, OwnHost, ""},
		{"budget one short", func(p *Plan) { p.MaxRequests = 19 }, OwnHost, "over the budget of 19"},
		{"budget above the plan", func(p *Plan) { p.MaxRequests = 100 }, OwnHost, ""},
		{"no steps", func(p *Plan) { p.Steps = nil }, OwnHost, "no steps"},
		{"no budget", func(p *Plan) { p.MaxRequests = 0 }, OwnHost, "at least 1"},
		{"budget at the gentle ceiling", func(p *Plan) { p.MaxRequests = 1000 }, Gentle, ""},
		{"budget over the gentle ceiling", func(p *Plan) { p.MaxRequests = 1001 }, Gentle, "over the limit of 1000"},
		{"budget at the own-host ceiling", func(p *Plan) { p.MaxRequests = 10_000_000 }, OwnHost, ""},
		{"budget over the own-host ceiling", func(p *Plan) { p.MaxRequests = 10_000_001 }, OwnHost, "over the limit"},
		{"concurrency 50 on a public host", func(p *Plan) { p.Steps = []Step{{50, 20}} }, Gentle, ""},
		{"concurrency 51 on a public host", func(p *Plan) { p.Steps = []Step{{51, 20}} }, Gentle, "outside 1..50"},
		{"concurrency 1025 on an own host", func(p *Plan) { p.Steps = []Step{{1025, 20}} }, OwnHost, "outside 1..1024"},
		{"concurrency 0", func(p *Plan) { p.Steps = []Step{{0, 20}} }, OwnHost, "outside"},
		{"step without requests", func(p *Plan) { p.Steps = []Step{{1, 0}} }, OwnHost, "at least 1 request"},
		{"step over the request ceiling", func(p *Plan) { p.Steps = []Step{{1, 1001}}; p.MaxRequests = 1000 }, Gentle, "over the limit"},
		{"negative rate", func(p *Plan) { p.Rate = -1 }, OwnHost, "--rate"},
		{"no timeout", func(p *Plan) { p.Timeout = 0 }, OwnHost, "--timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := validPlan()
			c.change(&p)
			err := p.Validate(c.lim)
			if c.err == "" {
				if err != nil {
					t.Errorf("Validate(%+v) = %v; want nil", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Validate(%+v) = %v; want an error containing %q", p, err, c.err)
			}
		})
	}
	if got := validPlan().Planned(); got != 20 {
		t.Errorf("Planned() = %d; want 20", got)
	}
}

func TestLimitsFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		base string
		want Limits
	}{
		{"https://api.anthropic.com", Gentle},
		{"https://API.ANTHROPIC.COM.", Gentle},
		{"https://api.anthropic.com:443/v1", Gentle},
		{"https://api.openai.com", Gentle},
		{"https://eu.api.anthropic.com", Gentle},
		{"http://127.0.0.1:8080", OwnHost},
		{"http://localhost", OwnHost},
		{"http://[::1]:9", OwnHost},
		{"https://gateway.example.com/anthropic", OwnHost},
		{"https://api.anthropic.com.example.com", OwnHost},
		{"https://notapi.anthropic.com", OwnHost},
	}
	for _, c := range cases {
		t.Run(c.base, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(c.base)
			if err != nil {
				t.Fatal(err)
			}
			if got := LimitsFor(u); got != c.want {
				t.Errorf("LimitsFor(%s) = %+v; want %+v", c.base, got, c.want)
			}
		})
	}
	if Gentle != (Limits{MaxConcurrency: 50, MaxRequests: 1000}) || OwnHost != (Limits{MaxConcurrency: 1024, MaxRequests: 10_000_000}) {
		t.Errorf("Gentle = %+v, OwnHost = %+v; want the design's 50/1000 and 1024/10,000,000", Gentle, OwnHost)
	}

	// Concurrency 51 against api.anthropic.com is refused both ways in.
	lim := LimitsFor(mustBase(t, "https://api.anthropic.com"))
	if _, err := ParseSteps("1,51", lim); err == nil {
		t.Error("ParseSteps accepted concurrency 51 for api.anthropic.com")
	}
	p := Plan{Steps: []Step{{51, 51}}, MaxRequests: 100, Timeout: Duration(time.Second)}
	if err := p.Validate(lim); err == nil {
		t.Error("Validate accepted concurrency 51 for api.anthropic.com")
	}
}

func TestRequestsFor(t *testing.T) {
	t.Parallel()
	for c, want := range map[int]int{1: 10, 2: 10, 5: 10, 6: 12, 10: 20, 50: 100} {
		if got := RequestsFor(c); got != want {
			t.Errorf("RequestsFor(%d) = %d; want %d", c, got, want)
		}
	}
}

func TestDurationJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Plan{Timeout: Duration(90 * time.Second)})
	if err != nil || !strings.Contains(string(b), `"timeout":"1m30s"`) {
		t.Errorf("json.Marshal(Plan) = %s, %v; want timeout \"1m30s\"", b, err)
	}
	var p Plan
	if err := json.Unmarshal([]byte(`{"timeout":"250ms"}`), &p); err != nil || p.Timeout.D() != 250*time.Millisecond {
		t.Errorf("Unmarshal timeout = %v, %v; want 250ms", p.Timeout.D(), err)
	}
	if err := json.Unmarshal([]byte(`{"timeout":"soon"}`), &p); err == nil {
		t.Error("Unmarshal accepted timeout \"soon\"")
	}
}
