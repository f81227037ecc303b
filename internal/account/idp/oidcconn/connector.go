package oidcconn

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/model"
)

const (
	// timeout bounds each call to a provider when Connector.HTTP is nil.
	timeout = 10 * time.Second
	// discoveryTTL is how long an issuer's discovery document is reused.
	discoveryTTL = 10 * time.Minute
)

// defaultScopes are an OIDC connection's when it names none.
var defaultScopes = []string{oidc.ScopeOpenID, "profile", "email"}

// Connector is the OpenID Connect and OAuth 2.0 connector (idp.Web). Set
// Now before use; it keeps discovered issuers, so it is shared by pointer
// and safe for concurrent use.
type Connector struct {
	// HTTP makes every call to a provider; nil: a client with a 10 s
	// timeout. Answers are read up to 1 MiB either way.
	HTTP *http.Client
	Now  func() time.Time

	mu        sync.Mutex
	providers map[string]*provider // by issuer
}

// provider is an issuer's discovery document and keys.
type provider struct {
	issuer   string
	endpoint oauth2.Endpoint
	userInfo string   // "" when the issuer has no userinfo endpoint
	algs     []string // the id token signatures it announces that are accepted
	keys     *keySet
	fetched  time.Time
}

// AuthCodeURL is where to send the browser: the code flow with PKCE S256
// (the challenge of verifier), state and, for OIDC, nonce. An OIDC
// connection's scopes always include openid (default openid profile email).
func (c *Connector) AuthCodeURL(ctx context.Context, conn *model.ExtIdpConn, redirectURI, state, nonce, verifier string) (string, error) {
	cfg, _, err := c.config(ctx, conn, "", redirectURI)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if conn.Type == model.IdPOIDC {
		opts = append(opts, oidc.Nonce(nonce))
	}
	return cfg.AuthCodeURL(state, opts...), nil
}

// Exchange redeems code with the client secret and verifier and returns
// who signed in, mapped by conn.Fields.Mapping, and the provider's tokens.
// OIDC: the id token must verify (issuer, audience, expiry, signature by
// the issuer's keys) and carry nonce; its claims are completed by the
// userinfo endpoint's when discovery names one, for the same subject.
// OAuth 2.0: the claims are conn.Fields.UserInfoURL's JSON object.
func (c *Connector) Exchange(ctx context.Context, conn *model.ExtIdpConn, secret, redirectURI, code, verifier, nonce string) (*model.UpstreamProfile, *model.UpstreamTokens, error) {
	cfg, p, err := c.config(ctx, conn, secret, redirectURI)
	if err != nil {
		return nil, nil, err
	}
	hc := c.client()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, nil, tokenError(err)
	}
	var claims map[string]any
	if p != nil {
		claims, err = c.idTokenClaims(ctx, hc, p, conn.Fields.ClientID, tok, nonce)
	} else {
		claims, err = userInfo(ctx, hc, conn.Fields.UserInfoURL, tok.AccessToken)
	}
	if err != nil {
		return nil, nil, err
	}
	prof, err := mapProfile(conn, claims)
	if err != nil {
		return nil, nil, err
	}
	return prof, &model.UpstreamTokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry}, nil
}

// config is the OAuth 2.0 client conn describes, with its provider for
// OIDC (nil for OAuth 2.0).
func (c *Connector) config(ctx context.Context, conn *model.ExtIdpConn, secret, redirectURI string) (*oauth2.Config, *provider, error) {
	cfg := &oauth2.Config{ClientID: conn.Fields.ClientID, ClientSecret: secret, RedirectURL: redirectURI}
	switch conn.Type {
	case model.IdPOIDC:
		p, err := c.provider(ctx, conn.Fields.Issuer)
		if err != nil {
			return nil, nil, err
		}
		cfg.Endpoint = p.endpoint
		cfg.Scopes = defaultScopes
		if len(conn.Fields.Scopes) > 0 {
			cfg.Scopes = conn.Fields.Scopes
			if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
				cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
			}
		}
		return cfg, p, nil
	case model.IdPOAuth2:
		if conn.Fields.AuthorizationURL == "" || conn.Fields.TokenURL == "" || conn.Fields.UserInfoURL == "" {
			return nil, nil, fmt.Errorf("oidcconn: connection %s lacks its authorization, token or userinfo URL", conn.Identifier)
		}
		cfg.Endpoint = oauth2.Endpoint{AuthURL: conn.Fields.AuthorizationURL, TokenURL: conn.Fields.TokenURL}
		cfg.Scopes = conn.Fields.Scopes
		return cfg, nil, nil
	}
	return nil, nil, fmt.Errorf("oidcconn: connection %s is of type %q, not OIDC or OAuth 2.0", conn.Identifier, conn.Type)
}

// provider returns issuer's discovery, fetched again once discoveryTTL has
// passed. A failed discovery is not kept.
func (c *Connector) provider(ctx context.Context, issuer string) (*provider, error) {
	now := c.Now()
	c.mu.Lock()
	p := c.providers[issuer]
	c.mu.Unlock()
	if p != nil && now.Sub(p.fetched) < discoveryTTL {
		return p, nil
	}
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, c.client()), issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery of %s: %v", model.ErrUpstreamUnavailable, issuer, err)
	}
	var doc struct {
		JWKS string   `json:"jwks_uri"`
		Algs []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := op.Claims(&doc); err != nil || doc.JWKS == "" {
		return nil, fmt.Errorf("%w: discovery of %s: no jwks_uri", model.ErrUpstreamUnavailable, issuer)
	}
	p = &provider{issuer: issuer, endpoint: op.Endpoint(), userInfo: op.UserInfoEndpoint(), keys: &keySet{url: doc.JWKS}, fetched: now}
	for _, a := range doc.Algs {
		if slices.Contains(algorithms, a) {
			p.algs = append(p.algs, a)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.providers == nil {
		c.providers = map[string]*provider{}
	}
	for k, old := range c.providers {
		if now.Sub(old.fetched) >= discoveryTTL {
			delete(c.providers, k)
		}
	}
	c.providers[issuer] = p
	return p, nil
}

// client is c.HTTP (or the default) reading at most maxBody of an answer.
func (c *Connector) client() *http.Client {
	hc := http.Client{Timeout: timeout}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = limited{base}
	return &hc
}

// idTokenClaims verifies tok's id token and returns its user claims,
// completed by the userinfo endpoint's.
func (c *Connector) idTokenClaims(ctx context.Context, hc *http.Client, p *provider, clientID string, tok *oauth2.Token, nonce string) (map[string]any, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: the token response has no id_token", model.ErrUpstreamRefused)
	}
	keys := &callKeys{set: p.keys, client: hc}
	v := oidc.NewVerifier(p.issuer, keys, &oidc.Config{ClientID: clientID, SupportedSigningAlgs: p.algs, Now: c.Now})
	idt, err := v.Verify(ctx, raw)
	switch {
	case keys.fetchErr != nil:
		return nil, fmt.Errorf("%w: keys of %s: %v", model.ErrUpstreamUnavailable, p.issuer, keys.fetchErr)
	case err != nil:
		return nil, fmt.Errorf("%w: id token: %v", model.ErrUpstreamRefused, err)
	case idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1:
		return nil, fmt.Errorf("%w: the id token's nonce is not the sign-in's", model.ErrUpstreamRefused)
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, fmt.Errorf("%w: id token: %v", model.ErrUpstreamRefused, err)
		}
	}
	claims, err := tokenClaims(idt)
	if err != nil {
		return nil, err
	}
	if p.userInfo == "" {
		return claims, nil
	}
	info, err := userInfo(ctx, hc, p.userInfo, tok.AccessToken)
	if err != nil {
		return nil, err
	}
	if sub, _ := info["sub"].(string); sub != idt.Subject {
		return nil, fmt.Errorf("%w: the userinfo sub %q is not the id token's %q", model.ErrUpstreamRefused, sub, idt.Subject)
	}
	for k, v := range info {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return claims, nil
}

// tokenError classifies a failed code exchange: an OAuth error answer is
// a refusal unless it says the server is in trouble; anything else (the
// network, a 5xx, an answer out of protocol) is unavailability. The detail
// never carries the request (the secret) or the answer's body.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("%w: token endpoint: %v", model.ErrUpstreamUnavailable, err)
	}
	status := re.Response.StatusCode
	switch {
	case status >= 500 || re.ErrorCode == "server_error" || re.ErrorCode == "temporarily_unavailable":
		return fmt.Errorf("%w: token endpoint: status %d %s", model.ErrUpstreamUnavailable, status, re.ErrorCode)
	case re.ErrorCode != "":
		return fmt.Errorf("%w: token endpoint: %s: %s", model.ErrUpstreamRefused, re.ErrorCode, re.ErrorDescription)
	}
	return fmt.Errorf("%w: token endpoint: status %d without an OAuth error", model.ErrUpstreamUnavailable, status)
}
