package clientconfig

import (
	"fmt"
	"slices"
	"time"
)

// approvalsDoc is the part of ~/.claude.json this package reads: the last
// 20 characters of each ANTHROPIC_API_KEY the user accepted or refused at
// Claude Code's "Do you want to use this API key?" prompt.
type approvalsDoc struct {
	CustomAPIKeyResponses struct {
		Approved []string `json:"approved"`
		Rejected []string `json:"rejected"`
	} `json:"customApiKeyResponses"`
}

// loginDoc is the login credentials file (~/.claude/.credentials.json on
// Linux and Windows; the keychain on macOS), as written by /login.
type loginDoc struct {
	ClaudeAiOauth *struct {
		AccessToken      string   `json:"accessToken"`
		RefreshToken     string   `json:"refreshToken"`
		ExpiresAt        int64    `json:"expiresAt"` // Unix milliseconds
		Scopes           []string `json:"scopes"`
		SubscriptionType string   `json:"subscriptionType"`
	} `json:"claudeAiOauth"`
}

// keyTail is what Claude Code stores for an approved or refused key.
func keyTail(key string) string {
	if len(key) <= 20 {
		return key
	}
	return key[len(key)-20:]
}

// readApprovals reads customApiKeyResponses from ~/.claude.json.
func (l *loader) readApprovals() {
	var doc approvalsDoc
	if _, ok := l.readJSON(l.globalConfigPath(), ScopeUser, "approvals", &doc, SeverityWarn); !ok {
		return
	}
	l.approved, l.rejected = map[string]bool{}, map[string]bool{}
	for _, t := range doc.CustomAPIKeyResponses.Approved {
		l.approved[t] = true
	}
	for _, t := range doc.CustomAPIKeyResponses.Rejected {
		l.rejected[t] = true
	}
}

// readLogin reads the /login credentials file: expiry, scopes and plan,
// and the access token in case the login is what Claude Code would use.
func (l *loader) readLogin() {
	p := join(l.configDir(), ".credentials.json")
	var doc loginDoc
	found, ok := l.readJSON(p, ScopeUser, "login", &doc, SeverityWarn)
	if !found && l.env.OS == "darwin" {
		l.cfg.add(SeverityInfo, "macOS keychain",
			"on macOS Claude Code keeps its login in the keychain (\"Claude Code-credentials\"), which probe does not read",
			"Run /status in Claude Code to see the login; probe reports only the files.")
	}
	if !ok || doc.ClaudeAiOauth == nil {
		return
	}
	o := doc.ClaudeAiOauth
	lg := &Login{Path: p, HasRefreshToken: o.RefreshToken != "", Scopes: o.Scopes,
		SubscriptionType: o.SubscriptionType, Fingerprint: fingerprint(o.AccessToken)}
	if o.ExpiresAt > 0 {
		lg.ExpiresAt = time.UnixMilli(o.ExpiresAt).UTC()
		lg.Expired = !l.now.Before(lg.ExpiresAt)
	}
	l.cfg.Login = lg
	l.loginToken = o.AccessToken
}

// resolveCredential applies Claude Code's authentication precedence
// (https://code.claude.com/docs/en/authentication): a cloud backend, then
// ANTHROPIC_AUTH_TOKEN, ANTHROPIC_API_KEY (unless refused at the prompt),
// apiKeyHelper, CLAUDE_CODE_OAUTH_TOKEN, and the /login credentials.
func (l *loader) resolveCredential() {
	l.resolveHelper()
	l.checkKeys()
	tok, hasTok := l.lookup("ANTHROPIC_AUTH_TOKEN")
	key, hasKey := l.lookup("ANTHROPIC_API_KEY")
	oat, hasOAT := l.lookup("CLAUDE_CODE_OAUTH_TOKEN")
	switch {
	case l.cfg.Backend.Name != "anthropic":
		l.cfg.Auth = Credential{Kind: KindCloud, Via: l.cfg.Backend.Name, Source: l.cfg.Backend.Source}
	case hasTok:
		l.setCredential(KindAuthToken, "ANTHROPIC_AUTH_TOKEN", tok, "authorization")
	case hasKey && !l.rejected[keyTail(key.value)]:
		l.setCredential(KindAPIKey, "ANTHROPIC_API_KEY", key, "x-api-key")
	case l.cfg.KeyHelper != nil:
		l.cfg.Auth = Credential{Kind: KindHelper, Via: "apiKeyHelper", Source: l.cfg.KeyHelper.Source, Header: "x-api-key"}
	case hasOAT:
		l.setCredential(KindOAuthToken, "CLAUDE_CODE_OAUTH_TOKEN", oat, "authorization")
	case l.loginToken != "":
		l.setCredential(KindLogin, "login", origin{value: l.loginToken, source: l.cfg.Login.Path}, "authorization")
	default:
		l.cfg.Auth = Credential{Kind: KindNone}
		l.cfg.add(SeverityInfo, "credential", "Claude Code has no credential in these files or variables; it will ask you to log in",
			"Run /login in Claude Code, or set ANTHROPIC_API_KEY.")
	}
	l.checkLogin()
}

// setCredential makes o the winning credential.
func (l *loader) setCredential(kind CredentialKind, via string, o origin, header string) {
	l.cfg.Auth = Credential{Kind: kind, Via: via, Source: o.source, Header: header,
		Format: format(o.value), Fingerprint: fingerprint(o.value), Last4: last4(o.value)}
	l.cfg.cred = &secretBox{v: o.value}
}

// checkKeys reports the ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN faults
// seen in 403 threads.
func (l *loader) checkKeys() {
	tok, hasTok := l.lookup("ANTHROPIC_AUTH_TOKEN")
	key, hasKey := l.lookup("ANTHROPIC_API_KEY")
	if hasTok && hasKey {
		l.cfg.add(SeverityWarn, fmt.Sprintf("ANTHROPIC_AUTH_TOKEN (%s) and ANTHROPIC_API_KEY (%s)", tok.source, key.source),
			"both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY are set: both headers go out, Claude Code warns of an auth conflict, and gateways differ in which they read",
			"Keep one: ANTHROPIC_AUTH_TOKEN for a gateway that wants a Bearer token, ANTHROPIC_API_KEY for the Anthropic API.")
	}
	if !hasKey {
		return
	}
	subject := "ANTHROPIC_API_KEY (" + key.source + ")"
	if format(key.value) == "subscription OAuth token (sk-ant-oat…)" {
		l.cfg.add(SeverityFail, subject,
			"ANTHROPIC_API_KEY holds a subscription OAuth token (sk-ant-oat…), which the API refuses as an x-api-key",
			"Put an API key (sk-ant-api…) in ANTHROPIC_API_KEY, or unset it and use /login (or CLAUDE_CODE_OAUTH_TOKEN) for the subscription.")
	}
	l.checkApproval(subject, key.value)
}

// checkApproval compares the key's last 20 characters with the answers the
// user gave at Claude Code's prompt, kept in ~/.claude.json.
func (l *loader) checkApproval(subject, key string) {
	tail, cfgPath := keyTail(key), l.globalConfigPath()
	switch {
	case l.rejected[tail]:
		l.cfg.add(SeverityFail, subject,
			fmt.Sprintf("this ANTHROPIC_API_KEY (fp:%s) was refused at Claude Code's \"use this API key?\" prompt and is listed in customApiKeyResponses.rejected in %s: Claude Code ignores it", fingerprint(key), cfgPath),
			fmt.Sprintf("Turn on \"Use custom API key\" in Claude Code's /config, or remove the entry from customApiKeyResponses.rejected in %s.", cfgPath))
	case !l.approved[tail]:
		l.cfg.add(SeverityWarn, subject,
			fmt.Sprintf("this ANTHROPIC_API_KEY (fp:%s) is not in customApiKeyResponses.approved in %s: interactive Claude Code asks once before using it (claude -p uses it without asking)", fingerprint(key), cfgPath),
			"Answer yes at Claude Code's prompt, or unset ANTHROPIC_API_KEY if you meant to use your login.")
	}
}

// checkLogin reports an expired login or one that cannot call the API;
// both matter most when the login is the credential Claude Code uses.
func (l *loader) checkLogin() {
	lg := l.cfg.Login
	if lg == nil {
		return
	}
	sev := SeverityWarn
	if l.cfg.Auth.Kind == KindLogin {
		sev = SeverityFail
	}
	if lg.Expired {
		msg := fmt.Sprintf("the login in %s expired at %s", lg.Path, lg.ExpiresAt.Format(time.RFC3339))
		if lg.HasRefreshToken {
			msg += "; Claude Code refreshes it on its next start, and if that fails the API answers 401 \"OAuth token has expired\""
		}
		l.cfg.add(sev, lg.Path, msg, "Start Claude Code to refresh it, or run /login again.")
	}
	if !slices.Contains(lg.Scopes, "user:inference") {
		l.cfg.add(sev, lg.Path, fmt.Sprintf("the login in %s lacks the scope user:inference, which API requests need", lg.Path),
			"Run /logout then /login in Claude Code to get a token with the inference scope.")
	}
}

// resolveHelper finds the winning apiKeyHelper and says where it is from:
// a cloned repository can carry one in its project settings.
func (l *loader) resolveHelper() {
	for _, doc := range l.settings {
		if doc.APIKeyHelper == "" {
			continue
		}
		h := &KeyHelper{Command: scrubCommand(doc.APIKeyHelper), Source: doc.path, Scope: doc.scope, raw: &secretBox{v: doc.APIKeyHelper}}
		if v, ok := l.value("CLAUDE_CODE_API_KEY_HELPER_TTL_MS"); ok {
			h.TTL = &v
		}
		l.cfg.KeyHelper = h
		sev, fix := SeverityInfo, "probe runs it only with --run-key-helper."
		if doc.scope == ScopeProject || doc.scope == ScopeLocal {
			sev, fix = SeverityWarn, "Check the command before trusting this project; probe runs it only with --run-key-helper."
		}
		l.cfg.add(sev, doc.path, fmt.Sprintf("apiKeyHelper in %s (%s settings) runs %q to get the key", doc.path, doc.scope, h.Command), fix)
		return
	}
}
