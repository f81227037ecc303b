package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// refusal is an answer that declines a sign-in for now: the password
// hashing queue is full (503) or the throttle holds the address (429). A
// client waits as the answer says and tries again.
type refusal struct {
	what      string
	wait      time.Duration
	throttled bool // 429: the throttle, not the hashing queue
}

func (r *refusal) Error() string { return r.what + " refused; retry after " + r.wait.String() }

// refused returns the refusal an answer is, or nil; status is the HTTP
// status or, for the authentication API, the envelope's statusCode.
func refused(what string, status int, r reply) error {
	if status != http.StatusServiceUnavailable && status != http.StatusTooManyRequests {
		return nil
	}
	wait := time.Second
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err == nil && s > 0 {
		wait = time.Duration(s) * time.Second
	}
	return &refusal{what: what, wait: wait, throttled: status == http.StatusTooManyRequests}
}

// signinBody is the JSON of a PASSWORD sign-in at /api/v3/signin.
type signinBody struct {
	Connection      string            `json:"connection"`
	PasswordPayload map[string]string `json:"passwordPayload"`
	ClientID        string            `json:"client_id"`
	ClientSecret    string            `json:"client_secret"`
}

// passwordSignInAPI signs a random seeded user in through the
// authentication API, which checks the argon2id hash and issues tokens.
func (w *worker) passwordSignInAPI(ctx context.Context) error {
	body, err := json.Marshal(signinBody{
		Connection:      "PASSWORD",
		PasswordPayload: map[string]string{"username": w.e.usernames[w.rng.IntN(len(w.e.usernames))], "password": benchPassword},
		ClientID:        w.e.appID,
		ClientSecret:    w.e.appSecret,
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.e.base+"/api/v3/signin", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Authing-App-Id", w.e.appID)
	r, err := w.do(req)
	if err != nil {
		return err
	}
	var v struct {
		StatusCode int `json:"statusCode"`
		Data       struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
		} `json:"data"`
	}
	if r.status == http.StatusOK && json.Unmarshal(r.body, &v) == nil {
		if err := refused("password_signin_api", v.StatusCode, r); err != nil {
			return err
		}
	}
	if r.status != http.StatusOK || v.StatusCode != http.StatusOK ||
		!isOpaque(v.Data.AccessToken) || v.Data.TokenType != "Bearer" {
		return unexpected("password_signin_api", r)
	}
	return nil
}

// passwordSignInForm signs a random seeded user in at the hosted form, as
// a browser posting it from the sign-in page would.
func (w *worker) passwordSignInForm(ctx context.Context) error {
	form := url.Values{"username": {w.e.usernames[w.rng.IntN(len(w.e.usernames))]}, "password": {benchPassword}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.e.base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	r, err := w.do(req)
	if err != nil {
		return err
	}
	if err := refused("password_signin_form", r.status, r); err != nil {
		return err
	}
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" || !hasSessionCookie(r.header) {
		return unexpected("password_signin_form", r)
	}
	return nil
}

// hasSessionCookie reports whether a response sets a browser session.
func hasSessionCookie(h http.Header) bool {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "genauth_session" && c.Value != "" && c.MaxAge >= 0 {
			return true
		}
	}
	return false
}

// getProfile reads a random live token's user through the authentication API.
func (w *worker) getProfile(ctx context.Context) error {
	r, i, err := w.getWithToken(ctx, "/api/v3/get-profile")
	if err != nil {
		return err
	}
	// As for userinfo: check the envelope and the user, not every field.
	if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`"statusCode":200`)) ||
		!bytes.Contains(r.body, []byte(`"userId":"`+w.e.userOf(i)+`"`)) {
		return unexpected("get_profile", r)
	}
	return nil
}

// jwksPath is where an API fetches the keys of tokens issued under /oidc.
const jwksPath = "/oidc/.well-known/jwks.json"

// jwtVerify checks the worker's JWT access token offline, as an API in
// front of which GenAuth signs users in would: the key set is fetched once
// (on the worker's first operation), then every check is local: the
// signature by the header's kid, RS256 only, issuer, audience, expiry and
// subject. The server is not asked per check.
func (w *worker) jwtVerify(ctx context.Context) error {
	if w.jwks == nil {
		r, err := w.get(ctx, jwksPath)
		if err != nil {
			return err
		}
		var set jose.JSONWebKeySet
		if r.status != http.StatusOK || json.Unmarshal(r.body, &set) != nil || len(set.Keys) == 0 {
			return unexpected("jwt_verify key set", r)
		}
		w.jwks = &set
	}
	tok, err := jwt.ParseSigned(w.jwt, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return fmt.Errorf("jwt_verify: %w", err)
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID == "" {
		return errors.New("jwt_verify: token has no kid")
	}
	keys := w.jwks.Key(tok.Headers[0].KeyID)
	if len(keys) == 0 {
		return fmt.Errorf("jwt_verify: no key %q in the key set", tok.Headers[0].KeyID)
	}
	var c jwt.Claims
	if err := tok.Claims(keys[0].Key, &c); err != nil {
		return fmt.Errorf("jwt_verify: %w", err)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: w.e.base + "/oidc", AnyAudience: jwt.Audience{w.e.jwtAppID},
		Subject: w.jwtSub, Time: time.Now()}, 0); err != nil {
		return fmt.Errorf("jwt_verify: %w", err)
	}
	return nil
}
