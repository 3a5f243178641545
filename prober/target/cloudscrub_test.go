package target

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/llm-probe/probe/prober/cloudauth"
)

// growingCloud is a cloud credential whose secrets grow during a run, as a
// Google credential's do when it fetches an access token.
type growingCloud struct {
	mu   sync.Mutex
	list []string
}

func (g *growingCloud) Transport(base http.RoundTripper) http.RoundTripper { return base }
func (g *growingCloud) Describe() cloudauth.Description                    { return cloudauth.Description{} }
func (g *growingCloud) Secrets() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.list...)
}
func (g *growingCloud) fetch(tok string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.list = append(g.list, tok)
}

// TestScrubberFollowsCloudSecrets checks that the cloud credential's secrets
// are scrubbed, those known when the scrubber is built and those fetched
// after it.
func TestScrubberFollowsCloudSecrets(t *testing.T) {
	t.Parallel()
	const (
		static  = "fakeRefreshTokenPp2Qq4Rr6Ss8Tt0Uu2Vv4"
		fetched = "ya29.fakeFetchedTokenKk1Ll3Mm5Nn7Oo9Xx"
		later   = "ya29.fakeRefreshedTokenAa1Bb3Cc5Dd7Ee9"
	)
	cloud := &growingCloud{list: []string{static}}
	tg := Target{Cloud: cloud}.WithScrubber(nil)
	cloud.fetch(fetched)
	tests := []struct {
		name, secret string
		before       func()
	}{
		{"known when built", static, func() {}},
		{"fetched after", fetched, func() {}},
		{"fetched after a scrub", later, func() { cloud.fetch(later) }},
	}
	for _, tt := range tests { // in order: the last row needs the earlier scrubs
		t.Run(tt.name, func(t *testing.T) {
			tt.before()
			echo := "token " + tt.secret + " refused; id " + tt.secret[6:20]
			if got := tg.Scrubber.Scrub(echo); strings.Contains(got, tt.secret[8:16]) || strings.Contains(got, tt.secret[6:14]) {
				t.Errorf("Scrub kept part of the secret: %q", got)
			}
		})
	}
}
