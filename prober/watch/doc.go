// Package watch is the long-running canary behind `probe watch`: it probes
// each configured target on its own jittered schedule within an hourly
// request budget, judges a rolling window of answers, and exposes the result
// as Prometheus metrics and blackbox-style /probe answers.
//
// The engine that sends requests and the verdict engine are injected (a
// Prober and a Judge), so this package depends on neither.
package watch
