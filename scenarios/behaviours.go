package scenarios

import (
	"fmt"
	"net"
	"net/http"
	"time"
)

// fail answers every request in scope with the same API error.
func fail(status int, errType, message string) func(*call) bool {
	return func(c *call) bool {
		c.apiError(status, errType, message)
		return true
	}
}

// emptyForbidden is a 403 from the API with nothing to say: probe must
// still recognise it by the API's headers.
func emptyForbidden(c *call) bool {
	c.stampOrigin()
	c.w.Header().Set("Content-Length", "0")
	c.send(c.originDelay(), http.StatusForbidden, nil)
	return true
}

// stripKey removes the credentials on the way, as a misconfigured proxy
// does, so that the API's own validation answers 401 although the client
// sent a key.
func stripKey(c *call) bool {
	c.header = c.header.Clone()
	c.header.Del("X-Api-Key")
	c.header.Del("Authorization")
	return false
}

func modelNotEnabled(c *call) bool {
	c.apiError(http.StatusForbidden, "permission_error",
		fmt.Sprintf("Your organization does not have access to model %s. Ask an admin to enable it for this workspace.", c.model))
	return true
}

func unknownModel(c *call) bool {
	c.apiError(http.StatusNotFound, "not_found_error", "model: "+c.model)
	return true
}

// regionBlocked is the edge's answer to a request from an unsupported
// region: JSON, but not the API's envelope.
func regionBlocked(c *call) bool {
	c.edgeJSON(http.StatusForbidden, `{"error":{"type":"forbidden","message":"Request not allowed"}}`)
	return true
}

func edgeIPRestricted(c *call) bool {
	c.edgePage(http.StatusForbidden, edgeIPRestrictedPage)
	return true
}

func cloudflareBlock(c *call) bool {
	c.edgePage(http.StatusForbidden, cloudflareBlockPage)
	return true
}

// The load-dependent scenarios (cloudflare-challenge, abuse, rate-limited)
// decide by how many messages the client has sent, never by how many are in
// flight: in-flight counts depend on how fast the client's machine is (under
// -race on two busy cores a step of 10 workers rarely holds 8 in flight),
// while arrival order is the same on every machine (issue 16 #15). The
// stages below line up with a default ramp, c=1×10, c=2×10, c=5×10,
// c=10×20: failures grow with the step as they do with concurrency on the
// real API, and the first step is always clean.
const (
	// stageMessages is how many messages one stage of the volume lasts: the
	// requests of one of a default ramp's first three steps.
	stageMessages = 10
	// challengeAfter is how many messages Cloudflare's bot management lets
	// through before it starts challenging: a default ramp's first three
	// steps, so the challenges fall on its c=10 step.
	challengeAfter = 3 * stageMessages
	// rpmLimit is the rate-limited scenario's requests per minute.
	rpmLimit = 3 * stageMessages
)

// volumeStage is which stage of the volume message seq falls in: 0 for a
// default ramp's c=1 step, 1 for c=2, 2 for c=5 and 3 from c=10 on.
func volumeStage(seq int64) int {
	return int(min(seq/stageMessages, 3))
}

// challengeUnderLoad challenges every other message once the client has sent
// challengeAfter, as a bot score that builds up with volume does.
func challengeUnderLoad(c *call) bool {
	if c.seq < challengeAfter || c.seq%2 == 0 {
		return false
	}
	h := c.w.Header()
	h.Set("Cf-Mitigated", "challenge")
	h.Set("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, pre-check=0")
	h.Set("Expires", "Thu, 01 Jan 1970 00:00:01 GMT")
	c.edgePage(http.StatusForbidden, challengePage)
	return true
}

// corporateProxy answers from a proxy between the client and the internet:
// none of Cloudflare's or the API's headers, and a page meant for a browser.
func corporateProxy(c *call) bool {
	h := c.w.Header()
	h.Set("Server", "Zscaler/6.2")
	h.Set("Content-Type", "text/html")
	h.Set("Cache-Control", "no-cache")
	c.send(c.edgeDelay(), http.StatusForbidden, c.fill(zscalerPage, ""))
	return true
}

// abuse is an account flagged for abuse: the first messages go through, and
// the more the client sends the likelier a 403.
func abuse(c *call) bool {
	return c.forbidWithProbability(abuseRate(c.seq))
}

// abuseRates is how likely an abuse-flagged account's message is refused in
// each volume stage: never in the first, at most 85%.
var abuseRates = [...]float64{0, 0.15, 0.45, 0.85}

// abuseRate is how likely message seq of an abuse-flagged account is refused.
func abuseRate(seq int64) float64 {
	return abuseRates[volumeStage(seq)]
}

// cooldownPeriod is how long the cooldown scenario stays flagged after its
// first request.
const cooldownPeriod = 1500 * time.Millisecond

// cooldown is an abuse flag that lifts: heavy 403s at any concurrency at
// first, none once it has cooled down.
func cooldown(c *call) bool {
	if c.elapsed >= cooldownPeriod {
		return false
	}
	return c.forbidWithProbability(0.9)
}

func (c *call) forbidWithProbability(p float64) bool {
	if c.api.coin(c.seq) >= p {
		return false
	}
	c.apiError(http.StatusForbidden, "permission_error", msgPermissionDenied)
	return true
}

// onceInThree lets a message through by arrival order alone, so that the
// failure rate is the same at every concurrency.
func onceInThree(c *call) bool {
	if c.seq%3 == 0 {
		return false
	}
	c.apiError(http.StatusForbidden, "permission_error", msgPermissionDenied)
	return true
}

// overRPM reports whether the call's message is over the per-minute request
// limit: the (rpmLimit+1)th message of a minute and every one after it.
func (c *call) overRPM() bool {
	return c.minuteSeq >= rpmLimit
}

func rateLimited(c *call) bool {
	if !c.overRPM() {
		return false
	}
	h := c.w.Header()
	h.Set("Retry-After", "1")
	h.Set("X-Should-Retry", "true")
	c.rateLimitHeaders(true)
	c.apiError(http.StatusTooManyRequests, "rate_limit_error", msgRateLimited)
	return true
}

func overloaded(c *call) bool {
	if c.api.coin(c.seq) >= 0.35 {
		return false
	}
	c.w.Header().Set("X-Should-Retry", "true")
	c.apiError(529, "overloaded_error", "Overloaded")
	return true
}

// resetConnection drops the connection with a TCP RST and no answer, as a
// middlebox or a crashing load balancer does.
func resetConnection(c *call) bool {
	if !c.pause(c.edgeDelay()) {
		return true
	}
	conn, _, err := http.NewResponseController(c.w).Hijack()
	if err != nil {
		// HTTP/2 cannot hand over the connection; aborting the handler
		// resets the stream instead, which the client sees as an error too.
		panic(http.ErrAbortHandler)
	}
	if tcp := tcpConn(conn); tcp != nil {
		tcp.SetLinger(0) // a zero linger makes Close send RST instead of FIN
	}
	conn.Close()
	return true
}

// tcpConn finds the TCP connection under conn, which may be wrapped in TLS.
func tcpConn(conn net.Conn) *net.TCPConn {
	for {
		switch c := conn.(type) {
		case *net.TCPConn:
			return c
		case interface{ NetConn() net.Conn }:
			conn = c.NetConn()
		default:
			return nil
		}
	}
}

// slowDelay is longer than any client should wait for one token.
const slowDelay = 2 * time.Minute

// slow holds the message until slowDelay has passed or the client gives up,
// whichever is first, so a test server can close as soon as its client has.
func slow(c *call) bool {
	return !c.pause(slowDelay)
}
