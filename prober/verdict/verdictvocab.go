package verdict

// Signature names what a run shows: the failing layer, or a look-alike.
type Signature string

// The verdict vocabulary of the design.
const (
	Healthy           Signature = "healthy"
	AuthFailure       Signature = "auth_failure"
	ProxyInterference Signature = "proxy_interference"
	WorkspaceDenied   Signature = "workspace_denied"
	RegionBlocked     Signature = "region_blocked"
	ModelNotEnabled   Signature = "model_not_enabled"
	Intermittent403   Signature = "intermittent_403"
	// AccountFlagged is every answer a refusal saying the account is
	// flagged, suspended for unusual activity or blocked by safeguards.
	AccountFlagged Signature = "account_flagged"
	BillingIssue   Signature = "billing_issue"
	RateLimited    Signature = "rate_limited"
	Overloaded     Signature = "overloaded"
	NetworkError   Signature = "network_error"
	Inconclusive   Signature = "inconclusive"
)

// Layer returns the layer of the decision tree the signature points at.
func (s Signature) Layer() string {
	switch s {
	case AuthFailure:
		return "1"
	case WorkspaceDenied:
		return "2"
	case RegionBlocked:
		return "3"
	case ModelNotEnabled:
		return "4"
	case Intermittent403, AccountFlagged:
		return "5"
	case ProxyInterference:
		return "Q4"
	}
	return "-"
}

// Confidence levels of a verdict.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

// Verdict is the decision on a run, with everything behind it.
type Verdict struct {
	Signature  Signature `json:"signature"`
	Layer      string    `json:"layer"`
	Confidence string    `json:"confidence"`
	// PValue is the p-value of the statistic the verdict leans on; nil when
	// the verdict rests on counts alone.
	PValue    *float64 `json:"p_value"`
	Test      string   `json:"test,omitempty"`
	Summary   string   `json:"summary"`
	Evidence  []string `json:"evidence"`
	RuledOut  []string `json:"ruled_out"`
	NextSteps []string `json:"next_steps"`
	// NeedMore is how many more requests, at each of ExtendAt's concurrency
	// levels, would likely decide an undecided run.
	NeedMore int   `json:"need_more,omitempty"`
	ExtendAt []int `json:"extend_at,omitempty"`
	// Partial marks a verdict on a run that was cut short.
	Partial bool `json:"partial,omitempty"`
	// Basis is what the verdict was decided on; report.Explain makes the
	// Summary, Evidence, RuledOut and NextSteps above from it. It is not
	// stored: run files and JSON carry the words, and a verdict read back
	// from a footer has words and no Basis.
	Basis *Basis `json:"-"`
}
