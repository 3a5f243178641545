// Package provider describes the LLM APIs probe knows: one Provider value
// per API, saying how a key is found and sent, which request is the tiny
// probe, where the models list is, and which answer headers carry the
// request id, the organization and the rate-limit state. It is the one
// source of truth for those facts; everything else reads them from here.
//
// It imports nothing from probe.
//
// # Adding a provider
//
//  1. Create provider_NAME.go declaring `var NAME = &Provider{...}`: its
//     default base URL and model, the environment variables holding a key
//     (and whether each is sent as x-api-key or as a Bearer token), the
//     base-URL variable, the probe and models paths, the tiny body, fixed
//     headers, and the answer headers carrying the request id, the
//     organization and rate limits.
//  2. Register it in provider.go's init, so --provider and Infer know it.
//  3. If its errors carry codes whose meaning the status does not (as
//     OpenAI's 429 insufficient_quota is billing, not a rate limit), add
//     them to openAICodes in package classify (the map is shared: codes do
//     not collide between providers).
//  4. Add its scenarios in package scenarios (see scenarios/openai.go), so
//     `probe ramp --provider NAME --scenario ...` and the CLI test suites
//     exercise it; the suites loop over every provider's catalogue.
//
// The engine, the verdicts, the run file and the reports need no change.
package provider
