package live

import (
	"os"
	"slices"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/stats"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
	"github.com/llm-probe/probe/prober/watch"
)

var osGetenv = os.Getenv

// TrendBuckets is how many equal slices of time the window is cut into for
// the trend test on the 403 share.
const TrendBuckets = 6

var _ watch.Judge = Judge

// Judge is the verdict engine over a rolling window: the answers become
// records at their concurrency levels, diagnose.Decide names the layer, and
// a Cochran-Armitage test over time buckets says whether the 403 share rose
// through the window (Verdict.TrendP).
func Judge(answers []watch.Answer) watch.Verdict {
	var levels []int
	for _, a := range answers {
		if c := max(a.Concurrency, 1); !slices.Contains(levels, c) {
			levels = append(levels, c)
		}
	}
	slices.Sort(levels)
	steps := make([]target.Step, len(levels))
	for i, c := range levels {
		steps[i] = target.Step{Concurrency: c}
	}
	s := diagnose.NewSummary(steps)
	for i, a := range answers {
		r := recordOf(a)
		r.Seq = int64(i)
		r.Step = slices.Index(levels, r.Concurrency)
		s.Add(&r)
	}
	v := diagnose.Decide(s)
	out := watch.Verdict{Signature: string(v.Signature), Layer: v.Layer}
	if p, ok := TimeTrend(answers, TrendBuckets); ok {
		out.TrendP = &p
	}
	return out
}

// recordOf is the record the verdict engine reads for an answer.
func recordOf(a watch.Answer) runfile.Record {
	c := max(a.Concurrency, 1)
	return runfile.Record{
		Kind: "request", Concurrency: c, InFlight: c,
		Scheduled: a.Time, Started: a.Time, Finished: a.Time.Add(a.Duration),
		TotalMS: engineMillis(a.Duration), Status: a.Status, Outcome: classify.Outcome(a.Outcome),
		ErrorType: a.ErrorType, Message: a.Message, RequestID: a.RequestID, RequestIDSource: a.IDSource,
	}
}

func engineMillis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// TimeTrend tests whether the 403 share rises through answers (in time
// order): it cuts the span from the first to the last answer into n equal
// buckets and runs stats.CochranArmitage on the 403 counts with the bucket
// index as score. It returns the one-sided p-value of an increase, and false
// when there is nothing to test (fewer than two non-empty buckets, or no 403
// or no other answer at all).
func TimeTrend(answers []watch.Answer, n int) (float64, bool) {
	if len(answers) < 2 || n < 2 {
		return 0, false
	}
	first, last := answers[0].Time, answers[len(answers)-1].Time
	span := last.Sub(first)
	if span <= 0 {
		return 0, false
	}
	fails, totals := make([]int, n), make([]int, n)
	for _, a := range answers {
		i := min(int(float64(a.Time.Sub(first))/float64(span)*float64(n)), n-1)
		totals[i]++
		if a.Is403 {
			fails[i]++
		}
	}
	var f, t []int
	var scores []float64
	for i := range n {
		if totals[i] > 0 {
			f, t, scores = append(f, fails[i]), append(t, totals[i]), append(scores, float64(i))
		}
	}
	if len(t) < 2 {
		return 0, false
	}
	tr, err := stats.CochranArmitage(f, t, scores)
	if err != nil {
		return 0, false
	}
	return tr.PIncreasing, true
}

// Signature is a verdict's signature as package verdict names it.
func Signature(v watch.Verdict) verdict.Signature { return verdict.Signature(v.Signature) }
