package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llm-probe/probe/prober/runfile"
)

// runHeaderOf reads a run file's header.
func runHeaderOf(t *testing.T, path string) runfile.Header {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no run file: %v", err)
	}
	defer f.Close()
	h, err := runfile.ReadHeader(f)
	if err != nil {
		t.Fatalf("run file header: %v", err)
	}
	return h
}

// TestRampPicksModel: a ramp without a model named sends the models list
// once and probes the newest of the cheapest family; a model named, or a
// list refused, leaves the model as it was, the latter with a notice.
func TestRampPicksModel(t *testing.T) {
	t.Parallel()
	const picked = "claude-haiku-4-5-20251001"
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		model     string
		budget    int
		stderr    string
		notStderr string
	}{
		{"healthy, no model named", []string{"--scenario", "healthy"}, nil, picked, 20 - 1,
			"probe: model " + picked + ": the newest Haiku, the cheapest family, on this key's models list (no --model given)", "warning"},
		{"quiet says nothing", []string{"--scenario", "healthy", "-q"}, nil, picked, 20 - 1, "", "model"},
		{"--model named", []string{"--scenario", "healthy", "--model", "claude-sonnet-4-5"}, nil, "claude-sonnet-4-5", 20, "", "model"},
		{"ANTHROPIC_MODEL named", []string{"--scenario", "healthy"}, map[string]string{"ANTHROPIC_MODEL": "claude-opus-4-5"}, "claude-opus-4-5", 20, "", "model"},
		{"listing refused", []string{"--scenario", "region-blocked", "-q"}, nil, "claude-sonnet-4-5", 20 - 1,
			"probe: warning: model claude-sonnet-4-5: the built-in default, as the models list gave none to pick from (page 1 answered 403", "no --model given"},
		{"openai", []string{"--scenario", "healthy", "--provider", "openai"}, nil, "", 20 - 1, "(no --model given)", "warning"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ios, _, stderr := TestStreams(tt.env)
			out := filepath.Join(t.TempDir(), "run.jsonl")
			args := append([]string{"ramp", "--steps", "1", "--requests", "5", "--max-requests", "20", "--out", out}, tt.args...)
			Main(t.Context(), args, ios)
			h := runHeaderOf(t, out)
			if tt.model != "" && h.Target.Model != tt.model {
				t.Errorf("run file model %q; want %q (stderr: %s)", h.Target.Model, tt.model, stderr)
			}
			if h.Plan.MaxRequests != tt.budget {
				t.Errorf("run file budget %d; want %d", h.Plan.MaxRequests, tt.budget)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q; want %q", stderr, tt.stderr)
			}
			if strings.Contains(stderr.String(), tt.notStderr) {
				t.Errorf("stderr %q; want no %q", stderr, tt.notStderr)
			}
			if strings.Count(stderr.String(), "\n") > 3 {
				t.Errorf("stderr has more than a line about the model: %q", stderr)
			}
		})
	}
}

// TestRampModelBudget: the listing's pages come out of --max-requests, and
// a budget that the plan fills leaves no room: refused, nothing sent.
func TestRampModelBudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		code   ExitCode
		budget int
	}{
		{"one request of room", []string{"--max-requests", "6"}, ExitHealthy, 5},
		{"no room: refused", []string{"--max-requests", "5"}, ExitUsage, 0},
		{"no room, model named", []string{"--max-requests", "5", "--model", "claude-sonnet-4-5"}, ExitHealthy, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ios, stdout, stderr := TestStreams(nil)
			out := filepath.Join(t.TempDir(), "run.jsonl")
			args := append([]string{"ramp", "--scenario", "healthy", "--steps", "1", "--requests", "5", "--out", out, "--output", "json"}, tt.args...)
			if code := Main(t.Context(), args, ios); code != tt.code {
				t.Fatalf("exit %d; want %d; stderr: %s", code, tt.code, stderr)
			}
			if tt.code == ExitUsage {
				if want := "--max-requests 5 leaves no room for the models listing"; !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q; want %q", stderr, want)
				}
				if _, err := os.Stat(out); err == nil {
					t.Error("a refused ramp wrote a run file")
				}
				return
			}
			if h := runHeaderOf(t, out); h.Plan.MaxRequests != tt.budget {
				t.Errorf("run file budget %d; want %d", h.Plan.MaxRequests, tt.budget)
			}
			if !strings.Contains(stdout.String(), fmt.Sprintf(`"max_requests": %d`, tt.budget)) {
				t.Errorf("output shows another budget than %d: %s", tt.budget, stdout)
			}
		})
	}
}

// TestRampModelPagesInBudget: every page of a long list is one request of
// the budget, and the pick is read across pages.
func TestRampModelPagesInBudget(t *testing.T) {
	t.Parallel()
	var pages, messages int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_test")
		if r.URL.Path == "/v1/models" {
			pages++
			id := fmt.Sprintf("claude-haiku-9-%d", pages)
			json.NewEncoder(w).Encode(map[string]any{"data": []map[string]string{{"id": id, "created_at": fmt.Sprintf("2030-01-0%dT00:00:00Z", pages)}}, "has_more": pages < 3})
			return
		}
		messages++
		json.NewEncoder(w).Encode(map[string]any{"id": "msg_1", "type": "message", "role": "assistant", "content": []any{}, "usage": map[string]int{"input_tokens": 1, "output_tokens": 1}})
	}))
	defer srv.Close()
	ios, _, stderr := TestStreams(map[string]string{"ANTHROPIC_API_KEY": echoAPIKey})
	out := filepath.Join(t.TempDir(), "run.jsonl")
	Main(t.Context(), []string{"ramp", "--base-url", srv.URL, "--steps", "1", "--requests", "5", "--max-requests", "10", "--no-extend", "--out", out}, ios)
	h := runHeaderOf(t, out)
	if pages != 3 || h.Plan.MaxRequests != 7 || h.Target.Model != "claude-haiku-9-3" {
		t.Errorf("pages %d, budget %d, model %q; want 3, 7, claude-haiku-9-3 (stderr: %s)", pages, h.Plan.MaxRequests, h.Target.Model, stderr)
	}
	if messages > 7 {
		t.Errorf("%d messages sent beside 3 pages; the budget is 10", messages)
	}
}

// TestRampModelSecretID: a listed id that carries the key is never picked,
// shown or written.
func TestRampModelSecretID(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v1/models" {
			id := "claude-haiku-" + r.Header.Get("X-Api-Key")
			json.NewEncoder(w).Encode(map[string]any{"data": []map[string]string{{"id": id, "created_at": "2030-01-01T00:00:00Z"}}})
			return
		}
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]any{"type": "error", "error": map[string]string{"type": "permission_error", "message": "no"}})
	}))
	defer srv.Close()
	ios, stdout, stderr := TestStreams(map[string]string{"ANTHROPIC_API_KEY": echoAPIKey})
	out := filepath.Join(t.TempDir(), "run.jsonl")
	Main(t.Context(), []string{"ramp", "--base-url", srv.URL, "--steps", "1", "--requests", "5", "--out", out}, ios)
	file, _ := os.ReadFile(out)
	for name, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String(), "run file": string(file)} {
		if strings.Contains(text, echoAPIKey[13:29]) {
			t.Errorf("%s carries the key", name)
		}
	}
	if !strings.Contains(stderr.String(), "the built-in default") {
		t.Errorf("stderr %q; want the fallback notice", stderr)
	}
}

// TestCooldownPicksModel: a cooldown lists the models once, for both ramps,
// whose plans stay alike.
func TestCooldownPicksModel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	before, after := filepath.Join(dir, "before.jsonl"), filepath.Join(dir, "after.jsonl")
	ios, _, stderr := TestStreams(nil)
	Main(t.Context(), []string{"cooldown", "--scenario", "healthy", "--wait", "0s", "--steps", "1", "--requests", "5", "--max-requests", "20",
		"--out-before", before, "--out-after", after}, ios)
	for _, path := range []string{before, after} {
		h := runHeaderOf(t, path)
		if h.Target.Model != "claude-haiku-4-5-20251001" || h.Plan.MaxRequests != 19 {
			t.Errorf("%s: model %q, budget %d; want the newest Haiku, 19", filepath.Base(path), h.Target.Model, h.Plan.MaxRequests)
		}
	}
	if n := strings.Count(stderr.String(), "(no --model given)"); n != 1 {
		t.Errorf("the model is said %d times; want once: %s", n, stderr)
	}
	if strings.Contains(stderr.String(), "differ") {
		t.Errorf("the runs differ: %s", stderr)
	}
}
