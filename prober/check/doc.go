// Package check is the layer walk of `probe check`: key, route (DNS, TCP,
// TLS, proxy), models list and one message, each layer settled with
// findings before the next.
//
// The findings are the walk's observations, worded where they are made
// (what was resolved, dialled, sent and answered); the verdict is decided
// as a verdict.Basis with a CheckReason saying where the walk settled, and
// its summary, evidence, layers ruled out and next steps are worded by
// package report.
//
// It may import every prober package.
package check
