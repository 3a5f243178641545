package runfile

import "github.com/llm-probe/probe/prober/secret"

// Scrub removes every secret s knows from the strings of r that came from
// the server or the transport (message, ids, headers, rate limits), and
// hides URL passwords in the message. Call it on each record as it is made,
// never on probe's own text: a redacted key shares slices with the key. A
// nil s still hides URL passwords.
func (r *Record) Scrub(s *secret.Scrubber) {
	r.Message = s.Scrub(secret.RedactURL(r.Message))
	for _, f := range []*string{&r.ErrorType, &r.RequestID, &r.OrganizationID, &r.CFRay,
		&r.CFMitigated, &r.Server, &r.ContentType, &r.RetryAfter, &r.ShouldRetry} {
		*f = s.Scrub(*f)
	}
	for k, v := range r.RateLimit {
		sk, sv := s.Scrub(k), s.Scrub(v)
		if sk != k {
			delete(r.RateLimit, k)
		}
		r.RateLimit[sk] = sv
	}
}
