package authentication

import (
	"context"
	"errors"
	"net/url"

	"github.com/opengenauth/genauth/internal/wire"
)

// TokenSet is a token endpoint answer (RFC 6749 section 5.1):
//
//	AccessToken  string          // the access token
//	TokenType    string          // "Bearer"
//	ExpiresIn    int64           // seconds the access token lives
//	RefreshToken string          // when the grant issued one
//	Scope        string          // the scope granted
//	IDToken      string          // OpenID Connect only; check it with VerifyIDToken
//	Raw          json.RawMessage // the answer as received, for fields not modelled here
//
// It is the token response type the server encodes, shared so that the two
// cannot drift apart.
type TokenSet = wire.TokenResponse

// ExchangeOption adjusts GetAccessTokenByCode.
type ExchangeOption func(*exchange)

type exchange struct {
	verifier    string
	redirectURI string
}

// WithCodeVerifier sends the PKCE code_verifier whose challenge went into the
// authorize request.
func WithCodeVerifier(verifier string) ExchangeOption {
	return func(e *exchange) { e.verifier = verifier }
}

// WithRedirectURI sends this redirect_uri instead of Options.RedirectURI. It
// must equal the one used in the authorize request.
func WithRedirectURI(redirectURI string) ExchangeOption {
	return func(e *exchange) { e.redirectURI = redirectURI }
}

// GetAccessTokenByCode exchanges an authorization code for tokens at
// <AppHost>/<protocol>/token (grant_type=authorization_code). A code is
// single-use; a used, expired or unknown code gives an *Error with Code
// "invalid_grant".
func (c *Client) GetAccessTokenByCode(ctx context.Context, code string, opts ...ExchangeOption) (*TokenSet, error) {
	if code == "" {
		return nil, errors.New("authentication: GetAccessTokenByCode needs a code")
	}
	e := exchange{redirectURI: c.opts.RedirectURI}
	for _, o := range opts {
		o(&e)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
	if e.redirectURI != "" {
		form.Set("redirect_uri", e.redirectURI)
	}
	if e.verifier != "" {
		form.Set("code_verifier", e.verifier)
	}
	return c.token(ctx, form)
}

// GetNewAccessTokenByRefreshToken gets a new access token (and possibly a new
// refresh token) at <AppHost>/<protocol>/token (grant_type=refresh_token).
func (c *Client) GetNewAccessTokenByRefreshToken(ctx context.Context, refreshToken string) (*TokenSet, error) {
	if refreshToken == "" {
		return nil, errors.New("authentication: GetNewAccessTokenByRefreshToken needs a refresh token")
	}
	return c.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

func (c *Client) token(ctx context.Context, form url.Values) (*TokenSet, error) {
	body, err := c.postForm(ctx, "/token", c.opts.TokenEndpointAuthMethod, form)
	if err != nil {
		return nil, err
	}
	var ts TokenSet
	if err := decode("/token", body, &ts); err != nil {
		return nil, err
	}
	if ts.AccessToken == "" {
		return nil, errors.New("authentication: token response has no access_token")
	}
	ts.Raw = body
	return &ts, nil
}

// Introspection is an RFC 7662 introspection answer:
//
//	Active    bool            // false: the token is expired, revoked, unknown or not this client's
//	Sub       string          // the user id (the client id for a client_credentials token)
//	ClientID  string          // the client the token was issued to
//	Exp       int64           // expiry, seconds since the epoch; ExpiresAt() gives it as a time
//	Iat       int64           // issue time, seconds since the epoch
//	Iss       string          // the issuer, such as https://example.genauth.ai/oauth
//	JTI       string          // the token's id
//	Scope     string          // the scope granted
//	TokenType string          // "Bearer", or "refresh_token" for a refresh token
//	Raw       json.RawMessage // the answer as received, for fields not modelled here
//
// When Active is false the other fields are empty. It is the introspection
// type the server encodes, shared so that the two cannot drift apart.
type Introspection = wire.Introspection

// IntrospectToken asks <AppHost>/<protocol>/token/introspection whether an
// access or refresh token is active. An inactive token is not an error: it
// gives Active false. Failing to authenticate the client gives an *Error.
func (c *Client) IntrospectToken(ctx context.Context, token string) (*Introspection, error) {
	if token == "" {
		return nil, errors.New("authentication: IntrospectToken needs a token")
	}
	body, err := c.postForm(ctx, "/token/introspection", c.opts.IntrospectionEndpointAuthMethod, url.Values{"token": {token}})
	if err != nil {
		return nil, err
	}
	var in Introspection
	if err := decode("/token/introspection", body, &in); err != nil {
		return nil, err
	}
	in.Raw = body
	return &in, nil
}

// RevokeToken revokes an access or refresh token at
// <AppHost>/<protocol>/token/revocation (RFC 7009): backend logout. Revoking
// a refresh token also revokes the access tokens issued from it. It returns
// true on any 2xx answer, including for unknown or already revoked tokens, and
// false with an *Error otherwise.
func (c *Client) RevokeToken(ctx context.Context, token string) (bool, error) {
	if token == "" {
		return false, errors.New("authentication: RevokeToken needs a token")
	}
	if _, err := c.postForm(ctx, "/token/revocation", c.opts.RevocationEndpointAuthMethod, url.Values{"token": {token}}); err != nil {
		return false, err
	}
	return true, nil
}
