package watch

import (
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		max       int
		adds      int // one answer a second from t0
		now       time.Duration
		wantFirst time.Duration
		wantN     int
	}{
		{"all within the span", 100, 10, 10 * time.Second, 0, 10},
		{"capped: oldest overwritten", 5, 10, 10 * time.Second, 5 * time.Second, 5},
		{"old answers fall out of the span", 100, 120, 119 * time.Second, 59 * time.Second, 61},
		{"everything expired", 100, 10, time.Hour, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWindow(time.Minute, tt.max)
			for i := range tt.adds {
				w.add(Answer{Time: t0.Add(time.Duration(i) * time.Second)})
			}
			got := w.since(t0.Add(tt.now))
			if len(got) != tt.wantN {
				t.Fatalf("since = %d answers; want %d", len(got), tt.wantN)
			}
			if len(got) > 0 && !got[0].Time.Equal(t0.Add(tt.wantFirst)) {
				t.Errorf("oldest answer at %s; want %s", got[0].Time.Sub(t0), tt.wantFirst)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Time.Before(got[i-1].Time) {
					t.Fatalf("answers out of order at %d", i)
				}
			}
		})
	}
}
