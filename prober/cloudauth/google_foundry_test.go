package cloudauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/keys"
)

func TestVertexBearerAndPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		location string
		wantHost string
	}{
		{name: "regional", location: "us-east5", wantHost: "us-east5-aiplatform.googleapis.com"},
		{name: "global", location: "global", wantHost: "aiplatform.googleapis.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := ResolveGoogle(GoogleOptions{Getenv: envOf(nil), Token: fakeGToken, TokenFrom: "--key-file", Project: "proj-1", Region: tt.location})
			if err != nil {
				t.Fatalf("ResolveGoogle: %v", err)
			}
			endpoint := VertexRawPredictURL(g.Region(), g.Project(), "claude-haiku-4-5@20251001")
			if !strings.HasPrefix(endpoint, "https://"+tt.wantHost+"/") {
				t.Errorf("VertexRawPredictURL host: %s; want %s", endpoint, tt.wantHost)
			}
			srv, got := recorder(t)
			u, err := Rebase(srv.URL, endpoint)
			if err != nil {
				t.Fatalf("Rebase: %v", err)
			}
			send(t, g.Transport(nil), "POST", u, VertexBody)
			rec := <-got
			wantPath := "/v1/projects/proj-1/locations/" + tt.location + "/publishers/anthropic/models/claude-haiku-4-5@20251001:rawPredict"
			if rec.req.URL.Path != wantPath {
				t.Errorf("path = %q; want %q", rec.req.URL.Path, wantPath)
			}
			if a := rec.req.Header.Get("Authorization"); a != "Bearer "+fakeGToken {
				t.Errorf("Authorization = %q; want the bearer token", a)
			}
			if rec.body != VertexBody {
				t.Errorf("body = %q", rec.body)
			}
		})
	}
}

// TestVertexADCFile refreshes an authorized_user ADC file against a loopback
// token endpoint, the path gcloud auth application-default login sets up.
func TestVertexADCFile(t *testing.T) {
	t.Parallel()
	tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, fakeGToken)
	}))
	t.Cleanup(tokenSrv.Close)
	dir := t.TempDir()
	adc := fmt.Sprintf(`{"type":"authorized_user","client_id":"cid.apps.googleusercontent.com","client_secret":"cs","refresh_token":%q,"quota_project_id":"quota-proj"}`, fakeRefresh)
	if err := os.WriteFile(filepath.Join(dir, "application_default_credentials.json"), []byte(adc), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := ResolveGoogle(GoogleOptions{
		Getenv:   envOf(map[string]string{"CLOUDSDK_CONFIG": dir, "CLOUD_ML_REGION": "global"}),
		TokenURL: tokenSrv.URL,
	})
	if err != nil {
		t.Fatalf("ResolveGoogle: %v", err)
	}
	if d := g.Describe(); !strings.HasPrefix(d.Source, "ADC file ") || d.Project != "quota-proj" || d.Fingerprint != keys.Fingerprint(fakeRefresh) {
		t.Errorf("Describe() = %+v", d)
	}
	srv, got := recorder(t)
	send(t, g.Transport(nil), "POST", srv.URL+"/x", VertexBody)
	if a := (<-got).req.Header.Get("Authorization"); a != "Bearer "+fakeGToken {
		t.Errorf("Authorization = %q; want the refreshed token", a)
	}
	// The fetched token and the refresh token are listed for the scrubber.
	if s := g.Secrets(); !slices.Contains(s, fakeGToken) || !slices.Contains(s, fakeRefresh) {
		t.Errorf("Secrets() lists %d values; want the fetched and the refresh token", len(s))
	}
}

func TestFoundryHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       FoundryOptions
		wantURL    string
		wantHeader string
		wantValue  string
	}{
		{name: "key from env and resource", opts: FoundryOptions{Getenv: envOf(map[string]string{"ANTHROPIC_FOUNDRY_API_KEY": fakeFoundry, "ANTHROPIC_FOUNDRY_RESOURCE": "res1"})},
			wantURL: "https://res1.services.ai.azure.com/anthropic/v1/messages", wantHeader: FoundryKeyHeader, wantValue: fakeFoundry},
		{name: "entra token and base url", opts: FoundryOptions{Getenv: envOf(nil), EntraToken: fakeEntra, BaseURL: "https://res2.services.ai.azure.com/anthropic/"},
			wantURL: "https://res2.services.ai.azure.com/anthropic/v1/messages", wantHeader: "Authorization", wantValue: "Bearer " + fakeEntra},
		{name: "base already ending in v1/messages", opts: FoundryOptions{Getenv: envOf(nil), Key: fakeFoundry, BaseURL: "https://res3.services.ai.azure.com/anthropic/v1/messages"},
			wantURL: "https://res3.services.ai.azure.com/anthropic/v1/messages", wantHeader: FoundryKeyHeader, wantValue: fakeFoundry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := ResolveFoundry(tt.opts)
			if err != nil {
				t.Fatalf("ResolveFoundry: %v", err)
			}
			if f.MessagesURL() != tt.wantURL {
				t.Errorf("MessagesURL() = %q; want %q", f.MessagesURL(), tt.wantURL)
			}
			srv, got := recorder(t)
			send(t, f.Transport(nil), "POST", srv.URL+"/anthropic/v1/messages", BedrockBody)
			if v := (<-got).req.Header.Get(tt.wantHeader); v != tt.wantValue {
				t.Errorf("%s = %q; want %q", tt.wantHeader, v, tt.wantValue)
			}
		})
	}
}

func TestMissingGoogleAndFoundry(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{name: "vertex no ADC", want: ErrNoCredentials, call: func() error {
			_, err := ResolveGoogle(GoogleOptions{Getenv: envOf(map[string]string{"HOME": empty, "CLOUD_ML_REGION": "global"}), Project: "p"})
			return err
		}},
		{name: "vertex ADC env names a missing file", want: ErrNoCredentials, call: func() error {
			_, err := ResolveGoogle(GoogleOptions{Getenv: envOf(map[string]string{"GOOGLE_APPLICATION_CREDENTIALS": filepath.Join(empty, "nope.json")})})
			return err
		}},
		{name: "vertex no region", want: ErrNoRegion, call: func() error {
			_, err := ResolveGoogle(GoogleOptions{Getenv: envOf(nil), Token: fakeGToken, Project: "p"})
			return err
		}},
		{name: "vertex no project", want: ErrNoProject, call: func() error {
			_, err := ResolveGoogle(GoogleOptions{Getenv: envOf(nil), Token: fakeGToken, Region: "global"})
			return err
		}},
		{name: "foundry no key", want: ErrNoCredentials, call: func() error {
			_, err := ResolveFoundry(FoundryOptions{Getenv: envOf(nil), Resource: "r"})
			return err
		}},
		{name: "foundry no resource", want: ErrNoProject, call: func() error {
			_, err := ResolveFoundry(FoundryOptions{Getenv: envOf(nil), Key: fakeFoundry})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Errorf("error = %v; want %v", err, tt.want)
			}
		})
	}
}

func TestRebaseRejects(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"", "not a url", "ftp://h/x", "//host/only", "https://user:hunter2pass@[::1"} {
		_, err := Rebase(base, BedrockModelsURL("us-east-1"))
		if err == nil || strings.Contains(err.Error(), "hunter2pass") {
			t.Errorf("Rebase(%q) error = %v; want an error without the password", base, err)
		}
	}
}

// TestSecretsNeverShown formats every value and error a caller can print,
// in every verb, and looks for each fake secret and any 8-character slice.
func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	aws, err := ResolveAWS(context.Background(), AWSOptions{Getenv: envOf(awsEnv(t, map[string]string{"AWS_SESSION_TOKEN": fakeSession}))})
	if err != nil {
		t.Fatal(err)
	}
	goog, _ := ResolveGoogle(GoogleOptions{Getenv: envOf(nil), Token: fakeGToken, Project: "p", Region: "global"})
	fk, _ := ResolveFoundry(FoundryOptions{Getenv: envOf(nil), Key: fakeFoundry, Resource: "r"})
	fe, _ := ResolveFoundry(FoundryOptions{Getenv: envOf(nil), EntraToken: fakeEntra, Resource: "r"})
	_, e1 := ResolveAWS(context.Background(), AWSOptions{Getenv: envOf(awsEnv(t, map[string]string{"AWS_REGION": ""}))})
	_, e2 := ResolveFoundry(FoundryOptions{Getenv: envOf(nil), Key: fakeFoundry + "\nx", Resource: "r"})
	_, e3 := Rebase("https://u:"+fakeSecret+"@[::1", "https://x/y")
	values := []any{aws, goog, fk, fe, aws.Describe(), goog.Describe(), fk.Describe(), fe.Describe(), e1, e2, e3}
	var out strings.Builder
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
	}
	text := out.String()
	for _, secret := range []string{fakeSecret, fakeSession, fakeGToken, fakeRefresh, fakeFoundry, fakeEntra} {
		for i := 0; i+8 <= len(secret); i++ {
			if strings.Contains(text, secret[i:i+8]) {
				t.Fatalf("output holds %q, a slice of a secret:\n%s", secret[i:i+8], text)
			}
		}
	}
}
