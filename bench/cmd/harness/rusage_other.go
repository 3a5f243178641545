//go:build !linux

package main

import "os"

// maxRSS is only read on Linux, where ru_maxrss is in KiB; elsewhere the
// unit differs and the memory figures are left out.
func maxRSS(*os.ProcessState) int64 { return 0 }
