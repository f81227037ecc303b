package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// requestTimeout bounds one request; a run never waits longer than this past its end.
const requestTimeout = 30 * time.Second

// maxBody bounds what a worker reads of a response.
const maxBody = 1 << 20

// Scenario names, in the order `all` runs them.
var scenarioNames = []string{
	"baseline", "introspect", "userinfo", "client_credentials", "refresh", "code_flow", "revoke", "mixed",
	"password_signin_api", "password_signin_form", "jwt_verify", "get_profile",
}

// errExhausted ends a worker whose scenario has nothing left to do (the
// revoke scenario's pool of tokens is used up). It is not an error.
var errExhausted = errors.New("nothing left to do")

// worker is one simulated client; it is used by one goroutine only.
type worker struct {
	e       *env
	rng     *rand.Rand
	buf     bytes.Buffer
	refresh string // the worker's current refresh token
	session string // the worker's browser session cookie value
	state   int    // authorization requests sent, for unique state values
	jwt     string // the worker's JWT access token (jwt_verify), of user jwtSub
	jwtSub  string
	// jwks is the key set jwt_verify fetched on the worker's first operation.
	jwks *jose.JSONWebKeySet
}

// op performs one operation of a worker and checks its answer.
type op func(w *worker, ctx context.Context) error

// scenarioOp returns the operation of a scenario.
func scenarioOp(name string) op {
	switch name {
	case "baseline":
		return (*worker).baseline
	case "introspect":
		return (*worker).introspect
	case "userinfo":
		return (*worker).userinfo
	case "client_credentials":
		return (*worker).clientCredentials
	case "refresh":
		return (*worker).refreshToken
	case "code_flow":
		return (*worker).codeFlow
	case "revoke":
		return (*worker).revoke
	case "mixed":
		return (*worker).mixed
	case "password_signin_api":
		return (*worker).passwordSignInAPI
	case "password_signin_form":
		return (*worker).passwordSignInForm
	case "jwt_verify":
		return (*worker).jwtVerify
	case "get_profile":
		return (*worker).getProfile
	}
	return nil
}

// reply is a response read in full into the worker's buffer.
type reply struct {
	status int
	header http.Header
	body   []byte // valid until the worker's next request
}

func (w *worker) do(req *http.Request) (reply, error) {
	resp, err := w.e.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	w.buf.Reset()
	if _, err := w.buf.ReadFrom(io.LimitReader(resp.Body, maxBody)); err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: w.buf.Bytes()}, nil
}

func (w *worker) get(ctx context.Context, path string, header ...string) (reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.e.base+path, nil)
	if err != nil {
		return reply{}, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return w.do(req)
}

func (w *worker) postForm(ctx context.Context, path, form string) (reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.e.base+path, strings.NewReader(form))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.do(req)
}

// clientAuth is the client_secret_post credentials as form fields.
func (w *worker) clientAuth() string {
	return "&client_id=" + w.e.appID + "&client_secret=" + w.e.appSecret
}

// unexpected describes a wrong answer, with the start of its body.
func unexpected(what string, r reply) error {
	body := r.body
	if len(body) > 200 {
		body = body[:200]
	}
	return fmt.Errorf("%s: status %d: %s", what, r.status, bytes.TrimSpace(body))
}

func (w *worker) baseline(ctx context.Context) error {
	r, err := w.get(ctx, baselinePath)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK || string(r.body) != "ok\n" {
		return unexpected("baseline", r)
	}
	return nil
}

func (w *worker) introspect(ctx context.Context) error {
	i := w.rng.IntN(w.e.tokens)
	r, err := w.postForm(ctx, "/oauth/token/introspection", "token="+w.e.tokenValue(kindAccess, i)+w.clientAuth())
	if err != nil {
		return err
	}
	var v struct {
		Active   bool   `json:"active"`
		ClientID string `json:"client_id"`
		Sub      string `json:"sub"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &v) != nil ||
		!v.Active || v.ClientID != w.e.appID || v.Sub != w.e.userOf(i) {
		return unexpected("introspect", r)
	}
	return nil
}

// getWithToken GETs path with a random live access token as Bearer, and
// says which token it was.
func (w *worker) getWithToken(ctx context.Context, path string) (reply, int, error) {
	i := w.rng.IntN(w.e.tokens)
	r, err := w.get(ctx, path, "Authorization", "Bearer "+w.e.tokenValue(kindAccess, i))
	return r, i, err
}

func (w *worker) userinfo(ctx context.Context) error {
	r, i, err := w.getWithToken(ctx, "/oauth/me")
	if err != nil {
		return err
	}
	// The claims object is larger than the generator should spend its CPU
	// decoding: check that it is one and names the token's user.
	if r.status != http.StatusOK || !bytes.HasPrefix(r.body, []byte("{")) ||
		!bytes.Contains(r.body, []byte(`"sub":"`+w.e.userOf(i)+`"`)) {
		return unexpected("userinfo", r)
	}
	return nil
}

// tokenAnswer is the token endpoint's success body.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
}

// readTokens checks a token endpoint answer; wantRefresh says whether a
// refresh token must come with it.
func readTokens(what string, r reply, wantRefresh bool) (tokenAnswer, error) {
	var v tokenAnswer
	if r.status != http.StatusOK || json.Unmarshal(r.body, &v) != nil || !isOpaque(v.AccessToken) ||
		v.TokenType != "Bearer" || (v.RefreshToken != "") != wantRefresh {
		return v, unexpected(what, r)
	}
	return v, nil
}

// isOpaque reports whether v has the wire format of a token: 40 lowercase hex characters.
func isOpaque(v string) bool {
	if len(v) != 40 {
		return false
	}
	for i := range len(v) {
		if c := v[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (w *worker) clientCredentials(ctx context.Context) error {
	r, err := w.postForm(ctx, "/oauth/token", "grant_type=client_credentials"+w.clientAuth())
	if err != nil {
		return err
	}
	_, err = readTokens("client_credentials", r, false)
	return err
}

// refreshToken uses the refresh token the last answer returned, so the
// scenario works whether or not the server rotates refresh tokens.
func (w *worker) refreshToken(ctx context.Context) error {
	r, err := w.postForm(ctx, "/oauth/token", "grant_type=refresh_token&refresh_token="+w.refresh+w.clientAuth())
	if err != nil {
		return err
	}
	v, err := readTokens("refresh", r, true)
	if err != nil {
		return err
	}
	w.refresh = v.RefreshToken
	return nil
}

// codeFlow is one sign-in of a user who has a browser session: the
// authorization request answered with a code, then the code exchange.
func (w *worker) codeFlow(ctx context.Context) error {
	r, err := w.authorizationCode(ctx, "/oauth", w.e.appID, w.e.appSecret, "user")
	if err != nil {
		return err
	}
	_, err = readTokens("code_flow token", r, true)
	return err
}

// authorizationCode runs the code flow of the worker's session at prefix
// (/oauth or /oidc) for a client and returns the token endpoint's answer.
func (w *worker) authorizationCode(ctx context.Context, prefix, clientID, secret, scope string) (reply, error) {
	w.state++
	state := strconv.Itoa(w.state)
	q := "?client_id=" + clientID + "&redirect_uri=" + url.QueryEscape(redirectURI) +
		"&response_type=code&scope=" + url.QueryEscape(scope) + "&state=" + state
	r, err := w.get(ctx, prefix+"/auth"+q, "Cookie", "genauth_session="+w.session)
	if err != nil {
		return reply{}, err
	}
	if r.status != http.StatusFound {
		return reply{}, unexpected("code_flow authorize", r)
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirectURI+"?") || loc.Query().Get("state") != state ||
		loc.Query().Get("code") == "" {
		return reply{}, fmt.Errorf("code_flow authorize: unexpected redirect to %.200q", r.header.Get("Location"))
	}
	return w.postForm(ctx, prefix+"/token", "grant_type=authorization_code&code="+url.QueryEscape(loc.Query().Get("code"))+
		"&redirect_uri="+url.QueryEscape(redirectURI)+"&client_id="+clientID+"&client_secret="+secret)
}

// revoke revokes the next unused token of the revocation pool.
func (w *worker) revoke(ctx context.Context) error {
	i := int(w.e.revokeNext.Add(1) - 1)
	if i >= w.e.revokePool {
		return errExhausted
	}
	r, err := w.postForm(ctx, "/oauth/token/revocation", "token="+w.e.tokenValue(kindRevoke, i)+w.clientAuth())
	if err != nil {
		return err
	}
	if r.status != http.StatusOK || string(bytes.TrimSpace(r.body)) != "true" {
		return unexpected("revoke", r)
	}
	return nil
}

// mixed weighs the operations roughly as a resource server fleet would:
// mostly token checks, some refreshes and sign-ins. It revokes nothing, so
// the live token set stays the same throughout.
func (w *worker) mixed(ctx context.Context) error {
	switch n := w.rng.IntN(100); {
	case n < 50:
		return w.introspect(ctx)
	case n < 80:
		return w.userinfo(ctx)
	case n < 90:
		return w.refreshToken(ctx)
	case n < 95:
		return w.clientCredentials(ctx)
	default:
		return w.codeFlow(ctx)
	}
}

// checkRevoked introspects a sample of the revoked tokens: each must now be
// inactive. It returns how many were checked and the failures.
func checkRevoked(ctx context.Context, w *worker, revoked int) (int, []error) {
	var errs []error
	n := min(revoked, 20)
	for k := range n {
		i := k * revoked / n
		r, err := w.postForm(ctx, "/oauth/token/introspection", "token="+w.e.tokenValue(kindRevoke, i)+w.clientAuth())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r.status != http.StatusOK || string(bytes.TrimSpace(r.body)) != `{"active":false}` {
			errs = append(errs, unexpected("revoked token still active", r))
		}
	}
	return n, errs
}
