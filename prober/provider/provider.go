package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Provider is everything that differs between LLM APIs for probing them: how
// a key is found and sent, which request is the tiny probe, where the models
// list is, which headers carry the request id, the organization and the
// rate-limit state. The engine, classifier, verdicts and reports work on any
// provider; adding one is one file declaring a Provider and registering it in
// providers, plus its scenarios in package scenarios.
type Provider struct {
	// Name is what --provider takes.
	Name string
	// Title names the API for people, as a support ticket does.
	Title          string
	DefaultBaseURL string
	DefaultModel   string
	// BaseURLEnv overrides DefaultBaseURL, as the provider's SDKs read it.
	BaseURLEnv string
	// Keys are the environment variables that may hold a credential, in
	// order of preference, each with how it is sent.
	Keys []KeyEnv
	// ProbePath is the tiny request's path, ModelsPath the models list's.
	ProbePath  string
	ModelsPath string
	// Body builds the tiny request's JSON body for a model.
	Body func(model string) []byte
	// Headers are fixed headers every request carries (an API version).
	Headers map[string]string
	// IDHeader is the answer header support asks for.
	IDHeader string
	// OrgHeader is the answer header naming the organization.
	OrgHeader string
	// RateLimitPrefix starts the headers that report rate-limit state.
	RateLimitPrefix string
	// Hosts are the provider's public API hosts, to infer it from a base URL.
	Hosts []string
	// Cloud names the cloud whose credentials authenticate the requests:
	// CloudAWS (SigV4), CloudGoogle (an OAuth bearer) or CloudAzure (a
	// resource key or an Entra bearer). Empty for APIs with keys of their
	// own, which Keys describes.
	Cloud string
}

// The clouds a Provider's Cloud may name.
const (
	CloudAWS    = "aws"
	CloudGoogle = "google"
	CloudAzure  = "azure"
)

// KeyEnv is an environment variable that may hold a key, and how it is sent.
type KeyEnv struct {
	Name string
	Kind KeyKind
}

// Anthropic is the Anthropic Messages API.
var Anthropic = &Provider{
	Name:            "anthropic",
	Title:           "Anthropic API",
	DefaultBaseURL:  DefaultBaseURL,
	DefaultModel:    DefaultModel,
	BaseURLEnv:      "ANTHROPIC_BASE_URL",
	Keys:            []KeyEnv{{"ANTHROPIC_API_KEY", APIKey}, {"ANTHROPIC_AUTH_TOKEN", AuthToken}},
	ProbePath:       "/v1/messages",
	ModelsPath:      "/v1/models",
	Body:            tinyBody,
	Headers:         map[string]string{"anthropic-version": apiVersion},
	IDHeader:        "request-id",
	OrgHeader:       "anthropic-organization-id",
	RateLimitPrefix: "anthropic-ratelimit-",
	Hosts:           []string{"api.anthropic.com"},
}

// tinyBody is the smallest chat request both APIs accept: one user turn,
// "hi", and one token of answer.
func tinyBody(model string) []byte {
	b, _ := json.Marshal(messageBody{
		Model:     model,
		MaxTokens: 1,
		Messages:  []messageTurn{{Role: "user", Content: "hi"}},
	})
	return b
}

// providers are the known providers by name.
var providers = map[string]*Provider{}

func register(p *Provider) { providers[p.Name] = p }

func init() {
	register(Anthropic)
	register(OpenAI)
	register(Bedrock)
	register(Vertex)
	register(Foundry)
}

// All returns the known providers, sorted by name: the order in which
// their answer headers are looked for.
func All() []*Provider {
	all := make([]*Provider, 0, len(providers))
	for _, n := range Names() {
		all = append(all, providers[n])
	}
	return all
}

// ForRun returns the provider a run file names, Anthropic when it names
// none (files written before providers were recorded) or one this build
// does not know.
func ForRun(name string) *Provider {
	if p, ok := providers[name]; ok {
		return p
	}
	return Anthropic
}

// Names lists the known providers, sorted.
func Names() []string {
	return slices.Sorted(maps.Keys(providers))
}

// ByName returns the provider --provider names.
func ByName(name string) (*Provider, error) {
	if p, ok := providers[strings.ToLower(strings.TrimSpace(name))]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("unknown provider %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Infer names the provider whose public host base is, or nil when
// the host says nothing (a gateway, loopback).
func Infer(base *url.URL) *Provider {
	host := strings.ToLower(strings.TrimSuffix(base.Hostname(), "."))
	for _, n := range Names() {
		for _, h := range providers[n].Hosts {
			if host == h || strings.HasSuffix(host, "."+h) {
				return providers[n]
			}
		}
	}
	return nil
}

// KeyEnvNames lists the provider's key variables, for messages.
func (p *Provider) KeyEnvNames() string {
	names := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		names[i] = k.Name
	}
	return strings.Join(names, " or ")
}

// KeyKind says how a credential is presented to the API.
type KeyKind int

const (
	// APIKey is sent as the x-api-key header (ANTHROPIC_API_KEY).
	APIKey KeyKind = iota
	// AuthToken is sent as "authorization: Bearer ..." (ANTHROPIC_AUTH_TOKEN, OAuth tokens).
	AuthToken
)

// String names the header the kind travels in.
func (k KeyKind) String() string {
	if k == AuthToken {
		return "authorization: Bearer"
	}
	return "x-api-key"
}

const (
	// DefaultBaseURL is the Anthropic API.
	DefaultBaseURL = "https://api.anthropic.com"
	// DefaultModel is probed when no --model is given.
	DefaultModel = "claude-sonnet-4-5"
	// apiVersion is the anthropic-version header every request carries.
	apiVersion = "2023-06-01"
)

// messageBody is the smallest request the Messages API accepts.
type messageBody struct {
	Model     string        `json:"model"`
	MaxTokens int           `json:"max_tokens"`
	Messages  []messageTurn `json:"messages"`
}

type messageTurn struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}
