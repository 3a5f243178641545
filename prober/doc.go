// Package prober holds no code: its sub-packages are probe's engine, like
// vegeta's lib/. In the order a run uses them, each importing only those
// before it:
//
//   - provider: the LLM APIs probe knows, and how each wants to be talked to.
//   - secret: scrubs every secret probe sent (and any 8-character slice
//     of one) from what a server says; secret-looking names and values.
//   - keys: credentials that print only redacted, where they come from.
//   - cloudauth: Bedrock's SigV4, Vertex AI's Google token, Foundry's key:
//     credentials as transports, endpoints, descriptions without secrets.
//   - clientconfig: Claude Code's configuration, read the way Claude Code
//     reads it; sends nothing.
//   - classify: an answer or a transport error becomes an Outcome.
//   - target: where to send, with which model, key and headers; the Plan.
//   - verdict: the vocabulary of a decision (Signature, Verdict, and the
//     Basis a verdict's words are made from, by package report).
//   - runfile: the run file's records, header and footer; writer and reader.
//   - diagnose: Summary, Decide, Compare, LoadRun (statistics in stats).
//   - engine: pacing, workers, timings, retries; the HTTP transport.
//   - check: the layer walk of `probe check`.
//   - watch (and watch/live): `probe watch`, the canary Prometheus scrapes:
//     schedules, hourly budgets, the rolling verdict, metrics.
//
// Adding a provider is described in package provider.
package prober
