package diagnose

import (
	"sort"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/stats"
	"github.com/llm-probe/probe/prober/target"
)

// Bounds on what a Summary keeps, so memory stays flat however long the run:
// everything else is in the run file.
const (
	maxKinds     = 32
	maxFailedIDs = 200
	maxKindIDs   = 5
	maxOrgIDs    = 4
	// maxSteps bounds the steps of a run; plans have a handful.
	maxSteps = 1024
)

// StepStats aggregates the answers at one step of a run.
type StepStats struct {
	Index       int
	Concurrency int
	Sent        int // records, cancelled ones included
	Answered    int
	// ToolFailed counts requests that failed in probe itself (out of file
	// descriptors): neither answers nor cancellations.
	ToolFailed int
	OK         int
	Refused403 int // Record.Is403
	Outcomes   map[classify.Outcome]int
	Statuses   map[int]int
	Latency    stats.Histogram // total time of answered requests
	QueueWait  stats.Histogram
	// MaxInFlight is the most requests in flight at once during the step:
	// below Concurrency, the step never held the load it names (--rate).
	MaxInFlight int
}

// failed returns the answers that were not successes.
func (s *StepStats) failed() int { return s.Answered - s.OK }

// FailureKind groups identical failures: same outcome, status, error type and message.
type FailureKind struct {
	Outcome    classify.Outcome
	Status     int
	ErrorType  string
	Message    string
	Count      int
	RequestIDs []string // the first few, as sent
	IDSource   string
	// Producer is who sent these answers.
	Producer classify.Producer
}

type kindKey struct {
	outcome   classify.Outcome
	producer  classify.Producer
	status    int
	errorType string
	message   string
}

// Summary is a constant-size digest of a run, fed one record at a time in
// completion order. The verdict is decided from it alone.
type Summary struct {
	Steps    []*StepStats
	Sent     int
	Answered int
	OK       int
	// ToolFailed counts requests that failed in probe itself.
	ToolFailed int
	Outcomes   map[classify.Outcome]int
	Kinds      []*FailureKind
	kindIdx    map[kindKey]*FailureKind
	// OtherKinds counts failures that did not fit in Kinds.
	OtherKinds int
	// FailedIDs holds the ids of the first failed requests; FailedIDCount counts all.
	FailedIDs     []string
	FailedIDCount int
	OrgIDs        []string
	// OriginAnswers counts answers the API itself sent: the request crossed
	// the edge and anything in between, and reached the API.
	OriginAnswers int
	// OriginNon401 counts API answers that do not refuse the credential:
	// the key was accepted.
	OriginNon401 int
	// Producers counts the answers by who sent them.
	Producers map[classify.Producer]int
	// UniformRun is how many answers, from the first, had the same outcome
	// and status: what an early stop saw.
	UniformRun  int
	First, Last time.Time
	MaxInFlight int

	// The runs test reads successes and 403s in completion order; other
	// failures are left out so that a 429 does not break a run of 403s.
	runsLast       int8 // 0 none yet, 1 ok, 2 refused
	runs, runsOK   int
	runsRefused    int
	Latency        stats.Histogram
	firstOutcome   classify.Outcome
	firstStatus    int
	uniformAnswers bool
}

// NewSummary prepares a summary for a plan's steps.
func NewSummary(steps []target.Step) *Summary {
	s := &Summary{Outcomes: map[classify.Outcome]int{}, Producers: map[classify.Producer]int{}, kindIdx: map[kindKey]*FailureKind{}, uniformAnswers: true}
	for i, st := range steps {
		s.Steps = append(s.Steps, newStepStats(i, st.Concurrency))
	}
	return s
}

func newStepStats(i, c int) *StepStats {
	return &StepStats{Index: i, Concurrency: c, Outcomes: map[classify.Outcome]int{}, Statuses: map[int]int{}}
}

// Add folds one record into the summary.
func (s *Summary) Add(r *runfile.Record) {
	if r.Step < 0 || r.Step >= maxSteps {
		// Only a corrupt or forged run file has such a step; growing the
		// step list to it would let one line exhaust memory.
		return
	}
	for r.Step >= len(s.Steps) {
		s.Steps = append(s.Steps, newStepStats(len(s.Steps), r.Concurrency))
	}
	st := s.Steps[r.Step]
	st.Sent++
	s.Sent++
	if !r.Outcome.IsAnswer() {
		if r.Outcome == classify.OutcomeTool {
			st.ToolFailed++
			s.ToolFailed++
		}
		return
	}
	st.Answered++
	s.Answered++
	st.Outcomes[r.Outcome]++
	s.Outcomes[r.Outcome]++
	if r.Status != 0 {
		st.Statuses[r.Status]++
	}
	d := time.Duration(r.TotalMS * float64(time.Millisecond))
	st.Latency.Record(d)
	s.Latency.Record(d)
	st.QueueWait.Record(time.Duration(r.QueueWaitMS * float64(time.Millisecond)))
	if s.First.IsZero() || r.Started.Before(s.First) {
		s.First = r.Started
	}
	if r.Finished.After(s.Last) {
		s.Last = r.Finished
	}
	s.MaxInFlight = max(s.MaxInFlight, r.InFlight)
	st.MaxInFlight = max(st.MaxInFlight, r.InFlight)
	if s.Answered == 1 {
		s.firstOutcome, s.firstStatus = r.Outcome, r.Status
	} else if r.Outcome != s.firstOutcome || r.Status != s.firstStatus {
		s.uniformAnswers = false
	}
	if s.uniformAnswers {
		s.UniformRun = s.Answered
	}
	s.addProducer(r)
	if r.OrganizationID != "" && len(s.OrgIDs) < maxOrgIDs && !contains(s.OrgIDs, r.OrganizationID) {
		s.OrgIDs = append(s.OrgIDs, r.OrganizationID)
	}

	var mark int8
	switch {
	case r.Outcome == classify.OutcomeOK:
		st.OK++
		s.OK++
		mark = 1
	case r.Is403():
		st.Refused403++
		mark = 2
	}
	if mark != 0 {
		if mark != s.runsLast {
			s.runs++
		}
		s.runsLast = mark
		if mark == 1 {
			s.runsOK++
		} else {
			s.runsRefused++
		}
	}
	if r.Outcome != classify.OutcomeOK {
		s.addFailure(r)
	}
}

// addProducer counts who sent an answer, and the API's own answers.
func (s *Summary) addProducer(r *runfile.Record) {
	p := ProducerOf(r)
	if p != "" {
		s.Producers[p]++
	}
	if p == classify.ProducerAPI {
		s.OriginAnswers++
		if r.Outcome != classify.OutcomeAuth && r.Outcome != classify.OutcomeKeyNotReceived {
			s.OriginNon401++
		}
	}
}

func (s *Summary) addFailure(r *runfile.Record) {
	s.FailedIDCount++
	if r.RequestID != "" && len(s.FailedIDs) < maxFailedIDs {
		s.FailedIDs = append(s.FailedIDs, r.RequestID)
	}
	p := ProducerOf(r)
	k := kindKey{r.Outcome, p, r.Status, r.ErrorType, r.Message}
	fk := s.kindIdx[k]
	if fk == nil {
		if len(s.Kinds) >= maxKinds {
			s.OtherKinds++
			return
		}
		fk = &FailureKind{Outcome: r.Outcome, Status: r.Status, ErrorType: r.ErrorType, Message: r.Message, IDSource: r.RequestIDSource, Producer: p}
		s.kindIdx[k] = fk
		s.Kinds = append(s.Kinds, fk)
	}
	fk.Count++
	if r.RequestID != "" && len(fk.RequestIDs) < maxKindIDs {
		fk.RequestIDs = append(fk.RequestIDs, r.RequestID)
	}
}

// ProducerOf returns who sent a record's answer: the record's own word, or
// for run files written before records named it, what its request id
// says (the API's id, or the edge's cf-ray), or nothing. A TLS failure showing an
// intercepting certificate is the proxy's doing; other transport failures
// have no producer.
func ProducerOf(r *runfile.Record) classify.Producer {
	switch {
	case r.Producer != "":
		return r.Producer
	case classify.Intercepted(r.Outcome, r.Message):
		return classify.ProducerProxy
	case r.Status == 0:
		return ""
	case r.RequestIDSource == classify.IDFromRequestID || r.RequestIDSource == classify.IDFromBody:
		return classify.ProducerAPI
	case r.RequestIDSource == classify.IDFromCFRay:
		return classify.ProducerEdge
	}
	return "" // an older record that does not say: not counted as a sender
}

// refused403 returns the number of 403 refusals in the run.
func (s *Summary) refused403() int {
	n := 0
	for _, st := range s.Steps {
		n += st.Refused403
	}
	return n
}

// topKinds returns the failure kinds, most frequent first.
func (s *Summary) topKinds() []*FailureKind {
	out := append([]*FailureKind(nil), s.Kinds...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

// Uniform reports whether every answer so far had the same outcome and
// status, and returns that outcome.
func (s *Summary) Uniform() (classify.Outcome, bool) {
	return s.firstOutcome, s.Answered > 0 && s.uniformAnswers
}

// runsTest returns the runs test on successes and 403s in completion order.
func (s *Summary) runsTest() stats.RunsResult {
	return stats.RunsFromCounts(s.runs, s.runsOK, s.runsRefused)
}

// Level is the answers at one concurrency level, steps and extension rounds merged.
type Level struct {
	Concurrency int
	Answered    int
	Refused403  int
	OK          int
}

// Levels merges the steps by concurrency, in increasing order, leaving out
// levels without answers.
func (s *Summary) Levels() []Level {
	byC := map[int]*Level{}
	for _, st := range s.Steps {
		if st.Answered == 0 {
			continue
		}
		l := byC[st.Concurrency]
		if l == nil {
			l = &Level{Concurrency: st.Concurrency}
			byC[st.Concurrency] = l
		}
		l.Answered += st.Answered
		l.Refused403 += st.Refused403
		l.OK += st.OK
	}
	out := make([]Level, 0, len(byC))
	for _, l := range byC {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Concurrency < out[j].Concurrency })
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
