package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// The upstream's people: alice has a verified email, nomail none.
const (
	upAlice    = "alice"
	upEmail    = "alice@example.com"
	upNoMail   = "nomail"
	upPassword = "upstream password 1"
	idpReturn  = "/account"
)

// idpWorld is a GenAuth server (down, at localhost) signing users in with
// another (up, at 127.0.0.1: the cookie jar keeps their sessions apart)
// through an OIDC and an OAuth 2.0 connection, both enabled for app.
type idpWorld struct {
	t            *testing.T
	up, down     *testserver.Server
	app          *model.Application
	oidc, oauth2 *model.ExtIdpConn
}

func newIdPWorld(t *testing.T) *idpWorld {
	t.Helper()
	ctx := t.Context()
	w := &idpWorld{t: t, up: testserver.Start(t), down: testserver.StartWith(t, testserver.Options{Localhost: true})}
	verified := true
	if _, err := w.up.Users.Create(ctx, users.CreateParams{Username: upAlice, Email: upEmail, Name: "Alice Liddell",
		Password: upPassword, Profile: users.Patch{EmailVerified: &verified}}); err != nil {
		t.Fatal(err)
	}
	w.up.CreateUser(t, upNoMail, upPassword)
	callback := func(id string) string { return w.down.URL + "/connections/" + id + "/callback" }
	upApp, secret := w.up.CreateApp(t, apps.CreateParams{RedirectURIs: []string{callback("up-oidc"), callback("up-oauth2")}})
	issuer := w.up.URL + "/oidc"
	w.app, _ = w.down.CreateApp(t, apps.CreateParams{Name: "Downstream", RedirectURIs: []string{"http://localhost:3000/callback"}})
	w.oidc = w.conn(model.IdPOIDC, "up-oidc", "Upstream OIDC", &secret, model.ConnFields{Issuer: issuer, ClientID: upApp.ID})
	w.oauth2 = w.conn(model.IdPOAuth2, "up-oauth2", "Upstream OAuth", &secret, model.ConnFields{ClientID: upApp.ID,
		Scopes: []string{"openid", "profile", "email"}, AuthorizationURL: issuer + "/auth", TokenURL: issuer + "/token",
		UserInfoURL: issuer + "/me"})
	return w
}

// conn creates an ExtIdp of kind typ with one connection, enabled for w.app.
func (w *idpWorld) conn(typ, identifier, name string, secret *string, f model.ConnFields) *model.ExtIdpConn {
	w.t.Helper()
	ctx := w.t.Context()
	e, err := w.down.IdP.CreateExtIdp(ctx, name+" provider", typ, "")
	if err != nil {
		w.t.Fatal(err)
	}
	c, err := w.down.IdP.CreateConn(ctx, idp.ConnParams{ExtIdpID: e.ID, Identifier: identifier, DisplayName: name,
		Fields: f, Secret: secret})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.down.IdP.SetEnabled(ctx, c.ID, w.app.ID, true); err != nil {
		w.t.Fatal(err)
	}
	// Connections are shown in creation order: make it plain.
	w.down.Clock.Advance(time.Second)
	return c
}

func (w *idpWorld) get(b *http.Client, target string) *http.Response {
	w.t.Helper()
	resp, err := b.Get(target)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (w *idpWorld) post(b *http.Client, target string, form url.Values) *http.Response {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// toUpstream follows resp (a 303 to the upstream's authorize endpoint)
// through the upstream's login form as who, and returns the callback URL
// the upstream sends the browser back to.
func (w *idpWorld) toUpstream(b *http.Client, resp *http.Response, who string) *url.URL {
	w.t.Helper()
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || err != nil || !strings.HasPrefix(loc.String(), w.up.URL+"/") {
		w.t.Fatalf("%s: status %d to %v, want 303 to the upstream", resp.Request.URL, resp.StatusCode, loc)
	}
	l := w.up.Follow(w.t, b, loc.String(), who, upPassword)
	if l.Location == nil || !strings.HasPrefix(l.Location.String(), w.down.URL+"/connections/") {
		w.t.Fatalf("the upstream ended at %v (status %d), not at the callback", l.Location, l.Status)
	}
	return l.Location
}

// signIn starts a sign-in at c for returnTo, signs who in upstream and
// returns the callback's answer.
func (w *idpWorld) signIn(b *http.Client, c *model.ExtIdpConn, who, returnTo string) *http.Response {
	w.t.Helper()
	start := w.get(b, w.down.URL+"/connections/"+c.Identifier+"/start?"+url.Values{"return_to": {returnTo}}.Encode())
	return w.get(b, w.toUpstream(b, start, who).String())
}

// sessionUser is the user of the browser's session at down, or "".
func (w *idpWorld) sessionUser(b *http.Client) string {
	w.t.Helper()
	u, _ := url.Parse(w.down.URL)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == sessions.CookieName {
			s, err := w.down.Store.GetSession(context.Background(), token.Hash(c.Value), w.down.Clock.Now())
			if err == nil {
				return s.UserID
			}
		}
	}
	return ""
}

func wantStatus(t *testing.T, resp *http.Response, status int, location string) string {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status || resp.Header.Get("Location") != location {
		t.Fatalf("%s %s: status %d to %q, want %d to %q\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode,
			resp.Header.Get("Location"), status, location, b)
	}
	return string(b)
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// identities are the user's linked identities at down.
func (w *idpWorld) identities(userID string) []*model.Identity {
	w.t.Helper()
	list, err := w.down.IdP.Identities(w.t.Context(), userID)
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

// TestIdPPagesLoginLinks: the login page links to each connection the
// application enables, in creation order; another connection is neither
// shown nor started.
func TestIdPPagesLoginLinks(t *testing.T) {
	w := newIdPWorld(t)
	hidden := w.conn(model.IdPOIDC, "hidden", "Hidden", nil, model.ConnFields{Issuer: w.up.URL + "/oidc", ClientID: "x"})
	if err := w.down.IdP.SetEnabled(t.Context(), hidden.ID, w.app.ID, false); err != nil {
		t.Fatal(err)
	}
	b := testserver.Browser(t)
	r := "/?client_id=" + w.app.ID
	for _, tt := range []struct{ lang, text string }{{"en", "Sign in with "}, {"zh-CN", "使用 "}} {
		page := wantStatus(t, w.get(b, w.down.URL+"/login?"+url.Values{"return_to": {r}, "lang": {tt.lang}}.Encode()), http.StatusOK, "")
		q := url.Values{"return_to": {r}}.Encode()
		oidc := `<a class="idp" href="/connections/up-oidc/start?` + strings.ReplaceAll(q, "&", "&amp;") + `">` + tt.text
		oauth2 := `<a class="idp" href="/connections/up-oauth2/start?`
		i, j := strings.Index(page, oidc), strings.Index(page, oauth2)
		if i < 0 || j < i || strings.Contains(page, "/connections/hidden/") {
			t.Errorf("%s: the login page's links are wrong:\n%s", tt.lang, page)
		}
	}
	wantStatus(t, w.get(b, w.down.URL+"/connections/hidden/start?return_to=%2F"), http.StatusNotFound, "")
	wantStatus(t, w.get(b, w.down.URL+"/connections/nope/start"), http.StatusNotFound, "")
	wantStatus(t, w.get(b, w.down.URL+"/connections/up-oidc/ldap"), http.StatusNotFound, "")
}

// TestIdPPagesSignIn signs in through each kind of connection: the first
// sign-in creates the account, the second finds it; the flow cookie is as
// the contract says; the login history records idp:<type>.
func TestIdPPagesSignIn(t *testing.T) {
	for _, kind := range []string{model.IdPOIDC, model.IdPOAuth2} {
		t.Run(kind, func(t *testing.T) {
			w := newIdPWorld(t)
			c := map[string]*model.ExtIdpConn{model.IdPOIDC: w.oidc, model.IdPOAuth2: w.oauth2}[kind]
			b := testserver.Browser(t)
			start := w.get(b, w.down.URL+"/connections/"+c.Identifier+"/start?return_to=%2Faccount")
			var flow *http.Cookie
			for _, ck := range start.Cookies() {
				if ck.Name == "genauth_idp_flow" {
					flow = ck
				}
			}
			if flow == nil || flow.Path != "/connections/" || !flow.HttpOnly || flow.SameSite != http.SameSiteLaxMode || flow.MaxAge != 600 {
				t.Fatalf("flow cookie %+v", flow)
			}
			cb := w.get(b, w.toUpstream(b, start, upAlice).String())
			wantStatus(t, cb, http.StatusSeeOther, idpReturn)
			first := w.sessionUser(b)
			if first == "" {
				t.Fatal("no session after the sign-in")
			}
			u, err := w.down.Store.GetUser(t.Context(), first)
			if err != nil || u.Email != upEmail || !u.EmailVerified || u.SourceType != model.UserSourceExtIdp || u.PasswordHash != "" {
				t.Fatalf("the account created: %+v, %v", u, err)
			}
			recs, _, err := w.down.Users.LoginHistory(t.Context(), store.LoginQuery{UserID: first, Limit: 10})
			if err != nil || len(recs) != 1 || recs[0].Method != "idp:"+kind {
				t.Fatalf("login history %+v, %v; want one idp:%s", recs, err, kind)
			}

			b2 := testserver.Browser(t)
			wantStatus(t, w.signIn(b2, c, upAlice, idpReturn), http.StatusSeeOther, idpReturn)
			if again := w.sessionUser(b2); again != first {
				t.Fatalf("the second sign-in is user %q, want %q", again, first)
			}
			if n := len(w.identities(first)); n != 1 {
				t.Fatalf("%d identities, want 1", n)
			}
		})
	}
}

// TestIdPPagesLinkNeeded: an upstream account whose verified email is an
// account's (verified too) is linked only when the user confirms.
func TestIdPPagesLinkNeeded(t *testing.T) {
	w := newIdPWorld(t)
	b := testserver.Browser(t)
	wantStatus(t, w.signIn(b, w.oidc, upAlice, idpReturn), http.StatusSeeOther, idpReturn)
	owner := w.sessionUser(b)

	b2 := testserver.Browser(t)
	r := "/?client_id=" + w.app.ID
	wantStatus(t, w.signIn(b2, w.oauth2, upAlice, r), http.StatusSeeOther, "/connections/link")
	page := wantStatus(t, w.get(b2, w.down.URL+"/connections/link"), http.StatusOK, "")
	for _, want := range []string{"a***@example.com", "Upstream OAuth", `<form method="post" action="/connections/link"`,
		`name="confirm" value="yes"`, `name="confirm" value="no"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the link page lacks %s:\n%s", want, page)
		}
	}
	wantStatus(t, w.post(b2, w.down.URL+"/connections/link", url.Values{"confirm": {"no"}}), http.StatusSeeOther,
		"/login?"+url.Values{"return_to": {r}}.Encode())
	if w.sessionUser(b2) != "" || len(w.identities(owner)) != 1 {
		t.Fatal("cancelling signed in or linked")
	}
	// The cookie went with the answer.
	wantStatus(t, w.get(b2, w.down.URL+"/connections/link"), http.StatusForbidden, "")

	wantStatus(t, w.signIn(b2, w.oauth2, upAlice, r), http.StatusSeeOther, "/connections/link")
	wantStatus(t, w.post(b2, w.down.URL+"/connections/link", url.Values{"confirm": {"yes"}}), http.StatusSeeOther, r)
	if got := w.sessionUser(b2); got != owner || len(w.identities(owner)) != 2 {
		t.Fatalf("confirmed: session user %q (want %q), %d identities", got, owner, len(w.identities(owner)))
	}
	// Linked now: the next sign-in goes straight in.
	b3 := testserver.Browser(t)
	wantStatus(t, w.signIn(b3, w.oauth2, upAlice, r), http.StatusSeeOther, r)
}

// TestIdPPagesRefusals: an email another account has, a tampered state, a
// missing flow cookie, an upstream error and an unreachable upstream are
// readable pages, and sign no one in.
func TestIdPPagesRefusals(t *testing.T) {
	w := newIdPWorld(t)
	closed := w.conn(model.IdPOIDC, "closed", "Closed", nil, model.ConnFields{Issuer: "http://" + closedAddr(t) + "/oidc", ClientID: "x"})
	if _, err := w.down.Users.Create(t.Context(), users.CreateParams{Username: "someone", Email: upEmail, Password: "some password 1"}); err != nil {
		t.Fatal(err)
	}
	tamper := func(u *url.URL, key, value string) string {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	for _, tt := range []struct {
		name   string
		answer func(b *http.Client) *http.Response
		status int
		text   string
	}{
		{"email taken", func(b *http.Client) *http.Response { return w.signIn(b, w.oidc, upAlice, idpReturn) },
			http.StatusConflict, "link this provider from your account page"},
		{"tampered state", func(b *http.Client) *http.Response {
			start := w.get(b, w.down.URL+"/connections/up-oidc/start")
			return w.get(b, tamper(w.toUpstream(b, start, upAlice), "state", "forged"))
		}, http.StatusForbidden, "refused the sign-in"},
		{"no flow cookie", func(b *http.Client) *http.Response {
			start := w.get(b, w.down.URL+"/connections/up-oidc/start")
			return w.get(testserver.Browser(t), w.toUpstream(b, start, upAlice).String())
		}, http.StatusForbidden, "refused the sign-in"},
		{"upstream error", func(b *http.Client) *http.Response {
			start := w.get(b, w.down.URL+"/connections/up-oidc/start")
			cb := w.toUpstream(b, start, upAlice)
			cb.RawQuery = url.Values{"error": {"access_denied"}, "state": {cb.Query().Get("state")}}.Encode()
			return w.get(b, cb.String())
		}, http.StatusForbidden, "refused the sign-in"},
		{"unreachable", func(b *http.Client) *http.Response {
			return w.get(b, w.down.URL+"/connections/"+closed.Identifier+"/start")
		}, http.StatusBadGateway, "Could not reach the identity provider"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := testserver.Browser(t)
			page := wantStatus(t, tt.answer(b), tt.status, "")
			if !strings.Contains(page, tt.text) {
				t.Errorf("the page does not say %q:\n%s", tt.text, page)
			}
			if w.sessionUser(b) != "" {
				t.Error("a session started")
			}
		})
	}
}

// TestIdPPagesAccount links from the account page (a recent sign-in),
// unlinks, refuses to unlink the last way to sign in, and refuses a link
// callback without the linking user's session.
func TestIdPPagesAccount(t *testing.T) {
	w := newIdPWorld(t)
	bob := w.down.CreateUser(t, "bob", "bob password 1")
	b := testserver.Browser(t)
	wantStatus(t, w.post(b, w.down.URL+"/login", url.Values{"username": {"bob"}, "password": {"bob password 1"},
		"return_to": {"/account"}}), http.StatusSeeOther, "/account")
	page := wantStatus(t, w.get(b, w.down.URL+"/account"), http.StatusOK, "")
	for _, want := range []string{`id="identities"`, `action="/connections/up-oidc/link-start"`, `action="/connections/up-oauth2/link-start"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the account page lacks %s:\n%s", want, page)
		}
	}
	start := w.post(b, w.down.URL+"/connections/up-oidc/link-start", nil)
	wantStatus(t, w.get(b, w.toUpstream(b, start, upAlice).String()), http.StatusSeeOther, "/account#identities")
	list := w.identities(bob.ID)
	if len(list) != 1 {
		t.Fatalf("%d identities after linking, want 1", len(list))
	}
	page = wantStatus(t, w.get(b, w.down.URL+"/account"), http.StatusOK, "")
	if !strings.Contains(page, `name="ext_idp_id" value="`+list[0].ExtIdpID+`"`) || !strings.Contains(page, upAlice) ||
		strings.Contains(page, `action="/connections/up-oidc/link-start"`) {
		t.Errorf("the account page does not list the identity:\n%s", page)
	}
	wantStatus(t, w.post(b, w.down.URL+"/account/identities/unlink", url.Values{"ext_idp_id": {list[0].ExtIdpID}}),
		http.StatusSeeOther, "/account#identities")
	if n := len(w.identities(bob.ID)); n != 0 {
		t.Fatalf("%d identities after unlinking", n)
	}

	// The callback of bob's link in a browser without bob's session.
	start = w.post(b, w.down.URL+"/connections/up-oidc/link-start", nil)
	other := testserver.Browser(t)
	down, _ := url.Parse(w.down.URL)
	other.Jar.SetCookies(down, start.Cookies())
	wantStatus(t, w.get(other, w.toUpstream(other, start, upAlice).String()), http.StatusForbidden, "")
	if n := len(w.identities(bob.ID)); n != 0 {
		t.Fatalf("linked without the session")
	}

	// An older session links nothing: it is sent to sign in again.
	w.down.Clock.Advance(16 * time.Minute)
	wantStatus(t, w.post(b, w.down.URL+"/connections/up-oidc/link-start", nil), http.StatusSeeOther,
		"/account?changed=stale_identities#identities")
}

// TestIdPPagesUnlinkLast: an account whose only way in is its identity
// keeps it.
func TestIdPPagesUnlinkLast(t *testing.T) {
	w := newIdPWorld(t)
	b := testserver.Browser(t)
	wantStatus(t, w.signIn(b, w.oidc, upNoMail, idpReturn), http.StatusSeeOther, idpReturn)
	id := w.sessionUser(b)
	list := w.identities(id)
	if len(list) != 1 {
		t.Fatalf("%d identities", len(list))
	}
	page := wantStatus(t, w.post(b, w.down.URL+"/account/identities/unlink", url.Values{"ext_idp_id": {list[0].ExtIdpID}}),
		http.StatusConflict, "")
	if !strings.Contains(page, "only way to sign in") {
		t.Errorf("the page does not say why:\n%s", page)
	}
	if len(w.identities(id)) != 1 {
		t.Fatal("the last identity was unlinked")
	}
}

// TestIdPPagesTicket: a link ticket's page asks first, then links through
// the upstream without a session.
func TestIdPPagesTicket(t *testing.T) {
	w := newIdPWorld(t)
	bob := w.down.CreateUser(t, "bob", "bob password 1")
	ticket, err := w.down.IdP.LinkTicket(bob.ID, w.oidc.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := testserver.Browser(t)
	target := w.down.URL + "/connections/up-oidc/link?" + url.Values{"ticket": {ticket}}.Encode()
	page := wantStatus(t, w.get(b, target), http.StatusOK, "")
	if !strings.Contains(page, `action="/connections/up-oidc/link"`) || !strings.Contains(page, `name="ticket" value="`+ticket+`"`) ||
		!strings.Contains(page, "bob") || len(w.identities(bob.ID)) != 0 {
		t.Fatalf("the ticket page:\n%s", page)
	}
	wantStatus(t, w.get(b, w.down.URL+"/connections/up-oauth2/link?"+url.Values{"ticket": {ticket}}.Encode()), http.StatusNotFound, "")
	wantStatus(t, w.get(b, w.down.URL+"/connections/up-oidc/link?ticket=forged"), http.StatusForbidden, "")

	start := w.post(b, w.down.URL+"/connections/up-oidc/link", url.Values{"ticket": {ticket}})
	page = wantStatus(t, w.get(b, w.toUpstream(b, start, upAlice).String()), http.StatusOK, "")
	if !strings.Contains(page, "is now linked") || len(w.identities(bob.ID)) != 1 || w.sessionUser(b) != "" {
		t.Fatalf("after the ticket's link: %d identities, page\n%s", len(w.identities(bob.ID)), page)
	}
}

// TestIdPPagesSecondFactor: a user with an authenticator app signs in
// upstream, then proves the second factor; the session says both, and the
// login history the provider's kind.
func TestIdPPagesSecondFactor(t *testing.T) {
	w := newIdPWorld(t)
	b := testserver.Browser(t)
	wantStatus(t, w.signIn(b, w.oidc, upAlice, idpReturn), http.StatusSeeOther, idpReturn)
	id := w.sessionUser(b)
	setup, err := w.down.MFA.NewTOTP("alice")
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		c, err := totp.GenerateCode(setup.Secret, w.down.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := w.down.MFA.EnrollTOTP(t.Context(), id, setup.Secret, code()); err != nil {
		t.Fatal(err)
	}
	w.down.Clock.Advance(mfa.Period)

	b2 := testserver.Browser(t)
	wantStatus(t, w.signIn(b2, w.oidc, upAlice, idpReturn), http.StatusSeeOther, "/login/mfa")
	if w.sessionUser(b2) != "" {
		t.Fatal("a session before the second factor")
	}
	wantStatus(t, w.post(b2, w.down.URL+"/login/mfa", url.Values{"method": {"totp"}, "code": {code()}}), http.StatusSeeOther, idpReturn)
	if w.sessionUser(b2) != id {
		t.Fatal("no session after the second factor")
	}
	recs, _, err := w.down.Users.LoginHistory(t.Context(), store.LoginQuery{UserID: id, Limit: 1})
	if err != nil || len(recs) != 1 || recs[0].Method != "idp:oidc" {
		t.Fatalf("login history %+v, %v", recs, err)
	}
}

// TestIdPPagesAlreadyLinked: an upstream account linked to one user is
// not linked to another from the account page.
func TestIdPPagesAlreadyLinked(t *testing.T) {
	w := newIdPWorld(t)
	wantStatus(t, w.signIn(testserver.Browser(t), w.oidc, upAlice, idpReturn), http.StatusSeeOther, idpReturn)
	bob := w.down.CreateUser(t, "bob", "bob password 1")
	b := testserver.Browser(t)
	wantStatus(t, w.post(b, w.down.URL+"/login", url.Values{"username": {"bob"}, "password": {"bob password 1"}}),
		http.StatusSeeOther, "/")
	start := w.post(b, w.down.URL+"/connections/up-oidc/link-start", nil)
	page := wantStatus(t, w.get(b, w.toUpstream(b, start, upAlice).String()), http.StatusConflict, "")
	if !strings.Contains(page, "linked to another account") || len(w.identities(bob.ID)) != 0 {
		t.Fatalf("linked an identity another account has:\n%s", page)
	}
}
