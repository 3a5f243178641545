package keys

import (
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/llm-probe/probe/prober/provider"
)

// Status is the state of one layer or finding in `probe check`.
type Status string

// The states a layer of the walk can be in.
const (
	Passed     Status = "passed"
	Warned     Status = "warned"
	Failed     Status = "failed"
	NotReached Status = "not_reached"
)

// Finding is one observation of a check, with the fix when there is one.
type Finding struct {
	Status  Status `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// apiKeyLength is the length of an sk-ant-api03- key as the Console issues it.
const apiKeyLength = 108

// placeholders are texts left in configuration templates instead of a key.
var placeholders = []string{"your-key", "your_key", "your-api-key", "your_api_key", "yourkey", "api-key-here", "key-here", "changeme", "placeholder", "replace", "<", ">", "xxxx", "sk-ant-...", "sk-ant-xxx", "..."}

// InspectKey checks a key's shape locally, before anything is sent: where it
// came from, its prefix and length, stray whitespace, quotes and
// placeholders, and whether the two environment variables disagree. No
// message it returns contains the key.
func InspectKey(src KeySources) (Key, []Finding) {
	getenv := src.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	var fs []Finding
	p := src.Provider
	if p == nil {
		p = provider.Anthropic
	}
	apiKey, token := getenv("ANTHROPIC_API_KEY"), getenv("ANTHROPIC_AUTH_TOKEN")
	if p == provider.Anthropic && src.File == "" && !src.UseStdin && apiKey != "" && token != "" && strings.TrimSpace(apiKey) != strings.TrimSpace(token) {
		fs = append(fs, Finding{Failed,
			fmt.Sprintf("ANTHROPIC_API_KEY (%s) and ANTHROPIC_AUTH_TOKEN (%s) are both set and disagree: tools differ in which one they send", Redact(apiKey), Redact(token)),
			"unset the one you do not mean to use (API keys go in ANTHROPIC_API_KEY; OAuth tokens in ANTHROPIC_AUTH_TOKEN)"})
	}
	raw, source := rawKey(src, p, getenv)
	key, warnings, err := LoadKey(src)
	if err != nil {
		fix := fmt.Sprintf("export %s=… (copy it from the provider's console), or use --key-file FILE", p.Keys[0].Name)
		return Key{}, append(fs, Finding{Failed, err.Error(), fix})
	}
	from := "key from " + key.Source
	if key.Source == DemoSource {
		from = "the " + DemoSource // no key of the user's is in play
	}
	fs = append(fs, Finding{Passed, fmt.Sprintf("%s: %s (fingerprint %s), sent as %s", from, key.Redacted(), key.Fingerprint(), key.Kind), ""})
	if source == "" {
		// A key file's or stdin's warnings (mode, whitespace, CRLF) are
		// those ramp prints; an environment variable's whitespace is
		// covered below, with its fix.
		for _, w := range warnings {
			fs = append(fs, Finding{Warned, w, ""})
		}
	}
	fs = append(fs, shapeFindings(raw, source, key, p)...)
	return key, fs
}

// rawKey returns the key as its source holds it, before trimming, so the
// shape checks can see what an application reading the same source sees.
func rawKey(src KeySources, p *provider.Provider, getenv func(string) string) (string, string) {
	if src.UseStdin || src.File != "" {
		return "", "" // read once by LoadKey; its warnings cover whitespace
	}
	for _, env := range p.Keys {
		if v := getenv(env.Name); v != "" {
			return v, env.Name
		}
	}
	return "", ""
}

func shapeFindings(raw, source string, key Key, p *provider.Provider) []Finding {
	var fs []Finding
	k := key.Secret()
	if raw != "" && raw != k {
		what := "surrounding whitespace"
		if strings.HasSuffix(raw, "\n") || strings.HasSuffix(raw, "\r\n") {
			what = "a trailing newline"
		}
		fs = append(fs, Finding{Failed,
			fmt.Sprintf("%s has %s: many clients send it as is and the API rejects the key", source, what),
			fmt.Sprintf(`export %s="$(printf %%s "$%s" | tr -d '[:space:]')"`, source, source)})
	}
	if len(k) >= 2 && (k[0] == '"' && k[len(k)-1] == '"' || k[0] == '\'' && k[len(k)-1] == '\'') {
		fs = append(fs, Finding{Failed, "the key is wrapped in quotes, which become part of it", "remove the quotes around the value (in .env files too)"})
	}
	lower := strings.ToLower(k)
	for _, p := range placeholders {
		if strings.Contains(lower, p) {
			fs = append(fs, Finding{Failed, "the key looks like a placeholder from a template, not a real key", "replace it with a key from the Console (API keys page)"})
			break
		}
	}
	for _, r := range k {
		if unicode.IsSpace(r) || r > unicode.MaxASCII || !unicode.IsPrint(r) {
			fs = append(fs, Finding{Failed, "the key contains spaces, control or non-ASCII characters (a copy-paste accident?)", "copy the key again from the Console"})
			break
		}
	}
	if p != provider.Anthropic {
		return append(fs, foreignShape(k, p)...)
	}
	switch {
	case strings.HasPrefix(k, "sk-ant-admin"):
		fs = append(fs, Finding{Failed, "this is an Admin API key (sk-ant-admin…): it manages the organization and cannot call the Messages API", "create a regular API key (sk-ant-api03-…) in the Console"})
	case strings.HasPrefix(k, "sk-ant-oat") && key.Kind == provider.APIKey:
		fs = append(fs, Finding{Failed, "an OAuth token (sk-ant-oat…) is in ANTHROPIC_API_KEY: sent as x-api-key it is rejected", "put it in ANTHROPIC_AUTH_TOKEN, which is sent as authorization: Bearer"})
	case strings.HasPrefix(k, "sk-ant-api03-"):
		if len(k) != apiKeyLength {
			fs = append(fs, Finding{Warned, fmt.Sprintf("the key is %d characters long where Console keys are %d: cut short or run together when copied?", len(k), apiKeyLength), "copy the key again from the Console"})
		}
	case strings.HasPrefix(k, "sk-ant-"):
	default:
		fs = append(fs, Finding{Warned, "the key does not start with sk-ant-: fine for a gateway with its own keys, wrong for api.anthropic.com", ""})
	}
	return fs
}

// foreignShape checks a key for a provider other than Anthropic: the wrong
// provider's key is the usual mix-up.
func foreignShape(k string, p *provider.Provider) []Finding {
	switch {
	case strings.HasPrefix(k, "sk-ant-"):
		return []Finding{{Failed, fmt.Sprintf("this is an Anthropic key (sk-ant-…), but the provider is %s", p.Name), fmt.Sprintf("use a %s key, or --provider anthropic", p.Name)}}
	case strings.HasPrefix(k, "sk-admin-"):
		return []Finding{{Failed, "this is an admin key (sk-admin-…): it manages the organization and cannot call the API", "create a project API key"}}
	case !strings.HasPrefix(k, "sk-"):
		return []Finding{{Warned, "the key does not start with sk-: fine for a gateway with its own keys", ""}}
	}
	return nil
}
