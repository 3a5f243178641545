package cloudauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/llm-probe/probe/prober/keys"
)

// Fake secrets: long and distinctive so that any leaked 8-character slice
// is found by the secrets test.
const (
	fakeKeyID     = "AKIAFAKEEXAMPLE7WXYZ"
	fakeSecret    = "fakeSecretKeyQ7zXv9Lm2Np4Rt6Yu8Wa1Sd3Fg5Hj"
	fakeSession   = "fakeSessionTokenBb2Cc4Dd6Ee8Ff0Gg2Hh4Ii6Jj"
	fakeGToken    = "ya29.fakeGoogleAccessTokenKk1Ll3Mm5Nn7Oo9"
	fakeRefresh   = "1//fakeRefreshTokenPp2Qq4Rr6Ss8Tt0Uu2Vv4"
	fakeFoundry   = "fakeFoundryKeyWw1Xx3Yy5Zz7Aa9Bb1Cc3Dd5Ee"
	fakeEntra     = "eyJfakeEntraTokenFf2Gg4Hh6Ii8Jj0Kk2Ll4Mm"
	signingRegion = "eu-west-3"
)

var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// awsEnv is an environment with static keys and no way off the machine.
func awsEnv(t *testing.T, extra map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	m := map[string]string{
		"AWS_ACCESS_KEY_ID":           fakeKeyID,
		"AWS_SECRET_ACCESS_KEY":       fakeSecret,
		"AWS_REGION":                  signingRegion,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	}
	for k, v := range extra {
		if v == "" {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

type captured struct {
	req  *http.Request
	body string
}

// recorder starts a loopback server that keeps what it received.
func recorder(t *testing.T) (*httptest.Server, chan captured) {
	t.Helper()
	got := make(chan captured, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- captured{req: r.Clone(context.Background()), body: string(b)}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func send(t *testing.T, rt http.RoundTripper, method, url, body string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatalf("NewRequest(%q): %v", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a hang guard
	defer cancel()
	resp, err := (&http.Client{Transport: rt}).Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("sending %s %s: %v", method, url, err)
	}
	resp.Body.Close()
}

// resign signs the received request again with the SDK's signer and the
// known credential, and returns the Authorization it computes.
func resign(t *testing.T, c captured, creds aws.Credentials) string {
	t.Helper()
	r, err := http.NewRequest(c.req.Method, "http://"+c.req.Host+c.req.URL.RequestURI(), strings.NewReader(c.body))
	if err != nil {
		t.Fatalf("rebuilding the received request: %v", err)
	}
	r.Header.Set("Content-Type", c.req.Header.Get("Content-Type"))
	r.Header.Set("X-Amz-Date", c.req.Header.Get("X-Amz-Date"))
	at, err := time.Parse("20060102T150405Z", c.req.Header.Get("X-Amz-Date"))
	if err != nil {
		t.Fatalf("X-Amz-Date %q: %v", c.req.Header.Get("X-Amz-Date"), err)
	}
	sum := sha256.Sum256([]byte(c.body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "bedrock", signingRegion, at); err != nil {
		t.Fatalf("re-signing: %v", err)
	}
	return r.Header.Get("Authorization")
}

func TestBedrockSignature(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		session string
		method  string
		model   string
		body    string
	}{
		{name: "invoke with model id colon", method: "POST", model: "anthropic.claude-3-5-haiku-20241022-v1:0", body: BedrockBody},
		{name: "inference profile with session token", session: fakeSession, method: "POST", model: "us.anthropic.claude-sonnet-4-20250514-v1:0", body: BedrockBody},
		{name: "listing without body", method: "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := ResolveAWS(context.Background(), AWSOptions{
				Getenv: envOf(awsEnv(t, map[string]string{"AWS_SESSION_TOKEN": tt.session})),
				Now:    func() time.Time { return fixedNow },
			})
			if err != nil {
				t.Fatalf("ResolveAWS: %v", err)
			}
			srv, got := recorder(t)
			endpoint := BedrockModelsURL(signingRegion)
			if tt.model != "" {
				endpoint = BedrockInvokeURL(signingRegion, tt.model)
			}
			u, err := Rebase(srv.URL+"/gw", endpoint)
			if err != nil {
				t.Fatalf("Rebase: %v", err)
			}
			send(t, c.Transport(nil), tt.method, u, tt.body)
			rec := <-got
			if rec.body != tt.body {
				t.Errorf("body arrived as %q; want %q", rec.body, tt.body)
			}
			p := rec.req.URL.EscapedPath()
			if !strings.HasPrefix(p, "/gw/") || strings.Contains(p, ":0") {
				t.Errorf("path %q; want /gw prefix and the colon escaped", p)
			}
			authz := rec.req.Header.Get("Authorization")
			if !strings.Contains(authz, "/"+signingRegion+"/bedrock/aws4_request") {
				t.Errorf("Authorization %q is not scoped to %s/bedrock", authz, signingRegion)
			}
			if gotTok := rec.req.Header.Get("X-Amz-Security-Token"); gotTok != tt.session {
				t.Errorf("X-Amz-Security-Token = %q; want %q", gotTok, tt.session)
			}
			want := resign(t, rec, aws.Credentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret, SessionToken: tt.session})
			if authz != want {
				t.Errorf("Authorization = %q;\nre-signed by the SDK: %q", authz, want)
			}
		})
	}
}

func TestResolveAWSErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   map[string]string
		want  error
		words string
	}{
		{name: "no region", env: map[string]string{"AWS_REGION": ""}, want: ErrNoRegion, words: "AWS_REGION or --region"},
		{name: "no credentials", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, want: ErrNoCredentials, words: "no AWS credentials found"},
		{name: "unknown profile", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "nosuch"}, want: ErrNoCredentials, words: "nosuch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ResolveAWS(context.Background(), AWSOptions{Getenv: envOf(awsEnv(t, tt.env))})
			var ce *ConfigError
			if !errors.Is(err, tt.want) || !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.words) {
				t.Errorf("ResolveAWS() error = %v; want %v mentioning %q", err, tt.want, tt.words)
			}
		})
	}
}

func TestResolveAWSSharedProfile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	credFile := filepath.Join(dir, "credentials")
	content := "[dev]\naws_access_key_id = " + fakeKeyID + "\naws_secret_access_key = " + fakeSecret + "\n"
	if err := os.WriteFile(credFile, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	env := awsEnv(t, map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "dev", "AWS_SHARED_CREDENTIALS_FILE": credFile})
	c, err := ResolveAWS(context.Background(), AWSOptions{Getenv: envOf(env)})
	if err != nil {
		t.Fatalf("ResolveAWS: %v", err)
	}
	d := c.Describe()
	if d.Source != "shared profile dev" || d.Profile != "dev" || d.KeyID != "…WXYZ" || d.Region != signingRegion || d.Fingerprint != keys.Fingerprint(fakeSecret) {
		t.Errorf("Describe() = %+v", d)
	}
}
