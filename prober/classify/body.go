package classify

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// bodyKind is the broad form of an answer's body.
type bodyKind int

const (
	bodyEmpty bodyKind = iota
	bodyJSON
	bodyHTML
	bodySSE
	bodyText // anything else: plain text, binary, broken JSON
)

// body is what the classifier reads from an answer's body, whatever its
// envelope: Anthropic's, OpenAI's, google.rpc's, Bedrock's, Cloudflare's
// API envelope, a gateway's own.
type body struct {
	kind bodyKind
	// errType is error.type; code is error.code (a string, or a number
	// written as one) or the first of Cloudflare's errors[].code; status is
	// google.rpc's error.status.
	errType, code, status string
	numericCode           bool
	// message is the error's message, a gateway's detail, the notice on a
	// success, or the text of a plain-text body; raw, not yet made printable.
	message   string
	requestID string
	// isError says the body is an error envelope of some kind.
	isError bool
	// success says the body is a provider's success: a message, a model or
	// a list of them, chat choices, a response.
	success bool
	// metadata marks OpenRouter's error envelope (a numeric code with
	// metadata), userID its user_id beside the error.
	metadata, userID bool
}

// wireError is the inner error object of the envelopes probe knows.
type wireError struct {
	Type     string         `json:"type"`
	Message  string         `json:"message"`
	Code     any            `json:"code"`
	Status   string         `json:"status"`
	Metadata jsontext.Value `json:"metadata"`
}

// v1 decodes as encoding/json does: names matched without regard to case,
// duplicate names and invalid UTF-8 accepted, and a field of the wrong type
// skipped rather than ending the decode. The v2 library is used for speed:
// the classifier reads every answer's body.
var v1 = jsonv1.DefaultOptionsV1()

// wire is the union of the top-level fields of the envelopes probe knows.
// Names match without regard to case (see v1), so Bedrock's
// {"message":…} and IAM's {"Message":…} both land in Message.
type wire struct {
	Type      string         `json:"type"`
	Error     jsontext.Value `json:"error"`
	RequestID string         `json:"request_id"`
	Message   string         `json:"message"`
	Detail    jsontext.Value `json:"detail"`
	Errors    []struct {
		Code    any    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	Success *bool          `json:"success"`
	Object  string         `json:"object"`
	Choices jsontext.Value `json:"choices"`
	Output  jsontext.Value `json:"output"`
	Data    jsontext.Value `json:"data"`
	// ModelSummaries is Bedrock's foundation-model listing.
	ModelSummaries jsontext.Value `json:"modelSummaries"`
	Warning        string         `json:"warning"`
	UserID         any            `json:"user_id"`
}

// successTypes are the top-level "type" or "object" of the providers'
// successes: Anthropic's message and model, OpenAI's lists, completions
// and responses.
var successTypes = map[string]bool{"message": true, "model": true, "list": true, "chat.completion": true, "response": true, "text_completion": true}

// readBody decodes an answer's body into what the classifier reads.
func readBody(h http.Header, raw []byte) body {
	trimmed := bytes.TrimSpace(raw)
	switch {
	case len(trimmed) == 0:
		return body{kind: bodyEmpty}
	case looksSSE(h, trimmed):
		return readSSE(trimmed)
	case trimmed[0] == '{' || trimmed[0] == '[':
		if b, ok := readJSON(trimmed); ok {
			return b
		}
	}
	if looksHTML(h, trimmed) {
		return body{kind: bodyHTML}
	}
	return body{kind: bodyText, message: string(trimmed)}
}

// readJSON decodes a JSON object, or the first object of a JSON array as
// Vertex sends google.rpc errors. It reports false for anything that is not
// JSON; a field of an unexpected type is not a reason to call JSON text.
func readJSON(b []byte) (body, bool) {
	var w wire
	var err error
	if b[0] == '[' {
		var ws []wire
		err = json.Unmarshal(b, &ws, v1)
		if len(ws) > 0 {
			w = ws[0]
		}
	} else {
		err = json.Unmarshal(b, &w, v1)
	}
	var typeErr *jsonv1.UnmarshalTypeError
	if err != nil && !errors.As(err, &typeErr) {
		return body{}, false
	}
	out := body{kind: bodyJSON, errType: w.Type, requestID: w.RequestID, message: w.Message, userID: w.UserID != nil}
	out.readError(w.Error)
	switch {
	case len(w.Errors) > 0 && w.Success != nil && !*w.Success:
		// Cloudflare's API envelope, as its AI Gateway answers.
		out.isError, out.message = true, w.Errors[0].Message
		out.code, _ = codeString(w.Errors[0].Code)
	case len(w.Detail) > 0 && out.message == "":
		var s string
		if json.Unmarshal(w.Detail, &s, v1) == nil {
			out.message = s
		}
	}
	if !out.isError && w.Type != "error" {
		out.success = successTypes[w.Type] || successTypes[w.Object] || len(w.Choices) > 2 || len(w.Data) > 2 && w.Data[0] == '[' || len(w.ModelSummaries) > 2 && w.ModelSummaries[0] == '['
		if out.success {
			out.errType, out.message = "", w.Warning
		}
	}
	return out, true
}

// readError reads the "error" member: an object in every envelope probe
// knows, a bare string in some gateways'.
func (b *body) readError(raw jsontext.Value) {
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	var s string
	if json.Unmarshal(raw, &s, v1) == nil {
		b.isError, b.message = true, s
		return
	}
	var e wireError
	var typeErr *jsonv1.UnmarshalTypeError
	if err := json.Unmarshal(raw, &e, v1); err != nil && !errors.As(err, &typeErr) {
		return
	}
	b.isError = true
	b.errType, b.message, b.status = e.Type, cmp.Or(e.Message, b.message), e.Status
	b.code, b.numericCode = codeString(e.Code)
	b.metadata = len(e.Metadata) > 0 && string(e.Metadata) != "null"
}

// codeString renders error.code, a string at OpenAI and Azure and a number
// at OpenRouter and google.rpc.
func codeString(v any) (string, bool) {
	switch c := v.(type) {
	case string:
		return c, false
	case float64:
		return fmt.Sprint(c), true
	}
	return "", false
}

// looksSSE reports a server-sent-events body: an error can follow a 200.
func looksSSE(h http.Header, b []byte) bool {
	return strings.HasPrefix(strings.ToLower(Header(h, "Content-Type")), "text/event-stream") ||
		bytes.HasPrefix(b, []byte("event:")) || bytes.HasPrefix(b, []byte("data:"))
}

// readSSE reads a stream: the first error event decides; a stream with a
// message start and no error is a success.
func readSSE(b []byte) body {
	for line := range bytes.Lines(b) {
		data, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("data:"))
		if !ok {
			continue
		}
		if d, ok := readJSON(bytes.TrimSpace(data)); ok && d.isError {
			d.kind = bodySSE
			return d
		}
	}
	ok := bytes.Contains(b, []byte("message_start")) || bytes.Contains(b, []byte(`"choices"`))
	return body{kind: bodySSE, success: ok}
}

func looksHTML(h http.Header, body []byte) bool {
	if strings.Contains(strings.ToLower(Header(h, "Content-Type")), "text/html") {
		return true
	}
	head := bytes.ToLower(body[:min(len(body), 512)])
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) || bytes.Contains(head, []byte("<head"))
}
