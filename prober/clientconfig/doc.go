// Package clientconfig reads Claude Code's configuration the way Claude Code
// does and works out what it would send: which credential (and where it came
// from), which base URL, models, custom headers, backend, proxy and CA
// settings. It is the layer before layer 1 in probe's walk: most "works in
// curl, fails in Claude Code" reports end in a settings file, a stale
// variable or a refused key, not at the API.
//
// Reading sends nothing and runs nothing. Load takes everything it looks at
// (HOME, the project directory, the OS, the process environment, a file
// system and a clock) through Env, so tests build a fake machine in a
// fstest.MapFS or a t.TempDir. The only code that runs anything is
// Config.RunKeyHelper, and it refuses unless the caller passes an explicit
// allow.
//
// Secrets (keys, tokens, helper output, secret-looking header values, URL
// userinfo) never appear in an exported string field, a Finding or an error:
// only a fingerprint (first 8 hex of SHA-256) and at most the last 4
// characters. The raw credential is kept behind a pointer so that even
// fmt.Sprintf("%+v", cfg) prints an address, and is handed out only by
// Config.Credential.
//
// The rules come from Claude Code's public documentation:
//   - settings files, scopes and precedence: https://code.claude.com/docs/en/settings
//   - environment variables and the settings "env" key: https://code.claude.com/docs/en/env-vars
//   - authentication precedence, credential storage, apiKeyHelper:
//     https://code.claude.com/docs/en/authentication and https://code.claude.com/docs/en/iam
//   - ANTHROPIC_API_KEY approval and the "conflict" warning:
//     https://support.claude.com/en/articles/12304248-managing-api-key-environment-variables-in-claude-code
package clientconfig
