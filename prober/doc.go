// Package prober holds no code: its sub-packages are probe's engine, like
// vegeta's lib/. In the order a run uses them, each importing only those
// before it:
//
//   - provider: the LLM APIs probe knows, and how each wants to be talked to.
//   - keys: credentials that print only redacted, where they come from.
//   - clientconfig: Claude Code's configuration, read the way Claude Code
//     reads it; sends nothing.
//   - classify: an answer or a transport error becomes an Outcome.
//   - target: where to send, with which model, key and headers; the Plan.
//   - verdict: the vocabulary of a decision (Signature, Verdict).
//   - runfile: the run file's records, header and footer; writer and reader.
//   - diagnose: Summary, Decide, Compare, LoadRun (statistics in stats).
//   - engine: pacing, workers, timings, retries; the HTTP transport.
//   - check: the layer walk of `probe check`.
//
// Adding a provider is described in package provider.
package prober
