package classify

import (
	"net/http"
	"testing"
)

// TestRequestIDFromProviderHeaders: the id headers come from the provider
// descriptors, in their order, and record the sources the run file and
// the reports know.
func TestRequestIDFromProviderHeaders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		header     http.Header
		id, source string
	}{
		{"anthropic", hdr("Request-Id", "req_1"), "req_1", IDFromRequestID},
		{"openai", hdr("X-Request-Id", "abc"), "abc", IDFromXRequestID},
		{"both: anthropic first", hdr("X-Request-Id", "abc", "Request-Id", "req_1"), "req_1", IDFromRequestID},
		{"cf-ray only", hdr("Cf-Ray", "8f-LHR"), "8f-LHR", IDFromCFRay},
		{"none", hdr(), "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if id, source := requestID(c.header, ""); id != c.id || source != c.source {
				t.Errorf("requestID(%v) = %q, %q; want %q, %q", c.header, id, source, c.id, c.source)
			}
		})
	}
}
