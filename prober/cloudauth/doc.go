// Package cloudauth resolves credentials and endpoints for Claude on Amazon
// Bedrock, Google Vertex AI and Microsoft Foundry.
//
// Each cloud has a resolver (ResolveAWS, ResolveGoogle, ResolveFoundry) that
// finds a credential without sending anything, and returns a value whose
// Transport method wraps a base http.RoundTripper so that every request is
// authenticated: SigV4 for Bedrock, a bearer token for Vertex, the key header
// or an Entra bearer for Foundry. A missing credential, region or project is
// a *ConfigError, which the command reports as a local finding with nothing
// sent. Describe gives what may be shown; no secret ever reaches a string,
// an error or a %+v.
package cloudauth
