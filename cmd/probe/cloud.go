package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/llm-probe/probe/prober/cloudauth"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/target"
)

// cloudDemoEnv are what the simulated clouds are probed with when the user
// has no credential: like demoKeys, shaped like the real thing and no
// secret. Region and project fill in only what the user left unset.
var cloudDemoEnv = map[string]map[string]string{
	"bedrock": {
		"AWS_ACCESS_KEY_ID":     "AKIASIMULATEDDEMO0AA",
		"AWS_SECRET_ACCESS_KEY": "SIMULATED-demo-secret-not-a-secret-000000",
	},
	"vertex":  {"GOOGLE_OAUTH_ACCESS_TOKEN": "ya29.SIMULATED-demo-token-not-a-secret-0000"},
	"foundry": {"ANTHROPIC_FOUNDRY_API_KEY": "SIMULATED-demo-foundry-key-not-a-secret-00"},
}

// cloudDemoPlace are the region, project and resource a simulated cloud is
// probed in when none is configured.
var cloudDemoPlace = map[string]string{
	"AWS_REGION":                  "us-east-1",
	"CLOUD_ML_REGION":             "us-east5",
	"ANTHROPIC_VERTEX_PROJECT_ID": "demo-project",
	"ANTHROPIC_FOUNDRY_RESOURCE":  "demo-resource",
}

// cloudProviderFromEnv is the provider Claude Code's backend switches name.
func cloudProviderFromEnv(getenv func(string) string) *provider.Provider {
	for _, s := range []struct {
		env string
		p   *provider.Provider
	}{{"CLAUDE_CODE_USE_BEDROCK", provider.Bedrock}, {"CLAUDE_CODE_USE_VERTEX", provider.Vertex}, {"CLAUDE_CODE_USE_FOUNDRY", provider.Foundry}} {
		if v := getenv(s.env); v != "" && v != "0" && v != "false" {
			return s.p
		}
	}
	return nil
}

// cloudGetenv is the environment a cloud credential is resolved from: the
// user's, with the demo credential and place filled in for a scenario
// when the user has none.
func cloudGetenv(o *targetOptions, getenv func(string) string, p *provider.Provider) func(string) string {
	if o.Scenario == "" || o.KeyFile != "" || o.KeyStdin {
		return getenv
	}
	demo := cloudDemoEnv[p.Name]
	own := false
	for k := range demo {
		own = own || getenv(k) != ""
	}
	return func(name string) string {
		if v, ok := demo[name]; ok && !own {
			return v
		}
		if v := getenv(name); v != "" {
			return v
		}
		return cloudDemoPlace[name]
	}
}

// resolveCloud finds the cloud credential and the endpoints of rt's
// target. base, when not empty, is --base-url or the simulated API, onto
// which the endpoints are moved. A missing credential, region or project
// is returned as a *cloudauth.ConfigError with nothing sent.
func (o *targetOptions) resolveCloud(ctx context.Context, ios *IOStreams, rt *resolvedTarget, base string) error {
	p := rt.Target.API()
	getenv := cloudGetenv(o, ios.Getenv, p)
	secret, from, err := o.cloudSecret(ios, rt, getenv)
	if err != nil {
		return err
	}
	var probe, models string
	switch p {
	case provider.Bedrock:
		c, err := cloudauth.ResolveAWS(ctx, cloudauth.AWSOptions{Getenv: getenv, Region: o.Region, Profile: o.Profile, DisableIMDS: o.Scenario != ""})
		if err != nil {
			return err
		}
		rt.Target.Cloud = c
		probe, models = cloudauth.BedrockInvokeURL(c.Region(), rt.Target.Model), cloudauth.BedrockModelsURL(c.Region())
	case provider.Vertex:
		c, err := cloudauth.ResolveGoogle(cloudauth.GoogleOptions{Getenv: getenv, Token: secret, TokenFrom: from, Project: o.Project, Region: o.Region, AllowMetadata: o.Scenario == ""})
		if err != nil {
			return err
		}
		rt.Target.Cloud = c
		probe = cloudauth.VertexRawPredictURL(c.Region(), c.Project(), rt.Target.Model)
	case provider.Foundry:
		// Foundry's base URL is the resource's own: --base-url replaces it
		// whole rather than being rebased onto.
		fb := base
		if fb != "" && o.Scenario != "" {
			fb += "/anthropic"
		}
		c, err := cloudauth.ResolveFoundry(cloudauth.FoundryOptions{Getenv: getenv, Key: secret, KeyFrom: from, BaseURL: fb, Resource: o.Project})
		if err != nil {
			return err
		}
		rt.Target.Cloud = c
		probe, base = c.MessagesURL(), ""
	}
	return rt.setCloudURLs(probe, models, base)
}

// cloudSecret reads a Vertex token or a Foundry key from --key-file,
// --key-stdin or the provider's variable, with the checks keys.LoadKey
// makes (file mode, whitespace). Bedrock takes the SDK's chain instead.
func (o *targetOptions) cloudSecret(_ *IOStreams, rt *resolvedTarget, getenv func(string) string) (secret, from string, err error) {
	p := rt.Target.API()
	if p == provider.Bedrock || (!o.KeyStdin && o.KeyFile == "" && getenv(p.Keys[0].Name) == "") {
		return "", "", nil
	}
	src := rt.Keys
	src.Getenv = getenv
	k, warnings, err := keys.LoadKey(src)
	if err != nil {
		return "", "", usageError{err}
	}
	rt.Warnings = append(rt.Warnings, warnings...)
	return k.Secret(), k.Source, nil
}

// setCloudURLs sets the target's endpoints, moved onto base when given,
// and its base URL (the endpoint's origin otherwise), which the check's
// route step dials and the limits are chosen by.
func (rt *resolvedTarget) setCloudURLs(probe, models, base string) error {
	var err error
	if base != "" {
		if probe, err = cloudauth.Rebase(base, probe); err != nil {
			return usageError{err}
		}
		if models != "" {
			if models, err = cloudauth.Rebase(base, models); err != nil {
				return usageError{err}
			}
		}
	}
	rt.Target.ProbeURL, rt.Target.ModelsURL = probe, models
	root := base
	if root == "" {
		u, err := url.Parse(probe)
		if err != nil {
			return fmt.Errorf("cloud endpoint: %v", err)
		}
		root = u.Scheme + "://" + u.Host
	}
	b, err := target.ParseBaseURL(root)
	if err != nil {
		return usageError{err}
	}
	rt.Target.BaseURL = b
	rt.Limits = target.LimitsFor(b)
	return nil
}

// isConfigError reports whether err is a local finding about the cloud
// configuration (no credential, region or project).
func isConfigError(err error) bool {
	var ce *cloudauth.ConfigError
	return errors.As(err, &ce)
}

// cloudTimeout bounds resolving a cloud credential, which may refresh an
// SSO token or ask the metadata server.
const cloudTimeout = 30 * time.Second

// cloudRoute resolves a cloud provider's credential and endpoints, moved
// onto raw when that is --base-url or the simulated API. A configuration
// finding is kept in rt.CloudErr; only other errors are returned.
func (o *targetOptions) cloudRoute(ios *IOStreams, rt *resolvedTarget, raw string) error {
	override := ""
	if o.Scenario != "" || o.BaseURL != "" {
		override = raw
	}
	ctx, cancel := context.WithTimeout(context.Background(), cloudTimeout)
	defer cancel()
	err := o.resolveCloud(ctx, ios, rt, override)
	if isConfigError(err) {
		rt.CloudErr, err = err, nil
	}
	return err
}
