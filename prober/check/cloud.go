package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/cloudauth"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// nameCloudLayers renames the first and third steps for a cloud provider:
// its credential is the cloud's (SigV4, a Google token, a Foundry key),
// and its listing is the cloud's own call, if any.
func (c *Checker) nameCloudLayers(layers []Layer) {
	if c.Target.API().Cloud == "" {
		return
	}
	layers[0].ID, layers[0].Name = "credential", "Cloud credential (local): source, region, project"
	layers[2].Name = "API: " + c.Target.ModelsLabel()
	if c.Target.ModelsURL == "" {
		layers[2].Name = "API: models listing (none for this provider)"
	}
}

// credentialStep is the key step of a cloud provider: where the credential
// came from and where requests go. A missing credential, region or project
// is a local finding, with nothing sent.
func (c *Checker) credentialStep(l *Layer) *verdict.Verdict {
	if c.CloudErr != nil {
		fix := ""
		sig := verdict.Inconclusive
		switch {
		case errors.Is(c.CloudErr, cloudauth.ErrNoCredentials):
			sig, fix = verdict.AuthFailure, "configure the cloud's credentials (see the message), then run probe check again"
		case errors.Is(c.CloudErr, cloudauth.ErrNoRegion):
			fix = "pass --region, or set the region variable the message names"
		case errors.Is(c.CloudErr, cloudauth.ErrNoProject):
			fix = "pass --project, or set the variable the message names"
		}
		l.Findings = append(l.Findings, keys.Finding{Status: keys.Failed, Message: c.CloudErr.Error(), Fix: fix})
		return settle(l, sig, reason(verdict.CheckCloudIncomplete, c.CloudErr.Error()))
	}
	if c.Target.Cloud == nil {
		l.Findings = append(l.Findings, keys.Finding{Status: keys.Failed, Message: "no cloud credential was resolved", Fix: ""})
		return settle(l, verdict.AuthFailure, reason(verdict.CheckNoCloudCred, ""))
	}
	d := c.Target.Cloud.Describe()
	l.Findings = append(l.Findings, keys.Finding{Status: keys.Passed, Message: d.String(), Fix: ""})
	return settle(l, "", nil)
}

// signatureFor is diagnose.SignatureFor with one cloud rule a single
// answer can decide: Vertex's RESOURCE_EXHAUSTED on a project's first
// request is a quota of zero, an entitlement (layer 4), not a rate limit.
// The check sends at most one request for inference, always the first.
func signatureFor(rec *runfile.Record) verdict.Signature {
	if rec.Outcome == classify.OutcomeRateLimit && rec.ErrorType == classify.QuotaExhausted {
		return verdict.ModelNotEnabled
	}
	return diagnose.SignatureFor(rec.Outcome, rec.Message)
}

// cloudModelsStep is the models step for Bedrock, Vertex AI and Foundry:
// Bedrock's foundation-model listing where there is one, nothing where the
// cloud has no cheap listing. Like the API's, it never decides the verdict
// from absence alone: the message's answer does (issue 11 #6).
func (c *Checker) cloudModelsStep(ctx context.Context, l *Layer, res *Result) *verdict.Verdict {
	what := c.Target.ModelsLabel()
	add := func(s keys.Status, msg string) {
		l.Findings = append(l.Findings, keys.Finding{Status: s, Message: msg})
		if s == keys.Warned {
			l.Status = keys.Warned
		}
	}
	l.Status = keys.Passed
	rctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	req, err := c.Target.NewModelsRequest(rctx)
	switch {
	case errors.Is(err, target.ErrNoListing):
		add(keys.Passed, fmt.Sprintf("%s has no cheap models listing; the tiny message below tells whether the model is enabled", c.Target.API().Title))
		return nil
	case err != nil:
		add(keys.Warned, err.Error()+"; the message decides")
		return nil
	}
	rec, body := c.send(ctx, req, res)
	if rec.Outcome != classify.OutcomeOK {
		add(keys.Warned, fmt.Sprintf("%s: %s; the message decides", what, describe(rec)))
		return nil
	}
	ids, err := cloudModelIDs(body)
	if err != nil {
		add(keys.Warned, what+": 200 but the list could not be read: "+classify.Printable(err.Error(), 120))
		return nil
	}
	if slices.Contains(ids, c.Target.Model) || slices.Contains(ids, baseModelID(c.Target.Model)) {
		add(keys.Passed, fmt.Sprintf("%s: 200, %d models; %s is listed", what, len(ids), c.Target.Model))
		return nil
	}
	shown := ids[:min(len(ids), 6)]
	add(keys.Warned, fmt.Sprintf("%s: 200, %d models, %s not among them (%s); the message decides", what, len(ids), c.Target.Model, strings.Join(shown, ", ")))
	return nil
}

// cloudModelIDs reads Bedrock's listing ({"modelSummaries":[{modelId}]}),
// or a {"data":[{id}]} list from a gateway in front of it, as printable ids.
func cloudModelIDs(body []byte) ([]string, error) {
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
		Summaries []struct {
			ModelID string `json:"modelId"`
		} `json:"modelSummaries"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range list.Data {
		ids = append(ids, classify.Printable(m.ID, 80))
	}
	for _, m := range list.Summaries {
		ids = append(ids, classify.Printable(m.ModelID, 80))
	}
	return ids, nil
}

// baseModelID strips a Bedrock inference profile's geography ("us.",
// "eu.", "apac.", "global.") so that it matches the foundation model the
// listing names.
func baseModelID(model string) string {
	if geo, rest, ok := strings.Cut(model, "."); ok && strings.HasPrefix(rest, "anthropic.") && len(geo) <= 6 {
		return rest
	}
	return model
}
