package engine

import (
	"syscall"
	"time"
)

// fineSleep sleeps d with the kernel's high-resolution timers (tens of
// microseconds late rather than up to a millisecond). It blocks its OS
// thread; the runtime runs the other goroutines on another.
func fineSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for {
		var left syscall.Timespec
		if err := syscall.Nanosleep(&ts, &left); err != syscall.EINTR {
			return
		}
		ts = left
	}
}
