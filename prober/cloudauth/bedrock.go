package cloudauth

import (
	"cmp"
	"context"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/llm-probe/probe/prober/keys"
)

// AWSOptions says where ResolveAWS looks. The zero value reads the process
// environment and the usual shared files, as the AWS CLI does.
type AWSOptions struct {
	// Getenv reads the environment; nil means os.Getenv. Tests pass a map so
	// that no real credential is ever read.
	Getenv func(string) string
	// Region is --region; it wins over AWS_REGION and the profile's region.
	Region string
	// Profile is --profile; it wins over AWS_PROFILE.
	Profile string
	// ConfigFiles and CredentialsFiles replace ~/.aws/config and
	// ~/.aws/credentials (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE).
	ConfigFiles      []string
	CredentialsFiles []string
	// DisableIMDS keeps the chain off the EC2 instance metadata service, as
	// AWS_EC2_METADATA_DISABLED=true does; tests set it so nothing leaves
	// the machine.
	DisableIMDS bool
	// Now is the signing clock; nil means time.Now.
	Now func() time.Time
}

// AWSCredentials is a resolved AWS credential and region for Bedrock.
type AWSCredentials struct {
	provider aws.CredentialsProvider
	region   string
	desc     Description
	now      func() time.Time
	secrets  secretList // for the scrubber (Secrets)
}

// ResolveAWS finds credentials and a region through the AWS SDK's default
// chain (environment, shared config and credentials files, SSO and
// assume-role profiles, container and instance roles) and retrieves the
// credential once, so that a missing or expired one is a *ConfigError
// before anything is sent to Bedrock.
func ResolveAWS(ctx context.Context, opts AWSOptions) (*AWSCredentials, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	profile := cmp.Or(opts.Profile, getenv("AWS_PROFILE"), getenv("AWS_DEFAULT_PROFILE"))
	loadOpts, envSecret := awsLoadOptions(opts, getenv, profile)
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, configErr(ErrNoCredentials, "cannot load the AWS configuration: %s", scrub(err.Error(), envSecret))
	}
	if cfg.Region == "" {
		return nil, configErr(ErrNoRegion, "no region: set AWS_REGION or --region (or region in the profile)")
	}
	if cfg.Credentials == nil {
		return nil, noAWSCredentials("")
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, noAWSCredentials(scrub(err.Error(), envSecret))
	}
	if profile == "" {
		profile = "default"
	}
	c := &AWSCredentials{
		provider: cfg.Credentials,
		region:   cfg.Region,
		now:      opts.Now,
		desc: Description{
			Provider:    "bedrock",
			Source:      awsSource(creds.Source, profile),
			KeyID:       lastFour(creds.AccessKeyID),
			Region:      cfg.Region,
			Fingerprint: keys.Fingerprint(creds.SecretAccessKey),
		},
	}
	c.secrets.add(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	if !strings.HasPrefix(c.desc.Source, "environment") {
		c.desc.Profile = profile
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// awsLoadOptions turns the injected environment into explicit options, so
// that what tests pass wins over the process environment. It also returns
// the secret read from the environment, for scrubbing messages.
func awsLoadOptions(opts AWSOptions, getenv func(string) string, profile string) ([]func(*config.LoadOptions) error, string) {
	var lo []func(*config.LoadOptions) error
	if r := cmp.Or(opts.Region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION")); r != "" {
		lo = append(lo, config.WithRegion(r))
	}
	if profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(profile))
	}
	if f := opts.ConfigFiles; f != nil {
		lo = append(lo, config.WithSharedConfigFiles(f))
	} else if p := getenv("AWS_CONFIG_FILE"); p != "" {
		lo = append(lo, config.WithSharedConfigFiles([]string{p}))
	}
	if f := opts.CredentialsFiles; f != nil {
		lo = append(lo, config.WithSharedCredentialsFiles(f))
	} else if p := getenv("AWS_SHARED_CREDENTIALS_FILE"); p != "" {
		lo = append(lo, config.WithSharedCredentialsFiles([]string{p}))
	}
	if opts.DisableIMDS || strings.EqualFold(getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		lo = append(lo, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	// The SDK would read these from the process environment too, but only
	// an explicit provider lets an injected environment win. As in the SDK,
	// keys in the environment outrank a profile.
	if id != "" && secret != "" {
		p := credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN"))
		p.Value.Source = config.CredentialsSourceName
		lo = append(lo, config.WithCredentialsProvider(p))
	}
	return lo, secret
}

func noAWSCredentials(reason string) *ConfigError {
	msg := "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login"
	if reason != "" {
		msg += " (" + reason + ")"
	}
	return configErr(ErrNoCredentials, "%s", msg)
}

// awsSource names where the SDK found the credential, in the user's words.
func awsSource(sdkSource, profile string) string {
	switch {
	case sdkSource == config.CredentialsSourceName:
		return "environment"
	case strings.HasPrefix(sdkSource, "SharedConfigCredentials"):
		return "shared profile " + profile
	case sdkSource == "SSOProvider":
		return "SSO profile " + profile
	case sdkSource == "AssumeRoleProvider":
		return "assume-role profile " + profile
	case sdkSource == "ProcessProvider":
		return "credential_process of profile " + profile
	case sdkSource == "LoginProvider":
		return "aws login profile " + profile
	case sdkSource == "WebIdentityCredentials":
		return "web identity token"
	case sdkSource == "EC2RoleProvider":
		return "instance metadata"
	case sdkSource == "CredentialsEndpointProvider":
		return "container credentials endpoint"
	}
	return "AWS SDK (" + sdkSource + ")"
}

// Region is the region requests are signed for.
func (c *AWSCredentials) Region() string { return c.region }

// Describe says what may be shown about the credential.
func (c *AWSCredentials) Describe() Description { return c.desc }

// String shows the description, so that %v and %+v never print the
// provider, which holds the secret.
func (c *AWSCredentials) String() string { return c.desc.String() }

// GoString does the same for %#v.
func (c *AWSCredentials) GoString() string {
	return "cloudauth.AWSCredentials{" + c.desc.String() + "}"
}
