package check

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/cloudauth"
	"github.com/llm-probe/probe/prober/diagnose"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/runfile"
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
		return settle(l, sig, "The cloud configuration is incomplete: "+c.CloudErr.Error()+". Nothing was sent.")
	}
	if c.Target.Cloud == nil {
		l.Findings = append(l.Findings, keys.Finding{Status: keys.Failed, Message: "no cloud credential was resolved", Fix: ""})
		return settle(l, verdict.AuthFailure, "No cloud credential. Nothing was sent.")
	}
	d := c.Target.Cloud.Describe()
	l.Findings = append(l.Findings, keys.Finding{Status: keys.Passed, Message: d.String(), Fix: ""})
	return settle(l, "", "")
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

// decodeModelList reads the Anthropic and OpenAI listing ({"data":[{id}]})
// or Bedrock's ({"modelSummaries":[{modelId}]}) into list.
func decodeModelList(body []byte, list *modelList) error {
	var both struct {
		modelList
		Summaries []struct {
			ModelID string `json:"modelId"`
		} `json:"modelSummaries"`
	}
	if err := json.Unmarshal(body, &both); err != nil {
		return err
	}
	*list = both.modelList
	for _, m := range both.Summaries {
		list.Data = append(list.Data, struct {
			ID string `json:"id"`
		}{m.ModelID})
	}
	return nil
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
