package idp_test

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/idp/ldapconn"
	"github.com/opengenauth/genauth/internal/account/idp/oidcconn"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

var t0 = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

// The connectors are what the service's seams stand for.
var (
	_ idp.Web       = (*oidcconn.Connector)(nil)
	_ idp.Directory = (*ldapconn.Directory)(nil)
)

// fakeWeb stands in for the OIDC and OAuth 2.0 connector, the service's
// own seam: it records what it was asked and answers what it is told.
type fakeWeb struct {
	calls    []string // "authorize", "exchange"
	args     []string // the last call's string arguments, in order
	profile  *model.UpstreamProfile
	tokens   *model.UpstreamTokens
	err      error
	authBase string
}

func (w *fakeWeb) AuthCodeURL(_ context.Context, _ *model.ExtIdpConn, redirectURI, state, nonce, verifier string) (string, error) {
	w.calls, w.args = append(w.calls, "authorize"), []string{redirectURI, state, nonce, verifier}
	return w.authBase + "?state=" + state, w.err
}

func (w *fakeWeb) Exchange(_ context.Context, _ *model.ExtIdpConn, secret, redirectURI, code, verifier, nonce string) (*model.UpstreamProfile, *model.UpstreamTokens, error) {
	w.calls, w.args = append(w.calls, "exchange"), []string{secret, redirectURI, code, verifier, nonce}
	return w.profile, w.tokens, w.err
}

// fakeDirectory stands in for the LDAP connector: one entry, whose
// password is "right".
type fakeDirectory struct {
	calls        int
	bindPassword string
}

func (d *fakeDirectory) Authenticate(_ context.Context, _ *model.ExtIdpConn, bindPassword, login, password string) (*model.UpstreamProfile, error) {
	d.calls++
	d.bindPassword = bindPassword
	if login != "ada" || password != "right" {
		return nil, model.ErrBadCredentials
	}
	return &model.UpstreamProfile{Subject: "uuid-ada", Username: "ada"}, nil
}

func (d *fakeDirectory) Check(_ context.Context, _ *model.ExtIdpConn, bindPassword string) error {
	d.calls++
	d.bindPassword = bindPassword
	return nil
}

type env struct {
	svc    *idp.Service
	st     *sqlite.Store
	sealer *secret.Sealer
	clock  *clock.Fake
	web    *fakeWeb
	dir    *fakeDirectory
	events []model.AuditEvent
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(make([]byte, secret.KeyLen), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, sealer: sealer, clock: clock.NewFake(t0), web: &fakeWeb{authBase: "https://idp.example/authorize"},
		dir: &fakeDirectory{}}
	rec := audit.NewSync(st, slog.New(slog.DiscardHandler), e.clock.Now)
	rec.Observe(func(ev model.AuditEvent) { e.events = append(e.events, ev) })
	tokens := token.NewSource(rand.Reader)
	e.svc = &idp.Service{Store: st, Users: &users.Service{Store: st, Tokens: tokens, Rand: rand.Reader, Now: e.clock.Now},
		Sealer: sealer, Tokens: tokens, Rand: rand.Reader, Now: e.clock.Now, Audit: rec, Web: e.web, LDAP: e.dir,
		PublicURL: "https://auth.example"}
	return e
}

func ptr[T any](v T) *T { return &v }

// conn creates an ExtIdp of typ and a connection of it from p.
func (e *env) conn(t *testing.T, typ string, p idp.ConnParams) *model.ExtIdpConn {
	t.Helper()
	x, err := e.svc.CreateExtIdp(t.Context(), "Corp "+typ, typ, "")
	if err != nil {
		t.Fatal(err)
	}
	p.ExtIdpID = x.ID
	c, err := e.svc.CreateConn(t.Context(), p)
	if err != nil {
		t.Fatalf("CreateConn: %v", err)
	}
	return c
}

func oidcParams() idp.ConnParams {
	return idp.ConnParams{DisplayName: "Corp SSO", Secret: ptr("client secret"),
		Fields: model.ConnFields{Issuer: "https://idp.example", ClientID: "genauth"}}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error = %v, want %v", what, err, want)
	}
}

func TestCreateExtIdp(t *testing.T) {
	tests := []struct {
		name, typ, logo string
		ok              bool
	}{
		{"Corp", model.IdPOIDC, "", true},
		{"  Corp  ", model.IdPOAuth2, "https://corp.example/logo.png", true},
		{"Directory", model.IdPLDAP, "", true},
		{"AD", model.IdPAD, "http://corp.example/logo.png", true},
		{"Corp", "saml", "", false},
		{"Corp", "", "", false},
		{" ", model.IdPOIDC, "", false},
		{strings.Repeat("n", 129), model.IdPOIDC, "", false},
		{"Corp", model.IdPOIDC, "javascript:alert(1)", false},
		{"Corp", model.IdPOIDC, "/logo.png", false},
	}
	for _, tt := range tests {
		e := newEnv(t)
		p, err := e.svc.CreateExtIdp(t.Context(), tt.name, tt.typ, tt.logo)
		if !tt.ok {
			wantErr(t, "CreateExtIdp("+tt.name+", "+tt.typ+", "+tt.logo+")", err, model.ErrInvalidInput)
			continue
		}
		if err != nil {
			t.Fatalf("CreateExtIdp(%q, %q): %v", tt.name, tt.typ, err)
		}
		got, conns, err := e.svc.ExtIdp(t.Context(), p.ID)
		if err != nil || len(conns) != 0 {
			t.Fatalf("ExtIdp = %v, %v, %v", got, conns, err)
		}
		if got.Name != strings.TrimSpace(tt.name) || got.Type != tt.typ || got.Logo != tt.logo || !got.CreatedAt.Equal(t0) {
			t.Errorf("stored %+v", got)
		}
	}
}

func TestUpdateAndDeleteExtIdp(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	c := e.conn(t, model.IdPOIDC, oidcParams())
	p, err := e.svc.UpdateExtIdp(ctx, c.ExtIdpID, "Renamed", "https://l.example/x.png")
	if err != nil || p.Name != "Renamed" || p.Type != model.IdPOIDC {
		t.Fatalf("UpdateExtIdp = %+v, %v", p, err)
	}
	_, err = e.svc.UpdateExtIdp(ctx, c.ExtIdpID, "", "")
	wantErr(t, "UpdateExtIdp without a name", err, model.ErrInvalidInput)
	_, err = e.svc.UpdateExtIdp(ctx, "nope", "x", "")
	wantErr(t, "UpdateExtIdp of an unknown id", err, model.ErrNotFound)
	list, err := e.svc.ExtIdps(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "Renamed" {
		t.Fatalf("ExtIdps = %v, %v", list, err)
	}
	if err := e.svc.DeleteExtIdp(ctx, c.ExtIdpID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Conn(ctx, c.ID)
	wantErr(t, "Conn after DeleteExtIdp", err, model.ErrNotFound)
}

// TestConnValidation: what each kind of connection needs.
func TestConnValidation(t *testing.T) {
	ldap := func(f model.ConnFields) model.ConnFields {
		if f.URL == "" {
			f.URL = "ldap://dir.example:389"
		}
		if f.BaseDN == "" {
			f.BaseDN = "ou=people,dc=example,dc=org"
		}
		return f
	}
	tests := []struct {
		name   string
		typ    string
		p      idp.ConnParams
		want   error                       // nil: accepted
		fields func(model.ConnFields) bool // what is stored, when accepted
	}{
		{"oidc", model.IdPOIDC, idp.ConnParams{Fields: model.ConnFields{Issuer: "https://idp.example", ClientID: "c"}}, nil,
			func(f model.ConnFields) bool { return slices.Equal(f.Scopes, []string{"openid", "profile", "email"}) }},
		{"oidc adds openid", model.IdPOIDC, idp.ConnParams{Fields: model.ConnFields{Issuer: "https://idp.example",
			ClientID: "c", Scopes: []string{"email", "groups"}}}, nil,
			func(f model.ConnFields) bool { return slices.Equal(f.Scopes, []string{"openid", "email", "groups"}) }},
		{"oidc without issuer", model.IdPOIDC, idp.ConnParams{Fields: model.ConnFields{ClientID: "c"}}, model.ErrInvalidInput, nil},
		{"oidc issuer not http", model.IdPOIDC, idp.ConnParams{Fields: model.ConnFields{Issuer: "ftp://idp.example", ClientID: "c"}},
			model.ErrInvalidInput, nil},
		{"oidc without client id", model.IdPOIDC, idp.ConnParams{Fields: model.ConnFields{Issuer: "https://idp.example"}},
			model.ErrInvalidInput, nil},
		{"oauth2", model.IdPOAuth2, idp.ConnParams{Fields: model.ConnFields{AuthorizationURL: "https://o.example/a",
			TokenURL: "https://o.example/t", UserInfoURL: "https://o.example/u", ClientID: "c"}}, nil, nil},
		{"oauth2 without userinfo", model.IdPOAuth2, idp.ConnParams{Fields: model.ConnFields{AuthorizationURL: "https://o.example/a",
			TokenURL: "https://o.example/t", ClientID: "c"}}, model.ErrInvalidInput, nil},
		{"oauth2 github preset", model.IdPOAuth2, idp.ConnParams{Preset: "github", Fields: model.ConnFields{ClientID: "c"}}, nil,
			func(f model.ConnFields) bool {
				return f.Preset == "github" && f.UserInfoURL == "https://api.github.com/user"
			}},
		{"oauth2 google preset", model.IdPOAuth2, idp.ConnParams{Preset: "google", Fields: model.ConnFields{ClientID: "c"}},
			model.ErrInvalidInput, nil},
		{"unknown preset", model.IdPOAuth2, idp.ConnParams{Preset: "../github", Fields: model.ConnFields{ClientID: "c"}},
			model.ErrInvalidInput, nil},
		{"unknown mapping", model.IdPOIDC, idp.ConnParams{Fields: model.ConnFields{Issuer: "https://idp.example", ClientID: "c",
			Mapping: map[string]string{"password": "x"}}}, model.ErrInvalidInput, nil},
		{"ldap anonymous", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{})}, nil,
			func(f model.ConnFields) bool { return f.UserFilter == "(uid=%s)" }},
		{"ad default filter", model.IdPAD, idp.ConnParams{Fields: ldap(model.ConnFields{URL: "ldaps://dc.example:636",
			BindDN: "cn=svc", TimeoutSeconds: 5}), Secret: ptr("bind")}, nil,
			func(f model.ConnFields) bool { return f.UserFilter == "(sAMAccountName=%s)" }},
		{"ldap url not ldap", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{URL: "https://dir.example"})},
			model.ErrInvalidInput, nil},
		{"ldap without base dn", model.IdPLDAP, idp.ConnParams{Fields: model.ConnFields{URL: "ldap://dir.example"}},
			model.ErrInvalidInput, nil},
		{"ldap filter twice", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{UserFilter: "(|(uid=%s)(mail=%s))"})},
			model.ErrInvalidInput, nil},
		{"ldap filter without %s", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{UserFilter: "(uid=ada)"})},
			model.ErrInvalidInput, nil},
		{"ldap filter not parenthesised", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{UserFilter: "uid=%s"})},
			model.ErrInvalidInput, nil},
		{"ldap bind dn without password", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{BindDN: "cn=svc"})},
			model.ErrInvalidInput, nil},
		{"ldap bind dn with an empty password", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{BindDN: "cn=svc"}),
			Secret: ptr("")}, model.ErrInvalidInput, nil},
		{"ldap password without bind dn", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{}), Secret: ptr("pw")},
			model.ErrInvalidInput, nil},
		{"ldaps with StartTLS", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{URL: "ldaps://dir.example",
			StartTLS: true})}, model.ErrInvalidInput, nil},
		{"ldap CA not PEM", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{CACert: "not a certificate"})},
			model.ErrInvalidInput, nil},
		{"ldap negative timeout", model.IdPLDAP, idp.ConnParams{Fields: ldap(model.ConnFields{TimeoutSeconds: -1})},
			model.ErrInvalidInput, nil},
		{"bad identifier", model.IdPLDAP, idp.ConnParams{Identifier: "Corp_LDAP", Fields: ldap(model.ConnFields{})},
			model.ErrInvalidInput, nil},
		{"identifier too long", model.IdPLDAP, idp.ConnParams{Identifier: strings.Repeat("a", 65), Fields: ldap(model.ConnFields{})},
			model.ErrInvalidInput, nil},
		{"no identifier to derive", model.IdPLDAP, idp.ConnParams{DisplayName: "目录", Fields: ldap(model.ConnFields{})},
			model.ErrInvalidInput, nil},
		{"bad logo", model.IdPLDAP, idp.ConnParams{Logo: "data:image/png,x", Fields: ldap(model.ConnFields{})},
			model.ErrInvalidInput, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			x, err := e.svc.CreateExtIdp(t.Context(), "Corp", tt.typ, "")
			if err != nil {
				t.Fatal(err)
			}
			tt.p.ExtIdpID = x.ID
			c, err := e.svc.CreateConn(t.Context(), tt.p)
			if tt.want != nil {
				wantErr(t, "CreateConn", err, tt.want)
				return
			}
			if err != nil {
				t.Fatalf("CreateConn: %v", err)
			}
			stored, err := e.svc.Conn(t.Context(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Type != tt.typ || (tt.fields != nil && !tt.fields(stored.Fields)) {
				t.Errorf("stored %+v", stored)
			}
		})
	}
}

func TestConnIdentifierAndSecret(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	p := oidcParams()
	p.DisplayName = "  GitHub Enterprise (EU)! "
	c := e.conn(t, model.IdPOIDC, p)
	if c.Identifier != "github-enterprise-eu" || c.DisplayName != "GitHub Enterprise (EU)!" {
		t.Errorf("identifier %q, display name %q", c.Identifier, c.DisplayName)
	}
	if got := e.svc.RedirectURI(c); got != "https://auth.example/connections/github-enterprise-eu/callback" {
		t.Errorf("RedirectURI = %s", got)
	}
	byID, err := e.svc.ConnByIdentifier(ctx, "github-enterprise-eu")
	if err != nil || byID.ID != c.ID {
		t.Fatalf("ConnByIdentifier = %v, %v", byID, err)
	}
	// The secret is stored sealed under its purpose, nowhere in plain.
	if strings.Contains(string(c.SealedSecret), "client secret") {
		t.Fatal("the secret is stored in plain")
	}
	if plain, err := e.sealer.Open("idp-secret", c.SealedSecret); err != nil || string(plain) != "client secret" {
		t.Fatalf("the sealed secret opens to %q, %v", plain, err)
	}

	// Without a display name, the connection takes the ExtIdp's.
	other, err := e.svc.CreateConn(ctx, idp.ConnParams{ExtIdpID: c.ExtIdpID, Fields: p.Fields})
	if err != nil || other.DisplayName != "Corp oidc" || other.Identifier != "corp-oidc" {
		t.Fatalf("CreateConn without a display name = %+v, %v", other, err)
	}
	_, err = e.svc.CreateConn(ctx, idp.ConnParams{ExtIdpID: c.ExtIdpID, Identifier: "corp-oidc", Fields: p.Fields})
	wantErr(t, "CreateConn with a taken identifier", err, model.ErrConflict)
	_, err = e.svc.CreateConn(ctx, idp.ConnParams{ExtIdpID: "nope", Fields: p.Fields})
	wantErr(t, "CreateConn of an unknown ExtIdp", err, model.ErrNotFound)

	// UpdateConn: unset identifier, display name and secret are kept.
	e.clock.Advance(time.Minute)
	up, err := e.svc.UpdateConn(ctx, c.ID, idp.ConnParams{LoginOnly: true, Fields: model.ConnFields{
		Issuer: "https://idp2.example", ClientID: "genauth2"}})
	if err != nil {
		t.Fatal(err)
	}
	if up.Identifier != c.Identifier || up.DisplayName != c.DisplayName || !up.LoginOnly ||
		string(up.SealedSecret) != string(c.SealedSecret) || up.Fields.Issuer != "https://idp2.example" ||
		!up.UpdatedAt.Equal(t0.Add(time.Minute)) || !up.CreatedAt.Equal(t0) {
		t.Errorf("updated %+v", up)
	}
	up, err = e.svc.UpdateConn(ctx, c.ID, idp.ConnParams{Identifier: "sso", Secret: ptr(""), Fields: up.Fields})
	if err != nil || up.Identifier != "sso" || up.SealedSecret != nil || up.LoginOnly {
		t.Fatalf("UpdateConn clearing the secret = %+v, %v", up, err)
	}
	_, err = e.svc.UpdateConn(ctx, c.ID, idp.ConnParams{Identifier: "corp-oidc", Fields: up.Fields})
	wantErr(t, "UpdateConn to a taken identifier", err, model.ErrConflict)
	_, err = e.svc.UpdateConn(ctx, "nope", idp.ConnParams{Fields: up.Fields})
	wantErr(t, "UpdateConn of an unknown id", err, model.ErrNotFound)
	if err := e.svc.DeleteConn(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteConn again", e.svc.DeleteConn(ctx, c.ID), model.ErrNotFound)
}

func TestPresets(t *testing.T) {
	if got := idp.Presets(); !slices.Equal(got, []string{"github", "google"}) {
		t.Fatalf("Presets = %v", got)
	}
	for name, want := range map[string]string{"github": model.IdPOAuth2, "google": model.IdPOIDC} {
		if got, err := idp.PresetType(name); got != want || err != nil {
			t.Errorf("PresetType(%s) = %q, %v; want %s", name, got, err, want)
		}
	}
	_, err := idp.PresetType("../github")
	wantErr(t, "PresetType of an unknown preset", err, model.ErrInvalidInput)
	e := newEnv(t)
	gh := e.conn(t, model.IdPOAuth2, idp.ConnParams{Preset: "github", Fields: model.ConnFields{ClientID: "gh",
		Mapping: map[string]string{model.ProfileName: "login"}}})
	want := model.ConnFields{
		ClientID:         "gh",
		AuthorizationURL: "https://github.com/login/oauth/authorize",
		TokenURL:         "https://github.com/login/oauth/access_token",
		UserInfoURL:      "https://api.github.com/user",
		Scopes:           []string{"read:user", "user:email"},
		Preset:           "github",
		Mapping: map[string]string{model.ProfileSubject: "id", model.ProfileUsername: "login",
			model.ProfileName: "login", model.ProfilePicture: "avatar_url", model.ProfileEmail: "email"},
	}
	if d := cmp.Diff(want, gh.Fields); d != "" {
		t.Errorf("GitHub connection's fields (-want +got):\n%s", d)
	}
	google := e.conn(t, model.IdPOIDC, idp.ConnParams{Preset: "google", Fields: model.ConnFields{ClientID: "g"}})
	want = model.ConnFields{ClientID: "g", Issuer: "https://accounts.google.com",
		Scopes: []string{"openid", "email", "profile"}, Preset: "google"}
	if d := cmp.Diff(want, google.Fields); d != "" {
		t.Errorf("Google connection's fields (-want +got):\n%s", d)
	}
}

func TestEnabled(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if err := e.st.CreateApplication(ctx, &model.Application{ID: "app", Name: "App", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	first := e.conn(t, model.IdPOIDC, oidcParams())
	e.clock.Advance(time.Second)
	p := oidcParams()
	p.DisplayName = "Second"
	second := e.conn(t, model.IdPOIDC, p)
	for _, c := range []*model.ExtIdpConn{second, first} {
		if err := e.svc.SetEnabled(ctx, c.ID, "app", true); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "SetEnabled for an unknown application", e.svc.SetEnabled(ctx, first.ID, "nope", true), model.ErrNotFound)
	list, err := e.svc.Enabled(ctx, "app")
	if err != nil || len(list) != 2 || list[0].ID != first.ID || list[1].ID != second.ID {
		t.Fatalf("Enabled = %v, %v; want the first created first", list, err)
	}
	if err := e.svc.SetEnabled(ctx, first.ID, "app", false); err != nil {
		t.Fatal(err)
	}
	if apps, err := e.svc.ConnApps(ctx, first.ID); err != nil || len(apps) != 0 {
		t.Fatalf("ConnApps after disabling = %v, %v", apps, err)
	}
	if apps, err := e.svc.ConnApps(ctx, second.ID); err != nil || !slices.Equal(apps, []string{"app"}) {
		t.Fatalf("ConnApps = %v, %v", apps, err)
	}
}
