// Package jsonscan reads the strict subset of JSON that the record codec
// and the classifier's fast path accept, without reflection. It exists only
// so that those two share one scanner; both are to be replaced by a JSON
// library (issue 15, item 3), and this package with them.
//
// It imports nothing from probe.
package jsonscan
