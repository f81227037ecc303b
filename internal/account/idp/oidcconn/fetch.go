package oidcconn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/opengenauth/genauth/internal/model"
)

// maxBody bounds what is read of any answer of a provider.
const maxBody = 1 << 20

var errTooLarge = errors.New("the answer is larger than 1 MiB")

// limited makes every response body fail past maxBody bytes.
type limited struct{ base http.RoundTripper }

func (l limited) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: maxBody}
	return resp, nil
}

type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	// One byte past the limit tells an answer of exactly maxBody from a
	// longer one.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, errTooLarge
	}
	return n, err
}

// userInfo GETs u with the bearer accessToken and returns its JSON object,
// numbers kept as json.Number. A 4xx is a refusal (the token is not
// accepted); the network, a 5xx or an answer that is not a JSON object is
// unavailability.
func userInfo(ctx context.Context, hc *http.Client, u, accessToken string) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: userinfo: %v", model.ErrUpstreamUnavailable, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: userinfo: %v", model.ErrUpstreamUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: userinfo %s: %v", model.ErrUpstreamUnavailable, u, err)
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return nil, fmt.Errorf("%w: userinfo %s: status %d", model.ErrUpstreamRefused, u, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: userinfo %s: status %d", model.ErrUpstreamUnavailable, u, resp.StatusCode)
	}
	m, err := jsonObject(body)
	if err != nil {
		return nil, fmt.Errorf("%w: userinfo %s: %v", model.ErrUpstreamUnavailable, u, err)
	}
	return m, nil
}

// jsonObject decodes b, which must be one JSON object, keeping numbers as
// json.Number (a numeric id stays exact).
func jsonObject(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if m == nil {
		return nil, errors.New("not a JSON object: null")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("not a JSON object: data after it")
	}
	return m, nil
}
