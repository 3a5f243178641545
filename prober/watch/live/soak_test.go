package live

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llm-probe/probe/prober/watch"
	"github.com/llm-probe/probe/scenarios"
)

// fastClock is a clock whose After fires at once, moving time forward by
// the wait: a simulated year of probing passes as fast as the engine runs.
type fastClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fastClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fastClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}

// countingProber stops the soak after n probes.
type countingProber struct {
	inner watch.Prober
	n     atomic.Int64
	limit int64
	stop  context.CancelFunc
}

func (p *countingProber) Probe(ctx context.Context, t watch.Target, steps []int) (watch.ProbeResult, error) {
	res, err := p.inner.Probe(ctx, t, steps)
	if p.n.Add(1) >= p.limit {
		p.stop()
	}
	return res, err
}

// BenchmarkWatchSoak runs PROBE_SOAK_PROBES (default 100,000) scheduled
// probes of an abuse-flagged simulated API through the real engine on a fast
// clock, then checks from the server's own log of arrival times that no
// hour ever saw more than the budget (plus the bucket's burst), and reports
// the peak RSS and the heap at 10% and at the end (memory must stay flat).
//
//	go test -run '^$' -bench WatchSoak -benchtime 1x ./prober/watch/live
func BenchmarkWatchSoak(b *testing.B) {
	probes := int64(100_000)
	if s := os.Getenv("PROBE_SOAK_PROBES"); s != "" {
		probes, _ = strconv.ParseInt(s, 10, 64)
	}
	for range b.N {
		soak(b, probes)
	}
}

func soak(b *testing.B, probes int64) {
	clock := &fastClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	api, err := scenarios.New("abuse", scenarios.Options{Seed: 1, Latency: -1, Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var arrivals []time.Time // the simulated server's log, on the fast clock
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, clock.Now())
		mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	defer srv.Close()
	const perHour = 600
	tg := watch.Target{Name: "soak", Provider: "anthropic", BaseURL: srv.URL, Interval: 10 * time.Second,
		Steps: []int{1, 2}, MaxRequestsPerHour: perHour, Window: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &countingProber{limit: probes, stop: cancel,
		inner: &Prober{Getenv: env(map[string]string{"ANTHROPIC_API_KEY": testKey}), Now: clock.Now, Timeout: 5 * time.Second}}
	w, err := watch.New(&watch.Config{Targets: []watch.Target{tg}}, watch.Options{Prober: p, Judge: Judge, Clock: clock, Events: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	var heap10 uint64
	go func() {
		for p.n.Load() < probes/10 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		heap10 = heapInuse()
	}()
	start := time.Now()
	_ = w.Run(ctx)
	elapsed := time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	if worst := maxPerHour(arrivals); worst > perHour+tg.ProbeRequests() {
		b.Errorf("an hour saw %d requests; the budget is %d (+%d burst)", worst, perHour, tg.ProbeRequests())
	}
	b.ReportMetric(float64(p.n.Load()), "probes")
	b.ReportMetric(float64(len(arrivals)), "requests")
	b.ReportMetric(float64(maxPerHour(arrivals)), "max-req/hour")
	b.ReportMetric(clock.Now().Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).Hours()/24, "simulated-days")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(heap10)/(1<<20), "heap@10%-MiB")
	b.ReportMetric(float64(heapInuse())/(1<<20), "heap@end-MiB")
	b.ReportMetric(elapsed.Seconds(), "wall-s")
}

// maxPerHour is the most arrivals any one-hour window holds (arrivals are
// in order: one goroutine probes the target, one probe at a time).
func maxPerHour(ts []time.Time) int {
	worst, lo := 0, 0
	for hi := range ts {
		for ts[hi].Sub(ts[lo]) >= time.Hour {
			lo++
		}
		worst = max(worst, hi-lo+1)
	}
	return worst
}

func heapInuse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// peakRSS reads VmHWM from /proc (Linux); 0 elsewhere.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
