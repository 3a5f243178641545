package diagnose

import (
	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/verdict"
)

// cloudSignature adjusts the signature of a failure kind by rules that need
// the whole run. Vertex AI's RESOURCE_EXHAUSTED in a run without a single
// success, from the first request on, is a quota of zero: the project has
// no entitlement to the model (layer 4), and waiting never clears it.
// With successes around it, it is the rate limit it says it is.
func cloudSignature(s *Summary, k *FailureKind, sig verdict.Signature) verdict.Signature {
	if s.OK == 0 && k.Outcome == classify.OutcomeRateLimit && k.ErrorType == classify.QuotaExhausted {
		return verdict.ModelNotEnabled
	}
	return sig
}
