// Package stats holds the hand-written statistics behind probe's verdict on
// why an LLM API answers with HTTP 403.
//
// The prober sends small requests at stepped concurrency (for example 1, 2,
// 5 and 10 in flight) and records, per step, how many were refused. Three
// questions are then asked of the counts, each with the test that fits it:
//
//   - Does the 403 rate at the highest step exceed the rate at the lowest?
//     [FisherExact] (via [RateIncrease]) compares the two steps exactly, so
//     it stays valid for the small counts a polite probe produces.
//     [MoreToDecide] says how many more requests would settle an open case.
//   - Does the 403 rate climb steadily as concurrency rises, the signature of
//     an abuse or rate flag? [CochranArmitage] tests for a linear trend
//     across all steps, using the concurrency levels as scores, and so has
//     more power than comparing the two extreme steps alone.
//   - Do refusals alternate in time ("works once, fails twice") rather than
//     depend on load? [Runs] applies the Wald-Wolfowitz runs test to the
//     outcomes in the order the requests were sent.
//
// [Histogram] summarises latencies in constant memory, because a run may
// send a million requests.
package stats
