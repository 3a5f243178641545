package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/llm-probe/probe/prober/check"
	"github.com/llm-probe/probe/prober/engine"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
)

// modelExplicit reports whether the model to probe was named: by --model,
// the provider's model variable, Claude Code's settings, or --as (probing as
// a client means probing the model it would send). Otherwise check, ramp and
// cooldown pick the model from the key's own list.
func modelExplicit(ios *IOStreams, o *targetOptions, rt *resolvedTarget, asClient bool) bool {
	api := rt.Target.API()
	return o.Model != "" || asClient || rt.Target.Model != api.DefaultModel ||
		(api.Name == "anthropic" && ios.Getenv("ANTHROPIC_MODEL") != "")
}

// pickRampModel picks the model of a ramp (or both ramps of a cooldown)
// when none was named, as `probe check` does: it reads the key's models
// list once, through the target's own transport, and puts the newest model
// of the cheapest family in rt, so that the run file header, the table and
// the curl name it. The pages sent come out of every plan's budget, which
// must have room for at least one; a list that fails or offers nothing
// leaves the built-in default, with a one-line notice. Cloud providers keep
// their default: their catalogues are not the key's own list.
func pickRampModel(ctx context.Context, ios *IOStreams, rt *resolvedTarget, explicit, quiet bool, plans ...*target.Plan) error {
	if explicit || rt.Target.API().Cloud != "" || len(plans) == 0 {
		return nil
	}
	room := check.MaxModelPages
	for _, p := range plans {
		room = min(room, p.MaxRequests-p.Planned())
	}
	if room < 1 {
		p := plans[0]
		return usagef("--max-requests %d leaves no room for the models listing that picks the model (the plan needs %d): raise --max-requests or name the model with --model",
			p.MaxRequests, p.Planned())
	}
	models, sent, listErr := listModels(ctx, ios, rt, room, plans[0].Timeout.D())
	for _, p := range plans {
		p.MaxRequests -= sent
	}
	id, why, ok := check.PickModel(rt.Target.API().Name, models)
	switch {
	case listErr != nil:
		notice(ios, "model %s: the built-in default, as the models list gave none to pick from (%s)", rt.Target.Model, listErr)
	case !ok:
		notice(ios, "model %s: the built-in default, as the models list gave none to pick from (%d models, none of the cheapest family)", rt.Target.Model, len(models))
	case !modelName(id):
		notice(ios, "model %s: the built-in default, as the models list's pick is no model name", rt.Target.Model)
	default:
		rt.Target.Model, rt.Info.Model = id, id
		if !quiet {
			fmt.Fprintf(ios.Err, "probe: model %s: %s (no --model given)\n", id, why)
		}
	}
	return nil
}

// notice prints a one-line warning; -q does not silence it, since the
// model it names is not the one the key's list would have given.
func notice(ios *IOStreams, format string, args ...any) {
	fmt.Fprintf(ios.Err, "probe: warning: "+format+"\n", args...)
}

// listModels reads up to maxPages pages of the key's models list, one
// request at a time, and returns the ids scrubbed of secrets and how many
// requests it sent. The requests are not marked as the command's start:
// nothing is recorded yet, so a signal may end probe at once.
func listModels(ctx context.Context, ios *IOStreams, rt *resolvedTarget, maxPages int, timeout time.Duration) ([]check.Model, int, error) {
	t := rt.Target
	tr := t.Transport(ios.transport(1, rt.Keys.Getenv))
	sent := 0
	send := func(ctx context.Context, req *http.Request) (*runfile.Record, []byte) {
		rec := &runfile.Record{Kind: "request", Seq: int64(sent), Concurrency: 1, InFlight: 1}
		sent++
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		_, body := engine.Exchange(rctx, tr, req.WithContext(rctx), t.Model, engine.DefaultBodyCap, ios.Now, rec)
		rec.Scrub(t.Scrubber)
		return rec, body
	}
	models, _, err := check.ListModels(ctx, t, send, maxPages)
	// Ids are server text: one that carries a secret (a gateway echoing
	// the key) is no model to send, and must not reach the run file.
	kept := models[:0]
	for _, m := range models {
		if t.Scrubber.Scrub(m.ID) == m.ID {
			kept = append(kept, m)
		}
	}
	return kept, sent, err
}

// modelName reports whether a listed id can be sent and shown as a model:
// printable, without spaces.
func modelName(id string) bool {
	return id != "" && !strings.ContainsFunc(id, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r)
	})
}
