//go:build unix

package engine

import (
	"net"
	"syscall"
	"unsafe"
)

// peeker asks a connection's socket whether bytes have arrived that nobody
// has read, without reading them or blocking. It is made once per
// connection, so that asking costs one system call and no allocation.
type peeker struct {
	raw  syscall.RawConn
	buf  [1]byte
	n    uintptr
	peek func(fd uintptr)
}

// newPeeker returns the peeker of c, or nil when c has no socket to ask.
func newPeeker(c net.Conn) *peeker {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	p := &peeker{raw: raw}
	p.peek = func(fd uintptr) {
		// recv with MSG_PEEK|MSG_DONTWAIT: an empty socket is the answer,
		// never a wait. syscall.Recvfrom would also build the sender's
		// address, which a connected socket does not need.
		n, _, errno := syscall.Syscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&p.buf[0])), 1,
			syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
		if errno != 0 {
			n = 0
		}
		p.n = n
	}
	return p
}

// waiting reports whether bytes are waiting. Callers serialise their calls
// (guardConn holds its lock). It uses Control, not Read: the writer asks
// while net/http's reader may be blocked reading the idle connection, and
// Read would wait for it.
func (p *peeker) waiting() bool {
	if p == nil {
		return false
	}
	p.n = 0
	_ = p.raw.Control(p.peek)
	return p.n > 0
}
