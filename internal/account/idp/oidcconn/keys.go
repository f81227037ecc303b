package oidcconn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/go-jose/go-jose/v4"
)

// algorithms are the id token signatures accepted: asymmetric ones only,
// as go-oidc's.
var algorithms = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"}

// keySet is an issuer's published keys (its jwks_uri), fetched again when
// none of them verifies a token (the issuer rotated them).
type keySet struct {
	url string
	// fetching makes one fetch at a time; mu guards keys, so that tokens
	// signed with known keys verify while a fetch waits on the issuer.
	fetching sync.Mutex
	mu       sync.Mutex
	keys     []jose.JSONWebKey
}

// callKeys is a keySet as go-oidc verifies one id token with it, through
// the connector's client. It keeps a failure to fetch the keys, which
// go-oidc's error does not tell from a signature that does not verify.
type callKeys struct {
	set      *keySet
	client   *http.Client
	fetchErr error
}

// VerifySignature returns the payload of jwt when one of the issuer's keys
// verifies it.
func (k *callKeys) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	algs := make([]jose.SignatureAlgorithm, len(algorithms))
	for i, a := range algorithms {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSignedCompact(jwt, algs)
	if err != nil {
		return nil, err
	}
	if payload, ok := verifyWith(jws, k.set.cached()); ok {
		return payload, nil
	}
	keys, err := k.set.fetch(ctx, k.client)
	if err != nil {
		k.fetchErr = err
		return nil, err
	}
	if payload, ok := verifyWith(jws, keys); ok {
		return payload, nil
	}
	return nil, errors.New("no key of the issuer verifies the signature")
}

func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey) ([]byte, bool) {
	kid := jws.Signatures[0].Header.KeyID
	for _, key := range keys {
		if kid != "" && key.KeyID != kid {
			continue
		}
		if payload, err := jws.Verify(&key); err == nil {
			return payload, true
		}
	}
	return nil, false
}

func (s *keySet) cached() []jose.JSONWebKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys
}

// fetch reads the key set anew. Keys of a kind go-jose does not know, and
// encryption keys, are skipped rather than failing the set.
func (s *keySet) fetch(ctx context.Context, hc *http.Client) ([]jose.JSONWebKey, error) {
	s.fetching.Lock()
	defer s.fetching.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", s.url, resp.StatusCode)
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, fmt.Errorf("GET %s: %v", s.url, err)
	}
	var keys []jose.JSONWebKey
	for _, raw := range doc.Keys {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) == nil && k.IsPublic() && k.Use != "enc" {
			keys = append(keys, k)
		}
	}
	s.mu.Lock()
	s.keys = keys
	s.mu.Unlock()
	return keys, nil
}
