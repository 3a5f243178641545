package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestCountdown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		tty       bool
		quiet     bool
		cancel    bool
		want      []string
		wantLines int // lines of stderr, -1 for any
		ok        bool
	}{
		{name: "terminal", tty: true, want: []string{"\r\x1b[Kprobe: cooling down: 0:01 left (Ctrl-C ends here, keeping the first run)"}, wantLines: 0, ok: true},
		{name: "piped", want: []string{"probe: cooling down: 300ms left\n"}, wantLines: 1, ok: true},
		{name: "quiet", tty: true, quiet: true, wantLines: 0, ok: true},
		{name: "interrupted", tty: true, cancel: true, wantLines: 0, ok: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ios, _, errb := TestStreams(nil)
			ios.ErrTTY = tc.tty
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			d := 300 * time.Millisecond
			if tc.cancel {
				d = time.Minute
				time.AfterFunc(50*time.Millisecond, cancel)
			}
			start := time.Now()
			ok := countdown(ctx, ios, d, 20*time.Millisecond, tc.quiet)
			if ok != tc.ok {
				t.Errorf("countdown = %v; want %v", ok, tc.ok)
			}
			// 20s tells the cancel from the minute's countdown, with
			// room for -race on a loaded machine.
			if took := time.Since(start); tc.cancel && took > 20*time.Second {
				t.Errorf("an interrupted countdown took %v", took)
			}
			got := errb.String()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("stderr lacks %q:\n%q", w, got)
				}
			}
			if tc.quiet && got != "" {
				t.Errorf("quiet countdown wrote %q", got)
			}
			if n := strings.Count(got, "\n"); n != tc.wantLines {
				t.Errorf("stderr has %d lines; want %d: %q", n, tc.wantLines, got)
			}
			if tc.tty && !tc.quiet && strings.Count(got, "\r\x1b[K") < 3 {
				t.Errorf("the terminal line was not rewritten as time passed: %q", got)
			}
		})
	}
}
