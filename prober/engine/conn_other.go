//go:build !unix

package engine

import "net"

// waiting reports false: without a non-blocking peek, bytes that already
// arrived are caught by net/http's own check of idle connections.
func waiting(net.Conn) bool { return false }
