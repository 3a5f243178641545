package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Fake cloud credentials for the signing tests.
const (
	testAWSKeyID   = "AKIAFAKESIGNTEST0ABC"
	testAWSSecret  = "fakeSigningSecretQ7zXv9Lm2Np4Rt6Yu8Wa1Sd3"
	testAWSSession = "fakeSigningSessionBb2Cc4Dd6Ee8Ff0Gg2Hh4Ii"
	testGToken     = "ya29.fakeSigningGoogleTokenKk1Ll3Mm5Nn7Oo9"
)

type received struct {
	r    *http.Request
	body []byte
}

// sendProbe resolves opts against env, sends the tiny request through the
// target's transport to a loopback recorder, and returns what arrived.
func sendProbe(t *testing.T, opts targetOptions, env map[string]string) (*resolvedTarget, received) {
	t.Helper()
	got := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{r.Clone(context.Background()), b}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	opts.BaseURL = srv.URL + "/gw"
	ios, _, _ := TestStreams(env)
	rt, err := opts.resolve(ios)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	req, err := rt.Target.NewMessageRequest(context.Background(), rt.Target.MessageBody())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt.Target.Transport(http.DefaultTransport)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return rt, <-got
}

// TestBedrockRequestSigned checks that the Bedrock probe goes to the
// rebased InvokeModel path with the model id escaped, and that its
// signature is the one the SDK's own signer computes for the bedrock
// service in the chosen region with the known credential.
func TestBedrockRequestSigned(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{
		"AWS_ACCESS_KEY_ID": testAWSKeyID, "AWS_SECRET_ACCESS_KEY": testAWSSecret, "AWS_SESSION_TOKEN": testAWSSession,
		"AWS_REGION": "us-west-2", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(dir, "c"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "k"),
	}
	_, got := sendProbe(t, targetOptions{Provider: "bedrock", Region: "ap-south-1"}, env)
	if want := "/gw/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke"; got.r.RequestURI != want {
		t.Errorf("request URI = %q; want %q", got.r.RequestURI, want)
	}
	auth := got.r.Header.Get("Authorization")
	if !strings.Contains(auth, "/ap-south-1/bedrock/aws4_request") {
		t.Fatalf("Authorization = %q; want a scope for ap-south-1/bedrock", auth)
	}
	if got.r.Header.Get("X-Amz-Security-Token") != testAWSSession {
		t.Error("the session token was not sent")
	}
	signedAt, err := time.Parse("20060102T150405Z", got.r.Header.Get("X-Amz-Date"))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := http.NewRequest(got.r.Method, "http://"+got.r.Host+got.r.RequestURI, strings.NewReader(string(got.body)))
	_, signed, _ := strings.Cut(auth, "SignedHeaders=")
	signed, _, _ = strings.Cut(signed, ",")
	for _, name := range strings.Split(signed, ";") {
		if name != "host" {
			again.Header.Set(name, got.r.Header.Get(name))
		}
	}
	sum := sha256.Sum256(got.body)
	creds := aws.Credentials{AccessKeyID: testAWSKeyID, SecretAccessKey: testAWSSecret, SessionToken: testAWSSession}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), "bedrock", "ap-south-1", signedAt); err != nil {
		t.Fatal(err)
	}
	if want := again.Header.Get("Authorization"); auth != want {
		t.Errorf("Authorization = %q\nwant the SDK's %q", auth, want)
	}
}

// TestVertexRequest checks the token and the rawPredict path for a
// regional and for the global location, and the host each would go to.
func TestVertexRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, region, host string
	}{
		{"regional", "us-east5", "us-east5-aiplatform.googleapis.com"},
		{"global", "global", "aiplatform.googleapis.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"GOOGLE_OAUTH_ACCESS_TOKEN": testGToken}
			opts := targetOptions{Provider: "vertex", Region: tt.region, Project: "my-proj", Model: "claude-haiku-4-5@20251001"}
			_, got := sendProbe(t, opts, env)
			want := "/gw/v1/projects/my-proj/locations/" + tt.region + "/publishers/anthropic/models/claude-haiku-4-5@20251001:rawPredict"
			if got.r.URL.Path != want {
				t.Errorf("path = %q; want %q", got.r.URL.Path, want)
			}
			if a := got.r.Header.Get("Authorization"); a != "Bearer "+testGToken {
				t.Errorf("Authorization = %q; want the token as a bearer", a)
			}
			if !strings.Contains(string(got.body), `"anthropic_version":"vertex-2023-10-16"`) {
				t.Errorf("body = %s; want vertex's anthropic_version", got.body)
			}
			ios, _, _ := TestStreams(env)
			opts.BaseURL = ""
			rt, err := opts.resolve(ios)
			if err != nil {
				t.Fatal(err)
			}
			if u, _ := url.Parse(rt.Target.ProbeURL); u.Host != tt.host {
				t.Errorf("host = %q; want %q", u.Host, tt.host)
			}
		})
	}
}
