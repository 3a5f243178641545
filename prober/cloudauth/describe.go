package cloudauth

import (
	"errors"
	"fmt"
	"strings"
)

// Description is what may be shown about a resolved credential: where it
// came from and which one it is, never the secret itself.
type Description struct {
	// Provider is "bedrock", "vertex" or "foundry".
	Provider string
	// Source says where the credential came from: "environment",
	// "shared profile dev", "SSO profile dev", "ADC file /path", "--key-file".
	Source string
	// Profile is the AWS profile name, empty elsewhere.
	Profile string
	// KeyID is the last four characters of the AWS access key id, or the
	// Google service account's e-mail; empty when there is none.
	KeyID string
	// Region is the AWS region or the Vertex location.
	Region string
	// Project is the Google Cloud project, or the Foundry resource or base URL.
	Project string
	// Fingerprint is the first 8 hex digits of the SHA-256 of the secret.
	Fingerprint string
}

// String renders the description on one line for the check walk.
func (d Description) String() string {
	parts := []string{d.Provider + " credential from " + d.Source}
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, label+" "+v)
		}
	}
	add("profile", d.Profile)
	add("key", d.KeyID)
	add("region", d.Region)
	add("project", d.Project)
	add("fingerprint", d.Fingerprint)
	return strings.Join(parts, ", ")
}

// lastFour shows the end of a public identifier such as an access key id.
func lastFour(id string) string {
	if len(id) < 8 {
		return ""
	}
	return "…" + id[len(id)-4:]
}

// Sentinels a *ConfigError matches with errors.Is.
var (
	// ErrNoCredentials means no credential was found.
	ErrNoCredentials = errors.New("no credentials")
	// ErrNoRegion means no region or location was given or configured.
	ErrNoRegion = errors.New("no region")
	// ErrNoProject means no Google Cloud project or Foundry resource was given.
	ErrNoProject = errors.New("no project")
)

// ConfigError is a local finding: something the request needs is missing or
// unusable, so nothing was sent. Its message never holds a secret.
type ConfigError struct {
	// Missing is ErrNoCredentials, ErrNoRegion or ErrNoProject.
	Missing error
	// Msg is the one-line message with the fix.
	Msg string
}

// Error returns the message.
func (e *ConfigError) Error() string { return e.Msg }

// Is lets errors.Is(err, ErrNoRegion) and the like match.
func (e *ConfigError) Is(target error) bool { return target == e.Missing }

func configErr(missing error, format string, args ...any) *ConfigError {
	return &ConfigError{Missing: missing, Msg: fmt.Sprintf(format, args...)}
}

// scrub removes every given secret from s, for messages built from library
// errors that were never meant to be shown next to credentials.
func scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
