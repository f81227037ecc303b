package authentication

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/opengenauth/genauth/internal/wire"
)

// User is the authentication API's UserDto (GetProfile): userId, status,
// the OpenID Connect profile fields, login counters, times as ISO 8601
// strings in UTC, and CustomData when asked for (nil otherwise).
type User = wire.User

// SignInTokens is what a sign-in issues: AccessToken, IDToken (with the
// openid scope), RefreshToken (with offline_access), TokenType "Bearer",
// Scope and the lifetime in seconds (ExpiresIn, also sent as ExpireIn).
type SignInTokens = wire.SignInTokens

// APIError is a failure the /api/v3 envelope reports (the HTTP status is
// 200 there; the outcome is StatusCode). Match it with errors.As:
//
//	var e *authentication.APIError
//	if errors.As(err, &e) && e.APICode == 2333 { ... } // account or password wrong
type APIError struct {
	// StatusCode is the envelope's statusCode, such as 401, 403 or 429.
	StatusCode int
	// APICode is the business error code, such as 2333; 0 when none was sent.
	APICode int
	// Message says why, in the language asked for.
	Message   string
	RequestID string
	// MFA is set when a sign-in needs a second factor (APICode 1636): its
	// MFAToken finishes the sign-in through MFAOTPVerify and the like.
	MFA *MFARequired
}

// Error formats the codes and the message.
func (e *APIError) Error() string {
	if e.APICode != 0 {
		return fmt.Sprintf("authentication: statusCode %d, apiCode %d: %s", e.StatusCode, e.APICode, e.Message)
	}
	return fmt.Sprintf("authentication: statusCode %d: %s", e.StatusCode, e.Message)
}

// SignInOptions are the optional settings of a sign-in.
type SignInOptions struct {
	// Scope is space-separated and must contain openid; empty means the
	// server's default, "openid profile". Add offline_access for a refresh token.
	Scope string
}

// SignInByUsernamePassword signs a user in with their username and password
// (POST <AppHost>/api/v3/signin, connection PASSWORD), authenticating the
// client with Options.TokenEndpointAuthMethod. A wrong username or password
// gives an *APIError with StatusCode 403 and APICode 2333.
func (c *Client) SignInByUsernamePassword(ctx context.Context, username, password string, opts *SignInOptions) (*SignInTokens, error) {
	return c.signInByPassword(ctx, "username", username, password, opts)
}

// SignInByEmailPassword is SignInByUsernamePassword with an email address.
func (c *Client) SignInByEmailPassword(ctx context.Context, email, password string, opts *SignInOptions) (*SignInTokens, error) {
	return c.signInByPassword(ctx, "email", email, password, opts)
}

// SignInByPhonePassword is SignInByUsernamePassword with a phone number.
func (c *Client) SignInByPhonePassword(ctx context.Context, phone, password string, opts *SignInOptions) (*SignInTokens, error) {
	return c.signInByPassword(ctx, "phone", phone, password, opts)
}

// SignInByAccountPassword is SignInByUsernamePassword with any of the
// user's username, email address or phone number.
func (c *Client) SignInByAccountPassword(ctx context.Context, account, password string, opts *SignInOptions) (*SignInTokens, error) {
	return c.signInByPassword(ctx, "account", account, password, opts)
}

func (c *Client) signInByPassword(ctx context.Context, field, login, password string, opts *SignInOptions) (*SignInTokens, error) {
	pw, encrypt, err := c.sealPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"connection":      "PASSWORD",
		"passwordPayload": map[string]string{field: login, "password": pw},
	}
	options := map[string]string{}
	if encrypt != "" {
		options["passwordEncryptType"] = encrypt
	}
	return c.signIn(ctx, body, options, opts)
}

// signIn sends a signin body with options (which opts adds to) and the
// client's authentication.
func (c *Client) signIn(ctx context.Context, body map[string]any, options map[string]string, opts *SignInOptions) (*SignInTokens, error) {
	if opts != nil && opts.Scope != "" {
		options["scope"] = opts.Scope
	}
	if len(options) > 0 {
		body["options"] = options
	}
	method := c.opts.TokenEndpointAuthMethod
	if method == AuthClientSecretPost {
		body["client_id"], body["client_secret"] = c.opts.AppID, c.opts.AppSecret
	}
	var tokens SignInTokens
	if err := c.callAPI(ctx, http.MethodPost, "signin", body, method == AuthClientSecretBasic, "", &tokens); err != nil {
		return nil, err
	}
	return &tokens, nil
}

// GetProfile returns the access token's user (GET <AppHost>/api/v3/get-profile);
// withCustomData adds the user's custom data. An invalid, expired or
// revoked token gives an *APIError with StatusCode 401.
func (c *Client) GetProfile(ctx context.Context, accessToken string, withCustomData bool) (*User, error) {
	path := "get-profile"
	if withCustomData {
		path += "?" + url.Values{"withCustomData": {"true"}}.Encode()
	}
	var u User
	if err := c.callAPI(ctx, http.MethodGet, path, nil, false, accessToken, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// callAPI sends a call to <AppHost>/api/v3/<path> as the application (its
// id in x-authing-app-id), with body as JSON, Basic client authentication
// when basic, the user's accessToken when not empty, and decodes the
// envelope's data into v (nil: the call answers none). A non-200 statusCode gives an *APIError.
func (c *Client) callAPI(ctx context.Context, method, path string, body any, basic bool, accessToken string, v any) error {
	_, err := c.callAPIMessage(ctx, method, path, body, basic, accessToken, v)
	return err
}

// callAPIMessage is callAPI that also returns the envelope's message, which
// says why a check answered no.
func (c *Client) callAPIMessage(ctx context.Context, method, path string, body any, basic bool, accessToken string, v any) (string, error) {
	var payload io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return "", fmt.Errorf("authentication: encoding %s: %w", path, err)
		}
		payload = bytes.NewReader(b)
	}
	req, err := c.apiRequest(ctx, method, path, payload)
	if err != nil {
		return "", err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case basic:
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.opts.AppID+":"+c.opts.AppSecret)))
	case accessToken != "":
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	raw, err := c.do(req)
	if err != nil {
		return "", err
	}
	name := strings.SplitN(path, "?", 2)[0]
	var env struct {
		StatusCode int             `json:"statusCode"`
		APICode    int             `json:"apiCode"`
		Message    string          `json:"message"`
		RequestID  string          `json:"requestId"`
		Data       json.RawMessage `json:"data"`
	}
	if err := decode(name, raw, &env); err != nil {
		return "", err
	}
	if env.StatusCode != http.StatusOK {
		e := &APIError{StatusCode: env.StatusCode, APICode: env.APICode, Message: env.Message, RequestID: env.RequestID}
		if env.APICode == codeMFARequired && len(env.Data) > 0 {
			if err := decode(name, env.Data, &e.MFA); err != nil {
				return "", err
			}
		}
		return "", e
	}
	if v == nil { // a call that answers no data
		return env.Message, nil
	}
	if raw, ok := v.(*json.RawMessage); ok { // a call that may answer data
		*raw = env.Data
		return env.Message, nil
	}
	return env.Message, decode(name, env.Data, v)
}

// apiRequest builds a request to <AppHost>/api/v3/<path> as the application.
func (c *Client) apiRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.opts.AppHost+"/api/v3/"+path, body)
	if err != nil {
		return nil, fmt.Errorf("authentication: building request: %w", err)
	}
	req.Header.Set("x-authing-app-id", c.opts.AppID)
	return req, nil
}
