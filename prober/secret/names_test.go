package secret

import "testing"

func TestLooksSecretName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"Authorization", true},
		{"proxy-authorization", true},
		{"X-Api-Key", true},
		{"api-key", true},
		{"X-Credential", true},
		{"Bearer", true},
		{"Session", true},
		{"X-Amz-Signature", true},
		{"X-Amz-Security-Token", true},
		{"Cookie", true},
		{"X-DB-PASSWD", true},
		{"X-Client-Secret", true},
		{"X-Password", true},
		{"anthropic-version", false},
		{"User-Agent", false},
		{"Accept", false},
		{"X-Request-Id", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := LooksSecretName(tt.name); got != tt.want {
				t.Errorf("LooksSecretName(%q) = %v; want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestLooksSecretValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
		want        bool
	}{
		{"anthropic key", testKey, true},
		{"openai key", "sk-proj-abc", true},
		{"bearer", "Bearer abc", true},
		{"bearer lower case", "bearer abc", true},
		{"basic", "Basic dXNlcjpwYXNz", true},
		{"bare scheme", "Bearer", false},
		{"aws long-term id", "AKIAZZZZEXAMPLE00001", true},
		{"aws temporary id", "ASIAZZZZEXAMPLE00001", true},
		{"aws id too short", "AKIAZZZZEXAMPLE0000", false},
		{"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", true},
		{"hex 32", "9f86d081884c7d659a2feaa0c55ad015", true},
		{"base64 40", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1", true},
		{"long word", "ThisIsAPerfectlyOrdinaryHeaderValue", false},
		{"low entropy", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1", false},
		{"too short", "abc123DEF456", false},
		{"version", "2023-06-01", false},
		{"content type", "application/json", false},
		{"dotted version", "release-2024.01.15-build123", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := LooksSecretValue(tt.value); got != tt.want {
				t.Errorf("LooksSecretValue(%q) = %v; want %v", tt.value, got, tt.want)
			}
		})
	}
}
