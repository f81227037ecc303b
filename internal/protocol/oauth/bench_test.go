package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// Benchmarks of the protocol hot paths without a database or a network:
// what the handler itself costs per request, so that regressions show in
// `go test -bench . ./internal/protocol/oauth`. The load tool (`genauth bench`)
// measures the whole server.

// memApps serves one application from memory (the server caches them).
type memApps struct{ app *model.Application }

func (s memApps) GetApplication(_ context.Context, id string) (*model.Application, error) {
	if id != s.app.ID {
		return nil, model.ErrNotFound
	}
	app := *s.app
	return &app, nil
}

func (s memApps) ListApplications(context.Context) ([]*model.Application, error) {
	app := *s.app
	return []*model.Application{&app}, nil
}

// memTokens is a TokenStore that serves one token from memory and keeps no
// issued token; the benchmarks redeem, refresh and revoke nothing.
type memTokens struct{ tok *model.Token }

var errNotBenchmarked = errors.New("memTokens: not used by the benchmarks")

func (s memTokens) GetToken(_ context.Context, hash string) (*model.Token, error) {
	if hash != s.tok.Hash {
		return nil, model.ErrNotFound
	}
	t := *s.tok
	return &t, nil
}

func (memTokens) GetTokenWithUser(context.Context, string) (*model.Token, *model.User, error) {
	return nil, nil, errNotBenchmarked
}

func (memTokens) CreateAuthCode(context.Context, *model.AuthCode) error { return errNotBenchmarked }

func (memTokens) GetAuthCode(context.Context, string, time.Time) (*model.AuthCode, error) {
	return nil, errNotBenchmarked
}

func (memTokens) RedeemAuthCode(context.Context, string, time.Time, []*model.Token) error {
	return errNotBenchmarked
}

func (memTokens) CreateTokens(context.Context, ...*model.Token) error { return nil }

func (memTokens) RefreshTokens(context.Context, string, time.Time, []*model.Token) error {
	return errNotBenchmarked
}

func (memTokens) RotateRefreshToken(context.Context, string, time.Time, time.Duration, []*model.Token) error {
	return errNotBenchmarked
}

func (memTokens) RecordTokenUse(context.Context, string, time.Time) error { return errNotBenchmarked }

func (memTokens) RevokeToken(context.Context, string, time.Time) (*model.Token, error) {
	return nil, errNotBenchmarked
}

type benchEnv struct {
	h           *Handler
	mux         *http.ServeMux
	app         *model.Application
	secret, tok string
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	now := time.Now().UTC()
	src := token.NewSource(rand.Reader)
	secret, value := src.Secret(), src.Opaque()
	app := &model.Application{
		ID: src.ID(), Name: "bench", SecretHash: token.Hash(secret),
		TokenAuthMethod: model.AuthClientSecretPost, IntrospectionAuthMethod: model.AuthClientSecretPost,
		RevocationAuthMethod: model.AuthClientSecretPost, GrantTypes: []string{model.GrantClientCredentials},
		AccessTokenTTL: time.Hour, RefreshTokenTTL: time.Hour,
	}
	tok := &model.Token{
		Hash: token.Hash(value), ID: src.JTI(), Kind: model.TokenAccess, GrantID: "g", ClientID: app.ID,
		UserID: "user", Scope: "user", Protocol: model.ProtocolOAuth, IssuedAt: now, ExpiresAt: now.Add(time.Hour),
	}
	h, err := New(Config{
		Store:     memTokens{tok: tok},
		Apps:      memApps{app: app},
		Tokens:    src,
		Now:       time.Now,
		PublicURL: "http://genauth.test",
		Logger:    slog.New(slog.DiscardHandler),
		ShowError: func(w http.ResponseWriter, _ *http.Request, status int, _, _ string) { w.WriteHeader(status) },
	})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(edge.NewRoutes(mux))
	return &benchEnv{h: h, mux: mux, app: app, secret: secret, tok: value}
}

// BenchmarkClientAuthentication is the client check every token,
// introspection and revocation request starts with (the application lookup
// is from memory here).
func BenchmarkClientAuthentication(b *testing.B) {
	e := newBenchEnv(b)
	method := func(a *model.Application) string { return a.IntrospectionAuthMethod }
	cases := map[string]func() (*http.Request, params){
		"post": func() (*http.Request, params) {
			r := httptest.NewRequest(http.MethodPost, "/oauth/token/introspection", nil)
			return r, params{"client_id": e.app.ID, "client_secret": e.secret}
		},
		"basic": func() (*http.Request, params) {
			r := httptest.NewRequest(http.MethodPost, "/oauth/token/introspection", nil)
			r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(e.app.ID+":"+e.secret)))
			return r, params{}
		},
	}
	for name, req := range cases {
		b.Run(name, func(b *testing.B) {
			r, p := req()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.h.authenticateClient(r, p, method); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIntrospect is the whole introspection handler: form parsing,
// client authentication, token hashing and lookup, and the JSON answer.
func BenchmarkIntrospect(b *testing.B) {
	e := newBenchEnv(b)
	body := "token=" + e.tok + "&client_id=" + e.app.ID + "&client_secret=" + e.secret
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/oauth/token/introspection", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		e.mux.ServeHTTP(w, r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"active":true`) {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkParseBody is the form parsing every POST endpoint starts with.
func BenchmarkParseBody(b *testing.B) {
	e := newBenchEnv(b)
	body := "token=" + e.tok + "&client_id=" + e.app.ID + "&client_secret=" + e.secret
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/oauth/token/introspection", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if _, err := parseBody(nil, r); err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, r.Body)
	}
}
