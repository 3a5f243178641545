// Package target says what a run probes and how: the Target (API, base
// URL, model, key, extra headers), the requests built from it (and their
// curl form), and the Plan of concurrency steps and limits.
//
// It may import provider, keys and classify.
package target
