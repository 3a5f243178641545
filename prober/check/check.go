package check

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/llm-probe/probe/prober/classify"
	"github.com/llm-probe/probe/prober/engine"
	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/runfile"
	"github.com/llm-probe/probe/prober/secret"
	"github.com/llm-probe/probe/prober/target"
	"github.com/llm-probe/probe/prober/verdict"
)

// Layer is one step of the walk `probe check` makes, in order.
type Layer struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Layers   string         `json:"layers"` // the design's layers this step can clear or blame
	Status   keys.Status    `json:"status"`
	Findings []keys.Finding `json:"findings"`
}

// Result is the outcome of the walk.
type Result struct {
	Layers   []Layer           `json:"layers"`
	Requests []*runfile.Record `json:"requests"`
	Verdict  verdict.Verdict   `json:"verdict"`
}

// Checker walks the layers for one key, as an experienced operator would:
// the key locally, the route (proxy, DNS, TCP, TLS), then the API's answers
// about the model (GET /v1/models/{model} and the list) and one tiny
// message. It stops at the first layer that fails; the later ones are "not
// reached". The models layer never fails the walk: once the key passed the
// local checks the message is always sent, and its answer decides.
type Checker struct {
	// Transport sends the requests (engine.NewTransport).
	Transport http.RoundTripper
	// RootCAs are the roots Transport trusts, for the TLS step's own
	// handshake; nil: the system's.
	RootCAs *x509.CertPool
	// Target is where to send; its Key is replaced by the one the key step finds.
	Target  target.Target
	Keys    keys.KeySources
	Timeout time.Duration
	// BaseSource says where the base URL came from, for the report.
	BaseSource string
	Now        func() time.Time
	// CloudErr is why the cloud credential, region or project could not
	// be resolved, for Bedrock, Vertex and Foundry: the credential step
	// reports it, and nothing is sent.
	CloudErr error
	// Client, when set, adds Claude Code's configuration as the first layer.
	Client *Client
	// ModelExplicit says the user named Target.Model (--model or the
	// provider's model variable). Otherwise Target.Model is the built-in
	// default, used only when the key's models list gives none to pick.
	ModelExplicit bool
}

// Run walks the layers.
func (c *Checker) Run(ctx context.Context) Result {
	res := Result{Requests: []*runfile.Record{}}
	layers := []Layer{
		{ID: "key", Name: "Key (local)", Layers: "1"},
		{ID: "route", Name: "Route: base URL, proxy, DNS, TCP, TLS", Layers: "Q4"},
		{ID: "models", Name: "API: GET /v1/models", Layers: "4"},
		{ID: "message", Name: "API: one tiny message", Layers: "1-5"},
	}
	c.nameCloudLayers(layers)
	if c.Client != nil {
		layers = append([]Layer{clientLayer()}, layers...)
	}
	for i := range layers {
		layers[i].Status = keys.NotReached
		layers[i].Findings = []keys.Finding{}
	}
	steps := []func(context.Context, *Layer, *Result) *verdict.Verdict{c.keyStep, c.routeStep, c.modelsStep, c.messageStep}
	if c.Client != nil {
		steps = append([]func(context.Context, *Layer, *Result) *verdict.Verdict{c.clientStep}, steps...)
	}
	var v *verdict.Verdict
	for i, step := range steps {
		v = step(ctx, &layers[i], &res)
		if v != nil {
			break
		}
	}
	if v == nil {
		v = &verdict.Verdict{Signature: verdict.Healthy, Confidence: verdict.Medium, Basis: reason(verdict.CheckWorks, "")}
	}
	v.Layer = v.Signature.Layer()
	res.Layers = layers
	res.Verdict = *v
	return res
}

// reason is the Basis of a walk that settled on code, with its subject.
func reason(code verdict.CheckCode, subject string) *verdict.Basis {
	return &verdict.Basis{Path: verdict.PathCheck, Check: &verdict.CheckReason{Code: code, Subject: subject}}
}

// settle sets a layer's status from its findings and returns the verdict,
// with why (report words it), when the layer failed.
func settle(l *Layer, sig verdict.Signature, why *verdict.Basis) *verdict.Verdict {
	l.Status = keys.Passed
	for _, f := range l.Findings {
		switch {
		case f.Status == keys.Failed:
			l.Status = keys.Failed
		case f.Status == keys.Warned && l.Status != keys.Failed:
			l.Status = keys.Warned
		}
	}
	if l.Status != keys.Failed {
		return nil
	}
	return &verdict.Verdict{Signature: sig, Confidence: verdict.High, Basis: why}
}

func (c *Checker) keyStep(_ context.Context, l *Layer, _ *Result) *verdict.Verdict {
	if c.Target.API().Cloud != "" {
		return c.credentialStep(l)
	}
	key, fs := keys.InspectKey(c.Keys)
	l.Findings = fs
	c.Target.Key = key
	c.Target = c.Target.WithScrubber(c.Keys.Getenv)
	first := ""
	for _, f := range fs {
		if f.Status == keys.Failed {
			first = f.Message
			break
		}
	}
	return settle(l, verdict.AuthFailure, reason(verdict.CheckKeyLocal, first))
}

func (c *Checker) routeStep(ctx context.Context, l *Layer, _ *Result) *verdict.Verdict {
	base := c.Target.BaseURL
	add := func(s keys.Status, msg, fix string) {
		l.Findings = append(l.Findings, keys.Finding{Status: s, Message: msg, Fix: fix})
	}
	add(keys.Passed, fmt.Sprintf("base URL %s (%s)", base.Redacted(), cmp.Or(c.BaseSource, "default")), "")
	getenv := c.Keys.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var vars []string
	for _, n := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		if v := getenv(n); v != "" {
			vars = append(vars, n+"="+redactURL(v))
		}
	}
	if len(vars) > 0 {
		add(keys.Passed, "proxy variables: "+strings.Join(vars, " "), "")
	}
	proxy, err := engine.ProxyFor(getenv, base)
	if err != nil {
		add(keys.Failed, "the proxy variables cannot be parsed: "+classify.Printable(secret.RedactError(err, c.Target.Scrubber), 200), "fix HTTPS_PROXY / HTTP_PROXY: they must be URLs such as http://proxy:3128")
		return settle(l, verdict.ProxyInterference, reason(verdict.CheckProxyBroken, ""))
	}
	host, port := base.Hostname(), portOf(base)
	if proxy != nil {
		add(keys.Warned, fmt.Sprintf("requests to %s go through the proxy %s: if it strips headers or intercepts TLS, the answers below show it", base.Host, redactURL(proxy.String())), "")
		host, port = proxy.Hostname(), portOf(proxy)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if net.ParseIP(host) == nil {
		addrs, err := net.DefaultResolver.LookupHost(dctx, host)
		if err != nil {
			add(keys.Failed, fmt.Sprintf("DNS: %s does not resolve: %s", host, classify.Printable(err.Error(), 200)), "check DNS, VPN and /etc/hosts; try: nslookup "+host)
			return settle(l, verdict.NetworkError, reason(verdict.CheckDNS, host))
		}
		add(keys.Passed, fmt.Sprintf("DNS: %s resolves to %s", host, strings.Join(addrs[:min(len(addrs), 3)], ", ")), "")
	}
	addr := net.JoinHostPort(host, port)
	start := time.Now()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	if err != nil {
		o, msg := classify.ClassifyError(err)
		add(keys.Failed, fmt.Sprintf("TCP connect to %s failed (%s): %s", addr, o, msg), "a firewall or the network blocks this port; check with: nc -vz "+host+" "+port)
		return settle(l, verdict.NetworkError, reason(verdict.CheckTCP, addr))
	}
	conn.Close()
	add(keys.Passed, fmt.Sprintf("TCP connect to %s in %.1f ms", addr, engine.Millis(time.Since(start))), "")
	if proxy != nil || base.Scheme != "https" {
		return settle(l, "", nil)
	}
	return c.tlsCheck(dctx, l, addr, base.Hostname())
}

// tlsCheck handshakes with the roots the requests use and names the issuer: a
// certificate this machine does not trust means something intercepts TLS.
func (c *Checker) tlsCheck(ctx context.Context, l *Layer, addr, serverName string) *verdict.Verdict {
	d := &tls.Dialer{Config: &tls.Config{ServerName: serverName, RootCAs: c.RootCAs}}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		st := conn.(*tls.Conn).ConnectionState()
		conn.Close()
		issuer := "unknown"
		if len(st.PeerCertificates) > 0 {
			issuer = st.PeerCertificates[0].Issuer.String()
		}
		l.Findings = append(l.Findings, keys.Finding{Status: keys.Passed, Message: fmt.Sprintf("TLS %s: certificate for %s issued by %q, trusted", tls.VersionName(st.Version), serverName, issuer), Fix: ""})
		return settle(l, "", nil)
	}
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	confirm := fmt.Sprintf("confirm with: openssl s_client -connect %s -servername %s </dev/null | openssl x509 -noout -issuer; if the issuer is your company's, ask IT to exempt %s from TLS inspection or install its CA (SSL_CERT_FILE)", addr, serverName, serverName)
	switch {
	case errors.As(err, &unknown):
		issuer := "an unknown issuer"
		if unknown.Cert != nil {
			issuer = fmt.Sprintf("%q", unknown.Cert.Issuer.String())
		}
		l.Findings = append(l.Findings, keys.Finding{Status: keys.Failed, Message: fmt.Sprintf("TLS: the certificate for %s was issued by %s, which this machine does not trust: something intercepts TLS (a corporate proxy, antivirus or MITM)", serverName, issuer), Fix: confirm})
		why := reason(verdict.CheckTLSIntercepted, serverName)
		why.Check.Issuer = issuer
		return settle(l, verdict.ProxyInterference, why)
	case errors.As(err, &hostErr):
		l.Findings = append(l.Findings, keys.Finding{Status: keys.Failed, Message: fmt.Sprintf("TLS: the certificate is not valid for %s: %s", serverName, classify.Printable(hostErr.Error(), 200)), Fix: confirm})
		return settle(l, verdict.ProxyInterference, reason(verdict.CheckTLSOtherName, ""))
	}
	l.Findings = append(l.Findings, keys.Finding{Status: keys.Failed, Message: "TLS handshake failed: " + classify.Printable(err.Error(), 200), Fix: confirm})
	return settle(l, verdict.NetworkError, reason(verdict.CheckTLSFailed, ""))
}

func (c *Checker) send(ctx context.Context, req *http.Request, res *Result) (*runfile.Record, []byte) {
	rec := &runfile.Record{Kind: "request", Seq: int64(len(res.Requests)), Concurrency: 1, InFlight: 1}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	_, body := engine.Exchange(ctx, c.Transport, req, c.Target.Model, engine.DefaultBodyCap, now, rec)
	rec.Scrub(c.Target.Scrubber)
	rec.Scheduled = rec.Started
	res.Requests = append(res.Requests, rec)
	return rec, body
}

func (c *Checker) timeout() time.Duration {
	if c.Timeout <= 0 {
		return 30 * time.Second
	}
	return c.Timeout
}

// answerFinding records a failed answer and names its layer.
func answerFinding(l *Layer, what string, rec *runfile.Record) *verdict.Verdict {
	sig := signatureFor(rec)
	k := verdict.Kind{Outcome: rec.Outcome, Status: rec.Status, ErrorType: rec.ErrorType, Message: rec.Message}
	msg := fmt.Sprintf("%s: %s", what, k)
	if rec.RequestID != "" {
		msg += fmt.Sprintf(" (%s %s)", rec.RequestIDSource, rec.RequestID)
	}
	l.Findings = append(l.Findings, keys.Finding{Status: keys.Failed, Message: msg, Fix: ""})
	why := reason(verdict.CheckAnswer, what)
	why.Check.Kind = k
	v := settle(l, sig, why)
	// One answer proves a deterministic failure well enough, but not a
	// load-dependent one.
	v.Confidence = verdict.Medium
	if sig == verdict.RateLimited || sig == verdict.Overloaded || sig == verdict.NetworkError {
		v.Confidence = verdict.Low
	}
	return v
}

// modelsStep asks the API about the model before the message: without a
// model named by the user it picks one from the key's own list; with one,
// GET /v1/models/{model} resolves it (aliases to dated ids, 404 for what the
// key cannot use), and the list, every page of it, supports that answer. It
// never decides the verdict: the message's answer does (issue 11 #6).
func (c *Checker) modelsStep(ctx context.Context, l *Layer, res *Result) *verdict.Verdict {
	if c.Target.API().Cloud != "" {
		return c.cloudModelsStep(ctx, l, res)
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout()*MaxModelPages)
	defer cancel()
	send := func(ctx context.Context, req *http.Request) (*runfile.Record, []byte) { return c.send(ctx, req, res) }
	add := func(s keys.Status, msg, fix string) {
		l.Findings = append(l.Findings, keys.Finding{Status: s, Message: msg, Fix: fix})
	}
	l.Status = keys.Passed
	warn := func(msg, fix string) {
		add(keys.Warned, msg, fix)
		l.Status = keys.Warned
	}
	models, _, listErr := ListModels(rctx, c.Target, send, MaxModelPages)
	for i := range models {
		// Ids are server text: a gateway that echoes the key must not
		// get it shown (or picked as the model to send).
		models[i].ID = c.Target.Scrubber.Scrub(models[i].ID)
	}
	if !c.ModelExplicit {
		if id, why, ok := PickModel(c.Target.API().Name, models); ok && listErr == nil {
			c.Target.Model = id
			add(keys.Passed, fmt.Sprintf("model %s: %s (no --model given)", id, why), "")
			return nil
		}
		warn(fmt.Sprintf("model %s: the built-in default, as the models list gave none to pick from (%s)", c.Target.Model, listProblem(models, listErr)), "")
		if listErr != nil {
			// The list's failure is said once, above.
			c.resolve(rctx, send, add, warn)
			return nil
		}
	}
	dated := c.resolve(rctx, send, add, warn)
	switch {
	case listErr != nil:
		warn("GET /v1/models: "+listErr.Error()+"; the message decides", "")
	case listed(models, dated):
		add(keys.Passed, fmt.Sprintf("GET /v1/models: %d models; %s is listed", len(models), dated), "")
	default:
		warn(fmt.Sprintf("GET /v1/models: %d models, %s not among them (%s); the message decides", len(models), dated, shownIDs(models)),
			"pick a listed model with --model, or ask a workspace admin to enable "+c.Target.Model)
	}
	return nil
}

// resolve asks GET /v1/models/{model} and returns the model's dated id, or
// the name itself when the API does not resolve it.
func (c *Checker) resolve(ctx context.Context, send Sender, add func(keys.Status, string, string), warn func(string, string)) string {
	name := c.Target.Model
	req, err := c.Target.NewModelsRequest(ctx)
	if err != nil {
		warn(err.Error(), "")
		return name
	}
	req.URL = req.URL.JoinPath(name)
	rec, body := send(ctx, req)
	label := "GET /v1/models/" + classify.Printable(name, 80)
	if !isSuccess(rec) {
		meaning := "the message decides"
		if rec.Status == http.StatusNotFound {
			meaning = "the key may not be able to use it; the message decides"
		}
		warn(fmt.Sprintf("%s: %s: %s", label, describe(rec), meaning), "")
		return name
	}
	var m struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(body, &m) != nil || m.ID == "" {
		warn(label+": 200, but the answer names no model", "")
		return name
	}
	m.ID = c.Target.Scrubber.Scrub(m.ID)
	if m.ID != name {
		add(keys.Passed, fmt.Sprintf("%s: an alias of %s", label, classify.Printable(m.ID, 80)), "")
	} else {
		add(keys.Passed, label+": known to the API", "")
	}
	return m.ID
}

// listProblem says why the list gave no model to pick.
func listProblem(models []Model, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%d models, none of the cheapest family", len(models))
}

// shownIDs lists a few ids of the list for a finding.
func shownIDs(models []Model) string {
	ids := make([]string, 0, 6)
	for _, m := range models[:min(len(models), 6)] {
		ids = append(ids, classify.Printable(m.ID, 80))
	}
	if len(ids) == 0 {
		return "the list is empty"
	}
	return strings.Join(ids, ", ")
}

func (c *Checker) messageStep(ctx context.Context, l *Layer, res *Result) *verdict.Verdict {
	rctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	req, err := c.Target.NewMessageRequest(rctx, c.Target.MessageBody())
	if err != nil {
		l.Findings = append(l.Findings, keys.Finding{Status: keys.Failed, Message: err.Error(), Fix: ""})
		return settle(l, verdict.NetworkError, reason(verdict.CheckRequestError, err.Error()))
	}
	rec, _ := c.send(ctx, req, res)
	if rec.Outcome != classify.OutcomeOK {
		return answerFinding(l, c.Target.ProbeLabel(), rec)
	}
	msg := fmt.Sprintf("%s: %d in %.0f ms", c.Target.ProbeLabel(), rec.Status, rec.TotalMS)
	if rec.RequestID != "" {
		msg += fmt.Sprintf(" (%s %s)", rec.RequestIDSource, rec.RequestID)
	}
	l.Findings = append(l.Findings, keys.Finding{Status: keys.Passed, Message: msg, Fix: ""})
	return settle(l, "", nil)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// redactURL hides the password of a proxy URL such as http://user:pass@host,
// also when the URL cannot be parsed.
func redactURL(raw string) string {
	return classify.Printable(secret.RedactURL(raw), 200)
}
