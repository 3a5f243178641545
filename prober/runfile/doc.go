// Package runfile is the run file: one JSON line per request (Record)
// between a Header and a Footer, written as answers arrive (Writer) and read
// back in parallel (Read, ReadHeader).
//
// It may import classify, target, verdict and internal/jsonscan.
package runfile
