package classify

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestQuickEnvelopeFits(t *testing.T) {
	if !quickEnvelopeFits {
		t.Error("errorEnvelope's top-level fields changed: teach quickEnvelope the change")
	}
}

func TestQuickEnvelopeMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	bodies := []string{
		string(benchOKBody), string(benchErrBody),
		`{}`, `{"type":"message"}`, `{"type":"list","request_id":"req_1"}`, `{"request_id":"req_\"q\""}`,
		`{"TYPE":"message"}`, `{"Request_Id":"x"}`, `{"Error":null}`, `{"error":{"type":"x","message":"y"}}`,
		`{"type":null}`, `{"type":5}`, `{"type":"a","type":"b"}`, `{"data":[{"id":"m","x":[1,2.5e3,-0,true,false,null,{}]}],"has_more":false}`,
		`{"a":"\u00e9\ud83d\ude00","type":"message"}`, `{"a":"\x"}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":.5}`,
		`{"a":[1,]}`, `{"a":{"b" 1}}`, `{"a":1}x`, `{"a":1} `, "{\"type\":\"\xff\"}", "{\"a\":\"\xff\"}", "{\"a\":\"\x01\"}",
		`{"typ\u0065":"message"}`, "{\"\u212aind\":1}", `{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
		`{"a":nul}`, `{"a":truex}`, `{"a":"b"`, `{"a"`, `{`, `{"a":1,"b":2,}`,
	}
	for _, b := range bodies {
		checkQuickEnvelope(t, []byte(b))
	}
}

func checkQuickEnvelope(t *testing.T, body []byte) {
	t.Helper()
	got, ok := quickEnvelope(body)
	if !ok {
		if got != (errorEnvelope{}) {
			t.Errorf("quickEnvelope(%q) gave up but returned %+v; want a zero envelope", body, got)
		}
		return
	}
	var want errorEnvelope
	if err := json.Unmarshal(body, &want); err != nil {
		t.Errorf("quickEnvelope took %q, which encoding/json refuses: %v", body, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("quickEnvelope(%q) = %+v; encoding/json reads %+v", body, got, want)
	}
}

func FuzzQuickEnvelope(f *testing.F) {
	f.Add(benchOKBody)
	f.Add(benchErrBody)
	f.Add([]byte(`{"type":"message","request_id":"req_1","usage":{"input_tokens":8}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 || body[0] != '{' {
			return
		}
		checkQuickEnvelope(t, body)
	})
}

// benchOKBody is what the API answers to the tiny probe request.
var benchOKBody = []byte(`{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi"}],"stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":8,"output_tokens":1}}`)

// benchErrBody is an origin 403.
var benchErrBody = []byte(`{"type":"error","error":{"type":"permission_error","message":"Permission denied"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`)
