package idtoken

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

func newKeys(t *testing.T) (*Keys, *clock.Fake) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "keys.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(bytes.Repeat([]byte{1}, secret.KeyLen), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	return &Keys{
		Store:          st,
		Sealer:         sealer,
		Tokens:         token.NewSource(rand.Reader),
		Rand:           rand.Reader,
		Now:            c.Now,
		RotationPeriod: 24 * time.Hour,
		Retention:      2 * time.Hour,
	}, c
}

func testApp(alg string) *model.Application {
	return &model.Application{ID: "app1", IDTokenAlg: alg, IDTokenTTL: time.Hour}
}

func testUser() *model.User {
	return &model.User{ID: "user1", Username: "alice", Email: "alice@example.com", UpdatedAt: time.Unix(1700000000, 0)}
}

func publishedIDs(t *testing.T, k *Keys, alg string) []string {
	t.Helper()
	keys, err := k.published(t.Context(), allAlgorithms)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range keys {
		if p.alg == alg {
			ids = append(ids, p.id)
		}
	}
	return ids
}

// verify checks tok against the currently published keys.
func verify(t *testing.T, k *Keys, tok string) map[string]any {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	keys, err := k.published(t.Context(), allAlgorithms)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range keys {
		if p.id == parsed.Headers[0].KeyID {
			var claims map[string]any
			if err := parsed.Claims(p.key, &claims); err != nil {
				t.Fatalf("signature: %v", err)
			}
			return claims
		}
	}
	t.Fatalf("kid %q is not published", parsed.Headers[0].KeyID)
	return nil
}

func TestFirstUsePublishesActiveAndNextKeys(t *testing.T) {
	k, _ := newKeys(t)
	for _, alg := range Algorithms {
		if ids := publishedIDs(t, k, alg); len(ids) != 2 {
			t.Errorf("%s: published %d keys; want the active and the next", alg, len(ids))
		}
	}
}

func TestSignUsesApplicationAlgorithm(t *testing.T) {
	k, _ := newKeys(t)
	for _, alg := range Algorithms {
		tok, err := k.Sign(t.Context(), Token{Issuer: "https://id.example/oidc", User: testUser(), App: testApp(alg), Scope: "openid email", Nonce: "n-1", AccessToken: "at", Code: "c"})
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		if got := parsed.Headers[0].Algorithm; got != alg {
			t.Errorf("alg = %s; want %s", got, alg)
		}
		claims := verify(t, k, tok)
		for name, want := range map[string]any{"iss": "https://id.example/oidc", "sub": "user1", "aud": "app1", "nonce": "n-1", "email": "alice@example.com", "at_hash": halfHash("at"), "c_hash": halfHash("c")} {
			if claims[name] != want {
				t.Errorf("%s: claim %s = %v; want %v", alg, name, claims[name], want)
			}
		}
		if _, ok := claims["name"]; ok {
			t.Errorf("%s: the profile claim name was released without the profile scope", alg)
		}
	}
}

func TestHalfHashVector(t *testing.T) {
	// OpenID Connect Core appendix A.4's access token and at_hash.
	if got := halfHash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"); got != "77QmUPtjPfzWtF2AnpK9RQ" {
		t.Errorf("halfHash = %s; want 77QmUPtjPfzWtF2AnpK9RQ", got)
	}
}

func TestScheduledRotationKeepsOldTokensVerifiable(t *testing.T) {
	k, c := newKeys(t)
	app := testApp(model.SigningRS256)
	old, err := k.Sign(t.Context(), Token{Issuer: "iss", User: testUser(), App: app, Scope: "openid"})
	if err != nil {
		t.Fatal(err)
	}
	before := publishedIDs(t, k, model.SigningRS256)
	c.Advance(24*time.Hour + time.Minute) // the next key activates
	fresh, err := k.Sign(t.Context(), Token{Issuer: "iss", User: testUser(), App: app, Scope: "openid"})
	if err != nil {
		t.Fatal(err)
	}
	if kid(t, fresh) != before[1] {
		t.Errorf("after a period the signer is %s; want the published next key %s", kid(t, fresh), before[1])
	}
	verify(t, k, old)
	if got := publishedIDs(t, k, model.SigningRS256); len(got) != 3 {
		t.Errorf("published %v; want previous, active and a new next key", got)
	}
	c.Advance(3 * time.Hour) // past retention: the old key leaves JWKS
	if got := publishedIDs(t, k, model.SigningRS256); len(got) != 2 || got[0] != before[1] {
		t.Errorf("after retention, published %v; want the active %s and the next", got, before[1])
	}
}

func TestForcedRotationPromotesPublishedNextKey(t *testing.T) {
	k, _ := newKeys(t)
	app := testApp(model.SigningES256)
	old, err := k.Sign(t.Context(), Token{Issuer: "iss", User: testUser(), App: app, Scope: "openid"})
	if err != nil {
		t.Fatal(err)
	}
	next := publishedIDs(t, k, model.SigningES256)[1]
	if err := k.Rotate(t.Context()); err != nil {
		t.Fatal(err)
	}
	fresh, err := k.Sign(t.Context(), Token{Issuer: "iss", User: testUser(), App: app, Scope: "openid"})
	if err != nil {
		t.Fatal(err)
	}
	if kid(t, fresh) != next {
		t.Errorf("after Rotate the signer is %s; want the former next key %s", kid(t, fresh), next)
	}
	verify(t, k, old)
	verify(t, k, fresh)
}

func TestVerifyHint(t *testing.T) {
	k, c := newKeys(t)
	app := testApp(model.SigningRS256)
	tok, err := k.Sign(t.Context(), Token{Issuer: "https://id.example/oidc", User: testUser(), App: app, Scope: "openid", SessionID: "sid-1"})
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(2 * time.Hour) // expired hints are accepted
	claims, err := k.VerifyHint(t.Context(), tok, "https://id.example/oidc")
	if err != nil || claims.Subject != "user1" || claims.Audience[0] != "app1" || claims.SID != "sid-1" {
		t.Fatalf("VerifyHint = %+v, %v", claims, err)
	}
	tampered := tok[:len(tok)-4] + "AAAA"
	for name, hint := range map[string]string{"tampered": tampered, "garbage": "not.a.jwt", "empty": ""} {
		if _, err := k.VerifyHint(t.Context(), hint, "https://id.example/oidc"); err != ErrBadHint {
			t.Errorf("%s hint: err = %v; want ErrBadHint", name, err)
		}
	}
	if _, err := k.VerifyHint(t.Context(), tok, "https://other.example/oidc"); err != ErrBadHint {
		t.Errorf("another issuer: err = %v; want ErrBadHint", err)
	}
}

func kid(t *testing.T, tok string) string {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Headers[0].KeyID
}

func TestStatusPlacesEveryKey(t *testing.T) {
	k, c := newKeys(t) // rotation every 24 h, retention 2 h
	if err := k.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	first, err := k.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	rs := func(s *KeyStatus) (states []string, ids []string) {
		for _, key := range s.Keys {
			if key.Alg == model.SigningRS256 {
				states, ids = append(states, key.State), append(ids, key.ID)
			}
		}
		return states, ids
	}
	states, ids := rs(first)
	if len(first.Keys) != 4 || fmt.Sprint(states) != "[next active]" || first.Retention != 2*time.Hour ||
		first.RotationPeriod != 24*time.Hour {
		t.Fatalf("fresh keys: %+v", first)
	}
	for _, key := range first.Keys {
		if key.Published != (key.Alg == model.SigningRS256) {
			t.Errorf("%s %s published = %v; ES256 keys are published only while an application signs with them",
				key.Alg, key.State, key.Published)
		}
	}
	if err := k.Rotate(t.Context()); err != nil {
		t.Fatal(err)
	}
	rotatedAt := c.Now()
	after, err := k.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	states, newIDs := rs(after)
	if fmt.Sprint(states) != "[next active retired]" || newIDs[1] != ids[0] || newIDs[2] != ids[1] {
		t.Fatalf("after a rotation: %v %v; before %v", states, newIDs, ids)
	}
	retired := after.Keys[2]
	if !retired.Published || !retired.SupersededAt.Equal(rotatedAt) || !retired.Until.Equal(rotatedAt.Add(2*time.Hour)) {
		t.Errorf("retired key: %+v", retired)
	}
	c.Advance(3 * time.Hour)
	late, err := k.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if states, _ := rs(late); fmt.Sprint(states) != "[next active expired]" || late.Keys[2].Published {
		t.Errorf("past retention: %v %+v", states, late.Keys[2])
	}
}
