//go:build !linux

package engine

import "time"

// fineSleep sleeps d. Outside Linux it is the runtime's timer, which may
// wake up to a millisecond late; pacing keeps its rate but its start times
// jitter by that much.
func fineSleep(d time.Duration) { time.Sleep(d) }
