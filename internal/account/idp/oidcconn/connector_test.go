package oidcconn_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/idp/oidcconn"
	"github.com/opengenauth/genauth/internal/model"
)

func TestAuthCodeURL(t *testing.T) {
	t.Parallel()
	up := startUpstream(t)
	verifier := oauth2.GenerateVerifier()
	withScopes := up.oidcConn()
	withScopes.Fields.Scopes = []string{"email"}
	for _, tc := range []struct {
		name string
		conn *model.ExtIdpConn
		want url.Values
	}{
		{"oidc", up.oidcConn(), url.Values{"scope": {"openid profile email"}, "nonce": {nonce}}},
		{"oidc scopes without openid", withScopes, url.Values{"scope": {"openid email"}, "nonce": {nonce}}},
		{"oauth2", up.oauth2Conn(), url.Values{"scope": {"openid profile email"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := up.connector().AuthCodeURL(t.Context(), tc.conn, callback, state, nonce, verifier)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := url.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			if base := parsed.Scheme + "://" + parsed.Host + parsed.Path; base != up.issuer+"/auth" {
				t.Errorf("authorization endpoint %s; want %s/auth", base, up.issuer)
			}
			want := url.Values{"client_id": {up.app.ID}, "redirect_uri": {callback}, "response_type": {"code"}, "state": {state},
				"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
			for k, v := range tc.want {
				want[k] = v
			}
			if d := cmp.Diff(want, parsed.Query()); d != "" {
				t.Errorf("query (-want +got):\n%s", d)
			}
		})
	}
}

// TestExchange signs alice in at a real GenAuth server through the
// connector, as OIDC and as plain OAuth 2.0, and maps her profile.
func TestExchange(t *testing.T) {
	t.Parallel()
	up := startUpstream(t)
	alice := &model.UpstreamProfile{Subject: up.user.ID, Email: userEmail, EmailVerified: true, Name: "Alice Liddell", Username: userName}
	byEmail := up.oidcConn()
	byEmail.Fields.Mapping = map[string]string{model.ProfileUsername: "email"}
	for _, tc := range []struct {
		name string
		conn *model.ExtIdpConn
		want *model.UpstreamProfile
	}{
		{"oidc", up.oidcConn(), alice},
		{"oidc, username from the email", byEmail, &model.UpstreamProfile{Subject: up.user.ID, Email: userEmail, EmailVerified: true,
			Name: "Alice Liddell", Username: userEmail}},
		{"oauth2 from userinfo", up.oauth2Conn(), alice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := up.connector()
			verifier := oauth2.GenerateVerifier()
			code := up.code(t, c, tc.conn, verifier, "")
			p, tok, err := c.Exchange(t.Context(), tc.conn, up.secret, callback, code, verifier, nonce)
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if d := cmp.Diff(tc.want, p, cmpopts.IgnoreFields(model.UpstreamProfile{}, "Raw")); d != "" {
				t.Errorf("profile (-want +got):\n%s", d)
			}
			if p.Raw["sub"] != up.user.ID || p.Raw["email"] != userEmail {
				t.Errorf("Raw = %v; want the claims", p.Raw)
			}
			for _, k := range []string{"nonce", "aud", "iss", "exp"} {
				if _, ok := p.Raw[k]; ok {
					t.Errorf("Raw has the token claim %s: %v", k, p.Raw)
				}
			}
			if tok.AccessToken == "" || tok.Expiry.IsZero() {
				t.Errorf("tokens = %+v; want an access token and its expiry", tok)
			}
		})
	}
}

// TestExchangeRefused: the real server's refusals, and an id token that
// does not pass the connector's checks, are model.ErrUpstreamRefused.
func TestExchangeRefused(t *testing.T) {
	t.Parallel()
	up := startUpstream(t)
	other, otherSecret := up.srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{callback}})
	for _, tc := range []struct {
		name     string
		conn     *model.ExtIdpConn
		secret   string // "" the application's
		nonce    string // "" the sign-in's
		verifier string // "" the sign-in's
		reuse    bool   // redeem the code twice
		asOther  bool   // the code and the token are the other application's
		detail   string
	}{
		{name: "wrong client secret", conn: up.oidcConn(), secret: "not-the-secret", detail: "invalid_client"},
		{name: "wrong client secret, oauth2", conn: up.oauth2Conn(), secret: "not-the-secret", detail: "invalid_client"},
		{name: "reused code", conn: up.oidcConn(), reuse: true, detail: "invalid_grant"},
		{name: "wrong verifier", conn: up.oidcConn(), verifier: oauth2.GenerateVerifier(), detail: "invalid_grant"},
		{name: "wrong nonce", conn: up.oidcConn(), nonce: "another nonce", detail: "nonce"},
		{name: "id token for another audience", conn: up.oidcConn(), asOther: true, detail: "audience"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, secret, n := up.connector(), up.secret, nonce
			clientID := ""
			if tc.asOther {
				c.HTTP = &http.Client{Transport: asClient{other.ID, otherSecret}}
				clientID = other.ID
			}
			verifier := oauth2.GenerateVerifier()
			code := up.code(t, c, tc.conn, verifier, clientID)
			if tc.reuse {
				if _, _, err := c.Exchange(t.Context(), tc.conn, secret, callback, code, verifier, n); err != nil {
					t.Fatalf("first Exchange: %v", err)
				}
			}
			if tc.secret != "" {
				secret = tc.secret
			}
			if tc.nonce != "" {
				n = tc.nonce
			}
			if tc.verifier != "" {
				verifier = tc.verifier
			}
			_, _, err := c.Exchange(t.Context(), tc.conn, secret, callback, code, verifier, n)
			wantErr(t, err, model.ErrUpstreamRefused, tc.detail, secret, otherSecret)
		})
	}
}

// TestUnreachable: a closed port, a provider that never answers and a
// discovery document that is not one are model.ErrUpstreamUnavailable, at
// either step.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>maintenance</html>"))
	}))
	t.Cleanup(html.Close)
	// silent never answers until the test ends.
	done := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-done }))
	t.Cleanup(silent.Close)
	t.Cleanup(func() { close(done) })
	oidcAt := func(issuer string) *model.ExtIdpConn {
		return &model.ExtIdpConn{Type: model.IdPOIDC, Identifier: "down", Fields: model.ConnFields{Issuer: issuer, ClientID: "c"}}
	}
	oauth2At := func(base string) *model.ExtIdpConn {
		return &model.ExtIdpConn{Type: model.IdPOAuth2, Identifier: "down", Fields: model.ConnFields{ClientID: "c",
			AuthorizationURL: base + "/authorize", TokenURL: base + "/token", UserInfoURL: base + "/user"}}
	}
	for _, tc := range []struct {
		name   string
		conn   *model.ExtIdpConn
		detail string
	}{
		{"closed port", oidcAt(closed), "discovery"},
		{"no answer", oidcAt(silent.URL), "discovery"},
		{"not a discovery document", oidcAt(html.URL), "discovery"},
		{"oauth2, closed port", oauth2At(closed), "token endpoint"},
		{"oauth2, no answer", oauth2At(silent.URL), "token endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &oidcconn.Connector{Now: time.Now, HTTP: &http.Client{Timeout: 100 * time.Millisecond}}
			if tc.conn.Type == model.IdPOIDC {
				_, err := c.AuthCodeURL(t.Context(), tc.conn, callback, state, nonce, oauth2.GenerateVerifier())
				wantErr(t, err, model.ErrUpstreamUnavailable, tc.detail)
			}
			_, _, err = c.Exchange(t.Context(), tc.conn, "s3cret", callback, "code", oauth2.GenerateVerifier(), nonce)
			wantErr(t, err, model.ErrUpstreamUnavailable, tc.detail, "s3cret")
		})
	}
}

// TestDiscoveryCached: discovery happens once per issuer for ten minutes
// of the connector's clock, however many sign-ins start meanwhile.
func TestDiscoveryCached(t *testing.T) {
	t.Parallel()
	up := startUpstream(t)
	discoveries := &counting{path: "/.well-known/openid-configuration"}
	c := up.connector()
	c.HTTP = &http.Client{Transport: discoveries}
	start := func() {
		if _, err := c.AuthCodeURL(t.Context(), up.oidcConn(), callback, state, nonce, oauth2.GenerateVerifier()); err != nil {
			t.Error(err)
		}
	}
	start()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(start)
	}
	wg.Wait()
	if n := discoveries.n.Load(); n != 1 {
		t.Errorf("%d discoveries; want 1", n)
	}
	up.srv.Clock.Advance(9 * time.Minute)
	start()
	if n := discoveries.n.Load(); n != 1 {
		t.Errorf("%d discoveries after 9 minutes; want 1", n)
	}
	up.srv.Clock.Advance(time.Minute)
	start()
	if n := discoveries.n.Load(); n != 2 {
		t.Errorf("%d discoveries after 10 minutes; want 2", n)
	}
}

// fakeAnswer is what an endpoint of fakeOAuth2 answers.
type fakeAnswer struct {
	status      int
	contentType string
	body        string
}

const fakeAccessToken = "at-QmFzZTY0"

// fakeOAuth2 is a provider such as GitHub, on loopback: its token endpoint
// answers the client client-1 (secret s3cret) redeeming "the-code" with a
// verifier with token (nil: fakeAccessToken), and its userinfo endpoint
// answers that token with userinfo.
func fakeOAuth2(t *testing.T, token, userinfo *fakeAnswer) *model.ExtIdpConn {
	t.Helper()
	write := func(w http.ResponseWriter, a *fakeAnswer) {
		w.Header().Set("Content-Type", a.contentType)
		w.WriteHeader(a.status)
		w.Write([]byte(a.body))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, basic := r.BasicAuth()
		if !basic {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		if id != "client-1" || secret != "s3cret" || r.PostFormValue("code") != "the-code" || r.PostFormValue("code_verifier") == "" {
			write(w, &fakeAnswer{http.StatusBadRequest, "application/json", `{"error":"invalid_grant"}`})
			return
		}
		if token != nil {
			write(w, token)
			return
		}
		write(w, &fakeAnswer{http.StatusOK, "application/json", `{"access_token":"` + fakeAccessToken + `","token_type":"bearer","scope":"read:user"}`})
	})
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeAccessToken || r.Header.Get("Accept") != "application/json" {
			write(w, &fakeAnswer{http.StatusUnauthorized, "application/json", `{"message":"Bad credentials"}`})
			return
		}
		write(w, userinfo)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &model.ExtIdpConn{Type: model.IdPOAuth2, Identifier: "fake", Fields: model.ConnFields{ClientID: "client-1",
		AuthorizationURL: srv.URL + "/authorize", TokenURL: srv.URL + "/token", UserInfoURL: srv.URL + "/user"}}
}

// TestOAuth2Answers: how the connector reads a plain OAuth 2.0 provider's
// answers: GitHub's numeric ids, string booleans, errors in a 200, and the
// failures it cannot read.
func TestOAuth2Answers(t *testing.T) {
	t.Parallel()
	github := map[string]string{model.ProfileSubject: "id", model.ProfileUsername: "login", model.ProfilePicture: "avatar_url"}
	ok := func(body string) *fakeAnswer {
		return &fakeAnswer{http.StatusOK, "application/json; charset=utf-8", body}
	}
	for _, tc := range []struct {
		name     string
		mapping  map[string]string
		trust    bool
		token    *fakeAnswer // nil: a good token
		userinfo *fakeAnswer
		want     *model.UpstreamProfile
		err      error
		detail   string
	}{
		{name: "github's numeric id", mapping: github,
			userinfo: ok(`{"login":"octocat","id":583231,"avatar_url":"https://avatars.example/u/583231","name":"The Octocat","email":"octo@example.com"}`),
			want: &model.UpstreamProfile{Subject: "583231", Username: "octocat", Name: "The Octocat", Email: "octo@example.com",
				Picture: "https://avatars.example/u/583231"}},
		{name: "an id past float64 precision", mapping: github, userinfo: ok(`{"id":12345678901234567890}`),
			want: &model.UpstreamProfile{Subject: "12345678901234567890"}},
		{name: "email_verified as a string", userinfo: ok(`{"sub":"u-1","email":"u@example.com","email_verified":"true"}`),
			want: &model.UpstreamProfile{Subject: "u-1", Email: "u@example.com", EmailVerified: true}},
		{name: "email_verified false", trust: true, userinfo: ok(`{"sub":"u-1","email":"u@example.com","email_verified":false}`),
			want: &model.UpstreamProfile{Subject: "u-1", Email: "u@example.com"}},
		{name: "a trusted email without email_verified", trust: true, userinfo: ok(`{"sub":"u-1","email":"u@example.com"}`),
			want: &model.UpstreamProfile{Subject: "u-1", Email: "u@example.com", EmailVerified: true}},
		{name: "no subject", mapping: github, userinfo: ok(`{"login":"octocat"}`), err: model.ErrUpstreamRefused, detail: "no subject"},
		{name: "a subject that is not a string or number", userinfo: ok(`{"sub":true}`), err: model.ErrUpstreamRefused, detail: "no subject"},
		{name: "userinfo 500", userinfo: &fakeAnswer{http.StatusInternalServerError, "text/plain", "oops"},
			err: model.ErrUpstreamUnavailable, detail: "status 500"},
		{name: "userinfo 403", userinfo: &fakeAnswer{http.StatusForbidden, "application/json", `{}`},
			err: model.ErrUpstreamRefused, detail: "status 403"},
		{name: "userinfo not JSON", userinfo: ok(`<html>`), err: model.ErrUpstreamUnavailable, detail: "not a JSON object"},
		{name: "userinfo an array", userinfo: ok(`[{"sub":"u-1"}]`), err: model.ErrUpstreamUnavailable, detail: "not a JSON object"},
		{name: "userinfo past 1 MiB", userinfo: ok(`{"sub":"u-1","bio":"` + strings.Repeat("x", 1<<20) + `"}`),
			err: model.ErrUpstreamUnavailable, detail: "1 MiB"},
		{name: "token endpoint 503", token: &fakeAnswer{http.StatusServiceUnavailable, "text/html", "<html>down</html>"},
			userinfo: ok(`{"sub":"u-1"}`), err: model.ErrUpstreamUnavailable, detail: "status 503"},
		{name: "token error in a 200, as github", token: ok(`{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired."}`),
			userinfo: ok(`{"sub":"u-1"}`), err: model.ErrUpstreamRefused, detail: "bad_verification_code"},
		{name: "token answer not JSON", token: &fakeAnswer{http.StatusOK, "text/html", "<html>"},
			userinfo: ok(`{"sub":"u-1"}`), err: model.ErrUpstreamUnavailable, detail: "token endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn := fakeOAuth2(t, tc.token, tc.userinfo)
			conn.Fields.Mapping, conn.Fields.TrustEmail = tc.mapping, tc.trust
			c := &oidcconn.Connector{Now: time.Now}
			p, _, err := c.Exchange(t.Context(), conn, "s3cret", callback, "the-code", oauth2.GenerateVerifier(), "")
			wantErr(t, err, tc.err, tc.detail, "s3cret", fakeAccessToken)
			if tc.err != nil {
				return
			}
			if d := cmp.Diff(tc.want, p, cmpopts.IgnoreFields(model.UpstreamProfile{}, "Raw")); d != "" {
				t.Errorf("profile (-want +got):\n%s", d)
			}
			if p.Raw == nil {
				t.Error("no Raw claims")
			}
		})
	}
}

// TestIssuerTrouble: the issuer's keys out of reach, its userinfo failing
// or naming someone else, while its token endpoint answers.
func TestIssuerTrouble(t *testing.T) {
	t.Parallel()
	up := startUpstream(t)
	for _, tc := range []struct {
		name   string
		answer answering
		err    error
		detail string
	}{
		{"keys unreachable", answering{"/jwks.json", http.StatusServiceUnavailable, `{}`}, model.ErrUpstreamUnavailable, "keys"},
		{"keys not JSON", answering{"/jwks.json", http.StatusOK, `<html>`}, model.ErrUpstreamUnavailable, "keys"},
		{"no keys", answering{"/jwks.json", http.StatusOK, `{"keys":[]}`}, model.ErrUpstreamRefused, "verifies the signature"},
		{"userinfo 502", answering{"/oidc/me", http.StatusBadGateway, `{}`}, model.ErrUpstreamUnavailable, "status 502"},
		{"userinfo for another subject", answering{"/oidc/me", http.StatusOK, `{"sub":"someone-else","email":"mallory@example.com"}`},
			model.ErrUpstreamRefused, "userinfo sub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := up.connector()
			c.HTTP = &http.Client{Transport: tc.answer}
			conn := up.oidcConn()
			verifier := oauth2.GenerateVerifier()
			code := up.code(t, c, conn, verifier, "")
			_, _, err := c.Exchange(t.Context(), conn, up.secret, callback, code, verifier, nonce)
			wantErr(t, err, tc.err, tc.detail, up.secret)
		})
	}
}

// TestKeyRotation: an id token signed with a key the connector has not
// seen makes it fetch the issuer's keys again; known keys are not fetched
// again.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	up := startUpstream(t)
	fetches := &counting{path: "/jwks.json"}
	c := up.connector()
	c.HTTP = &http.Client{Transport: fetches}
	conn := up.oidcConn()
	signIn := func() {
		t.Helper()
		verifier := oauth2.GenerateVerifier()
		code := up.code(t, c, conn, verifier, "")
		if _, _, err := c.Exchange(t.Context(), conn, up.secret, callback, code, verifier, nonce); err != nil {
			t.Fatalf("Exchange: %v", err)
		}
	}
	signIn()
	signIn()
	if n := fetches.n.Load(); n != 1 {
		t.Errorf("%d key fetches for two sign-ins; want 1", n)
	}
	// Twice: the first rotation's new signing key was published already.
	for range 2 {
		if err := up.srv.Keys.Rotate(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	up.srv.Clock.Advance(time.Minute) // the server reloads its keys within a minute
	signIn()
	if n := fetches.n.Load(); n != 2 {
		t.Errorf("%d key fetches after the rotation; want 2", n)
	}
}
