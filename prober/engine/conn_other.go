//go:build !unix

package engine

import "net"

// peeker is a no-op where there is no non-blocking peek: bytes that already
// arrived are caught by net/http's own check of idle connections.
type peeker struct{}

func newPeeker(net.Conn) *peeker { return nil }

// waiting reports false.
func (*peeker) waiting() bool { return false }
