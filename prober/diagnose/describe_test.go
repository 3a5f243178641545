package diagnose

import (
	"testing"

	"github.com/llm-probe/probe/prober/classify"
)

// TestDescribeKindEscapesOnce: messages are stored escaped, and a verdict
// shows them as stored, not escaped a second time.
func TestDescribeKindEscapesOnce(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, raw, want string }{
		{"newline", "denied\nby gateway", `403 permission_error "denied\nby gateway"`},
		{"escape", "a\x1b[31mb", `403 permission_error "a\u001b[31mb"`},
		{"bidi", "a\u202eb", `403 permission_error "a\u202eb"`},
		{"accent", "refusé", `403 permission_error "refusé"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			k := &FailureKind{Outcome: classify.OutcomePermission, Status: 403, ErrorType: "permission_error", Message: classify.Printable(c.raw, classify.MaxMessage)}
			if got := DescribeKind(k); got != c.want {
				t.Errorf("DescribeKind = %s; want %s", got, c.want)
			}
		})
	}
}
