package testenv

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// upstreamApp is the upstream's application for this GenAuth, whose
// client id and secret the connection holds.
type upstreamApp struct{ id, secret string }

// startUpstream prepares the upstream GenAuth: its own database and
// secret, the application this GenAuth signs in through, and its user
// (with a verified email). It returns the upstream's handler; the
// application is kept for connectUpstream.
func (e *Env) startUpstream(ctx context.Context, logger *slog.Logger) (http.Handler, error) {
	st, err := sqlite.Open(filepath.Join(e.dir, "upstream.db"))
	if err != nil {
		return nil, err
	}
	e.upstreamStore = st
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	key := make([]byte, secret.KeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	h, err := server.New(server.Config{PublicURL: e.Upstream.URL, Store: st, SecretKey: key, Logger: logger.With("server", "upstream")})
	if err != nil {
		return nil, err
	}
	tokens := token.NewSource(rand.Reader)
	app, sec, err := (&apps.Service{Store: st, Tokens: tokens, Now: time.Now}).Create(ctx, apps.CreateParams{
		Name: "GenAuth (downstream)", RedirectURIs: []string{e.URL + "/connections/" + e.Upstream.Connection + "/callback"}})
	if err != nil {
		return nil, err
	}
	e.upstreamApp = upstreamApp{id: app.ID, secret: sec}
	u := e.Upstream.User
	created, err := (&users.Service{Store: st, Tokens: tokens, Rand: rand.Reader, Now: time.Now}).Create(ctx, users.CreateParams{
		Username: u["username"], Email: u["email"], Name: u["name"], Password: u["password"]})
	if err != nil {
		return nil, err
	}
	created.EmailVerified = true
	if err := st.UpdateUser(ctx, created, false); err != nil {
		return nil, err
	}
	return h, nil
}

// connectUpstream adds the connections to this GenAuth and enables them
// for the "sso" application: OpenID Connect to the upstream, and an LDAP
// directory at a port nothing listens on.
func (e *Env) connectUpstream(ctx context.Context, sealer *secret.Sealer, tokens *token.Source, us *users.Service) error {
	// Each connection a millisecond after the last, so that the pages list
	// them in this order.
	start, made := time.Now(), 0
	now := func() time.Time {
		made++
		return start.Add(time.Duration(made) * time.Millisecond)
	}
	s := &idp.Service{Store: e.store, Users: us, Sealer: sealer, Tokens: tokens, Rand: rand.Reader, Now: now, PublicURL: e.URL}
	sso := e.Apps["sso"].ClientID
	for _, c := range []struct {
		typ, name, identifier string
		fields                model.ConnFields
		secret                string
	}{
		{model.IdPOIDC, "Corp SSO", e.Upstream.Connection,
			model.ConnFields{Issuer: e.Upstream.URL + "/oidc", ClientID: e.upstreamApp.id}, e.upstreamApp.secret},
		{model.IdPLDAP, "Corp Directory", e.Upstream.Directory,
			model.ConnFields{URL: "ldap://127.0.0.1:1", BaseDN: "ou=people,dc=corp,dc=example", TimeoutSeconds: 2}, ""},
	} {
		p, err := s.CreateExtIdp(ctx, c.name, c.typ, "")
		if err != nil {
			return err
		}
		params := idp.ConnParams{ExtIdpID: p.ID, Identifier: c.identifier, DisplayName: c.name, Fields: c.fields}
		if c.secret != "" {
			params.Secret = &c.secret
		}
		conn, err := s.CreateConn(ctx, params)
		if err != nil {
			return err
		}
		if err := s.SetEnabled(ctx, conn.ID, sso, true); err != nil {
			return err
		}
	}
	return nil
}
