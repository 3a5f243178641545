package check

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/llm-probe/probe/prober/clientconfig"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/target"
)

// loadClaude builds Claude Code's configuration from one user settings file.
func loadClaude(t *testing.T, settings string, vars map[string]string) *clientconfig.Config {
	t.Helper()
	fsys := fstest.MapFS{"home/u/.claude/settings.json": {Data: []byte(settings)}}
	cfg, err := clientconfig.Load(clientconfig.Env{Home: "/home/u", ProjectDir: "/work/p", OS: "linux", Vars: vars, FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestClientLayer(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		http.Error(w, "{}", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	const key = "sk-ant-api03-CLIENTLAYERsecret-0000000000000000000000000000000000000000000000000000000000000000000000AA"
	tests := []struct {
		name     string
		settings string
		want     keys.Status
		wantMsg  string
	}{
		{"dead host", `{"env": {"ANTHROPIC_BASE_URL": "http://gateway.invalid"}}`, keys.Failed, "does not resolve"},
		{"base URL ends in /v1", `{"env": {"ANTHROPIC_BASE_URL": "` + srv.URL + `/v1"}}`, keys.Failed, "ends in /v1"},
		{"healthy, key not yet approved", `{"env": {"ANTHROPIC_BASE_URL": "` + srv.URL + `"}}`, keys.Warned, "fingerprint " + keys.Fingerprint(key)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := loadClaude(t, tt.settings, map[string]string{"ANTHROPIC_API_KEY": key})
			cl := &Client{Config: cfg, Extra: DialBaseURL(context.Background(), cfg, 2*time.Second)}
			base, _ := url.Parse(srv.URL)
			c := &Checker{Client: cl, Transport: http.DefaultTransport, Target: target.Target{BaseURL: base, Model: "m"},
				Keys: keys.KeySources{Getenv: func(string) string { return "" }}, Timeout: 2 * time.Second}
			before := hits.Load()
			res := c.Run(context.Background())
			l := res.Layers[0]
			if l.ID != "client" || l.Status != tt.want {
				t.Fatalf("first layer %s is %s; want client %s (%+v)", l.ID, l.Status, tt.want, l.Findings)
			}
			var all strings.Builder
			for _, f := range l.Findings {
				all.WriteString(f.Message + "\n")
			}
			if !strings.Contains(all.String(), tt.wantMsg) {
				t.Errorf("client findings lack %q:\n%s", tt.wantMsg, all.String())
			}
			if strings.Contains(all.String(), key[20:40]) {
				t.Error("a finding shows the key")
			}
			if tt.want == keys.Failed {
				if res.Verdict.Signature != ClientConfig || len(res.Requests) != 0 || hits.Load() != before {
					t.Errorf("verdict %s, %d requests; want %s and none sent", res.Verdict.Signature, len(res.Requests), ClientConfig)
				}
				if res.Layers[1].Status != keys.NotReached {
					t.Errorf("key layer is %s; want not reached", res.Layers[1].Status)
				}
			}
		})
	}
}
