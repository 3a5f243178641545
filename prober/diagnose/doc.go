// Package diagnose reads runs: a constant-size Summary fed one Record at a
// time, the Verdict decided on it (Decide), two runs compared (Compare), and
// run files read back with their verdict (LoadRun). Its statistics are in
// package stats.
//
// It may import classify, verdict, target, runfile and stats.
package diagnose
