package target

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/llm-probe/probe/prober/cloudauth"
	"github.com/llm-probe/probe/prober/provider"
)

// Cloud is a resolved cloud credential (cloudauth's AWS, Google or Foundry
// credentials): it authenticates every request through its transport, and
// describes itself without its secret.
type Cloud interface {
	Transport(base http.RoundTripper) http.RoundTripper
	Describe() cloudauth.Description
	// Secrets lists the credential text the requests carry (keys, tokens,
	// private keys), for the run's scrubber only. The list may grow as
	// tokens are fetched during the run; it must be safe to call at once
	// from several goroutines.
	Secrets() []string
}

// ErrNoListing means the provider has no cheap models listing to ask.
var ErrNoListing = errors.New("this provider has no models listing")

// Transport wraps base so that requests carry the target's cloud
// credential (SigV4, a bearer or a resource key); without one, base
// itself is returned, and the key travels in the request's headers.
func (t Target) Transport(base http.RoundTripper) http.RoundTripper {
	if t.Cloud == nil {
		return base
	}
	return t.Cloud.Transport(base)
}

// probeURL is where the tiny request goes: the cloud endpoint resolved
// for the region, project and model, or the API path under the base URL.
func (t Target) probeURL() string {
	if t.ProbeURL != "" {
		return t.ProbeURL
	}
	return t.endpoint(t.API().ProbePath)
}

// modelsURL is the models listing, or "" when the provider has none.
func (t Target) modelsURL() string {
	switch {
	case t.ModelsURL != "":
		return t.ModelsURL
	case t.API().Cloud != "":
		return ""
	}
	return t.endpoint(t.API().ModelsPath)
}

// cloudCurl is Curl for a cloud provider: curl signs SigV4 itself
// (--aws-sigv4), gcloud prints a Google token, and Foundry's key comes
// from its variable, so no secret is ever in the command.
func (t Target) cloudCurl() string {
	p := t.API()
	lines := []string{"curl -sS -i " + shellQuote(t.probeURL())}
	var region string
	if t.Cloud != nil {
		region = t.Cloud.Describe().Region
	}
	switch p.Cloud {
	case provider.CloudAWS:
		lines = append(lines, "--aws-sigv4 "+shellQuote("aws:amz:"+region+":"+cloudauth.BedrockSigningName),
			`--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"`, `-H "x-amz-security-token: $AWS_SESSION_TOKEN"`)
	case provider.CloudGoogle:
		lines = append(lines, `-H "authorization: Bearer $(gcloud auth print-access-token)"`)
	case provider.CloudAzure:
		lines = append(lines, fmt.Sprintf(`-H "%s: $%s"`, cloudauth.FoundryKeyHeader, p.Keys[0].Name))
	}
	for _, name := range sortedKeys(p.Headers) {
		lines = append(lines, "-H "+shellQuote(name+": "+p.Headers[name]))
	}
	for _, h := range t.Headers {
		lines = append(lines, "-H "+shellQuote(h.Name+": "+h.Shown()))
	}
	lines = append(lines, "-H 'content-type: application/json'", "-d "+shellQuote(string(t.MessageBody())))
	return strings.Join(lines, " \\\n  ")
}

// cloudInfo fills what Info shows of a cloud credential: its source,
// fingerprint and description (region, project, AWS key id's last four,
// profile), never the secret.
func (t Target) cloudInfo(info *Info) {
	d := t.Cloud.Describe()
	info.Key = "(" + d.Provider + " credential)"
	if d.KeyID != "" {
		info.Key = d.KeyID
	}
	info.KeyFingerprint = d.Fingerprint
	info.KeySource = d.Source
	info.Credential = d.String()
	info.Region = d.Region
	info.Project = d.Project
}
