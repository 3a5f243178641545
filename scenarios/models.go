package scenarios

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// modelInfo is a model as the Anthropic API's /v1/models describes it.
type modelInfo struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	CreatedAt   string `json:"created_at"`
}

// models is the Anthropic API's listing, newest first as the API orders it.
// Like the real one it holds dated ids only: an alias such as
// claude-sonnet-4-5 is never listed, only resolved by GET /v1/models/{id}.
var models = []modelInfo{
	{Type: "model", ID: "claude-opus-4-5-20251101", DisplayName: "Claude Opus 4.5", CreatedAt: "2025-11-24T00:00:00Z"},
	{Type: "model", ID: "claude-haiku-4-5-20251001", DisplayName: "Claude Haiku 4.5", CreatedAt: "2025-10-15T00:00:00Z"},
	{Type: "model", ID: "claude-sonnet-4-5-20250929", DisplayName: "Claude Sonnet 4.5", CreatedAt: "2025-09-29T00:00:00Z"},
	{Type: "model", ID: "claude-opus-4-1-20250805", DisplayName: "Claude Opus 4.1", CreatedAt: "2025-08-05T00:00:00Z"},
	{Type: "model", ID: "claude-opus-4-20250514", DisplayName: "Claude Opus 4", CreatedAt: "2025-05-22T00:00:00Z"},
	{Type: "model", ID: "claude-sonnet-4-20250514", DisplayName: "Claude Sonnet 4", CreatedAt: "2025-05-22T00:00:00Z"},
	{Type: "model", ID: "claude-3-7-sonnet-20250219", DisplayName: "Claude Sonnet 3.7", CreatedAt: "2025-02-24T00:00:00Z"},
	{Type: "model", ID: "claude-3-5-haiku-20241022", DisplayName: "Claude Haiku 3.5", CreatedAt: "2024-10-22T00:00:00Z"},
	{Type: "model", ID: "claude-3-haiku-20240307", DisplayName: "Claude Haiku 3", CreatedAt: "2024-03-07T00:00:00Z"},
}

// modelAliases are the names the API resolves to a dated id, as its models
// overview documents them.
var modelAliases = map[string]string{
	"claude-opus-4-5":          "claude-opus-4-5-20251101",
	"claude-haiku-4-5":         "claude-haiku-4-5-20251001",
	"claude-sonnet-4-5":        "claude-sonnet-4-5-20250929",
	"claude-opus-4-1":          "claude-opus-4-1-20250805",
	"claude-opus-4-0":          "claude-opus-4-20250514",
	"claude-sonnet-4-0":        "claude-sonnet-4-20250514",
	"claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
	"claude-3-5-haiku-latest":  "claude-3-5-haiku-20241022",
}

// Bounds of the list's limit parameter, as the API documents them.
const (
	defaultModelsLimit = 20
	maxModelsLimit     = 1000
)

// usableModels is the part of a provider's listing the scenario's key may
// use: all of it, or nothing when the scenario denies every model.
func usableModels[M any](c *call, listing []M) []M {
	if c.api.scenario.behave.noModels {
		return nil
	}
	return listing
}

// resolveModel returns the dated id of name, an alias or a dated id, if the
// scenario's key may use it.
func (c *call) resolveModel(name string) (modelInfo, bool) {
	if id, ok := modelAliases[name]; ok {
		name = id
	}
	i := slices.IndexFunc(usableModels(c, models), func(m modelInfo) bool { return m.ID == name })
	if i < 0 {
		return modelInfo{}, false
	}
	return models[i], true
}

// modelPage is one page of GET /v1/models; the ids are null on an empty page.
type modelPage struct {
	Data    []modelInfo `json:"data"`
	HasMore bool        `json:"has_more"`
	FirstID *string     `json:"first_id"`
	LastID  *string     `json:"last_id"`
}

// listModels answers one page of the listing: limit (default 20) models
// after after_id or before before_id, as the API pages.
func (c *call) listModels() {
	list := usableModels(c, models)
	q := c.r.URL.Query()
	limit := defaultModelsLimit
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxModelsLimit {
			c.apiError(http.StatusBadRequest, "invalid_request_error",
				fmt.Sprintf("limit: Input should be between 1 and %d", maxModelsLimit))
			return
		}
		limit = n
	}
	start, end := 0, len(list)
	index := func(id string) int { return slices.IndexFunc(list, func(m modelInfo) bool { return m.ID == id }) }
	switch {
	case q.Get("after_id") != "":
		start = index(q.Get("after_id")) + 1 // an unknown id starts from the top, as -1+1
	case q.Get("before_id") != "":
		end = max(0, index(q.Get("before_id")))
		start = max(0, end-limit)
	}
	page := list[start:min(end, start+limit)]
	out := modelPage{Data: page, HasMore: start+len(page) < len(list) && q.Get("before_id") == ""}
	if q.Get("before_id") != "" {
		out.HasMore = start > 0
	}
	if len(page) > 0 {
		out.FirstID, out.LastID = &page[0].ID, &page[len(page)-1].ID
	}
	if out.Data == nil {
		out.Data = []modelInfo{}
	}
	c.apiJSON(http.StatusOK, out)
}

// getModel answers GET /v1/models/{id}: the model, its alias resolved to its
// dated id, or 404 for what the key cannot use.
func (c *call) getModel() {
	if m, ok := c.resolveModel(c.modelID); ok {
		c.apiJSON(http.StatusOK, m)
		return
	}
	c.apiError(http.StatusNotFound, "not_found_error", "model: "+c.modelID)
}
