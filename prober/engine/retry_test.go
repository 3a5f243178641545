package engine

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	cases := []struct {
		name   string
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{"none", hdr(), 0, false},
		{"seconds", hdr("Retry-After", "3"), 3 * time.Second, true},
		{"zero", hdr("Retry-After", "0"), 0, true},
		{"fractional seconds", hdr("Retry-After", "1.5"), 1500 * time.Millisecond, true},
		{"spaces", hdr("Retry-After", " 2 "), 2 * time.Second, true},
		{"HTTP date", hdr("Retry-After", date(90*time.Second)), 90 * time.Second, true},
		{"HTTP date in the past", hdr("Retry-After", date(-time.Hour)), 0, true},
		{"HTTP date far ahead", hdr("Retry-After", date(30*24*time.Hour)), 24 * time.Hour, true},
		{"milliseconds", hdr("Retry-After-Ms", "200"), 200 * time.Millisecond, true},
		{"fractional milliseconds", hdr("Retry-After-Ms", "0.5"), 500 * time.Microsecond, true},
		{"milliseconds win over seconds", hdr("Retry-After-Ms", "250", "Retry-After", "9"), 250 * time.Millisecond, true},
		{"bad milliseconds fall back to seconds", hdr("Retry-After-Ms", "soon", "Retry-After", "2"), 2 * time.Second, true},
		{"negative milliseconds fall back", hdr("Retry-After-Ms", "-5", "Retry-After", "1"), time.Second, true},
		{"garbage", hdr("Retry-After", "soon"), 0, false},
		{"negative", hdr("Retry-After", "-1"), 0, false},
		{"NaN", hdr("Retry-After", "NaN"), 0, false},
		{"empty", hdr("Retry-After", " "), 0, false},
		{"huge seconds", hdr("Retry-After", "99999999999"), 24 * time.Hour, true},
		{"infinite seconds", hdr("Retry-After", "Inf"), 24 * time.Hour, true},
		{"huge milliseconds", hdr("Retry-After-Ms", "1e15"), 24 * time.Hour, true},
		{"NaN milliseconds alone", hdr("Retry-After-Ms", "NaN"), 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseRetryAfter(c.header, now)
			if got != c.want || ok != c.ok {
				t.Errorf("parseRetryAfter(%v) = %v, %v; want %v, %v", c.header, got, ok, c.want, c.ok)
			}
		})
	}
}
