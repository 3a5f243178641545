package cloudauth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// maxSignedBody bounds the body read for signing; probe bodies are tiny, and
// a runaway one must not be held in memory whole.
const maxSignedBody = 1 << 20

// Transport wraps base (nil means http.DefaultTransport) so that every
// request is signed with SigV4 for the bedrock service in the credential's
// region. The body is read to hash it and then sent unchanged.
func (c *AWSCredentials) Transport(base http.RoundTripper) http.RoundTripper {
	return &sigV4Transport{base: orDefault(base), creds: c, signer: v4.NewSigner()}
}

type sigV4Transport struct {
	base   http.RoundTripper
	creds  *AWSCredentials
	signer *v4.Signer
}

// RoundTrip signs a copy of req, since a RoundTripper must not change the
// request it was given.
func (t *sigV4Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	setBody(out, body)
	sum := sha256.Sum256(body)
	creds, err := t.creds.provider.Retrieve(req.Context())
	if err != nil {
		return nil, noAWSCredentials(scrub(err.Error(), creds.SecretAccessKey, creds.SessionToken))
	}
	t.creds.secrets.add(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken) // a refresh brings new ones
	// Signing covers Host; a request rebased onto loopback is signed for
	// where it goes, which is what a gateway or the simulator checks.
	err = t.signer.SignHTTP(req.Context(), creds, out, hex.EncodeToString(sum[:]),
		BedrockSigningName, t.creds.region, t.creds.now())
	if err != nil {
		return nil, fmt.Errorf("signing the Bedrock request: %s", scrub(err.Error(), creds.SecretAccessKey, creds.SessionToken))
	}
	return t.base.RoundTrip(out)
}

// readBody takes the whole body, closing the original as RoundTrip must.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(io.LimitReader(req.Body, maxSignedBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the request body to sign it: %w", err)
	}
	if len(b) > maxSignedBody {
		return nil, fmt.Errorf("request body over %d bytes: too big to sign", maxSignedBody)
	}
	return b, nil
}

func setBody(req *http.Request, b []byte) {
	req.ContentLength = int64(len(b))
	if len(b) == 0 {
		req.Body = http.NoBody
		req.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// headerTransport sets headers from a function called per request, so a
// token source can refresh between requests.
type headerTransport struct {
	base    http.RoundTripper
	headers func(ctx context.Context, h http.Header) error
}

func (t *headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	if err := t.headers(req.Context(), out.Header); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return t.base.RoundTrip(out)
}

func orDefault(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		return http.DefaultTransport
	}
	return rt
}
