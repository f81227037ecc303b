package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// population is what TestDBCopy stores in SQLite and expects in PostgreSQL.
type population struct {
	apps     map[string]string // app id -> secret
	logins   map[string]string // login -> password
	sessions []*model.Session
	code     *model.AuthCode // unredeemed
	redeemed string          // hash of a redeemed code
	tokens   []string        // hashes
	keys     []*model.SigningKey
	consent  *model.Consent
}

func populate(t *testing.T, st database, now time.Time) *population {
	t.Helper()
	ctx := t.Context()
	src := token.NewSource(rand.Reader)
	clock := func() time.Time { return now }
	p := &population{apps: map[string]string{}, logins: map[string]string{}}
	appSvc := &apps.Service{Store: st, Tokens: src, Now: clock}
	for _, params := range []apps.CreateParams{
		{Name: "Shop", RedirectURIs: []string{"https://shop.example/cb"}, LogoutRedirectURIs: []string{"https://shop.example/"}},
		{Name: "Batch", RedirectURIs: []string{"https://batch.example/cb"}, GrantTypes: []string{model.GrantClientCredentials},
			TokenAuthMethod: model.AuthClientSecretBasic, AccessTokenTTL: time.Hour,
			AllowedScopes: "reports:read", ClaimsFormat: model.ClaimsGenAuth, WebOrigins: []string{"https://batch.example"}},
	} {
		app, secret, err := appSvc.Create(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		p.apps[app.ID] = secret
	}
	userSvc := &users.Service{Store: st, Tokens: src, Rand: rand.Reader, Now: clock}
	var userIDs []string
	for i, params := range []users.CreateParams{
		{Username: "ada", Email: "ada@example.com", Password: "analytical engine"},
		{Email: "bob@example.org", Password: "bob's password"},
		{Phone: "+8613800000001", Password: "phone password"},
	} {
		u, err := userSvc.Create(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		userIDs = append(userIDs, u.ID)
		login := []string{params.Username, params.Email, params.Phone}[i]
		p.logins[login] = params.Password
	}
	p.sessions = []*model.Session{
		{IDHash: token.Hash("live session"), UserID: userIDs[0], AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour), LastSeenAt: now.Add(time.Minute)},
		{IDHash: token.Hash("old session"), UserID: userIDs[1], AuthTime: now.Add(-48 * time.Hour), CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-24 * time.Hour), LastSeenAt: now.Add(-30 * time.Hour)},
	}
	for _, s := range p.sessions {
		if err := st.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	var appID string
	for id := range p.apps {
		appID = id
	}
	code := func(grant string) *model.AuthCode {
		return &model.AuthCode{Hash: token.Hash(src.Opaque()), GrantID: grant, ClientID: appID, UserID: userIDs[0],
			RedirectURI: "https://shop.example/cb", Scope: "user", Protocol: model.ProtocolOAuth,
			CodeChallenge: "abc", CodeChallengeMethod: "S256", SessionIDHash: p.sessions[0].IDHash,
			AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(model.AuthCodeTTL)}
	}
	tok := func(kind, grant, parent, user string, expires time.Time) *model.Token {
		t := &model.Token{Hash: token.Hash(src.Opaque()), ID: src.JTI(), Kind: kind, GrantID: grant, ParentID: parent,
			ClientID: appID, UserID: user, Scope: "user", Protocol: model.ProtocolOAuth, IssuedAt: now.Add(-time.Minute), ExpiresAt: expires}
		p.tokens = append(p.tokens, t.Hash)
		return t
	}
	p.code = code("grant-open")
	redeemed := code("grant-1")
	p.redeemed = redeemed.Hash
	for _, c := range []*model.AuthCode{p.code, redeemed} {
		if err := st.CreateAuthCode(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	refresh := tok(model.TokenRefresh, "grant-1", "", userIDs[0], now.Add(30*24*time.Hour))
	if err := st.RedeemAuthCode(ctx, redeemed.Hash, now, []*model.Token{
		tok(model.TokenAccess, "grant-1", "", userIDs[0], now.Add(time.Hour)), refresh,
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.RefreshTokens(ctx, refresh.ID, now, []*model.Token{
		tok(model.TokenAccess, "grant-1", refresh.ID, userIDs[0], now.Add(time.Hour)),
	}); err != nil {
		t.Fatal(err)
	}
	revoked := tok(model.TokenAccess, "grant-2", "", userIDs[1], now.Add(time.Hour))
	if err := st.CreateTokens(ctx,
		tok(model.TokenAccess, "grant-3", "", "", now.Add(time.Hour)), // client credentials
		tok(model.TokenAccess, "grant-4", "", userIDs[2], now.Add(-time.Second)),
		revoked,
	); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RevokeToken(ctx, revoked.Hash, now); err != nil {
		t.Fatal(err)
	}
	p.keys = []*model.SigningKey{{ID: "kid-1", Alg: model.SigningES256, PublicDER: []byte{0x30, 0x00, 0xff},
		EncryptedPrivate: []byte{1, 2, 3, 0}, CreatedAt: now, ActivatesAt: now}}
	if err := st.CreateSigningKey(ctx, p.keys[0]); err != nil {
		t.Fatal(err)
	}
	p.consent = &model.Consent{UserID: userIDs[0], ClientID: appID, Scopes: []string{"openid", "email"}, CreatedAt: now, UpdatedAt: now}
	if err := st.SaveConsent(ctx, p.consent); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDBCopy copies a populated SQLite database into PostgreSQL and checks
// that everything arrived as it was: applications and their secrets, users
// and their passwords, sessions, codes (a redeemed one still counts as
// redeemed), every token with its state, signing keys and consents.
func TestDBCopy(t *testing.T) {
	dir := newDataDir(t)
	path := filepath.Join(dir, dbFile)
	now := time.Now().UTC().Truncate(time.Millisecond)
	src, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p := populate(t, src, now)
	// The outbox: one message sent, one still to send, which the target
	// must send.
	waiting := &model.OutboxMessage{ID: "m-waiting", Kind: model.MessageEmail, Sealed: []byte("sealed"),
		NextAttemptAt: now, CreatedAt: now}
	for _, m := range []*model.OutboxMessage{{ID: "m-sent", Kind: model.MessageSMS, Sealed: []byte("x"),
		NextAttemptAt: now.Add(-time.Hour), CreatedAt: now.Add(-time.Hour)}, waiting} {
		if err := src.EnqueueMessage(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.ClaimMessages(t.Context(), now.Add(-time.Minute), time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	if err := src.MarkMessageSent(t.Context(), "m-sent", 1, now); err != nil {
		t.Fatal(err)
	}
	users0, err := src.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := src.GrantRole(t.Context(), users0[1].ID, model.RoleAdmin, now); err != nil {
		t.Fatal(err)
	}

	url := pgtest.NewDatabase(t)
	out := mustRun(t, "", "db", "copy", "--from", "sqlite://"+path, "--to", url)
	if want := fmt.Sprintf("copied 2 applications, 3 users, 2 sessions, 2 authorization codes, %d tokens, 1 signing keys, 1 consents, 2 outbox messages, 1 user roles from %s to %s\n",
		len(p.tokens), path, url); out != want {
		t.Errorf("db copy printed %q, want %q", out, want)
	}

	dst, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	ctx := t.Context()
	same := func(what string, want, got any) {
		t.Helper()
		if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s differs after the copy (-sqlite +postgres):\n%s", what, d)
		}
	}
	claimed, err := dst.ClaimMessages(ctx, now, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	waiting.Attempts, waiting.NextAttemptAt = 1, now.Add(time.Minute)
	same("messages to send", []*model.OutboxMessage{waiting}, claimed)
	for _, list := range []struct {
		what string
		get  func(database) (any, error)
	}{
		{"applications", func(s database) (any, error) { return s.ListApplications(ctx) }},
		{"users", func(s database) (any, error) { return s.ListUsers(ctx) }},
		{"signing keys", func(s database) (any, error) { return s.ListSigningKeys(ctx) }},
		{"consents", func(s database) (any, error) { return s.ListConsents(ctx, p.consent.UserID) }},
		{"administrators", func(s database) (any, error) { return s.ListRole(ctx, model.RoleAdmin) }},
	} {
		want, err := list.get(src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := list.get(dst)
		if err != nil {
			t.Fatal(err)
		}
		same(list.what, want, got)
	}
	active := 0
	for _, h := range p.tokens {
		want, err := src.GetToken(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dst.GetToken(ctx, h)
		if err != nil {
			t.Fatalf("token %s missing after the copy: %v", h, err)
		}
		same("token", want, got)
		if want.Active(now) {
			active++
			if !got.Active(now) {
				t.Errorf("token %s was active and is not after the copy", h)
			}
		}
	}
	if active != 4 {
		t.Errorf("%d active tokens in the population, want 4 (the test lost its point)", active)
	}
	for _, s := range p.sessions[:1] {
		got, err := dst.GetSession(ctx, s.IDHash, now)
		if err != nil {
			t.Fatalf("live session missing after the copy: %v", err)
		}
		same("session", s, got)
	}
	got, err := dst.GetAuthCode(ctx, p.code.Hash, now)
	if err != nil {
		t.Fatalf("open code missing after the copy: %v", err)
	}
	same("code", p.code, got)
	if _, err := dst.GetAuthCode(ctx, p.redeemed, now); !errors.Is(err, model.ErrCodeRedeemed) {
		t.Errorf("redeemed code after the copy: %v, want ErrCodeRedeemed", err)
	}
	userSvc := &users.Service{Store: dst, Tokens: token.NewSource(rand.Reader), Rand: rand.Reader, Now: time.Now}
	for login, pw := range p.logins {
		if _, err := userSvc.Authenticate(ctx, login, pw); err != nil {
			t.Errorf("%s cannot log in after the copy: %v", login, err)
		}
	}
	for id, secret := range p.apps {
		app, err := dst.GetApplication(ctx, id)
		if err != nil || !apps.CheckSecret(app, secret) {
			t.Errorf("application %s: secret no longer accepted after the copy (%v)", id, err)
		}
	}

	// A second copy finds the target full and changes nothing.
	args := []string{"db", "copy", "--from", "sqlite://" + path, "--to", url}
	out, errOut, code := cliRun(t, "", args...)
	wantOneLineError(t, args, out, errOut, code, "is not empty; db copy only fills a new database")
	if a, u := pgCounts(t, url); a != 2 || u != 3 {
		t.Errorf("after the refused copy: %d applications, %d users; want 2 and 3", a, u)
	}
}

// TestDBCopyDefaultsToDataDir copies the --data-dir database when --from is
// not given, into a database that was never migrated.
func TestDBCopyDefaultsToDataDir(t *testing.T) {
	dir := newDataDir(t)
	mustRun(t, "", "app", "create", "--name", "x", "--redirect-uri", "https://x.example/cb", "--data-dir", dir)
	url := pgtest.NewDatabase(t)
	mustRun(t, "", "db", "copy", "--to", url, "--data-dir", dir)
	if a, _ := pgCounts(t, url); a != 1 {
		t.Errorf("%d applications copied, want 1", a)
	}
}

func TestDBCopyErrors(t *testing.T) {
	dir := newDataDir(t)
	missing := filepath.Join(t.TempDir(), "none.db")
	pg := "postgres://u:hunter2@127.0.0.1:1/x"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"db", "copy"}, "--to is required"},
		{[]string{"db", "copy", "--to", "mysql://db/x"}, "--to: mysql://db/x is not a postgres:// URL"},
		{[]string{"db", "copy", "--to", pg, "--from", filepath.Join(dir, dbFile)}, "is not a sqlite:// URL"},
		{[]string{"db", "copy", "--to", pg, "--from", "sqlite://"}, "is not a sqlite:// URL"},
		{[]string{"db", "copy", "--to", pg, "--from", "sqlite://" + missing}, "no database at " + missing},
		{[]string{"db", "copy", "--to", pg, "--data-dir", dir, "--db-connect-timeout", "2s"}, "connection refused"},
		{[]string{"db", "bogus"}, "unknown command"},
	} {
		out, errOut, code := cliRun(t, "", tc.args...)
		wantOneLineError(t, tc.args, out, errOut, code, tc.want)
		if strings.Contains(errOut, "hunter2") {
			t.Errorf("%v: stderr %q shows the password", tc.args, errOut)
		}
	}
}
