package engine

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/llm-probe/probe/prober/keys"
	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/prober/target"
)

// TestKeyNeverPrints formats a Key, and values holding one, every way a
// mistake in a log line or an encoder could, and checks the secret stays out.
func TestKeyNeverPrints(t *testing.T) {
	t.Parallel()
	k := keys.NewKey(realKey, "ANTHROPIC_API_KEY", provider.APIKey)
	type exported struct {
		Name string
		Key  keys.Key
	}
	type unexported struct {
		name string
		key  keys.Key
	}
	type pointer struct {
		Key *keys.Key
	}
	target := target.Target{BaseURL: &url.URL{Scheme: "https", Host: "api.anthropic.com"}, Model: "m", Key: k}
	values := map[string]any{
		"Key":                      k,
		"*keys.Key":                &k,
		"struct with Key":          exported{"a", k},
		"struct with unexported":   unexported{"a", k},
		"*struct with unexported":  &unexported{"a", k},
		"struct with *keys.Key":    pointer{&k},
		"Target":                   target,
		"[]Key":                    []keys.Key{k, k},
		"map[string]Key":           map[string]keys.Key{"k": k},
		"struct in interface":      []any{exported{"b", k}},
		"error wrapping a Key":     fmt.Errorf("bad key %v", k),
		"Engine holding a Target":  &Engine{Target: target},
		"TargetInfo of the target": target.Info(),
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
			out := fmt.Sprintf(verb, v)
			assertNoLeak(t, fmt.Sprintf("Sprintf(%q, %s)", verb, name), out, realKey, 12)
			// %x of the secret would be hex; look for that too.
			assertNoLeak(t, fmt.Sprintf("Sprintf(%q, %s)", verb, name), out, hex.EncodeToString([]byte(secretPart(realKey))), 24)
		}
		b, err := json.Marshal(v)
		if err == nil {
			assertNoLeak(t, "json.Marshal("+name+")", string(b), realKey, 12)
		}
	}
	b, err := json.Marshal(exported{"a", k})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"Name":"a","Key":"sk-ant-api03-Ab…z9AA"}`; string(b) != want {
		t.Errorf("json.Marshal = %s; want %s", b, want)
	}
	if got := k.GoString(); got != "prober.Key(sk-ant-api03-Ab…z9AA)" {
		t.Errorf("GoString() = %q", got)
	}
	if k.Secret() != realKey {
		t.Errorf("Secret() does not return the key")
	}
}
