package cloudauth

import (
	"context"
	"slices"
	"testing"
)

// TestCredentialSecrets checks that each credential lists every secret its
// requests carry, for the run's scrubber.
func TestCredentialSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		resolve func(t *testing.T) interface{ Secrets() []string }
		want    []string
	}{
		{"aws keys and session token", func(t *testing.T) interface{ Secrets() []string } {
			c, err := ResolveAWS(context.Background(), AWSOptions{Getenv: envOf(awsEnv(t, map[string]string{"AWS_SESSION_TOKEN": fakeSession}))})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, []string{fakeKeyID, fakeSecret, fakeSession}},
		{"google static token", func(t *testing.T) interface{ Secrets() []string } {
			g, err := ResolveGoogle(GoogleOptions{Getenv: envOf(nil), Token: fakeGToken, Project: "p", Region: "global"})
			if err != nil {
				t.Fatal(err)
			}
			return g
		}, []string{fakeGToken}},
		{"foundry key", func(t *testing.T) interface{ Secrets() []string } {
			f, err := ResolveFoundry(FoundryOptions{Getenv: envOf(nil), Key: fakeFoundry, Resource: "res"})
			if err != nil {
				t.Fatal(err)
			}
			return f
		}, []string{fakeFoundry}},
		{"foundry entra token", func(t *testing.T) interface{ Secrets() []string } {
			f, err := ResolveFoundry(FoundryOptions{Getenv: envOf(nil), EntraToken: fakeEntra, Resource: "res"})
			if err != nil {
				t.Fatal(err)
			}
			return f
		}, []string{fakeEntra}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.resolve(t).Secrets()
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("Secrets() lacks a secret of %d characters (has %d)", len(w), len(got))
				}
			}
		})
	}
}
