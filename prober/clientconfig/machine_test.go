package clientconfig

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// Fake secrets, each built of distinct characters so that any 8-character
// slice of one is unlikely to appear by chance.
const (
	shellKey    = "sk-ant-api03-Qw3rTy7UiOp2AsDfGh5JkL9ZxCvBnM1-shellKEY0"
	settingsKey = "sk-ant-api03-Mn8BvC4xZ2LkJh6GfDs1ApOi9UyTr3-sEtTiNgK7"
	authToken   = "gw-tok-Pq5Wm2Zx8Nv4Rt7Yk1Hs3Jd6Lf9Ga0Bc-authTOKEN"
	oatToken    = "sk-ant-oat01-Fr4Gt6Hy8Ju0Ki2Lo3Mp5Nq7Br9Cs1-oatTOK"
	loginToken  = "sk-ant-oat01-Lg9In8To7Ke6Nx5Yz4Wv3Ut2Sr1Qp0-loginTK"
	refreshTok  = "sk-ant-ort01-Rf1Re2Fr3Es4Ht5To6Ke7Nz8Xy9Wq0-refresh"
	dotenvKey   = "sk-ant-api03-De7Nv6Ke5Yo4Ld3Ky2Xw1Qa0Zs9Wx8-dotenvK1"
	mcpKey      = "sk-ant-api03-Mc5Pk4Ey3Sv2Rq1Tw0Zx9Yu8Io7Pl6-mcpKEYz"
	helperOut   = "sk-ant-api03-Hl6Pr5Ou4Tp3Ut2Ky1Zq0Xw9Ve8Bn7-helperK"
	headerTok   = "hdr-Sc3Rt4Hd5Rv6Al7Ue8Wq9Zx0Cv1Bn2-headerSECRET"
	urlPass     = "pw-Ur1Lp2As3Sw4Or5Dq6Xz7Cv8-urlPASS"
	proxyPass   = "px-Pr0Xy9Pa8Ss7Wo6Rd5Zq4-proxyPW"
)

const (
	home = "/home/u"
	proj = "/work/proj"
)

// Paths of the fake machine's files.
const (
	userSettings    = home + "/.claude/settings.json"
	projectSettings = proj + "/.claude/settings.json"
	localSettings   = proj + "/.claude/settings.local.json"
	managedSettings = "/etc/claude-code/managed-settings.json"
	globalConfig    = home + "/.claude.json"
	loginFile       = home + "/.claude/.credentials.json"
	dotEnv          = proj + "/.env"
	mcpFile         = proj + "/.mcp.json"
)

// testNow is the fake clock: logins expiring before it are expired.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// machine builds a fake file system from absolute paths and contents.
func machine(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for p, data := range files {
		m[strings.TrimPrefix(p, "/")] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
	}
	return m
}

// load runs Load on a fake Linux machine and fails the test on an error.
func load(t *testing.T, files map[string]string, vars map[string]string) *Config {
	t.Helper()
	return loadOn(t, "linux", machine(files), vars)
}

// loadOn runs Load with a given OS and file system.
func loadOn(t *testing.T, goos string, fsys fstest.MapFS, vars map[string]string) *Config {
	t.Helper()
	cfg, err := Load(Env{Home: home, ProjectDir: proj, OS: goos, Vars: vars, FS: fsys,
		Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

// findFinding returns the first finding of severity sev whose subject and
// message contain the given fragments.
func findFinding(cfg *Config, sev Severity, subject, msg string) (Finding, bool) {
	for _, f := range cfg.Findings() {
		if f.Severity == sev && strings.Contains(f.Subject, subject) && strings.Contains(f.Message, msg) {
			return f, true
		}
	}
	return Finding{}, false
}

// envJSON renders a settings file holding only an env object.
func envJSON(pairs ...string) string {
	var b strings.Builder
	b.WriteString(`{"env": {`)
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + pairs[i] + `": "` + strings.ReplaceAll(pairs[i+1], "\n", `\n`) + `"`)
	}
	b.WriteString("}}")
	return b.String()
}

// approvals renders ~/.claude.json with the given key tails.
func approvals(approved, rejected []string) string {
	q := func(ss []string) string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = `"` + keyTail(s) + `"`
		}
		return "[" + strings.Join(out, ",") + "]"
	}
	return `{"customApiKeyResponses": {"approved": ` + q(approved) + `, "rejected": ` + q(rejected) + `}}`
}

// login renders a credentials file.
func login(token string, expires time.Time, scopes string) string {
	return `{"claudeAiOauth": {"accessToken": "` + token + `", "refreshToken": "` + refreshTok +
		`", "expiresAt": ` + strconv.FormatInt(expires.UnixMilli(), 10) + `, "scopes": [` + scopes + `], "subscriptionType": "max"}}`
}
