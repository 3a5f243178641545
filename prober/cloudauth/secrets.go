package cloudauth

import (
	"slices"
	"sync"
)

// secretList is the credential text a provider's requests have carried,
// kept for the run's scrubber only: never shown, never stored. It only
// grows, so that a scrubber can tell a new secret by the list's length.
type secretList struct {
	mu   sync.Mutex
	list []string
}

// add records each non-empty value not yet listed.
func (l *secretList) add(vs ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range vs {
		if v != "" && !slices.Contains(l.list, v) {
			l.list = append(l.list, v)
		}
	}
}

// all returns a copy of the list.
func (l *secretList) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.list)
}

// Secrets returns the AWS access key id, secret access key and session
// token the requests carry (each refreshed one too), for the run's secret
// scrubber only: nothing else may show or store them.
func (c *AWSCredentials) Secrets() []string { return c.secrets.all() }

// Secrets returns the Google static access token, the ADC file's refresh
// token or private key, and every access token fetched so far, for the
// run's secret scrubber only: nothing else may show or store them.
func (g *GoogleCredentials) Secrets() []string { return g.secrets.all() }

// Secrets returns the Foundry key or Entra ID token, for the run's secret
// scrubber only: nothing else may show or store it.
func (f *FoundryCredentials) Secrets() []string { return f.secrets.all() }
