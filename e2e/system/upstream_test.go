package system

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/testkit/slapdtest"
)

// Tests in this file run two genauth servers on SQLite, each its own data
// directory: U, the upstream OpenID Connect provider, and D, the GenAuth
// under test, which signs its users in through U (as an OpenID Connect and
// as a plain OAuth 2.0 provider) and through a real slapd. Both are set up
// with the CLI only and driven as a browser would, one request at a time.
//
// U listens on 127.0.0.2 and D on 127.0.0.1: a browser keeps cookies by
// host, not by port, and both servers name their session cookie alike.

// upstreamTimeout bounds TestUpstream, processes included.
const upstreamTimeout = 3 * time.Minute

// The passwords of the test's users.
const (
	alicePW = "alice at the upstream"
	carolPW = "carol at the upstream"
	davePW  = "dave at the upstream"
	bobPW   = "bob at the downstream"
)

// rpState and rpNonce are what the relying party on D sends; the sign-ins
// of a test never overlap, so fixed values do.
const (
	rpState = "rp-state"
	rpNonce = "rp-nonce"
)

// createdIdP is what `genauth idp create --json` prints that the test uses.
type createdIdP struct {
	ID          string `json:"id"`
	Identifier  string `json:"identifier"`
	RedirectURI string `json:"redirect_uri"`
}

// upstreamEnv is the two servers and the relying party on D.
type upstreamEnv struct {
	t          *testing.T
	ctx        context.Context
	uDir, dDir string
	u, d       *node
	uURL, dURL string
	rpID       string
	rpSecret   string
	rp         *oauth2.Config
	verifier   *oidc.IDTokenVerifier
	provider   *oidc.Provider
	idps       map[string]string // provider ids by connection identifier
	carolAtU   string            // carol's id at U: her subject there
}

// discovery is the part of an OpenID Connect discovery document D is
// configured from.
type discovery struct {
	Issuer   string `json:"issuer"`
	Auth     string `json:"authorization_endpoint"`
	Token    string `json:"token_endpoint"`
	UserInfo string `json:"userinfo_endpoint"`
}

// createUser creates a user with username (and email, marked verified, when
// not "") on the database in dir, and returns its id.
func createUser(t *testing.T, dir, username, email, password string) string {
	t.Helper()
	args := []string{"user", "create", "--json", "--data-dir", dir, "--username", username, "--password-stdin"}
	if email != "" {
		args = append(args, "--email", email)
	}
	var u struct {
		ID string `json:"id"`
	}
	if out := mustRun(t, password+"\n", args...); json.Unmarshal([]byte(out), &u) != nil || u.ID == "" {
		t.Fatalf("genauth user create printed %q", out)
	}
	if email != "" {
		mustRun(t, "", "user", "update", "--data-dir", dir, "--user", u.ID, "--email-verified")
	}
	return u.ID
}

// createIdP runs `genauth idp create KIND args... --json` on D with secret
// on standard input, enables the connection for rp and keeps the
// provider's id.
func (e *upstreamEnv) createIdP(secret string, args ...string) {
	t := e.t
	t.Helper()
	out := mustRun(t, secret+"\n", append(append([]string{"idp", "create"}, args...),
		"--json", "--data-dir", e.dDir, "--public-url", e.dURL)...)
	var c createdIdP
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ID == "" {
		t.Fatalf("genauth idp create printed %q: %v", out, err)
	}
	if web := args[0] == "oidc" || args[0] == "oauth2"; web && c.RedirectURI != e.dURL+"/connections/"+c.Identifier+"/callback" {
		t.Fatalf("genauth idp create printed the redirect URI %q, want D's callback for %s", c.RedirectURI, c.Identifier)
	}
	mustRun(t, "", "idp", "enable", c.Identifier, "--app", e.rpID, "--data-dir", e.dDir)
	e.idps[c.Identifier] = c.ID
}

// setUpUpstream starts U and D, set up through the CLI: on U the
// applications D signs in with and the users alice, carol and dave (no
// email); on D the relying party rp, the user bob and the connections
// up-oidc (OpenID Connect), up-oauth (OAuth 2.0, U's endpoints from its
// discovery document), up-consent (an application of U that asks for
// consent) and up-dead (an issuer nobody answers at), all enabled for rp.
func setUpUpstream(t *testing.T, ctx context.Context) *upstreamEnv {
	t.Helper()
	bin := buildGenauth(t, ctx)
	e := &upstreamEnv{t: t, ctx: ctx, uDir: t.TempDir(), dDir: t.TempDir(), idps: map[string]string{}}
	uAddr, err := freeAddr("127.0.0.2")
	if err != nil {
		skipOrFail(t, "the upstream server needs the loopback address 127.0.0.2 (Linux routes all of 127.0.0.0/8): "+err.Error())
	}
	dAddr, err := freeAddr("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr, err := freeAddr("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	e.uURL, e.dURL = "http://"+uAddr, "http://"+dAddr
	mustRun(t, "", "migrate", "--data-dir", e.uDir)
	mustRun(t, "", "migrate", "--data-dir", e.dDir)

	callback := func(identifier string) string { return e.dURL + "/connections/" + identifier + "/callback" }
	down := createApp(t, "--data-dir", e.uDir, "--name", "downstream", "--token-auth-method", "client_secret_basic",
		"--redirect-uri", callback("up-oidc"), "--redirect-uri", callback("up-oauth"))
	consenting := createApp(t, "--data-dir", e.uDir, "--name", "third party", "--require-consent",
		"--redirect-uri", callback("up-consent"))
	createUser(t, e.uDir, "alice", "alice@example.com", alicePW)
	carolAtU := createUser(t, e.uDir, "carol", "carol@example.com", carolPW)
	createUser(t, e.uDir, "dave", "", davePW)
	e.u = serveAt(t, ctx, bin, "U", e.uDir, uAddr)

	var doc discovery
	resp, err := apiClient.Get(e.uURL + "/oidc/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil || doc.Issuer != e.uURL+"/oidc" || doc.Auth == "" || doc.Token == "" || doc.UserInfo == "" {
		t.Fatalf("U's discovery document %+v: %v", doc, err)
	}

	rp := createApp(t, "--data-dir", e.dDir, "--name", "rp", "--redirect-uri", demoRedirectURI)
	e.rpID, e.rpSecret = rp.AppID, rp.AppSecret
	createUser(t, e.dDir, "bob", "bob@example.net", bobPW)
	e.createIdP(down.AppSecret, "oidc", "--name", "Upstream", "--identifier", "up-oidc",
		"--issuer", doc.Issuer, "--client-id", down.AppID, "--client-secret-stdin")
	e.createIdP(down.AppSecret, "oauth2", "--name", "Upstream OAuth", "--identifier", "up-oauth",
		"--authorization-url", doc.Auth, "--token-url", doc.Token, "--userinfo-url", doc.UserInfo,
		"--scope", "openid", "--scope", "profile", "--scope", "email", "--client-id", down.AppID, "--client-secret-stdin")
	e.createIdP(consenting.AppSecret, "oidc", "--name", "Third party", "--identifier", "up-consent",
		"--issuer", doc.Issuer, "--client-id", consenting.AppID, "--client-secret-stdin")
	e.createIdP("unused", "oidc", "--name", "Gone", "--identifier", "up-dead",
		"--issuer", "http://"+deadAddr+"/oidc", "--client-id", "gone", "--client-secret-stdin")
	e.d = serveAt(t, ctx, bin, "D", e.dDir, dAddr)
	e.carolAtU = carolAtU

	if e.provider, err = oidc.NewProvider(oidc.ClientContext(ctx, apiClient), e.dURL+"/oidc"); err != nil {
		t.Fatalf("D's discovery: %v", err)
	}
	e.verifier = e.provider.Verifier(&oidc.Config{ClientID: rp.AppID})
	ep := e.provider.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInParams
	e.rp = &oauth2.Config{ClientID: rp.AppID, ClientSecret: rp.AppSecret, Endpoint: ep, RedirectURL: demoRedirectURI,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	return e
}

// authorize starts rp's authorization request on D in b and returns where
// D sends the browser to sign in, checking it is the login page.
func (e *upstreamEnv) authorize(b *browser) *url.URL {
	e.t.Helper()
	return b.redirect(b.get(e.rp.AuthCodeURL(rpState, oidc.Nonce(rpNonce))), e.dURL+"/login?")
}

// start opens the login page at login and follows its link to the
// connection identifier, checking the link carries the login page's
// return_to; it returns the answer to that link.
func (e *upstreamEnv) start(b *browser, login *url.URL, identifier string) page {
	e.t.Helper()
	lp := b.expect(b.get(login.String()), http.StatusOK)
	for _, href := range idpLinks(lp.body) {
		rest, ok := strings.CutPrefix(href, "/connections/"+identifier+"/")
		if !ok {
			continue
		}
		u, err := url.Parse(href)
		if err != nil || u.Query().Get("return_to") != login.Query().Get("return_to") {
			e.t.Fatalf("the login page links %q to %s, want return_to %q", href, identifier, login.Query().Get("return_to"))
		}
		if kind, _, _ := strings.Cut(rest, "?"); kind != "start" && kind != "ldap" {
			e.t.Fatalf("the login page links %q to %s, want /start or /ldap", href, identifier)
		}
		return b.get(e.dURL + href)
	}
	e.t.Fatalf("the login page has no link to %s; links %q", identifier, idpLinks(lp.body))
	return page{}
}

// upstream drives U from p, D's redirect to it: it signs in on U's login
// form as user when U asks, answers U's consent page with decision (the
// test fails if U asks and decision is ""), and returns where U sends the
// browser back on D.
func (e *upstreamEnv) upstream(b *browser, p page, user, password, decision string) *url.URL {
	e.t.Helper()
	next := b.redirect(p, e.uURL+"/")
	for range 8 {
		if strings.HasPrefix(next.String(), e.dURL+"/") {
			return next
		}
		p := b.get(next.String())
		switch {
		case p.loc != nil && p.loc.Path == "/login" && strings.HasPrefix(p.loc.String(), e.uURL+"/"):
			p = b.post(e.uURL+"/login", url.Values{"username": {user}, "password": {password},
				"return_to": {p.loc.Query().Get("return_to")}})
			next = b.redirect(p, "")
		case p.loc != nil:
			next = p.loc
		case p.status == http.StatusOK && slices.Contains(formActions(p.body), "/oidc/auth/consent") && decision != "":
			next = b.redirect(b.submit(p, "/oidc/auth/consent", url.Values{"consent": {decision}}), "")
		default:
			e.t.Fatalf("at the upstream: %s", p)
		}
	}
	e.t.Fatal("too many redirects at the upstream")
	return nil
}

// code follows D's redirects from p to rp's redirect URI and returns the
// authorization code.
func (e *upstreamEnv) code(b *browser, p page) string {
	e.t.Helper()
	for range 6 {
		loc := b.redirect(p, "")
		if strings.HasPrefix(loc.String(), demoRedirectURI+"?") {
			if loc.Query().Get("state") != rpState || loc.Query().Get("code") == "" {
				e.t.Fatalf("rp's callback %s lacks the code or the state", loc)
			}
			return loc.Query().Get("code")
		}
		if !strings.HasPrefix(loc.String(), e.dURL+"/") {
			e.t.Fatalf("%s; want D's redirects to end at rp", p)
		}
		p = b.get(loc.String())
	}
	e.t.Fatal("too many redirects on D")
	return ""
}

// signedIn is what rp learns from D's tokens.
type signedIn struct {
	sub, email           string
	amr                  []string
	accessToken, idToken string
}

// redeem exchanges code at D's token endpoint, verifies the id token and
// reads the userinfo endpoint.
func (e *upstreamEnv) redeem(code string) signedIn {
	e.t.Helper()
	ctx := oidc.ClientContext(e.ctx, apiClient)
	tok, err := e.rp.Exchange(ctx, code)
	if err != nil {
		e.t.Fatalf("redeeming the code at D: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := e.verifier.Verify(ctx, raw)
	if err != nil {
		e.t.Fatalf("D's id token: %v", err)
	}
	if idt.Nonce != rpNonce {
		e.t.Fatalf("D's id token has the nonce %q, want %q", idt.Nonce, rpNonce)
	}
	var claims struct {
		AMR []string `json:"amr"`
	}
	if err := idt.Claims(&claims); err != nil {
		e.t.Fatal(err)
	}
	info, err := e.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		e.t.Fatalf("D's userinfo: %v", err)
	}
	if info.Subject != idt.Subject {
		e.t.Fatalf("D's userinfo is about %q, the id token about %q", info.Subject, idt.Subject)
	}
	return signedIn{sub: idt.Subject, email: info.Email, amr: claims.AMR, accessToken: tok.AccessToken, idToken: raw}
}

// signInVia signs in to rp on D in a new browser through the connection
// identifier and upstream as user, and returns the browser and whom rp got.
func (e *upstreamEnv) signInVia(identifier, user, password string) (*browser, signedIn) {
	e.t.Helper()
	b := newBrowser(e.t)
	back := e.upstream(b, e.start(b, e.authorize(b), identifier), user, password, "")
	return b, e.redeem(e.code(b, b.get(back.String())))
}

// signedOut fails the test if b has a session on D: the account page sends
// it to the login page.
func (e *upstreamEnv) signedOut(b *browser) {
	e.t.Helper()
	b.redirect(b.get(e.dURL+"/account"), e.dURL+"/login")
}

// TestUpstream signs users in to D through U: accounts made just in time,
// the same account the next time, an email already taken confirmed and
// linked, a signed-in user linking and unlinking, the last way in kept,
// U's refusal, a tampered state, the audit trail and the login history,
// an LDAP directory through the hosted form, and U going away.
func TestUpstream(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), upstreamTimeout)
	defer cancel()
	e := setUpUpstream(t, ctx)

	// The login page lists rp's connections in the order they were made;
	// an unknown connection is 404.
	b := newBrowser(t)
	login := e.authorize(b)
	lp := b.expect(b.get(login.String()), http.StatusOK)
	var got []string
	for _, href := range idpLinks(lp.body) {
		id, _, _ := strings.Cut(strings.TrimPrefix(href, "/connections/"), "/")
		got = append(got, id)
	}
	if want := []string{"up-oidc", "up-oauth", "up-consent", "up-dead"}; !slices.Equal(got, want) {
		t.Errorf("the login page links to %q, want %q", got, want)
	}
	if !strings.Contains(lp.body, "Sign in with Upstream OAuth") {
		t.Errorf("the login page lacks the text %q: %s", "Sign in with Upstream OAuth", lp)
	}
	b.expect(b.get(e.dURL+"/connections/up-nowhere/start?"+url.Values{"return_to": {login.Query().Get("return_to")}}.Encode()), http.StatusNotFound)
	// Another application of D enables none: its login page has no link,
	// and up-oidc does not start for it.
	other := createApp(t, "--data-dir", e.dDir, "--name", "other", "--redirect-uri", demoRedirectURI)
	otherAuth := e.dURL + "/oidc/auth?" + url.Values{"client_id": {other.AppID}, "redirect_uri": {demoRedirectURI},
		"response_type": {"code"}, "scope": {"openid"}, "state": {rpState}, "nonce": {rpNonce}}.Encode()
	login = b.redirect(b.get(otherAuth), e.dURL+"/login?")
	if links := idpLinks(b.expect(b.get(login.String()), http.StatusOK).body); len(links) != 0 {
		t.Errorf("the login page for an application without connections links to %q", links)
	}
	b.expect(b.get(e.dURL+"/connections/up-oidc/start?"+url.Values{"return_to": {login.Query().Get("return_to")}}.Encode()), http.StatusNotFound)

	// The first sign-in through up-oidc makes a D account just in time, with
	// alice's email; the flow cookie lasts from the start to the callback.
	b = newBrowser(t)
	p := e.start(b, e.authorize(b), "up-oidc")
	i := slices.IndexFunc(p.cookies, func(c *http.Cookie) bool { return c.Name == "genauth_idp_flow" })
	if i < 0 {
		t.Fatalf("%s set no genauth_idp_flow cookie", p)
	}
	if c := p.cookies[i]; c.Path != "/connections/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.MaxAge != 600 && c.Expires.IsZero() {
		t.Errorf("the flow cookie is %s, want Path=/connections/, HttpOnly, SameSite=Lax, not Secure on http, 10 minutes", c)
	}
	back := e.upstream(b, p, "alice", alicePW, "")
	if back.Path != "/connections/up-oidc/callback" || back.Query().Get("code") == "" {
		t.Fatalf("U sent the browser back to %s, want D's callback with a code", back)
	}
	alice := e.redeem(e.code(b, b.get(back.String())))
	if alice.email != "alice@example.com" || !slices.Equal(alice.amr, []string{"fed"}) {
		t.Errorf("first sign-in through up-oidc: %+v, want alice's email and amr [fed]", alice)
	}
	if b.cookie(e.dURL+"/connections/up-oidc/callback", "genauth_idp_flow") != "" {
		t.Error("the flow cookie outlived the callback")
	}
	// The callback again: its flow is spent.
	b.expect(b.get(back.String()), http.StatusForbidden)
	// Another browser, the same upstream account: the same D account.
	if _, again := e.signInVia("up-oidc", "alice", alicePW); again.sub != alice.sub {
		t.Errorf("second sign-in through up-oidc is %q, want the account made the first time %q", again.sub, alice.sub)
	}

	// Through up-oauth (another provider) alice's verified email is the
	// verified email of the account made above: D asks to link. Cancelled,
	// it is back at the login page without a session; confirmed, alice is
	// signed in to that account.
	confirmPage := func(b *browser) (login *url.URL, p page) {
		t.Helper()
		login = e.authorize(b)
		back := e.upstream(b, e.start(b, login, "up-oauth"), "alice", alicePW, "")
		confirm := b.redirect(b.get(back.String()), e.dURL+"/connections/link")
		p = b.expect(b.get(confirm.String()), http.StatusOK)
		if !strings.Contains(p.body, "Link Upstream OAuth to it") || strings.Contains(p.body, "alice@example.com") {
			t.Fatalf("the link confirmation lacks its question, or shows the email unmasked: %s", p)
		}
		return login, p
	}
	b = newBrowser(t)
	login, p = confirmPage(b)
	if loc := b.redirect(b.submit(p, "/connections/link", url.Values{"confirm": {"no"}}), e.dURL+"/login?"); loc.Query().Get("return_to") != login.Query().Get("return_to") {
		t.Errorf("cancelling the link goes to %s, want the login page with return_to %q", loc, login.Query().Get("return_to"))
	}
	e.signedOut(b)
	b = newBrowser(t)
	_, p = confirmPage(b)
	if linked := e.redeem(e.code(b, b.submit(p, "/connections/link", url.Values{"confirm": {"yes"}}))); linked.sub != alice.sub || !slices.Equal(linked.amr, []string{"fed"}) {
		t.Errorf("confirmed sign-in through up-oauth: %+v, want the account %q with amr [fed]", linked, alice.sub)
	}
	if _, again := e.signInVia("up-oauth", "alice", alicePW); again.sub != alice.sub {
		t.Errorf("sign-in through up-oauth once linked is %q, want %q", again.sub, alice.sub)
	}

	// bob, signed in on D with his password, links carol's upstream account
	// from his account page; signing in as carol then signs in as bob.
	bobB := newBrowser(t)
	login = e.authorize(bobB)
	bob := e.redeem(e.code(bobB, bobB.post(e.dURL+"/login", url.Values{"username": {"bob"}, "password": {bobPW},
		"return_to": {login.Query().Get("return_to")}})))
	acct := bobB.expect(bobB.get(e.dURL+"/account"), http.StatusOK)
	if !strings.Contains(acct.body, `id="identities"`) || !slices.Contains(formActions(acct.body), "/connections/up-oidc/link-start") {
		t.Fatalf("bob's account page lacks the identities section or its link form for up-oidc: %s", acct)
	}
	back = e.upstream(bobB, bobB.post(e.dURL+"/connections/up-oidc/link-start", url.Values{}), "carol", carolPW, "")
	bobB.redirect(bobB.get(back.String()), e.dURL+"/account#identities")
	acct = bobB.expect(bobB.get(e.dURL+"/account"), http.StatusOK)
	upOIDC := e.idps["up-oidc"]
	if !strings.Contains(acct.body, `value="`+upOIDC+`"`) || !strings.Contains(acct.body, "carol") {
		t.Errorf("bob's account page does not show carol's linked up-oidc account: %s", acct)
	}
	if _, carol := e.signInVia("up-oidc", "carol", carolPW); carol.sub != bob.sub {
		t.Errorf("signing in through up-oidc as carol gives %q, want bob %q", carol.sub, bob.sub)
	}

	// bob unlinks it: he has a password.
	bobB.redirect(bobB.post(e.dURL+"/account/identities/unlink", url.Values{"ext_idp_id": {upOIDC}}), e.dURL+"/account#identities")
	acct = bobB.expect(bobB.get(e.dURL+"/account"), http.StatusOK)
	if strings.Contains(acct.body, `value="`+upOIDC+`"`) || !slices.Contains(formActions(acct.body), "/connections/up-oidc/link-start") {
		t.Errorf("after unlinking, bob's account page still shows the identity or lacks the link form: %s", acct)
	}

	// The authentication API lists rp's connections with a plain link to
	// each; the link starts a sign-in.
	var entries []struct {
		Identifier string `json:"identifier"`
		ExtIdpID   string `json:"extIdpId"`
		BindURL    string `json:"bindUrl"`
	}
	e.api(http.MethodGet, "/api/v3/get-application-enabled-extidps", "", nil, &entries)
	if len(entries) != 4 || entries[0].Identifier != "up-oidc" || entries[0].ExtIdpID != upOIDC ||
		entries[0].BindURL != e.dURL+"/connections/up-oidc/start" {
		t.Errorf("get-application-enabled-extidps: %+v, want up-oidc first with its start page", entries)
	}
	b = newBrowser(t)
	b.redirect(b.get(entries[0].BindURL), e.uURL+"/")

	// A link URL from the API for bob's id token: opened in a browser
	// without a session, it asks, then links carol's upstream account to bob.
	var link struct {
		URL string `json:"url"`
	}
	e.api(http.MethodGet, "/api/v3/generate-link-extidp-url?"+url.Values{"ext_idp_conn_identifier": {"up-oidc"},
		"app_id": {e.rpID}, "id_token": {bob.idToken}}.Encode(), "", nil, &link)
	if !strings.HasPrefix(link.URL, e.dURL+"/connections/up-oidc/link?ticket=") {
		t.Fatalf("generate-link-extidp-url gave %q, want D's link page for up-oidc", link.URL)
	}
	b = newBrowser(t)
	p = b.expect(b.get(link.URL), http.StatusOK)
	if !strings.Contains(p.body, "Link Upstream to the account") {
		t.Errorf("the link page does not ask to link Upstream: %s", p)
	}
	back = e.upstream(b, b.submit(p, "/connections/up-oidc/link", nil), "carol", carolPW, "")
	b.expect(b.get(back.String()), http.StatusOK)
	e.signedOut(b)
	if _, carol := e.signInVia("up-oidc", "carol", carolPW); carol.sub != bob.sub {
		t.Errorf("signing in through up-oidc as carol after the ticket's link gives %q, want bob %q", carol.sub, bob.sub)
	}
	var ids []struct {
		ExtIdpID    string `json:"extIdpId"`
		Provider    string `json:"provider"`
		UserIDInIdp string `json:"userIdInIdp"`
	}
	e.api(http.MethodGet, "/api/v3/get-identities", bob.accessToken, nil, &ids)
	if len(ids) != 1 || ids[0].ExtIdpID != upOIDC || ids[0].Provider != "oidc" || ids[0].UserIDInIdp != e.carolAtU {
		t.Errorf("bob's identities: %+v, want carol's subject %q at up-oidc", ids, e.carolAtU)
	}
	if env := e.api(http.MethodPost, "/api/v3/unlink-extidp", bob.accessToken, map[string]string{"extIdpId": upOIDC}, nil); env.StatusCode != http.StatusOK {
		t.Errorf("unlink-extidp of bob's identity: %+v, want statusCode 200", env)
	}
	if e.api(http.MethodGet, "/api/v3/get-identities", bob.accessToken, nil, &ids); len(ids) != 0 {
		t.Errorf("bob's identities after unlink-extidp: %+v, want none", ids)
	}

	// dave's upstream account has no email: his D account, made just in
	// time, has no password and no email, and may not drop its only way in,
	// on the account page (409) or through the API (422).
	daveB, dave := e.signInVia("up-oidc", "dave", davePW)
	p = daveB.post(e.dURL+"/account/identities/unlink", url.Values{"ext_idp_id": {upOIDC}})
	if p.status != http.StatusConflict {
		t.Errorf("unlinking dave's only way in: %s; want 409", p)
	}
	if env := e.api(http.MethodPost, "/api/v3/unlink-extidp", dave.accessToken, map[string]string{"extIdpId": upOIDC}, nil); env.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unlink-extidp of dave's only way in: %+v, want statusCode 422", env)
	}
	if _, again := e.signInVia("up-oidc", "dave", davePW); again.sub != dave.sub {
		t.Errorf("dave signs in as %q after the refused unlink, want %q", again.sub, dave.sub)
	}

	// U's user denies consent: D's callback gets the error, shows 403 and
	// starts no session.
	b = newBrowser(t)
	back = e.upstream(b, e.start(b, e.authorize(b), "up-consent"), "alice", alicePW, "deny")
	if back.Query().Get("error") != "access_denied" {
		t.Errorf("U sent the browser back with %s, want error=access_denied", back)
	}
	b.expect(b.get(back.String()), http.StatusForbidden)
	e.signedOut(b)

	// A callback opened in another browser than the one that started the
	// sign-in (no flow cookie), or whose state was changed: 403, no session.
	b = newBrowser(t)
	back = e.upstream(b, e.start(b, e.authorize(b), "up-oidc"), "alice", alicePW, "")
	stranger := newBrowser(t)
	stranger.expect(stranger.get(back.String()), http.StatusForbidden)
	e.signedOut(stranger)
	q := back.Query()
	q.Set("state", q.Get("state")+"x")
	back.RawQuery = q.Encode()
	b.expect(b.get(back.String()), http.StatusForbidden)
	e.signedOut(b)

	// The audit trail has the account made just in time, the sign-ins, the
	// links and the unlink.
	events := auditEvents(t, e.dDir)
	for _, want := range []auditEvent{
		{Type: "user.register", UserID: alice.sub, Detail: "idp:up-oidc"},
		{Type: "idp.signin", UserID: alice.sub, Detail: "up-oidc"},
		{Type: "idp.signin", UserID: alice.sub, Detail: "up-oauth"},
		{Type: "idp.link", UserID: alice.sub},
		{Type: "idp.link", UserID: bob.sub},
		{Type: "idp.unlink", UserID: bob.sub},
	} {
		if !slices.ContainsFunc(events, func(ev auditEvent) bool {
			return ev.Type == want.Type && ev.UserID == want.UserID && (want.Detail == "" || ev.Detail == want.Detail)
		}) {
			t.Errorf("D's audit trail lacks %+v: %+v", want, events)
		}
	}
	// The login history names the connections' kinds.
	if methods := e.loginMethods(alice.accessToken); !slices.Contains(methods, "idp:oidc") || !slices.Contains(methods, "idp:oauth2") {
		t.Errorf("alice's login history has the methods %q, want idp:oidc and idp:oauth2", methods)
	}

	t.Run("ldap", func(t *testing.T) { e.ldap(t) })

	// U goes away after answering: the code cannot be redeemed, 502, no
	// session. An issuer nobody answers at: 502 at once.
	b = newBrowser(t)
	back = e.upstream(b, e.start(b, e.authorize(b), "up-oidc"), "alice", alicePW, "")
	if status := e.u.stop(); status != 0 {
		t.Errorf("U exited with %d on SIGTERM", status)
	}
	b.expect(b.get(back.String()), http.StatusBadGateway)
	e.signedOut(b)
	b = newBrowser(t)
	b.expect(e.start(b, e.authorize(b), "up-dead"), http.StatusBadGateway)
	if strings.Contains(e.d.stderr(), "level=ERROR") {
		t.Errorf("D logged errors for upstream trouble:\n%s", e.d.stderr())
	}
}

// loginMethods are the loginMethod of the login history of the access
// token's user, from D's authentication API.
func (e *upstreamEnv) loginMethods(accessToken string) []string {
	e.t.Helper()
	var history struct {
		List []struct {
			LoginMethod string `json:"loginMethod"`
		} `json:"list"`
	}
	e.api(http.MethodGet, "/api/v3/get-my-login-history", accessToken, nil, &history)
	var out []string
	for _, l := range history.List {
		out = append(out, l.LoginMethod)
	}
	return out
}

// ldap signs in to rp on D with alice's password at a real slapd, through
// the hosted form and through the authentication API: a wrong password is
// refused, the right one signs in to an account made just in time (the
// directory's email is not alice's upstream one, and is not verified).
func (e *upstreamEnv) ldap(t *testing.T) {
	sub := *e
	sub.t = t
	e = &sub
	// No directory enabled for rp yet: the API says so.
	if env := e.apiSignIn(slapdtest.Alice.UID, slapdtest.Alice.Password); env.StatusCode != http.StatusBadRequest || env.APICode != 2820002 {
		t.Errorf("LDAP sign-in without a directory: %+v, want statusCode 400, apiCode 2820002", env)
	}
	dir := slapdtest.Start(t, slapdtest.Options{})
	e.createIdP(dir.BindPassword, "ldap", "--name", "Corp directory", "--identifier", "corp-ldap", "--url", dir.URL,
		"--base-dn", slapdtest.PeopleDN, "--bind-dn", dir.BindDN, "--bind-password-stdin")

	const action = "/connections/corp-ldap/ldap"
	wrong := url.Values{"username": {slapdtest.Alice.UID}, "password": {"not " + slapdtest.Alice.Password}}
	right := url.Values{"username": {slapdtest.Alice.UID}, "password": {slapdtest.Alice.Password}}
	b := newBrowser(t)
	login := e.authorize(b)
	p := b.expect(e.start(b, login, "corp-ldap"), http.StatusOK)
	if got := hiddenFields(p.body).Get("return_to"); got != login.Query().Get("return_to") {
		t.Errorf("the directory form carries return_to %q, want %q", got, login.Query().Get("return_to"))
	}
	p = b.expect(b.submit(p, action, wrong), http.StatusUnauthorized)
	e.signedOut(b)
	ldapAlice := e.redeem(e.code(b, b.submit(p, action, right)))
	if !slices.Equal(ldapAlice.amr, []string{"pwd"}) || ldapAlice.email != slapdtest.Alice.Mail || ldapAlice.sub == "" {
		t.Errorf("LDAP sign-in through the form: %+v, want amr [pwd] and the directory's email %s", ldapAlice, slapdtest.Alice.Mail)
	}
	if methods := e.loginMethods(ldapAlice.accessToken); !slices.Contains(methods, "idp:ldap") {
		t.Errorf("the LDAP account's login history has the methods %q, want idp:ldap", methods)
	}

	// The authentication API signs the same directory account in.
	if env := e.apiSignIn(slapdtest.Alice.UID, "not "+slapdtest.Alice.Password); env.StatusCode != http.StatusForbidden || env.APICode != 2333 {
		t.Errorf("LDAP sign-in through the API with a wrong password: %+v, want statusCode 403, apiCode 2333", env)
	}
	var tokens struct {
		IDToken string `json:"id_token"`
	}
	env := e.apiSignIn(slapdtest.Alice.UID, slapdtest.Alice.Password)
	if err := json.Unmarshal(env.Data, &tokens); env.StatusCode != http.StatusOK || err != nil || tokens.IDToken == "" {
		t.Fatalf("LDAP sign-in through the API: %+v, want statusCode 200 and an id token", env)
	}
	idt, err := e.verifier.Verify(oidc.ClientContext(e.ctx, apiClient), tokens.IDToken)
	if err != nil {
		t.Fatalf("the API's id token: %v", err)
	}
	if idt.Subject != ldapAlice.sub {
		t.Errorf("LDAP sign-in through the API is %q, through the form %q", idt.Subject, ldapAlice.sub)
	}

	// The directory gone: 502 on the form and on the API, no session.
	dir.Stop()
	b = newBrowser(t)
	p = b.expect(e.start(b, e.authorize(b), "corp-ldap"), http.StatusOK)
	b.expect(b.submit(p, action, right), http.StatusBadGateway)
	e.signedOut(b)
	if env := e.apiSignIn(slapdtest.Alice.UID, slapdtest.Alice.Password); env.StatusCode != http.StatusBadGateway {
		t.Errorf("LDAP sign-in through the API with the directory gone: %+v, want statusCode 502", env)
	}
}

// envelope is an authentication API answer (contract 1.1).
type envelope struct {
	StatusCode int             `json:"statusCode"`
	APICode    int             `json:"apiCode"`
	Message    string          `json:"message"`
	Data       json.RawMessage `json:"data"`
}

// api calls D's authentication API as rp, with the user's access token
// when not "", and decodes data into v when not nil; it fails the test
// unless statusCode is 200, except when v is nil, and returns the answer.
func (e *upstreamEnv) api(method, path, accessToken string, body, v any) envelope {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, e.dURL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("x-authing-app-id", e.rpID)
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	resp, err := apiClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var env envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("%s %s: HTTP %d: %v", method, path, resp.StatusCode, err)
	}
	if v != nil {
		if env.StatusCode != http.StatusOK {
			e.t.Fatalf("%s %s: %+v", method, path, env)
		}
		if err := json.Unmarshal(env.Data, v); err != nil {
			e.t.Fatalf("%s %s: data %s: %v", method, path, env.Data, err)
		}
	}
	return env
}

// apiSignIn posts signin with connection LDAP as the SDKs do (contract 2.1,
// headers 1.2, rp's client_secret_post credentials 1.4).
func (e *upstreamEnv) apiSignIn(login, password string) envelope {
	e.t.Helper()
	return e.api(http.MethodPost, "/api/v3/signin", "", map[string]any{"connection": "LDAP",
		"ldapPayload": map[string]string{"sAMAccountName": login, "password": password},
		"options":     map[string]string{"scope": "openid profile email"},
		"client_id":   e.rpID, "client_secret": e.rpSecret}, nil)
}
