package check

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
)

// MaxModelPages bounds how many pages of the models list are read: a list
// that pages on past it is a gateway's or a broken one, and the message
// decides anyway.
const MaxModelPages = 10

// Model is an entry of a provider's models list.
type Model struct {
	ID      string
	Created time.Time
}

// Sender sends one request and returns its record and the body read. The
// Checker's sender records every request it sends in the check's result, so
// that nothing is sent unrecorded.
type Sender func(ctx context.Context, req *http.Request) (*runfile.Record, []byte)

// ListModels reads the models list page by page (has_more, after_id), at
// most maxPages pages. It returns what it read; when a page fails, the
// error says which, and rec is that page's record.
func ListModels(ctx context.Context, t target.Target, send Sender, maxPages int) (models []Model, rec *runfile.Record, err error) {
	after := ""
	for page := 0; page < maxPages; page++ {
		req, err := t.NewModelsRequest(ctx)
		if err != nil {
			return models, nil, err
		}
		if after != "" {
			req.URL.RawQuery = url.Values{"after_id": {after}}.Encode()
		}
		rec, body := send(ctx, req)
		// A list is no message, so the classifier's outcome for it is not
		// the test: a 2xx whose body is a list is.
		if !isSuccess(rec) {
			return models, rec, fmt.Errorf("page %d answered %s", page+1, describe(rec))
		}
		list, more, err := decodeModels(body)
		if err != nil {
			return models, rec, fmt.Errorf("page %d: %w", page+1, err)
		}
		models = append(models, list...)
		if !more || len(list) == 0 {
			return models, rec, nil
		}
		after = list[len(list)-1].ID
	}
	return models, rec, fmt.Errorf("the list goes on past %d pages; read %d models", maxPages, len(models))
}

// modelList is the part of either provider's models list that is read:
// Anthropic's created_at and has_more, OpenAI's created.
type modelList struct {
	Data *[]struct {
		ID        string `json:"id"`
		CreatedAt string `json:"created_at"`
		Created   int64  `json:"created"`
	} `json:"data"`
	HasMore bool `json:"has_more"`
}

// decodeModels reads one page and reports whether more follow.
func decodeModels(body []byte) ([]Model, bool, error) {
	var l modelList
	if err := json.Unmarshal(body, &l); err != nil {
		return nil, false, errors.New("the list could not be read: " + classify.Printable(err.Error(), 120))
	}
	if l.Data == nil {
		return nil, false, errors.New("the answer is no models list (no data)")
	}
	out := make([]Model, 0, len(*l.Data))
	for _, d := range *l.Data {
		m := Model{ID: d.ID}
		if t, err := time.Parse(time.RFC3339, d.CreatedAt); err == nil {
			m.Created = t
		} else if d.Created > 0 {
			m.Created = time.Unix(d.Created, 0).UTC()
		}
		out = append(out, m)
	}
	return out, l.HasMore, nil
}

// openAIChatMini is an OpenAI chat model of the mini size. Reasoning models
// (the o-series, gpt-5) are left out: they refuse the max_tokens that
// probe's tiny completion sends.
var openAIChatMini = regexp.MustCompile(`^gpt-[0-4][.0-9a-z]*-mini$`)

// PickModel chooses the model to probe from the key's own list: the newest
// of the cheapest family, so that no built-in default goes stale. For
// Anthropic that is the newest Haiku; for OpenAI the newest gpt-*-mini
// chat model. It returns the id and why, or ok false when none fits.
func PickModel(providerName string, models []Model) (id, why string, ok bool) {
	fits := func(m Model) bool { return strings.Contains(m.ID, "-haiku") }
	family := "Haiku, the cheapest family"
	if providerName == "openai" {
		fits = func(m Model) bool { return openAIChatMini.MatchString(m.ID) }
		family = "gpt-*-mini chat model, the cheapest size"
	}
	var best *Model
	for i, m := range models {
		if !fits(m) {
			continue
		}
		if best == nil || m.Created.After(best.Created) || (m.Created.Equal(best.Created) && m.ID > best.ID) {
			best = &models[i]
		}
	}
	if best == nil {
		return "", "", false
	}
	return best.ID, fmt.Sprintf("the newest %s, on this key's models list", family), true
}

// listed reports whether id is on the list.
func listed(models []Model, id string) bool {
	return slices.ContainsFunc(models, func(m Model) bool { return m.ID == id })
}

// isSuccess reports whether the answer is a 2xx.
func isSuccess(rec *runfile.Record) bool {
	return rec.Status >= 200 && rec.Status < 300
}

// describe names an answer in a few words, with its request id.
func describe(rec *runfile.Record) string {
	s := fmt.Sprintf("%d %s", rec.Status, cmp.Or(rec.ErrorType, string(rec.Outcome)))
	if rec.Status == 0 {
		s = string(rec.Outcome)
	}
	if rec.Message != "" {
		s += ": " + classify.Printable(rec.Message, 160)
	}
	if rec.RequestID != "" {
		s += fmt.Sprintf(" (%s %s)", rec.RequestIDSource, rec.RequestID)
	}
	return s
}
