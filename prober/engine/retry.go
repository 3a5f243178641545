package engine

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/classify"
)

// maxRetryAfter bounds what a server can ask for; anything larger is treated
// as this, which is already far beyond any step's patience.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads how long the server asks the client to wait:
// retry-after-ms (as the SDKs read it), else retry-after in seconds or as
// an HTTP date. It reports false when there is no usable value.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(classify.Header(h, "Retry-After-Ms")); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
			// A huge value still asks for a long wait: capped like retry-after,
			// not ignored.
			if f >= float64(maxRetryAfter/time.Millisecond) {
				return maxRetryAfter, true
			}
			return time.Duration(f * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(classify.Header(h, "Retry-After"))
	if v == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 || f != f {
			return 0, false
		}
		if f >= maxRetryAfter.Seconds() {
			return maxRetryAfter, true
		}
		return time.Duration(f * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return min(d, maxRetryAfter), true
	}
	return 0, false
}
