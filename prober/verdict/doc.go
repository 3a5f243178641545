// Package verdict is the vocabulary of a decision on a run: the
// Signature naming the failing layer, the confidence levels and the Verdict
// record written to run files and reports. It holds no logic (that is
// package diagnose), so that runfile can store a verdict without depending
// on how it is reached.
//
// It imports nothing from probe.
package verdict
