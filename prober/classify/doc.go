// Package classify turns one answer (status, headers, body) or one
// transport error into an Outcome: ok, auth, permission, forbidden-edge,
// challenge, proxy-page, rate-limit, ...
//
// It may import provider only.
package classify
