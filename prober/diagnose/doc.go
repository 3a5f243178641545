// Package diagnose reads runs: a constant-size Summary fed one Record at a
// time, the Verdict decided on it (Decide), two runs compared (Compare), and
// run files read back with their verdict (LoadRun). Its statistics are in
// package stats.
//
// It decides and writes no words: a verdict carries its verdict.Basis (the
// branch taken and the figures behind it) and a Comparison its counts and
// change; package report words both (report.Explain). What it keeps of
// text is data: the answers' own messages, and the words of an early stop
// read back from a run file's footer (Basis.Carried).
//
// It may import classify, verdict, target, runfile and stats.
package diagnose
