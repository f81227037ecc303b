package oidcconn_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/idp/oidcconn"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

const (
	callback     = "http://localhost:3000/connections/genauth/callback"
	userName     = "alice"
	userEmail    = "alice@example.com"
	userPassword = "correct horse battery"
	nonce        = "n-0S6_WzA2Mj"
	state        = "st-1"
)

// upstream is a real GenAuth server as the upstream provider, with alice
// (verified email) and an application the connector is the client of.
type upstream struct {
	srv    *testserver.Server
	user   *model.User
	app    *model.Application
	secret string
	issuer string
}

func startUpstream(t *testing.T) *upstream {
	t.Helper()
	srv := testserver.Start(t)
	verified := true
	u, err := srv.Users.Create(t.Context(), users.CreateParams{Username: userName, Email: userEmail, Name: "Alice Liddell",
		Password: userPassword, Profile: users.Patch{EmailVerified: &verified}})
	if err != nil {
		t.Fatal(err)
	}
	app, secret := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{callback}})
	return &upstream{srv: srv, user: u, app: app, secret: secret, issuer: srv.URL + "/oidc"}
}

// oidcConn is an OIDC connection to up's application.
func (up *upstream) oidcConn() *model.ExtIdpConn {
	return &model.ExtIdpConn{ID: "conn-1", Type: model.IdPOIDC, Identifier: "genauth",
		Fields: model.ConnFields{Issuer: up.issuer, ClientID: up.app.ID}}
}

// oauth2Conn is an OAuth 2.0 connection to the same application, with the
// endpoints of up's discovery document written out.
func (up *upstream) oauth2Conn() *model.ExtIdpConn {
	return &model.ExtIdpConn{ID: "conn-2", Type: model.IdPOAuth2, Identifier: "genauth-oauth2",
		Fields: model.ConnFields{ClientID: up.app.ID, Scopes: []string{"openid", "profile", "email"},
			AuthorizationURL: up.issuer + "/auth", TokenURL: up.issuer + "/token", UserInfoURL: up.issuer + "/me"}}
}

// connector is a connector on up's clock.
func (up *upstream) connector() *oidcconn.Connector {
	return &oidcconn.Connector{Now: up.srv.Clock.Now}
}

// code signs alice in at up through the hosted login form, starting at
// the connector's authorization URL (with clientID in place of the
// connection's when set), and returns the code the callback gets.
func (up *upstream) code(t *testing.T, c *oidcconn.Connector, conn *model.ExtIdpConn, verifier, clientID string) string {
	t.Helper()
	u, err := c.AuthCodeURL(t.Context(), conn, callback, state, nonce, verifier)
	if err != nil {
		t.Fatalf("AuthCodeURL: %v", err)
	}
	if clientID != "" {
		parsed, _ := url.Parse(u)
		q := parsed.Query()
		q.Set("client_id", clientID)
		parsed.RawQuery = q.Encode()
		u = parsed.String()
	}
	loc := up.srv.Authorize(t, testserver.Browser(t), u, userName, userPassword)
	q := loc.Query()
	if base := loc.Scheme + "://" + loc.Host + loc.Path; base != callback || q.Get("state") != state || q.Get("code") == "" {
		t.Fatalf("authorize ended at %s; want the callback with state %s and a code", loc, state)
	}
	return q.Get("code")
}

// asClient is a transport that authenticates token requests as another
// client of the same server: the code it redeems was issued to that client,
// so the server answers with that client's real id token.
type asClient struct{ id, secret string }

func (a asClient) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/token") {
		r = r.Clone(r.Context())
		r.SetBasicAuth(url.QueryEscape(a.id), url.QueryEscape(a.secret))
	}
	return http.DefaultTransport.RoundTrip(r)
}

// counting is a transport that counts the requests for a path.
type counting struct {
	path string
	n    atomic.Int32
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, c.path) {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// wantErr checks that err wraps want (nil: no error), says why (contains
// detail) and carries no secret.
func wantErr(t *testing.T, err, want error, detail string, secrets ...string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("err = %v; want none", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("err = %v; want %v", err, want)
	}
	if !strings.Contains(err.Error(), detail) {
		t.Errorf("err = %v; want it to say %q", err, detail)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("err = %v carries a secret", err)
		}
	}
}

// answering is a transport that answers requests for a path itself, as a
// provider in trouble or a tampered one would, and passes the rest on.
type answering struct {
	path   string
	status int
	body   string
}

func (a answering) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, a.path) {
		return http.DefaultTransport.RoundTrip(r)
	}
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/json")
	rec.WriteHeader(a.status)
	rec.WriteString(a.body)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}
