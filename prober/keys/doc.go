// Package keys holds credentials so that they print only in redacted form
// (sk-ant-api03-Ab…xyz9) and as a fingerprint, finds them (environment,
// file, stdin) and inspects their shape for `probe check`.
//
// It may import provider only.
package keys
