package cloudauth

import (
	"cmp"
	"context"
	"net/http"
	"os"
	"strings"

	"github.com/llm-probe/probe/prober/keys"
)

// FoundryKeyHeader carries a Foundry resource key. Anthropic's page "Claude
// in Microsoft Foundry" (platform.claude.com/docs/en/build-with-claude/
// claude-in-microsoft-foundry, Authentication) says to send the key "in the
// api-key or x-api-key header": both are accepted. api-key is Azure's own
// convention and what Anthropic's Foundry SDKs send; Microsoft's REST
// example uses x-api-key. One header is sent, never both, so a refusal
// names one.
const FoundryKeyHeader = "api-key"

// FoundryOptions says where ResolveFoundry looks.
type FoundryOptions struct {
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Key is a resource key from --key-file or --key-stdin; it wins over
	// ANTHROPIC_FOUNDRY_API_KEY.
	Key string
	// KeyFrom names where Key came from, for display.
	KeyFrom string
	// EntraToken is a Microsoft Entra ID access token (for example from
	// az account get-access-token --resource https://ai.azure.com), sent as
	// a bearer instead of a key.
	EntraToken string
	// Resource is the resource name; BaseURL a full base such as
	// https://my-resource.services.ai.azure.com/anthropic. Either may come
	// from ANTHROPIC_FOUNDRY_RESOURCE or ANTHROPIC_FOUNDRY_BASE_URL.
	Resource string
	BaseURL  string
}

// FoundryCredentials is a resolved Foundry key or Entra token and endpoint.
type FoundryCredentials struct {
	key, bearer string
	messages    string
	desc        Description
	secrets     secretList // for the scrubber (Secrets)
}

// ResolveFoundry finds the key or Entra token and the resource. A missing
// one is a *ConfigError.
func ResolveFoundry(opts FoundryOptions) (*FoundryCredentials, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	f := &FoundryCredentials{desc: Description{Provider: "foundry"}}
	switch {
	case opts.EntraToken != "":
		f.bearer, f.desc.Source = opts.EntraToken, "Entra ID token"
	case opts.Key != "":
		f.key, f.desc.Source = opts.Key, cmp.Or(opts.KeyFrom, "key")
	case getenv("ANTHROPIC_FOUNDRY_API_KEY") != "":
		f.key, f.desc.Source = getenv("ANTHROPIC_FOUNDRY_API_KEY"), "ANTHROPIC_FOUNDRY_API_KEY"
	default:
		return nil, configErr(ErrNoCredentials, "no Foundry credential: set ANTHROPIC_FOUNDRY_API_KEY, pass the key with --key-file, or give an Entra ID token")
	}
	f.desc.Fingerprint = keys.Fingerprint(f.key + f.bearer)
	if strings.ContainsAny(f.key+f.bearer, "\r\n") {
		return nil, configErr(ErrNoCredentials, "the Foundry credential from %s spans several lines: put only the key in it", f.desc.Source)
	}
	where := cmp.Or(opts.BaseURL, opts.Resource, getenv("ANTHROPIC_FOUNDRY_BASE_URL"), getenv("ANTHROPIC_FOUNDRY_RESOURCE"))
	if where == "" {
		return nil, configErr(ErrNoProject, "no Foundry resource: set ANTHROPIC_FOUNDRY_RESOURCE or ANTHROPIC_FOUNDRY_BASE_URL")
	}
	f.secrets.add(f.key, f.bearer)
	f.messages = FoundryMessagesURL(where)
	f.desc.Project = redactURL(where)
	return f, nil
}

// MessagesURL is the resource's Messages endpoint.
func (f *FoundryCredentials) MessagesURL() string { return f.messages }

// Describe says what may be shown about the credential.
func (f *FoundryCredentials) Describe() Description { return f.desc }

// String shows the description; %v and %+v never reach the key.
func (f *FoundryCredentials) String() string { return f.desc.String() }

// GoString does the same for %#v.
func (f *FoundryCredentials) GoString() string {
	return "cloudauth.FoundryCredentials{" + f.desc.String() + "}"
}

// Transport wraps base (nil means http.DefaultTransport) so that every
// request carries the key header or the Entra bearer.
func (f *FoundryCredentials) Transport(base http.RoundTripper) http.RoundTripper {
	return &headerTransport{base: orDefault(base), headers: func(_ context.Context, h http.Header) error {
		if f.bearer != "" {
			h.Set("Authorization", "Bearer "+f.bearer)
			return nil
		}
		h.Set(FoundryKeyHeader, f.key)
		return nil
	}}
}
