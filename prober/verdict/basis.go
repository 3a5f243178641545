package verdict

import (
	"fmt"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
)

// Path names the branch of the decision a verdict was reached by; with the
// facts beside it in Basis, it is what the words of the verdict are made
// from.
type Path string

// The branches of the decision on a run, and the walk of `probe check`.
const (
	// PathNoAnswers: requests were sent, none was answered.
	PathNoAnswers Path = "no_answers"
	// PathHealthy: every answer succeeded.
	PathHealthy Path = "healthy"
	// PathNoise: one failure among enough successes to call it noise.
	PathNoise Path = "noise"
	// PathOneFailure: one failure among too few successes to tell.
	PathOneFailure Path = "one_failure"
	// PathTooFew: too few answers, all failures, to name the layer.
	PathTooFew Path = "too_few"
	// PathDominant: the most frequent failure names the layer.
	PathDominant Path = "dominant"
	// PathIntermittent: 403s mixed with successes.
	PathIntermittent Path = "intermittent"
	// PathCheck: the layer walk of `probe check` (see Basis.Check).
	PathCheck Path = "check"
)

// Basis is what a verdict was decided on: the branch taken and the facts
// its words are made from. Package diagnose (and check) fill it; package
// report turns it into the Summary, Evidence, RuledOut and NextSteps a
// person reads. Nothing in it is a sentence.
type Basis struct {
	Path Path
	// Sent, Answered and OK count the run's requests.
	Sent, Answered, OK int
	// Refused counts the 403 refusals.
	Refused int
	// MaxInFlight is the most requests in flight at once.
	MaxInFlight int
	// Kind is the failure the summary names (the most frequent of the
	// verdict's signature), and Count how many answers share its
	// signature.
	Kind  Kind
	Count int
	// Apparent is what a PathTooFew run looks like.
	Apparent Signature
	// Steps are the run's steps that sent requests, in order.
	Steps []Step
	// Kinds are the most frequent failures (a few), and MoreKinds how many
	// other kinds there were.
	Kinds     []Kind
	MoreKinds int
	// Senders counts the answers by who sent them, when more than one
	// sender answered.
	Senders []Sender
	// Source is who sent the run's 403s.
	Source Source
	// Fisher, Trend and Runs are the tests of an intermittent run, when
	// they could be run.
	Fisher *FisherTest
	Trend  *TrendTest
	Runs   *RunsTest
	// Dependent and Alternating say which of them found a link.
	Dependent, Alternating bool
	// Caveats are why a dominant verdict's confidence is no higher, in
	// order.
	Caveats []Caveat
	// Shortfalls are the steps that never held their concurrency.
	Shortfalls []Shortfall
	// ToolFailures are the steps where requests failed in probe itself
	// (out of file descriptors): not answers, so not tested as planned.
	ToolFailures []ToolFailure
	// Cleared are the layers the answers rule out, in order.
	Cleared []Clearance
	// EarlyStop is set when the engine stopped the run early.
	EarlyStop *EarlyStop
	// Carried are evidence lines read verbatim from a run file's footer
	// that the records alone cannot tell (an early stop), shown as they
	// were recorded.
	Carried []string
	// Check is the reason of a `probe check` verdict.
	Check *CheckReason
}

// Kind is one kind of failure: identical answers, how many, and an
// example of their request ids.
type Kind struct {
	Outcome   classify.Outcome
	Producer  classify.Producer
	Status    int
	ErrorType string
	// Message is stored escaped already (classify.Printable).
	Message string
	Count   int
	// IDSource and RequestID are where the first id came from, and it;
	// RequestID is empty when the answers carried none.
	IDSource  string
	RequestID string
}

// Step is the answers at one step of a run; ToolFailed counts the
// requests that failed in probe itself, neither answered nor cancelled.
type Step struct {
	Concurrency                    int
	Sent, Answered, OK, Refused403 int
	ToolFailed                     int
}

// Sender is how many answers one producer sent.
type Sender struct {
	Producer classify.Producer
	Count    int
}

// Source names who sent a run's 403s.
type Source string

// The senders of 403s the verdict tells apart.
const (
	SourceNone      Source = ""
	SourceAPI       Source = "api"
	SourceChallenge Source = "challenge"
	SourceEdge      Source = "edge"
	SourceProxy     Source = "proxy"
	SourceOther     Source = "other"
)

// FisherTest is the one-sided Fisher exact test of the 403 rate at the
// lowest against the highest concurrency level.
type FisherTest struct {
	LowC, LowRefused, LowAnswered    int
	HighC, HighRefused, HighAnswered int
	P                                float64
}

// TrendTest is the Cochran-Armitage test of the 403 rate across levels.
type TrendTest struct {
	Levels []int
	Z, P   float64
}

// RunsTest is the runs test for alternation of successes and 403s.
type RunsTest struct {
	Runs     int
	Expected float64
	P        float64
}

// CaveatCode names why a dominant verdict's confidence was lowered.
type CaveatCode string

// The caveats of a dominant verdict.
const (
	// CaveatUnrecognised: the answers are of a shape nothing recognises.
	CaveatUnrecognised CaveatCode = "unrecognised"
	// CaveatUnidentified: who sent the answers cannot be told.
	CaveatUnidentified CaveatCode = "unidentified"
	// CaveatMixedSenders: more than one sender answered (Basis.Senders).
	CaveatMixedSenders CaveatCode = "mixed_senders"
	// CaveatZeroQuota: a limit that let nothing through.
	CaveatZeroQuota CaveatCode = "zero_quota"
	// CaveatSecondFinding: 403s beside a rate limit or overload.
	CaveatSecondFinding CaveatCode = "second_finding"
)

// Caveat is one reason a dominant verdict's confidence is no higher; the
// status and producer are the unrecognised answers', the count the 403s
// of a second finding.
type Caveat struct {
	Code     CaveatCode
	Status   int
	Producer classify.Producer
	Refused  int
}

// Shortfall is a step that never held its concurrency in flight.
type Shortfall struct {
	Concurrency, MaxInFlight int
}

// ToolFailure is a step where Failed of its Sent requests failed in probe
// itself.
type ToolFailure struct {
	Concurrency, Failed, Sent int
}

// Clearance names a layer ruled out, and why.
type Clearance string

// The layers the answers of a run can rule out.
const (
	// ClearedAuthServed: requests with the key succeeded.
	ClearedAuthServed Clearance = "auth_served"
	// ClearedWorkspaceServed: the workspace served requests.
	ClearedWorkspaceServed Clearance = "workspace_served"
	// ClearedRegionServed: the API answered from this network.
	ClearedRegionServed Clearance = "region_served"
	// ClearedModelServed: the model answered.
	ClearedModelServed Clearance = "model_served"
	// ClearedProxyServed: successes came through the same route.
	ClearedProxyServed Clearance = "proxy_served"
	// ClearedAuthAccepted: the API's own answers did not refuse the key.
	ClearedAuthAccepted Clearance = "auth_accepted"
	// ClearedRegionOrigin: the API itself answered.
	ClearedRegionOrigin Clearance = "region_origin"
	// ClearedProxyOrigin: the answers are the API's own.
	ClearedProxyOrigin Clearance = "proxy_origin"
)

// EarlyStop is what the first answers of a run stopped early were: the
// same outcome and status, UniformRun of them, at the first step; Outcome
// is empty when that cannot be told.
type EarlyStop struct {
	UniformRun   int
	Concurrency  int
	Outcome      classify.Outcome
	Status       int
	StepOK       int
	StepAnswered int
}

// CheckCode names where the walk of `probe check` settled.
type CheckCode string

// The places the walk settles.
const (
	CheckWorks           CheckCode = "works"
	CheckClientBroken    CheckCode = "client_broken"
	CheckKeyLocal        CheckCode = "key_local"
	CheckCloudIncomplete CheckCode = "cloud_incomplete"
	CheckNoCloudCred     CheckCode = "no_cloud_credential"
	CheckProxyBroken     CheckCode = "proxy_broken"
	CheckDNS             CheckCode = "dns"
	CheckTCP             CheckCode = "tcp"
	CheckTLSIntercepted  CheckCode = "tls_intercepted"
	CheckTLSOtherName    CheckCode = "tls_other_name"
	CheckTLSFailed       CheckCode = "tls_failed"
	CheckAnswer          CheckCode = "answer"
	CheckRequestError    CheckCode = "request_error"
)

// CheckReason is where the walk settled: Subject is the finding, host,
// address, server name or request it settled on (or an error's text),
// Issuer a certificate's issuer, Kind the answer.
type CheckReason struct {
	Code    CheckCode
	Subject string
	Issuer  string
	Kind    Kind
}

// String is the kind in a few words, as evidence and findings cite it:
// status, error type (or outcome) and message, e.g.
// `403 permission_error "Permission denied"`. It is a notation of the
// answer, not a sentence about it, so the walk's findings and the
// verdict's words share it.
func (k Kind) String() string {
	var b strings.Builder
	if k.Status != 0 {
		fmt.Fprintf(&b, "%d ", k.Status)
	}
	if k.ErrorType != "" {
		b.WriteString(k.ErrorType)
	} else {
		b.WriteString(string(k.Outcome))
	}
	if k.Message != "" {
		// The message is stored escaped already (classify.Printable):
		// %q would escape its escapes again ("\\n" for "\n").
		fmt.Fprintf(&b, ` "%s"`, truncate(k.Message, 90))
	}
	return b.String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
