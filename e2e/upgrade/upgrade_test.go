package upgrade_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/opengenauth/genauth/e2e/upgrade"
)

// buildGenauth builds the current cmd/genauth into a temporary directory.
func buildGenauth(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "genauth")
	out, err := exec.CommandContext(ctx, goTool, "build", "-o", bin, "github.com/opengenauth/genauth/cmd/genauth").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestUpgrade opens the data an earlier release made (see the package
// documentation) with the current binary, on SQLite and on PostgreSQL.
func TestUpgrade(t *testing.T) {
	bin := buildGenauth(t)
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		f := readFixture(t, "sqlite")
		dir := t.TempDir()
		for _, name := range []string{"genauth.db", "secret.key"} {
			b, err := os.ReadFile(filepath.Join("testdata", "sqlite", name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		shift := shiftFor(f.MadeAt)
		redateSQLite(t, filepath.Join(dir, "genauth.db"), shift)
		checkUpgrade(t, upgrade.Binary{Path: bin, DB: []string{"--data-dir", dir}}, f, shift)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f := readFixture(t, "postgres")
		dbURL := newPostgresDatabase(t)
		dump, err := os.ReadFile(filepath.Join("testdata", "postgres", "dump.sql"))
		if err != nil {
			t.Fatal(err)
		}
		shift := shiftFor(f.MadeAt)
		loadPostgres(t, dbURL, dump, shift)
		checkUpgrade(t, upgrade.Binary{Path: bin, DB: []string{"--database", dbURL, "--secret-key", f.SecretKey}}, f, shift)
	})
}

func readFixture(t *testing.T, backend string) *upgrade.Fixture {
	t.Helper()
	f, err := upgrade.ReadFixture(filepath.Join("testdata", backend, "fixture.json"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Backend != backend || len(f.Release) != 40 {
		t.Fatalf("testdata/%s/fixture.json is for %q, made by release %q", backend, f.Backend, f.Release)
	}
	t.Logf("fixture made by release %s at %s", f.Release, f.MadeAt)
	return f
}

// env is one upgraded installation being checked.
type env struct {
	b     upgrade.Binary
	f     *upgrade.Fixture
	shift time.Duration
	srv   *upgrade.Server
	api   *upgrade.Client
}

// checkUpgrade migrates, checks and serves the old release's data with the
// current binary, then checks every kind of data over HTTP and the CLI.
// The read-only checks come first: signing in changes what the views show.
func checkUpgrade(t *testing.T, b upgrade.Binary, f *upgrade.Fixture, shift time.Duration) {
	if _, err := b.Run("", "migrate"); err != nil {
		t.Fatal(err)
	}
	if out, err := b.Run("", "doctor", "--public-url", upgrade.PublicURL); err != nil {
		t.Errorf("genauth doctor is unhappy with the upgraded database: %v", err)
	} else {
		t.Logf("genauth doctor:\n%s", out)
	}
	srv, err := b.Serve()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Kill)
	e := &env{b: b, f: f, shift: shift, srv: srv, api: upgrade.NewClient(srv.URL)}
	for _, c := range []struct {
		name string
		run  func(*env, *testing.T)
	}{
		{"CLI views", (*env).cliViews},
		{"management API", (*env).management},
		{"introspection", (*env).introspection},
		{"application secrets", (*env).appSecrets},
		{"signing keys", (*env).signingKeys},
		{"sign-in", (*env).signIn},
		{"browser session", (*env).browserSession},
		{"consent", (*env).consent},
		{"refresh tokens", (*env).refreshTokens},
		{"new id tokens and logout hints", (*env).idTokens},
		{"client credentials", (*env).clientCredentials},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(e, t) })
	}
	if err := srv.Stop(); err != nil {
		t.Error(err)
	}
	if t.Failed() {
		t.Logf("server log:\n%s", srv.Logs())
	}
}

func (e *env) report(t *testing.T, what string, diffs []string) {
	t.Helper()
	for _, d := range diffs {
		t.Errorf("%s: %s", what, d)
	}
}

// cliViews: the CLI lists the applications, users and audit events as the
// old release did.
func (e *env) cliViews(t *testing.T) {
	for _, v := range []struct {
		args   []string
		want   json.RawMessage
		subset bool
	}{
		{[]string{"app", "list", "--json"}, e.f.Views.AppList, false},
		{[]string{"user", "list", "--json"}, e.f.Views.UserList, false},
		{[]string{"audit", "list", "--json", "--limit", "10000"}, e.f.Views.Audit, true},
	} {
		out, err := e.b.Run("", v.args...)
		if err != nil {
			t.Error(err)
			continue
		}
		e.report(t, "genauth "+strings.Join(v.args, " "), sameElements(v.want, []byte(out), e.shift, v.subset))
	}
}

// management: the old access key opens the management API, by token and by
// signature, and it shows users, applications and login history as before.
func (e *env) management(t *testing.T) {
	tok, err := e.api.ManagementToken(e.f.AccessKey)
	if err != nil {
		t.Fatalf("the old access key: %v", err)
	}
	get := func(call string, q url.Values) json.RawMessage {
		t.Helper()
		env, err := e.api.Management(tok, http.MethodGet, call, q, nil)
		if err != nil || env.StatusCode != http.StatusOK {
			t.Fatalf("%s: %+v %v", call, env, err)
		}
		return env.Data
	}
	for _, u := range e.f.Users {
		e.report(t, "get-user "+u.Key, diff(e.f.Views.ManagementUsers[u.Key], get("get-user", url.Values{"userId": {u.ID}}), e.shift, false))
		e.report(t, "get-user-login-history "+u.Key, diff(e.f.Views.LoginHistory[u.Key],
			get("get-user-login-history", url.Values{"userId": {u.ID}, "limit": {"50"}}), e.shift, false))
	}
	e.report(t, "list-applications", diff(e.f.Views.ManagementApps, get("list-applications", url.Values{"limit": {"50"}}), e.shift, false))

	erin := e.f.User("erin")
	signed, err := e.api.SignedGet(e.f.AccessKey, "get-user", url.Values{"userId": {erin.ID}})
	if err != nil || signed.StatusCode != http.StatusOK {
		t.Errorf("a request signed with the old access key: %+v %v", signed, err)
	} else {
		e.report(t, "signed get-user", diff(e.f.Views.ManagementUsers["erin"], signed.Data, e.shift, false))
	}
	wrong := e.f.AccessKey
	wrong.Secret = strings.Repeat("0", len(wrong.Secret))
	if signed, err := e.api.SignedGet(wrong, "get-user", url.Values{"userId": {erin.ID}}); err != nil || signed.StatusCode != http.StatusUnauthorized {
		t.Errorf("a request signed with a wrong secret: %+v %v; want statusCode 401", signed, err)
	}
}

// introspection: every stored token introspects as the old release answered
// (the same sub, client and scope; exp and iat moved with the data).
func (e *env) introspection(t *testing.T) {
	for _, tok := range e.f.Tokens {
		res, err := e.api.Introspect(e.f.App(tok.App), tok.Value)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != http.StatusOK {
			t.Errorf("%s (%s): %s", tok.Name, tok.State, res)
			continue
		}
		var was, is struct {
			Active bool `json:"active"`
		}
		json.Unmarshal(tok.Introspection, &was)
		if json.Unmarshal(res.Body, &is) != nil || is.Active != was.Active {
			t.Errorf("%s (%s): %s; the old release answered %s", tok.Name, tok.State, res, tok.Introspection)
			continue
		}
		e.report(t, tok.Name+" ("+tok.State+")", diff(tok.Introspection, res.Body, e.shift, true))
	}
}

// appSecrets: each confidential application authenticates with its secret,
// and not with another.
func (e *env) appSecrets(t *testing.T) {
	for _, app := range e.f.Apps {
		if app.Secret == "" {
			continue
		}
		res, err := e.api.Introspect(app, "not-a-token")
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != http.StatusOK || strings.TrimSpace(string(res.Body)) != `{"active":false}` {
			t.Errorf("%s authenticating with its secret (%s): %s", app.Key, app.AuthMethod, res)
		}
		wrong := app
		wrong.Secret = strings.Repeat("0", len(app.Secret))
		if res, err = e.api.Introspect(wrong, "not-a-token"); err != nil {
			t.Fatal(err)
		}
		if res.Status != http.StatusUnauthorized {
			t.Errorf("%s with a wrong secret: %s; want 401", app.Key, res)
		}
	}
}

// jwks returns the published key set.
func (e *env) jwks(t *testing.T) []byte {
	t.Helper()
	res, err := e.api.Get("/oidc/.well-known/jwks.json")
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("JWKS: %v %v", res, err)
	}
	return res.Body
}

// verify checks tok's signature against the key set and returns its kid.
func verify(t *testing.T, keySet []byte, tok string) string {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(keySet, &set); err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatalf("id token: %v", err)
	}
	kid := jws.Signatures[0].Header.KeyID
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Errorf("JWKS has %d keys of kid %q", len(keys), kid)
		return kid
	}
	if _, err := jws.Verify(keys[0]); err != nil {
		t.Errorf("id token of kid %q does not verify: %v", kid, err)
	}
	return kid
}

// signingKeys: the old keys are still published, and the old id tokens
// verify against them.
func (e *env) signingKeys(t *testing.T) {
	keySet := e.jwks(t)
	var want, got struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(e.f.Views.JWKS, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(keySet, &got); err != nil {
		t.Fatal(err)
	}
	wantKeys, _ := json.Marshal(want.Keys)
	gotKeys, _ := json.Marshal(got.Keys)
	e.report(t, "JWKS", sameElements(wantKeys, gotKeys, e.shift, true))
	for _, id := range e.f.IDTokens {
		if kid := verify(t, keySet, id.Value); kid != id.Kid {
			t.Errorf("the %s id token of %s: kid %q, want %q", id.App, id.User, kid, id.Kid)
		}
	}
}

// signIn1 signs in at the hosted page in a new browser.
func (e *env) signIn1(t *testing.T, login, password string) *upgrade.Response {
	t.Helper()
	res, err := upgrade.NewBrowser(e.srv.URL).SignIn(login, password, "/")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// signIn: every user signs in with their password, by username, email and
// phone; the suspended user is refused, and so is a wrong password.
func (e *env) signIn(t *testing.T) {
	for _, u := range e.f.Users {
		logins := []string{u.Username}
		if u.Email != "" {
			logins = append(logins, strings.ToUpper(u.Email))
		}
		if u.Phone != "" {
			logins = append(logins, u.Phone)
		}
		want := http.StatusSeeOther
		if u.Suspended {
			want = http.StatusForbidden
		}
		for _, login := range logins {
			if res := e.signIn1(t, login, u.Password); res.Status != want {
				t.Errorf("%s signing in as %q: %s; want %d", u.Key, login, res, want)
			}
		}
	}
	alice := e.f.User("alice")
	if res := e.signIn1(t, alice.Username, alice.Password+"!"); res.Status != http.StatusUnauthorized {
		t.Errorf("a wrong password: %s; want 401", res)
	}

	// The suspended user, activated again through the management API, signs
	// in with the password they had.
	tok, err := e.api.ManagementToken(e.f.AccessKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range e.f.Users {
		if !u.Suspended {
			continue
		}
		if env, err := e.api.Management(tok, http.MethodPost, "update-user", nil, map[string]string{"userId": u.ID, "status": "Activated"}); err != nil || env.StatusCode != http.StatusOK {
			t.Fatalf("update-user: %+v %v", env, err)
		}
		if res := e.signIn1(t, u.Username, u.Password); res.Status != http.StatusSeeOther {
			t.Errorf("%s, activated again, signing in: %s; want 303", u.Key, res)
		}
	}
}

// browserSession: the browser signed in when the old release stopped is
// still signed in.
func (e *env) browserSession(t *testing.T) {
	web := e.f.App("web")
	b := upgrade.NewBrowser(e.srv.URL)
	b.SetCookie("genauth_session", e.f.Session.Cookie)
	a, err := b.Authorize(upgrade.AuthURL("oauth", web, "user", nil), "", "")
	if err != nil {
		t.Fatalf("the old browser session: %v", err)
	}
	tr, res, err := e.api.Token("oauth", web, url.Values{"grant_type": {"authorization_code"}, "code": {a.Code()}, "redirect_uri": {web.RedirectURI}})
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("redeeming the code: %v %v", res, err)
	}
	e.wantActive(t, web, tr.AccessToken, e.f.User(e.f.Session.User).ID)
	if _, err := upgrade.NewBrowser(e.srv.URL).Authorize(upgrade.AuthURL("oauth", web, "user", nil), "", ""); err == nil {
		t.Error("a browser without the session cookie was not asked to sign in")
	}
}

// wantActive checks that tok introspects active for the user (the client
// itself when user is "").
func (e *env) wantActive(t *testing.T, app upgrade.App, tok, user string) {
	t.Helper()
	res, err := e.api.Introspect(app, tok)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Active   bool   `json:"active"`
		Sub      string `json:"sub"`
		ClientID string `json:"client_id"`
	}
	if user == "" {
		user = app.ID
	}
	if json.Unmarshal(res.Body, &got) != nil || !got.Active || got.Sub != user || got.ClientID != app.ID {
		t.Errorf("a new token of %s introspects as %s; want active for %s", app.Key, res, user)
	}
}

func (e *env) wantInactive(t *testing.T, app upgrade.App, tok, what string) {
	t.Helper()
	res, err := e.api.Introspect(app, tok)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(res.Body)) != `{"active":false}` {
		t.Errorf("%s introspects as %s; want inactive", what, res)
	}
}

// consent: the consent given to the old release is remembered; a user who
// gave none is asked.
func (e *env) consent(t *testing.T) {
	app, user := e.f.App(e.f.Consent.App), e.f.User(e.f.Consent.User)
	a, err := upgrade.NewBrowser(e.srv.URL).Authorize(upgrade.AuthURL("oidc", app, e.f.Consent.Scope,
		url.Values{"nonce": {"n1"}}), user.Username, user.Password)
	if err != nil {
		t.Fatal(err)
	}
	if a.Consent != nil || a.Code() == "" {
		t.Errorf("%s, who consented to %s, was asked again (or got no code): %+v", user.Key, app.Key, a)
	}
	other := e.f.User("carol")
	if a, err = upgrade.NewBrowser(e.srv.URL).Authorize(upgrade.AuthURL("oidc", app, e.f.Consent.Scope,
		url.Values{"nonce": {"n1"}}), other.Username, other.Password); err != nil {
		t.Fatal(err)
	}
	if a.Consent == nil {
		t.Errorf("%s, who never consented to %s, was not asked: %v", other.Key, app.Key, a.Callback)
	}
}

// refresh redeems a refresh token of app.
func (e *env) refresh(t *testing.T, app upgrade.App, tok string) (*upgrade.TokenResponse, *upgrade.Response) {
	t.Helper()
	tr, res, err := e.api.Token("oauth", app, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	return tr, res
}

// refreshTokens: stored refresh tokens refresh; a rotating one rotates, and
// the one it replaced in the old release counts as stolen and ends the grant.
func (e *env) refreshTokens(t *testing.T) {
	web, alice := e.f.App("web"), e.f.User("alice")
	current := e.f.Token("web.refresh.current")
	next, res := e.refresh(t, web, current.Value)
	if res.Status != http.StatusOK || next.RefreshToken == "" || next.RefreshToken == current.Value {
		t.Fatalf("refreshing the current refresh token: %s; want new tokens", res)
	}
	e.wantActive(t, web, next.AccessToken, alice.ID)
	e.wantInactive(t, web, current.Value, "the refresh token just rotated")
	if _, res := e.refresh(t, web, e.f.Token("web.refresh.rotated").Value); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "invalid_grant") {
		t.Errorf("the refresh token rotated in the old release: %s; want invalid_grant", res)
	}
	e.wantInactive(t, web, next.AccessToken, "an access token of a grant whose rotated refresh token was replayed")
	e.wantInactive(t, web, next.RefreshToken, "a refresh token of a grant whose rotated refresh token was replayed")

	// Classic refresh tokens stay the same, and keep working.
	basic, erin := e.f.App("basic"), e.f.User("erin")
	classic := e.f.Token("basic.refresh")
	for range 2 {
		tr, res := e.refresh(t, basic, classic.Value)
		if res.Status != http.StatusOK || (tr.RefreshToken != "" && tr.RefreshToken != classic.Value) {
			t.Fatalf("refreshing a classic refresh token: %s; want new access token, the same refresh token", res)
		}
		e.wantActive(t, basic, tr.AccessToken, erin.ID)
	}

	// The public client refreshes without a secret.
	spa := e.f.App("spa")
	tr, res := e.refresh(t, spa, e.f.Token("spa.refresh").Value)
	if res.Status != http.StatusOK {
		t.Fatalf("refreshing the public client's token: %s", res)
	}
	e.wantActive(t, spa, tr.AccessToken, e.f.User("carol").ID)

	// A revoked one does not.
	if _, res := e.refresh(t, e.f.App("demo"), e.f.Token("demo.alice.refresh").Value); res.Status != http.StatusBadRequest {
		t.Errorf("a refresh token revoked in the old release: %s; want 400", res)
	}
}

// idTokens: new id tokens are signed with the old keys, and an old id token
// is accepted as the hint of a logout.
func (e *env) idTokens(t *testing.T) {
	keySet := e.jwks(t)
	for _, old := range e.f.IDTokens {
		if old.App == e.f.Consent.App {
			continue // covered by the consent check
		}
		app, user := e.f.App(old.App), e.f.User(old.User)
		b := upgrade.NewBrowser(e.srv.URL)
		a, err := b.Authorize(upgrade.AuthURL("oidc", app, "openid profile", url.Values{"nonce": {"n-new"}}), user.Username, user.Password)
		if err != nil {
			t.Fatal(err)
		}
		tr, res, err := e.api.Token("oidc", app, url.Values{"grant_type": {"authorization_code"}, "code": {a.Code()}, "redirect_uri": {app.RedirectURI}})
		if err != nil || res.Status != http.StatusOK || tr.IDToken == "" {
			t.Fatalf("redeeming an OpenID Connect code of %s: %v %v", app.Key, res, err)
		}
		if kid := verify(t, keySet, tr.IDToken); kid != old.Kid {
			t.Errorf("a new %s id token is signed with kid %q; want the old release's active %s key %q", app.Key, kid, old.Alg, old.Kid)
		}
		if _, claims, err := upgrade.JWTParts(tr.IDToken); err != nil || claims["sub"] != user.ID || claims["nonce"] != "n-new" || claims["iss"] != upgrade.PublicURL+"/oidc" {
			t.Errorf("a new %s id token's claims: %v %v", app.Key, claims, err)
		}

		// Logging out with the old id token as the hint: a tampered copy is
		// refused, the real one signs out at once.
		end := func(hint string) *upgrade.Response {
			t.Helper()
			res, err := b.Get("/oidc/session/end?" + url.Values{"id_token_hint": {hint},
				"post_logout_redirect_uri": {app.LogoutURI}, "state": {"bye"}}.Encode())
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		sig := old.Value[strings.LastIndex(old.Value, ".")+1:]
		tampered := old.Value[:len(old.Value)-len(sig)] + strings.Repeat("A", len(sig))
		if res := end(tampered); res.Status != http.StatusBadRequest {
			t.Errorf("a tampered id_token_hint: %s; want 400", res)
		}
		res = end(old.Value)
		if res.Location == nil || upgrade.OnServer(res.Location) || res.Location.Query().Get("state") != "bye" ||
			!strings.HasPrefix(res.Location.String(), app.LogoutURI) {
			t.Errorf("the old %s id token as id_token_hint: %s (Location %v); want a redirect to %s", app.Key, res, res.Location, app.LogoutURI)
		}
		if _, err := b.Authorize(upgrade.AuthURL("oidc", app, "openid", url.Values{"nonce": {"n"}}), "", ""); err == nil {
			t.Errorf("still signed in after logging out with the old %s id token", app.Key)
		}
	}
}

// clientCredentials: applications with the grant still get tokens for their
// allowed scopes.
func (e *env) clientCredentials(t *testing.T) {
	web := e.f.App("web")
	tr, res, err := e.api.Token("oauth", web, url.Values{"grant_type": {"client_credentials"}, "scope": {"reports:write"}})
	if err != nil || res.Status != http.StatusOK || tr.Scope != "reports:write" {
		t.Fatalf("client_credentials: %v %v", res, err)
	}
	e.wantActive(t, web, tr.AccessToken, "")
	if _, res, err = e.api.Token("oauth", web, url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}); err != nil || res.Status != http.StatusBadRequest {
		t.Errorf("client_credentials for a scope the application was not allowed: %v %v; want 400", res, err)
	}
}
