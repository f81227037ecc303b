package authentication

import (
	"crypto/rand"
	"errors"
	"net/url"
	"slices"
	"strings"
)

// AuthorizeParams are the parameters of a login link. Every field is
// optional; see BuildAuthorizeURL for the defaults.
type AuthorizeParams struct {
	// RedirectURI is where the server sends the user back; default
	// Options.RedirectURI. It must be one of the application's login callbacks.
	RedirectURI string
	// ResponseType is "code" (the default, authorization code flow) or
	// "token" (implicit flow).
	ResponseType string
	// ResponseMode is sent only when set, for example "query" or "fragment".
	ResponseMode string
	// State is echoed back on the callback; check it there to stop login
	// CSRF. Default: 128 random bits. To check it you need to know it, so
	// web applications usually pass their own (see GenerateState).
	State string
	// Nonce binds an OIDC id token to this request. Default: random for
	// ProtocolOIDC, not sent for ProtocolOAuth.
	Nonce string
	// Scope is space-separated. Default DefaultOAuthScope or DefaultOIDCScope.
	Scope string
	// Prompt is sent only when set. For OIDC a scope with offline_access
	// gets "consent" by default, which OIDC requires for refresh tokens.
	Prompt string
	// CodeChallenge and CodeChallengeMethod ("S256" or "plain") are the PKCE
	// challenge; see CodeChallenge.
	CodeChallenge       string
	CodeChallengeMethod string
}

// BuildAuthorizeURL returns the login link <AppHost>/<protocol>/auth with
// client_id and p, filling in the defaults described on AuthorizeParams. It
// fails only when no redirect URI is known or the random source fails.
func (c *Client) BuildAuthorizeURL(p AuthorizeParams) (string, error) {
	q := url.Values{}
	q.Set("client_id", c.opts.AppID)
	redirect := p.RedirectURI
	if redirect == "" {
		redirect = c.opts.RedirectURI
	}
	if redirect == "" {
		return "", errors.New("authentication: BuildAuthorizeURL needs a redirect URI (AuthorizeParams.RedirectURI or Options.RedirectURI)")
	}
	q.Set("redirect_uri", redirect)
	q.Set("response_type", or(p.ResponseType, "code"))
	scope := p.Scope
	if scope == "" {
		scope = DefaultOIDCScope
		if c.opts.Protocol == ProtocolOAuth {
			scope = DefaultOAuthScope
		}
	}
	q.Set("scope", scope)
	state := p.State
	if state == "" {
		s, err := randomString(c.opts.Rand, 16)
		if err != nil {
			return "", err
		}
		state = s
	}
	q.Set("state", state)
	nonce := p.Nonce
	if nonce == "" && c.opts.Protocol == ProtocolOIDC {
		n, err := randomString(c.opts.Rand, 16)
		if err != nil {
			return "", err
		}
		nonce = n
	}
	prompt := p.Prompt
	if prompt == "" && c.opts.Protocol == ProtocolOIDC && slices.Contains(strings.Fields(scope), "offline_access") {
		prompt = "consent"
	}
	for k, v := range map[string]string{
		"nonce":                 nonce,
		"prompt":                prompt,
		"response_mode":         p.ResponseMode,
		"code_challenge":        p.CodeChallenge,
		"code_challenge_method": p.CodeChallengeMethod,
	} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return c.endpoint("/auth") + "?" + q.Encode(), nil
}

// GenerateState returns a random state value (128 bits from crypto/rand,
// base64url) for AuthorizeParams.State.
func GenerateState() (string, error) { return randomString(rand.Reader, 16) }

// LogoutParams are the parameters of a logout link.
type LogoutParams struct {
	// RedirectURI is where the server sends the browser after logout. It must
	// be one of the application's logout callbacks. Empty: no redirect.
	RedirectURI string
	// IDTokenHint is the id token of the session being ended (ProtocolOIDC only).
	IDTokenHint string
	// State is echoed back to RedirectURI (ProtocolOIDC only).
	State string
}

// BuildLogoutURL returns the front-channel logout link that ends the user's
// session at the server. For ProtocolOAuth it is
// <AppHost>/login/profile/logout?redirect_uri=<RedirectURI, URL-encoded>;
// for ProtocolOIDC it is the RP-initiated logout
// <AppHost>/oidc/session/end?id_token_hint=...&post_logout_redirect_uri=...&state=...
// with empty parameters left out, and &client_id=<AppID> added when there
// is a redirect but no id token hint. Without IDTokenHint the server first
// asks the signed-in user whether to sign out. It does not revoke tokens:
// call RevokeToken for that.
func (c *Client) BuildLogoutURL(p LogoutParams) string {
	if c.opts.Protocol == ProtocolOAuth {
		u := c.opts.AppHost + "/login/profile/logout"
		if p.RedirectURI != "" {
			u += "?redirect_uri=" + url.QueryEscape(p.RedirectURI)
		}
		return u
	}
	// Without a hint, client_id tells the server whose logout callbacks
	// post_logout_redirect_uri must be on (RP-Initiated Logout 1.0 section 2).
	clientID := ""
	if p.IDTokenHint == "" && p.RedirectURI != "" {
		clientID = c.opts.AppID
	}
	// Built by hand to keep the documented parameter order.
	var parts []string
	for _, kv := range [][2]string{
		{"id_token_hint", p.IDTokenHint},
		{"post_logout_redirect_uri", p.RedirectURI},
		{"state", p.State},
		{"client_id", clientID},
	} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+url.QueryEscape(kv[1]))
		}
	}
	u := c.opts.AppHost + "/oidc/session/end"
	if len(parts) > 0 {
		u += "?" + strings.Join(parts, "&")
	}
	return u
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
