// Package runfile is the run file: one JSON line per request (Record)
// between a Header and a Footer, written as answers arrive (Writer) and read
// back in parallel (Read, ReadHeader). Records are encoded by the json v2
// library (github.com/go-json-experiment/json), never by hand; a golden
// file holds the bytes every version must keep writing.
//
// It may import classify, target and verdict.
package runfile
