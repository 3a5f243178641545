# Developer tasks. `make test` is what CI runs (see .ci/run).
GO ?= go

.PHONY: build test lint e2e e2e-browser e2e-prometheus chromium prometheus check-rules bench soak flaky fuzz fuzz-check

build:
	$(GO) build -o bin/probe ./cmd/probe

# The whole suite with the race detector, then the linters. The timeout is a
# deadline, not a measure: cmd/probe alone took 8.5 of go test's default 10
# minutes under -race on a loaded 2-core machine.
test: lint
	$(GO) test -race -count=1 -timeout 30m ./...

lint:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# The CLI scripts alone (testscript), e.g. after touching cmd/probe.
e2e:
	$(GO) test -count=1 -run 'TestScripts|TestRampScenarios' ./cmd/probe

# The HTML report in headless Chromium: no console message, no network
# request, and one mark per request (or bin) in the browser's DOM.
CHROMIUM ?= chromium
e2e-browser: chromium
	PROBE_BROWSER=1 PROBE_CHROMIUM=$(CHROMIUM) $(GO) test -count=1 -run 'TestBrowser' ./report

# Debian's chromium, installed when missing and running as root; it fails
# (and .ci/run skips the browser test) when it cannot be had.
chromium:
	@if ! command -v $(CHROMIUM) >/dev/null 2>&1; then \
		if [ "$$(id -u)" != 0 ]; then echo "chromium is missing: install Debian's chromium package (or run as root)"; exit 1; fi; \
		echo "installing chromium (apt-get)"; \
		timeout 120 apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq chromium >/dev/null && \
		command -v $(CHROMIUM) >/dev/null; \
	fi

# Debian's prometheus (the server and promtool), installed when missing and
# running as root, as for chromium; it fails when it cannot be had.
prometheus:
	@if ! command -v promtool >/dev/null 2>&1; then \
		if [ "$$(id -u)" != 0 ]; then echo "promtool is missing: install Debian's prometheus package (or run as root)"; exit 1; fi; \
		echo "installing prometheus (apt-get)"; \
		timeout 120 apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq prometheus >/dev/null && \
		command -v promtool >/dev/null; \
	fi

# The example alerting rules and scrape config must load in Prometheus.
check-rules: prometheus
	promtool check rules deploy/prometheus/alerts.yml
	promtool check config deploy/prometheus/prometheus.yml

# probe watch on two simulated targets with a real Prometheus scraping it:
# the flagged target's verdict and alert must show in Prometheus's API.
e2e-prometheus: prometheus
	$(GO) test -count=1 -run 'TestWatchPrometheus' -v ./cmd/probe

# The scenario verdicts 20 times in a row: they must never flake.
flaky:
	$(GO) test -count=20 -timeout 60m -run 'TestRampScenarios|TestCheckScenarios' ./cmd/probe

# Each fuzz target for FUZZTIME (CI runs them briefly after the tests).
# Every `func Fuzz` in the tree must be listed, and nothing else:
# fuzz-check fails, and with it `make fuzz`, when the list is out of date.
FUZZTIME ?= 10s
FUZZ_TARGETS = \
	prober/engine:FuzzClassify \
	prober/engine:FuzzParseRetryAfter \
	prober/keys:FuzzRedact \
	prober/runfile:FuzzReadRun \
	prober/runfile:FuzzDecodeRecord \
	prober/runfile:FuzzWriteRecord \
	prober/secret:FuzzScrub \
	report:FuzzInertCell
# Go 1.26's fuzz coordinator can fail a target with a bare "context
# deadline exceeded" as -fuzztime runs out, having found nothing
# (golang/go#75804, fixed in Go 1.27): such a failure counts only when a
# failing input was written to the target's testdata/fuzz directory.
fuzz: fuzz-check
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; f=$${t#*:}; dir=$$pkg/testdata/fuzz/$$f; \
		echo "fuzz $$f ($$pkg) for $(FUZZTIME)"; \
		before=$$(ls $$dir 2>/dev/null | wc -l); out=$$(mktemp); \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) ./$$pkg >$$out 2>&1; rc=$$?; cat $$out; \
		if [ $$rc -ne 0 ]; then \
			if grep -q '^    context deadline exceeded$$' $$out && [ "$$(ls $$dir 2>/dev/null | wc -l)" -eq "$$before" ]; then \
				echo "fuzz $$f: deadline at the end of -fuzztime and no failing input written: Go's coordinator race (golang/go#75804), not a finding"; \
			else rm -f $$out; exit 1; fi; \
		fi; rm -f $$out; \
	done

fuzz-check:
	@missing=$$(grep -rlE --include='*_test.go' '^func Fuzz[A-Z]' . | sort | while read -r f; do \
		pkg=$$(dirname "$${f#./}"); \
		for n in $$(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/p' "$$f"); do \
			case " $(strip $(FUZZ_TARGETS)) " in *" $$pkg:$$n "*) ;; *) echo "  $$pkg:$$n";; esac; \
		done; \
	done); \
	if [ -n "$$missing" ]; then echo "fuzz targets missing from FUZZ_TARGETS in the Makefile:"; echo "$$missing"; exit 1; fi
	@for t in $(FUZZ_TARGETS); do \
		if ! grep -qs "^func $${t#*:}(" ./$${t%%:*}/*_test.go; then echo "FUZZ_TARGETS lists $$t, which is not in the tree"; exit 1; fi; \
	done

# probe watch's soak: 100,000 probes on a fast clock, budgets checked from
# the simulated server's log, peak RSS printed (about 3 minutes).
soak:
	$(GO) test -run '^$$' -bench WatchSoak -benchtime 1x -timeout 20m ./prober/watch/live

# The micro-benchmarks (allocs/op of the hot path), then the harness: probe
# against vegeta and hey on a loopback server, in one run, written to
# bench/RESULTS.md with the machine it ran on. It takes several minutes and
# builds the pinned vegeta and hey once (through the Go module proxy); it
# sends requests only to its own server on 127.0.0.1. Not part of `make test`.
bench:
	@set -e; micro=$$(mktemp); trap 'rm -f "$$micro"' EXIT; \
	$(GO) test -run '^$$' -bench . -skip BenchmarkWatchSoak -benchmem ./... >"$$micro" || { cat "$$micro"; exit 1; }; \
	cat "$$micro"; \
	GO=$(GO) $(GO) run ./bench/cmd/harness -micro "$$micro" -out bench/RESULTS.md
