// Package prober sends tiny requests to an LLM API, records every answer and
// decides which layer failed. It is probe's engine, like vegeta's lib/.
//
// The pieces, in the order a run uses them:
//
//   - Target and Provider (target.go, provider*.go): where to send, with
//     which model, key and headers, and how the provider wants it.
//   - Key and LoadKey (key.go, keysource.go): credentials that print only
//     in redacted form (sk-ant-api03-Ab…xyz9) and as a fingerprint.
//   - Engine (engine.go): steps of concurrency, one pacer feeding a bounded
//     set of workers, httptrace timings, retry-after pauses, early stop,
//     budget; every answer becomes a Record streamed to the run file
//     (runfile.go) as it completes.
//   - Classify (classify.go): an answer becomes an Outcome (ok, auth,
//     permission, forbidden-edge, challenge, proxy-page, rate-limit, ...).
//   - Summary and Decide (summary.go, verdict.go): a constant-size digest
//     of a run, and the Verdict with its statistics (package stats).
//   - Checker (check.go, keycheck.go): the layer walk of `probe check`.
//   - Compare and LoadRun (compare.go, load.go): runs read back from files.
//
// # Adding a provider
//
// A provider is one small value of type Provider. To add a third one:
//
//  1. Create provider_NAME.go declaring `var NAME = &Provider{...}`: its
//     default base URL and model, the environment variables holding a key
//     (and whether each is sent as x-api-key or as a Bearer token), the
//     base-URL variable, the probe and models paths, the tiny body, fixed
//     headers, and the answer headers carrying the request id, the
//     organization and rate limits.
//  2. Register it in provider.go's init, so --provider and InferProvider
//     know it.
//  3. If its errors carry codes whose meaning the status does not (as
//     OpenAI's 429 insufficient_quota is billing, not a rate limit), add
//     them to openAICodes in classify.go (the map is shared: codes do not
//     collide between providers).
//  4. Add its scenarios in package scenarios (see scenarios/openai.go), so
//     `probe ramp --provider NAME --scenario ...` and the CLI test suites
//     exercise it; the suites loop over every provider's catalogue.
//
// The engine, the verdicts, the run file and the reports need no change.
package prober
