//go:build unix

package engine

import (
	"net"
	"syscall"
)

// waiting reports whether bytes have already arrived on c that nobody has
// read, without reading them or blocking (recv with MSG_PEEK|MSG_DONTWAIT).
func waiting(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var buf [1]byte
	n := 0
	_ = raw.Read(func(fd uintptr) bool {
		n, _, _ = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // never wait: an empty socket is the answer
	})
	return n > 0
}
