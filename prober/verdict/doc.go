// Package verdict is the vocabulary of a decision on a run: the
// Signature naming the failing layer, the confidence levels, the Verdict
// record written to run files and reports, and the Basis it was decided
// on (the branch taken and its facts, typed values, no sentences). It
// holds no logic (that is package diagnose), so that runfile can store a
// verdict without depending on how it is reached; the words of a verdict
// (summary, evidence, layers ruled out, next steps) are made from its
// Basis by package report.
//
// It imports classify (the outcomes and producers its facts name).
package verdict
