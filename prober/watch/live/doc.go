// Package live wires package watch to the real engine: a Prober that sends
// each probe through prober/engine with the target's key, a Judge that runs
// the verdict engine (prober/diagnose) over the rolling window with a time
// trend on the 403 share, and RunFiles that keep every probe's records in a
// size-bounded, rotating run file per target.
//
// Package watch stays free of the engine so that its scheduling, budgets and
// metrics can be tested with fakes; this package is what `probe watch` uses.
package live
