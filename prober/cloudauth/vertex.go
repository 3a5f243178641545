package cloudauth

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/credentials"
	"github.com/llm-probe/probe/prober/keys"
)

// CloudPlatformScope is the OAuth scope Vertex AI needs.
const CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

// GoogleOptions says where ResolveGoogle looks.
type GoogleOptions struct {
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Token is a ready access token from --key-file or --key-stdin; when
	// set, Application Default Credentials are not consulted.
	Token string
	// TokenFrom names where Token came from, for display ("--key-file").
	TokenFrom string
	// Project is --project; it wins over ANTHROPIC_VERTEX_PROJECT_ID.
	Project string
	// Region is --region (the Vertex location); it wins over CLOUD_ML_REGION.
	Region string
	// AllowMetadata lets resolution fall back on the GCE metadata server
	// when no ADC file exists. Tests leave it off so nothing leaves the host.
	AllowMetadata bool
	// TokenURL replaces Google's token endpoint (tests: a loopback server).
	TokenURL string
	// Client fetches tokens; nil means the library's default.
	Client *http.Client
}

// GoogleCredentials is a resolved Google credential, project and location
// for Vertex AI.
type GoogleCredentials struct {
	creds   *auth.Credentials // nil when a static token was given
	static  string
	project string
	region  string
	desc    Description
	secrets secretList // for the scrubber (Secrets)
}

// adcFile is the part of an ADC JSON file worth reading before the library
// parses it: the type picks the constructor, the rest feeds Describe.
type adcFile struct {
	Type           string `json:"type"`
	ProjectID      string `json:"project_id"`
	QuotaProjectID string `json:"quota_project_id"`
	ClientEmail    string `json:"client_email"`
	RefreshToken   string `json:"refresh_token"`
	PrivateKey     string `json:"private_key"`
}

// ResolveGoogle finds a token source (a static token, or Application Default
// Credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC file, and with
// AllowMetadata the GCE metadata server), a project and a location. No token
// is fetched here; a missing file, project or location is a *ConfigError.
func ResolveGoogle(opts GoogleOptions) (*GoogleCredentials, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	g := &GoogleCredentials{
		project: cmp.Or(opts.Project, getenv("ANTHROPIC_VERTEX_PROJECT_ID"), getenv("GOOGLE_CLOUD_PROJECT")),
		region:  cmp.Or(opts.Region, getenv("CLOUD_ML_REGION")),
		desc:    Description{Provider: "vertex"},
	}
	if opts.Token != "" {
		g.static = opts.Token
		g.secrets.add(opts.Token)
		g.desc.Source = cmp.Or(opts.TokenFrom, "access token")
		g.desc.Fingerprint = keys.Fingerprint(opts.Token)
	} else if err := g.loadADC(opts, getenv); err != nil {
		return nil, err
	}
	if g.region == "" {
		return nil, configErr(ErrNoRegion, "no region: set CLOUD_ML_REGION or --region (a Vertex location such as us-east5, or global)")
	}
	if g.project == "" {
		return nil, configErr(ErrNoProject, "no project: set ANTHROPIC_VERTEX_PROJECT_ID or --project")
	}
	g.desc.Region, g.desc.Project = g.region, g.project
	return g, nil
}

// loadADC reads the ADC file the way DetectDefault does, but through the
// injected environment, and builds the credential with the constructor for
// its declared type rather than trusting whatever the file holds.
func (g *GoogleCredentials) loadADC(opts GoogleOptions, getenv func(string) string) error {
	path, source := adcPath(getenv)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && source != "GOOGLE_APPLICATION_CREDENTIALS" {
		return g.loadMetadata(opts)
	}
	if err != nil {
		return configErr(ErrNoCredentials, "cannot read the Google credentials file named by %s: %v", source, errors.Unwrap(err))
	}
	var f adcFile
	if err := json.Unmarshal(b, &f); err != nil || f.Type == "" {
		return configErr(ErrNoCredentials, "the Google credentials file %s is not an ADC JSON file with a \"type\"", path)
	}
	detect := &credentials.DetectOptions{Scopes: []string{CloudPlatformScope}, TokenURL: opts.TokenURL, Client: opts.Client}
	creds, err := credentials.NewCredentialsFromJSON(credentials.CredType(f.Type), b, detect)
	if err != nil {
		return configErr(ErrNoCredentials, "the Google credentials file %s (type %s) cannot be used: %s",
			path, f.Type, scrub(err.Error(), f.RefreshToken, f.PrivateKey))
	}
	g.creds = creds
	g.secrets.add(f.RefreshToken, f.PrivateKey)
	g.desc.Source = "ADC file " + path + " (" + f.Type + ")"
	g.desc.KeyID = f.ClientEmail
	g.desc.Fingerprint = keys.Fingerprint(cmp.Or(f.RefreshToken, f.PrivateKey))
	g.project = cmp.Or(g.project, f.ProjectID, f.QuotaProjectID)
	return nil
}

// adcPath is GOOGLE_APPLICATION_CREDENTIALS, else gcloud's well-known file.
func adcPath(getenv func(string) string) (path, source string) {
	if p := getenv("GOOGLE_APPLICATION_CREDENTIALS"); p != "" {
		return p, "GOOGLE_APPLICATION_CREDENTIALS"
	}
	const name = "application_default_credentials.json"
	if d := getenv("CLOUDSDK_CONFIG"); d != "" {
		return filepath.Join(d, name), "CLOUDSDK_CONFIG"
	}
	if runtime.GOOS == "windows" {
		return filepath.Join(getenv("APPDATA"), "gcloud", name), "gcloud"
	}
	return filepath.Join(getenv("HOME"), ".config", "gcloud", name), "gcloud"
}

func (g *GoogleCredentials) loadMetadata(opts GoogleOptions) error {
	if !opts.AllowMetadata || !credentials.OnGCE() {
		return configErr(ErrNoCredentials, "no Google credentials found: run gcloud auth application-default login, set GOOGLE_APPLICATION_CREDENTIALS, or pass an access token with --key-file")
	}
	creds, err := credentials.DetectDefault(&credentials.DetectOptions{Scopes: []string{CloudPlatformScope}, Client: opts.Client})
	if err != nil {
		return configErr(ErrNoCredentials, "no Google credentials from the metadata server: %v", err)
	}
	g.creds = creds
	g.desc.Source = "GCE metadata server"
	return nil
}

// Region is the Vertex location.
func (g *GoogleCredentials) Region() string { return g.region }

// Project is the Google Cloud project.
func (g *GoogleCredentials) Project() string { return g.project }

// Describe says what may be shown about the credential.
func (g *GoogleCredentials) Describe() Description { return g.desc }

// String shows the description; %v and %+v never reach the token.
func (g *GoogleCredentials) String() string { return g.desc.String() }

// GoString does the same for %#v.
func (g *GoogleCredentials) GoString() string {
	return "cloudauth.GoogleCredentials{" + g.desc.String() + "}"
}

// Transport wraps base (nil means http.DefaultTransport) so that every
// request carries Authorization: Bearer with a current access token.
func (g *GoogleCredentials) Transport(base http.RoundTripper) http.RoundTripper {
	return &headerTransport{base: orDefault(base), headers: g.setToken}
}

func (g *GoogleCredentials) setToken(ctx context.Context, h http.Header) error {
	tok := g.static
	if g.creds != nil {
		t, err := g.creds.Token(ctx)
		if err != nil {
			// Token endpoint errors carry Google's reason (invalid_grant,
			// reauth required), which is the finding; scrub in case.
			return configErr(ErrNoCredentials, "getting a Google access token: %s", scrub(err.Error(), tokenValue(t)))
		}
		tok = t.Value
		g.secrets.add(tok) // before the request goes: its answer may echo it
	}
	if strings.ContainsAny(tok, "\r\n") {
		return fmt.Errorf("the Google access token spans several lines: put only the token in the file")
	}
	h.Set("Authorization", "Bearer "+tok)
	return nil
}

func tokenValue(t *auth.Token) string {
	if t == nil {
		return ""
	}
	return t.Value
}
