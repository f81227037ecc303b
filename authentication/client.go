package authentication

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Protocols a Client can speak. They choose the endpoint prefix
// (<AppHost>/oauth or <AppHost>/oidc), the default scope and the logout URL.
const (
	ProtocolOAuth = "oauth"
	ProtocolOIDC  = "oidc"
)

// Client authentication methods for the token, introspection and revocation
// endpoints.
const (
	// AuthClientSecretPost sends client_id and client_secret as form fields.
	AuthClientSecretPost = "client_secret_post"
	// AuthClientSecretBasic sends Authorization: Basic base64(client_id ":" client_secret).
	AuthClientSecretBasic = "client_secret_basic"
	// AuthNone sends client_id only (public clients, which then need PKCE).
	AuthNone = "none"
)

// Default scopes requested when AuthorizeParams.Scope is empty.
const (
	DefaultOAuthScope = "user"
	DefaultOIDCScope  = "openid profile email phone address"
)

// maxBody bounds how much of a response is read; protocol answers are small.
const maxBody = 1 << 20

// Options configure a Client. AppID and AppHost are required; AppSecret is
// required unless every endpoint uses AuthNone.
type Options struct {
	// AppID is the application's id, also its OAuth client_id.
	AppID string
	// AppSecret is the application's secret.
	AppSecret string
	// AppHost is the server's base URL, such as https://example.genauth.ai
	// (a trailing slash is ignored).
	AppHost string
	// RedirectURI is the default login callback, used by BuildAuthorizeURL and
	// GetAccessTokenByCode when they are not given one.
	RedirectURI string
	// Protocol is ProtocolOAuth or ProtocolOIDC; empty means ProtocolOIDC, as
	// in the Python SDK.
	Protocol string
	// TokenEndpointAuthMethod, IntrospectionEndpointAuthMethod and
	// RevocationEndpointAuthMethod say how the client authenticates at each
	// endpoint: AuthClientSecretPost (the default), AuthClientSecretBasic or
	// AuthNone. They must match the application's settings on the server.
	TokenEndpointAuthMethod         string
	IntrospectionEndpointAuthMethod string
	RevocationEndpointAuthMethod    string
	// HTTPClient sends the requests; nil means http.DefaultClient, which has
	// no timeout of its own: bound calls with context deadlines.
	HTTPClient *http.Client
	// Rand is the source of generated state and nonce values; nil means
	// crypto/rand. Tests inject a deterministic reader.
	Rand io.Reader
	// IDTokenAlg is the algorithm the application signs id tokens with (its
	// id token setting on the server): AlgRS256, the default, or AlgES256.
	// VerifyIDToken accepts no other.
	IDTokenAlg string
	// Now is the clock VerifyIDToken checks exp and iat against and caches
	// the JWKS and the password key by; nil means time.Now.
	Now func() time.Time
	// PasswordEncryptType is how the calls that send a password (the
	// sign-ins and sign-ups with one, ValidatePassword, UpdatePassword,
	// ResetPassword and VerifyDeleteAccountRequest) send it:
	// PasswordEncryptNone, the default, as it is; PasswordEncryptRSA
	// encrypted under the server's password key, which the Client fetches
	// with GetSystemInfo and uses for 10 minutes.
	PasswordEncryptType string
}

// Client calls one GenAuth application's protocol endpoints. It is safe for
// concurrent use.
type Client struct {
	opts     Options
	base     string // AppHost/Protocol
	verifier *IDTokenVerifier

	keyMu sync.Mutex
	key   *rsa.PublicKey // the password key, fetched at keyAt
	keyAt time.Time
}

// NewClient validates opts, fills in the defaults and returns a Client.
func NewClient(opts Options) (*Client, error) {
	if opts.AppID == "" {
		return nil, errors.New("authentication: Options.AppID is required")
	}
	host := strings.TrimRight(opts.AppHost, "/")
	if host == "" {
		return nil, errors.New("authentication: Options.AppHost is required (for example https://example.genauth.ai)")
	}
	u, err := url.Parse(host)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("authentication: Options.AppHost %q is not an http or https URL", opts.AppHost)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("authentication: Options.AppHost %q must not have a query or fragment", opts.AppHost)
	}
	opts.AppHost = host
	switch opts.Protocol {
	case "":
		opts.Protocol = ProtocolOIDC
	case ProtocolOAuth, ProtocolOIDC:
	default:
		return nil, fmt.Errorf("authentication: Options.Protocol %q is not %q or %q", opts.Protocol, ProtocolOAuth, ProtocolOIDC)
	}
	for _, m := range []struct {
		name string
		v    *string
	}{
		{"TokenEndpointAuthMethod", &opts.TokenEndpointAuthMethod},
		{"IntrospectionEndpointAuthMethod", &opts.IntrospectionEndpointAuthMethod},
		{"RevocationEndpointAuthMethod", &opts.RevocationEndpointAuthMethod},
	} {
		switch *m.v {
		case "":
			*m.v = AuthClientSecretPost
		case AuthClientSecretPost, AuthClientSecretBasic, AuthNone:
		default:
			return nil, fmt.Errorf("authentication: Options.%s %q is not %q, %q or %q",
				m.name, *m.v, AuthClientSecretPost, AuthClientSecretBasic, AuthNone)
		}
		if *m.v != AuthNone && opts.AppSecret == "" {
			return nil, fmt.Errorf("authentication: Options.AppSecret is required when %s is %q", m.name, *m.v)
		}
		// RFC 7617: a Basic user-id cannot contain a colon.
		if *m.v == AuthClientSecretBasic && strings.Contains(opts.AppID, ":") {
			return nil, fmt.Errorf("authentication: Options.AppID %q contains a colon, which %s cannot carry", opts.AppID, AuthClientSecretBasic)
		}
	}
	if _, err := checkAlg(opts.IDTokenAlg); err != nil {
		return nil, fmt.Errorf("authentication: Options.IDTokenAlg %q is not %q or %q", opts.IDTokenAlg, AlgRS256, AlgES256)
	}
	switch opts.PasswordEncryptType {
	case "":
		opts.PasswordEncryptType = PasswordEncryptNone
	case PasswordEncryptNone, PasswordEncryptRSA:
	default:
		return nil, fmt.Errorf("authentication: Options.PasswordEncryptType %q is not %q or %q (sm2 is not supported)",
			opts.PasswordEncryptType, PasswordEncryptNone, PasswordEncryptRSA)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	// Id tokens always come from the OpenID Connect issuer, whatever the
	// protocol prefix of the other endpoints.
	verifier, err := NewIDTokenVerifier(VerifierConfig{
		Issuer:     host + "/oidc",
		ClientID:   opts.AppID,
		Algorithm:  opts.IDTokenAlg,
		HTTPClient: opts.HTTPClient,
		Now:        opts.Now,
	})
	if err != nil {
		return nil, err
	}
	return &Client{opts: opts, base: host + "/" + opts.Protocol, verifier: verifier}, nil
}

// Protocol returns the protocol the client speaks, ProtocolOAuth or ProtocolOIDC.
func (c *Client) Protocol() string { return c.opts.Protocol }

// now is Options.Now, or time.Now.
func (c *Client) now() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now()
}

// endpoint returns <AppHost>/<protocol><path>.
func (c *Client) endpoint(path string) string { return c.base + path }

// postForm sends form to the endpoint at path, authenticating the client with
// method, and returns the 2xx body. A non-2xx answer gives an *Error.
func (c *Client) postForm(ctx context.Context, path, method string, form url.Values) ([]byte, error) {
	form.Set("client_id", c.opts.AppID)
	if method == AuthClientSecretPost {
		form.Set("client_secret", c.opts.AppSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(path), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("authentication: building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if method == AuthClientSecretBasic {
		// The contract's raw form, base64(id ":" secret). For GenAuth's hex ids
		// and secrets it is byte for byte the RFC 6749 form-encoded variant too.
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.opts.AppID+":"+c.opts.AppSecret)))
	}
	return c.do(req)
}

// do sends req and returns the body of a 2xx answer, or an *Error.
func (c *Client) do(req *http.Request) ([]byte, error) {
	req.Header.Set("Accept", "application/json")
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("authentication: %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("authentication: reading %s response: %w", req.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newError(resp.StatusCode, body)
	}
	return body, nil
}

// decode unmarshals a 2xx body into v, wrapping the JSON error.
func decode(path string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("authentication: decoding %s response: %w", path, err)
	}
	return nil
}

// randomString returns n random bytes from r, base64url-encoded.
func randomString(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("authentication: reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
