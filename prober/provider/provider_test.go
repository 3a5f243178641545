package provider

import "testing"

func TestKeyKind(t *testing.T) {
	t.Parallel()
	if got := APIKey.String(); got != "x-api-key" {
		t.Errorf("APIKey.String() = %q; want x-api-key", got)
	}
	if got := AuthToken.String(); got != "authorization: Bearer" {
		t.Errorf("AuthToken.String() = %q; want authorization: Bearer", got)
	}
}
