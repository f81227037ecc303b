// Command makefixture makes the fixture of the upgrade test (package
// e2e/upgrade) with a released genauth binary: run by hand, once per release
// whose data the current code must keep serving.
//
//	git worktree add /tmp/old <release>
//	(cd /tmp/old && go build -o /tmp/genauth-old ./cmd/genauth)
//	go run ./e2e/upgrade/makefixture -genauth /tmp/genauth-old -release $(git -C /tmp/old rev-parse HEAD)
//
// It starts the binary's `serve` twice on loopback: once on a new SQLite data
// directory, once with --database on a new PostgreSQL database that it
// creates on the tests' server (-postgres, default GENAUTH_TEST_POSTGRES_URL
// or postgres://postgres@127.0.0.1:5432/test?sslmode=disable) and drops at
// the end. On each it stores every kind of data through the binary's own CLI
// and HTTP endpoints only (applications of each kind, users, a registration
// and sign-ins on the hosted pages, a consent, code-flow, OIDC and
// client_credentials tokens, a rotation, revocations, a suspension, audit
// events and login history), records what the binary itself answers about
// that data, stops the server with SIGINT, and writes into -out
// (e2e/upgrade/testdata):
//
//	sqlite/genauth.db, sqlite/secret.key   the data directory after the clean shutdown
//	postgres/dump.sql                      pg_dump --inserts --no-owner --no-privileges, psql meta-commands removed
//	*/fixture.json                         what the test needs in clear (upgrade.Fixture), with the release's commit
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/e2e/upgrade"
)

func main() {
	bin := flag.String("genauth", "", "path of the released genauth binary (required)")
	release := flag.String("release", "", "commit hash of the release the binary was built from (required)")
	out := flag.String("out", filepath.Join("e2e", "upgrade", "testdata"), "directory to write the fixture into")
	pg := flag.String("postgres", upgrade.PostgresServer(), "URL of a database on the PostgreSQL server to make the scratch database on")
	flag.Parse()
	if *bin == "" || !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(*release) {
		flag.Usage()
		os.Exit(2)
	}
	path, err := filepath.Abs(*bin)
	must(err)
	makeSQLite(path, *release, filepath.Join(*out, "sqlite"))
	makePostgres(path, *release, *pg, filepath.Join(*out, "postgres"))
	cleanUp()
}

// cleanups undo what was made on the way (temporary directories, the
// scratch database, running servers), newest first, also when a step fails.
var cleanups []func()

func cleanUp() {
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanups = nil
}

func fatalf(format string, args ...any) {
	log.Printf(format, args...)
	cleanUp()
	os.Exit(1)
}

func must(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}

func makeSQLite(bin, release, out string) {
	dir, err := os.MkdirTemp("", "genauth-fixture-")
	must(err)
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	data := filepath.Join(dir, "data")
	b := upgrade.Binary{Path: bin, DB: []string{"--data-dir", data}}
	f := populate(b, &upgrade.Fixture{Release: release, Backend: "sqlite"})
	must(os.MkdirAll(out, 0o755))
	for _, name := range []string{"genauth.db", "secret.key"} {
		content, err := os.ReadFile(filepath.Join(data, name))
		must(err)
		must(os.WriteFile(filepath.Join(out, name), content, 0o644))
	}
	if extra, _ := filepath.Glob(filepath.Join(data, "genauth.db-*")); len(extra) > 0 {
		fatalf("the server left %v after stopping: genauth.db alone is not the whole database", extra)
	}
	views(b, f)
	must(f.Write(filepath.Join(out, "fixture.json")))
	log.Printf("wrote %s", out)
}

func makePostgres(bin, release, server, out string) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, server)
	must(err)
	name := "genauth_fixture_" + strings.ToLower(rand.Text()[:12])
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	must(err)
	cleanups = append(cleanups, func() {
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			log.Printf("dropping %s: %v", name, err)
		}
		admin.Close(ctx)
	})
	u, err := url.Parse(server)
	must(err)
	u.Path = "/" + name
	key := make([]byte, 32)
	rand.Read(key)
	secretKey := hex.EncodeToString(key)
	b := upgrade.Binary{Path: bin, DB: []string{"--database", u.String(), "--secret-key", secretKey}}
	f := populate(b, &upgrade.Fixture{Release: release, Backend: "postgres", SecretKey: secretKey})
	dump, err := exec.Command("pg_dump", "--inserts", "--no-owner", "--no-privileges", "--dbname", u.String()).Output()
	if ee, ok := err.(*exec.ExitError); ok {
		fatalf("pg_dump: %v: %s", err, ee.Stderr)
	}
	must(err)
	must(os.MkdirAll(out, 0o755))
	must(os.WriteFile(filepath.Join(out, "dump.sql"), plainSQL(dump), 0o644))
	views(b, f)
	must(f.Write(filepath.Join(out, "fixture.json")))
	log.Printf("wrote %s", out)
}

// plainSQL drops psql's meta-commands (\restrict and \unrestrict, which
// recent pg_dump versions write with a random key) so that the dump is SQL
// any client can send.
func plainSQL(dump []byte) []byte {
	var lines []string
	for _, line := range strings.Split(string(dump), "\n") {
		if !strings.HasPrefix(line, `\`) {
			lines = append(lines, line)
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// maker stores the fixture's data through one running server.
type maker struct {
	b   upgrade.Binary
	srv *upgrade.Server
	api *upgrade.Client // an application's back end
	f   *upgrade.Fixture
	mgt string // management token
}

func (m *maker) fatalf(format string, args ...any) {
	log.Printf("server log:\n%s", m.srv.Logs())
	fatalf(format, args...)
}

func (m *maker) check(err error) {
	if err != nil {
		m.fatalf("%v", err)
	}
}

func (m *maker) run(stdin string, args ...string) string {
	out, err := m.b.Run(stdin, args...)
	m.check(err)
	return out
}

// createApp creates an application with the CLI.
func (m *maker) createApp(app upgrade.App, args ...string) upgrade.App {
	var got struct {
		AppID     string `json:"app_id"`
		AppSecret string `json:"app_secret"`
	}
	args = append([]string{"app", "create", "--json", "--name", app.Description, "--redirect-uri", app.RedirectURI}, args...)
	if app.LogoutURI != "" {
		args = append(args, "--logout-uri", app.LogoutURI)
	}
	m.check(json.Unmarshal([]byte(m.run("", args...)), &got))
	app.ID, app.Secret = got.AppID, got.AppSecret
	m.f.Apps = append(m.f.Apps, app)
	return app
}

// createUser creates a user with the CLI.
func (m *maker) createUser(u upgrade.User) upgrade.User {
	args := []string{"user", "create", "--json", "--password-stdin", "--username", u.Username}
	if u.Email != "" {
		args = append(args, "--email", u.Email)
	}
	if u.Phone != "" {
		args = append(args, "--phone", u.Phone)
	}
	var got struct {
		ID string `json:"id"`
	}
	m.check(json.Unmarshal([]byte(m.run(u.Password+"\n", args...)), &got))
	u.ID = got.ID
	m.f.Users = append(m.f.Users, u)
	return u
}

// management calls the management API with the management token.
func (m *maker) management(method, call string, query url.Values, body any) json.RawMessage {
	e, err := m.api.Management(m.mgt, method, call, query, body)
	m.check(err)
	if e.StatusCode != http.StatusOK {
		m.fatalf("%s: %+v", call, e)
	}
	return e.Data
}

// code redeems the code of a finished authorization at prefix's token
// endpoint.
func (m *maker) code(prefix string, app upgrade.App, a *upgrade.Authorization, extra url.Values) *upgrade.TokenResponse {
	if a.Code() == "" {
		m.fatalf("no code in the callback %v", a.Callback)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {a.Code()}, "redirect_uri": {app.RedirectURI}}
	for k, v := range extra {
		form[k] = v
	}
	return m.token(prefix, app, form)
}

func (m *maker) token(prefix string, app upgrade.App, form url.Values) *upgrade.TokenResponse {
	tr, res, err := m.api.Token(prefix, app, form)
	m.check(err)
	if res.Status != http.StatusOK || tr.AccessToken == "" {
		m.fatalf("token endpoint for %s (%s): %s", app.Key, form.Get("grant_type"), res)
	}
	return tr
}

// keep records a token; its state is checked against the server's
// introspection once everything is done.
func (m *maker) keep(name, kind, value string, app upgrade.App, user, state string) {
	if value == "" {
		m.fatalf("no %s for %s", kind, name)
	}
	m.f.Tokens = append(m.f.Tokens, upgrade.Token{Name: name, Kind: kind, Value: value, App: app.Key, User: user, State: state})
}

func (m *maker) keepIDToken(app upgrade.App, user, tok string) {
	header, _, err := upgrade.JWTParts(tok)
	m.check(err)
	alg, _ := header["alg"].(string)
	kid, _ := header["kid"].(string)
	m.f.IDTokens = append(m.f.IDTokens, upgrade.IDToken{App: app.Key, User: user, Alg: alg, Kid: kid, Value: tok})
}

// populate starts the server on an empty database, stores the fixture's
// data, records the server's answers about it, and stops the server.
func populate(b upgrade.Binary, f *upgrade.Fixture) *upgrade.Fixture {
	f.PublicURL = upgrade.PublicURL
	srv, err := b.Serve()
	must(err)
	cleanups = append(cleanups, srv.Kill)
	m := &maker{b: b, srv: srv, api: upgrade.NewClient(srv.URL), f: f}

	// The demo application of the first start, and the access key.
	demo := upgrade.App{Key: "demo", Description: "the demo application of the first start", ID: srv.Field("app_id"),
		Secret: srv.Field("app_secret"), AuthMethod: "client_secret_post",
		RedirectURI: "http://localhost:3000/callback", LogoutURI: "http://localhost:3000/"}
	if demo.ID == "" || demo.Secret == "" {
		m.fatalf("the first start printed no demo application: %q", srv.Stdout)
	}
	f.Apps = append(f.Apps, demo)
	m.check(json.Unmarshal([]byte(m.run("", "admin", "credentials", "--json")), &f.AccessKey))
	m.mgt, err = m.api.ManagementToken(f.AccessKey)
	m.check(err)

	// Applications of every kind.
	web := m.createApp(upgrade.App{Key: "web", Description: "Web (confidential, rotating refresh, client_credentials)",
		AuthMethod: "client_secret_post", RedirectURI: "https://web.example/callback", LogoutURI: "https://web.example/",
		Scopes: "reports:read"},
		"--grant", "authorization_code,refresh_token,client_credentials", "--allowed-scopes", "reports:read reports:write",
		"--web-origin", "https://web.example", "--web-origin", "https://admin.web.example", "--claims-format", "genauth",
		"--refresh-grace", "10s")
	basic := m.createApp(upgrade.App{Key: "basic", Description: "Back office (client_secret_basic, ES256, classic refresh)",
		AuthMethod: "client_secret_basic", RedirectURI: "https://backoffice.example/cb", LogoutURI: "https://backoffice.example/bye"},
		"--token-auth-method", "client_secret_basic", "--id-token-alg", "ES256", "--classic-refresh-tokens",
		"--access-token-ttl", "2h", "--refresh-token-ttl", "2160h", "--id-token-ttl", "30m")
	spa := m.createApp(upgrade.App{Key: "spa", Description: "Single-page app (public, PKCE S256 only)",
		AuthMethod: "none", RedirectURI: "https://spa.example/callback"},
		"--token-auth-method", "none", "--introspection-auth-method", "none", "--revocation-auth-method", "none",
		"--reject-pkce-plain", "--web-origin", "https://spa.example", "--refresh-idle-ttl", "168h")
	third := m.createApp(upgrade.App{Key: "third", Description: "Third party (require consent)",
		AuthMethod: "client_secret_post", RedirectURI: "https://third.example/callback", LogoutURI: "https://third.example/"},
		"--require-consent")
	partner := upgrade.App{Key: "partner", Description: "Partner portal (created with the management API)",
		AuthMethod: "client_secret_post", RedirectURI: "https://partner.example/oidc/callback", LogoutURI: "https://partner.example/signed-out"}
	var created struct {
		AppID string `json:"appId"`
	}
	m.check(json.Unmarshal(m.management(http.MethodPost, "create-application", nil, map[string]any{
		"appName": partner.Description, "appIdentifier": "partner-portal", "appType": "web", "defaultProtocol": "oidc",
		"redirectUris": []string{partner.RedirectURI}, "logoutRedirectUris": []string{partner.LogoutURI},
		"initLoginUri": "https://partner.example/login", "appLogo": "https://partner.example/logo.png",
		"appDescription": "Orders and invoices for partners", "webOrigins": []string{"https://partner.example"},
		"oidcConfig": map[string]any{"grant_types": []string{"authorization_code", "refresh_token"},
			"token_endpoint_auth_method": "client_secret_post", "id_token_expire": 1800, "access_token_expire": 7200,
			"refresh_token_expire": 2592000, "claims_format": "standard"},
	}), &created))
	partner.ID = created.AppID
	var secret struct {
		Secret string `json:"secret"`
	}
	m.check(json.Unmarshal(m.management(http.MethodPost, "refresh-application-secret", nil, map[string]string{"appId": partner.ID}), &secret))
	partner.Secret = secret.Secret
	f.Apps = append(f.Apps, partner)

	// Users: two from the CLI, two from the management API (one of them
	// suspended below), one registered on the hosted page.
	alice := m.createUser(upgrade.User{Key: "alice", Username: "alice", Email: "Alice@Example.com", Phone: "+8613800000001",
		Password: "alice-old-release-pw"})
	bob := m.createUser(upgrade.User{Key: "bob", Username: "bob", Email: "bob@example.com", Password: "bob-old-release-pw"})
	erin := upgrade.User{Key: "erin", Username: "erin", Email: "erin@example.com", Phone: "+8613800000005", Password: "erin-old-release-pw"}
	var u struct {
		UserID string `json:"userId"`
	}
	m.check(json.Unmarshal(m.management(http.MethodPost, "create-user", nil, map[string]any{
		"username": erin.Username, "email": erin.Email, "phone": erin.Phone, "password": erin.Password,
		"name": "李 Erin", "nickname": "erin", "givenName": "Erin", "familyName": "Li", "middleName": "Q",
		"preferredUsername": "erin.li", "profile": "https://erin.example/", "photo": "https://erin.example/me.png",
		"website": "https://blog.erin.example/", "gender": "F", "birthdate": "1990-05-01", "zoneinfo": "Asia/Shanghai",
		"locale": "zh-CN", "address": "1 Century Avenue, Shanghai", "externalId": "hr-0005",
		"customData": map[string]any{"department": "R&D", "level": 3}, "emailVerified": true, "phoneVerified": true,
		"options": map[string]any{"passwordEncryptType": "none"},
	}), &u))
	erin.ID = u.UserID
	f.Users = append(f.Users, erin)
	dave := upgrade.User{Key: "dave", Username: "dave", Password: "dave-old-release-pw", Suspended: true}
	m.check(json.Unmarshal(m.management(http.MethodPost, "create-user", nil, map[string]any{
		"username": dave.Username, "password": dave.Password, "name": "Dave", "externalId": "hr-0004",
	}), &u))
	dave.ID = u.UserID

	// Alice signs in for the web application (a browser session kept for the
	// test), redeems the code and refreshes once: the first refresh token is
	// rotated.
	browser := upgrade.NewBrowser(srv.URL)
	a, err := browser.Authorize(upgrade.AuthURL("oauth", web, "user", nil), alice.Username, alice.Password)
	m.check(err)
	first := m.code("oauth", web, a, nil)
	second := m.token("oauth", web, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}})
	m.keep("web.access.first", "access_token", first.AccessToken, web, alice.Key, upgrade.Active)
	m.keep("web.refresh.rotated", "refresh_token", first.RefreshToken, web, alice.Key, upgrade.Rotated)
	m.keep("web.access.refreshed", "access_token", second.AccessToken, web, alice.Key, upgrade.Active)
	m.keep("web.refresh.current", "refresh_token", second.RefreshToken, web, alice.Key, upgrade.Active)
	f.Session = upgrade.Session{User: alice.Key, Cookie: browser.Cookie("genauth_session")}
	if f.Session.Cookie == "" {
		m.fatalf("no session cookie after signing in")
	}

	// A wrong password, then Alice again in another browser, by her email
	// typed in another case, for an OpenID Connect grant of the partner
	// application (RS256 id token, offline_access refresh token).
	res, err := upgrade.NewBrowser(srv.URL).SignIn(alice.Username, "not-her-password", "/")
	m.check(err)
	if res.Status != http.StatusUnauthorized {
		m.fatalf("a wrong password: %s", res)
	}
	aliceB := upgrade.NewBrowser(srv.URL)
	a, err = aliceB.Authorize(upgrade.AuthURL("oidc", partner, "openid profile email phone offline_access",
		url.Values{"nonce": {"n-" + rand.Text()}}), "alice@example.com", alice.Password)
	m.check(err)
	tr := m.code("oidc", partner, a, nil)
	m.keep("partner.access", "access_token", tr.AccessToken, partner, alice.Key, upgrade.Active)
	m.keep("partner.refresh", "refresh_token", tr.RefreshToken, partner, alice.Key, upgrade.Active)
	m.keepIDToken(partner, alice.Key, tr.IDToken)

	// Erin signs in by phone for the back office: an ES256 id token and a
	// classic (not rotating) refresh token, sent with client_secret_basic.
	a, err = upgrade.NewBrowser(srv.URL).Authorize(upgrade.AuthURL("oidc", basic, "openid profile offline_access",
		url.Values{"nonce": {"n-" + rand.Text()}}), erin.Phone, erin.Password)
	m.check(err)
	tr = m.code("oidc", basic, a, nil)
	m.keep("basic.access", "access_token", tr.AccessToken, basic, erin.Key, upgrade.Active)
	m.keep("basic.refresh", "refresh_token", tr.RefreshToken, basic, erin.Key, upgrade.Active)
	m.keepIDToken(basic, erin.Key, tr.IDToken)

	// Bob approves the third-party application's consent page.
	bobB := upgrade.NewBrowser(srv.URL)
	a, err = bobB.Authorize(upgrade.AuthURL("oidc", third, "openid profile", url.Values{"nonce": {"n-" + rand.Text()}}), bob.Username, bob.Password)
	m.check(err)
	if a.Consent == nil {
		m.fatalf("no consent page for the third-party application: %v", a.Callback)
	}
	a, err = bobB.Decide(a.Consent, "approve")
	m.check(err)
	tr = m.code("oidc", third, a, nil)
	m.keep("third.access", "access_token", tr.AccessToken, third, bob.Key, upgrade.Active)
	m.keepIDToken(third, bob.Key, tr.IDToken)
	f.Consent = upgrade.Consent{User: bob.Key, App: third.Key, Scope: "openid profile"}

	// Carol registers on the hosted page on her way to the single-page app,
	// which redeems its code with PKCE and no secret.
	carol := upgrade.User{Key: "carol", Username: "carol", Email: "carol@example.com", Password: "carol-old-release-pw", Registered: true}
	verifier, challenge := upgrade.PKCE()
	carolB := upgrade.NewBrowser(srv.URL)
	res, err = carolB.Get(upgrade.AuthURL("oauth", spa, "user", url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}))
	m.check(err)
	if res.Location == nil || res.Location.Path != "/login" {
		m.fatalf("the authorization request did not ask for a login: %s", res)
	}
	res, err = carolB.PostForm("/register", url.Values{"username": {carol.Username}, "email": {carol.Email},
		"password": {carol.Password}, "password_confirm": {carol.Password}, "return_to": {res.Location.Query().Get("return_to")}}, "", "")
	m.check(err)
	if res.Status != http.StatusSeeOther {
		m.fatalf("registering: %s", res)
	}
	a, err = carolB.Follow(res, "", "")
	m.check(err)
	tr = m.code("oauth", spa, a, url.Values{"code_verifier": {verifier}})
	m.keep("spa.access", "access_token", tr.AccessToken, spa, carol.Key, upgrade.Active)
	m.keep("spa.refresh", "refresh_token", tr.RefreshToken, spa, carol.Key, upgrade.Active)
	var found struct {
		List []struct {
			UserID string `json:"userId"`
		} `json:"list"`
	}
	m.check(json.Unmarshal(m.management(http.MethodPost, "list-users", nil, map[string]any{"keywords": "carol"}), &found))
	if len(found.List) != 1 {
		m.fatalf("list-users finds %d carols", len(found.List))
	}
	carol.ID = found.List[0].UserID
	f.Users = append(f.Users, carol)

	// Dave signs in to the demo application, then is suspended: his tokens
	// stop working.
	a, err = upgrade.NewBrowser(srv.URL).Authorize(upgrade.AuthURL("oauth", demo, "user", nil), dave.Username, dave.Password)
	m.check(err)
	tr = m.code("oauth", demo, a, nil)
	m.management(http.MethodPost, "update-user", nil, map[string]any{"userId": dave.ID, "status": "Suspended"})
	m.keep("demo.dave.access", "access_token", tr.AccessToken, demo, dave.Key, upgrade.Suspended)
	m.keep("demo.dave.refresh", "refresh_token", tr.RefreshToken, demo, dave.Key, upgrade.Suspended)
	f.Users = append(f.Users, dave)

	// Alice's grant of the demo application is revoked with its refresh token.
	a, err = aliceB.Authorize(upgrade.AuthURL("oauth", demo, "user", nil), "", "")
	m.check(err)
	tr = m.code("oauth", demo, a, nil)
	res, err = m.api.Revoke(demo, tr.RefreshToken)
	m.check(err)
	if res.Status != http.StatusOK {
		m.fatalf("revoking: %s", res)
	}
	m.keep("demo.alice.access", "access_token", tr.AccessToken, demo, alice.Key, upgrade.Revoked)
	m.keep("demo.alice.refresh", "refresh_token", tr.RefreshToken, demo, alice.Key, upgrade.Revoked)

	// client_credentials: one token kept, one revoked.
	tr = m.token("oauth", web, url.Values{"grant_type": {"client_credentials"}, "scope": {web.Scopes}})
	m.keep("web.client_credentials", "access_token", tr.AccessToken, web, "", upgrade.Active)
	tr = m.token("oauth", web, url.Values{"grant_type": {"client_credentials"}, "scope": {"reports:read reports:write"}})
	res, err = m.api.Revoke(web, tr.AccessToken)
	m.check(err)
	if res.Status != http.StatusOK {
		m.fatalf("revoking: %s", res)
	}
	m.keep("web.client_credentials.revoked", "access_token", tr.AccessToken, web, "", upgrade.Revoked)

	// A signed management request (its nonce is stored).
	e, err := m.api.SignedGet(f.AccessKey, "get-user", url.Values{"userId": {erin.ID}})
	m.check(err)
	if e.StatusCode != http.StatusOK {
		m.fatalf("signed get-user: %+v", e)
	}

	// What the server says about it all.
	for i, t := range f.Tokens {
		res, err := m.api.Introspect(f.App(t.App), t.Value)
		m.check(err)
		var got struct {
			Active bool `json:"active"`
		}
		m.check(json.Unmarshal(res.Body, &got))
		if res.Status != http.StatusOK || got.Active != (t.State == upgrade.Active) {
			m.fatalf("%s (%s) introspects as %s", t.Name, t.State, res)
		}
		f.Tokens[i].Introspection = res.Body
	}
	f.Views.ManagementUsers = map[string]json.RawMessage{}
	f.Views.LoginHistory = map[string]json.RawMessage{}
	for _, u := range f.Users {
		f.Views.ManagementUsers[u.Key] = m.management(http.MethodGet, "get-user", url.Values{"userId": {u.ID}}, nil)
		f.Views.LoginHistory[u.Key] = m.management(http.MethodGet, "get-user-login-history", url.Values{"userId": {u.ID}, "limit": {"50"}}, nil)
	}
	f.Views.ManagementApps = m.management(http.MethodGet, "list-applications", url.Values{"limit": {"50"}}, nil)
	res, err = m.api.Get("/oidc/.well-known/jwks.json")
	m.check(err)
	f.Views.JWKS = res.Body

	m.check(srv.Stop())
	f.MadeAt = time.Now().UTC().Truncate(time.Second).Add(time.Second)
	return f
}

// views records the CLI's listings, read after the server stopped.
func views(b upgrade.Binary, f *upgrade.Fixture) {
	for _, v := range []struct {
		dst  *json.RawMessage
		args []string
	}{
		{&f.Views.AppList, []string{"app", "list", "--json"}},
		{&f.Views.UserList, []string{"user", "list", "--json"}},
		{&f.Views.Audit, []string{"audit", "list", "--json", "--limit", "10000"}},
	} {
		out, err := b.Run("", v.args...)
		must(err)
		if !json.Valid([]byte(out)) {
			fatalf("genauth %s: not JSON: %q", strings.Join(v.args, " "), out)
		}
		*v.dst = json.RawMessage(out)
	}
	fmt.Fprintf(os.Stderr, "%s: %d applications, %d users, %d tokens\n", f.Backend, len(f.Apps), len(f.Users), len(f.Tokens))
}
