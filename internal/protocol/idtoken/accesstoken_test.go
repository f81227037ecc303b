package idtoken

import (
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// jwksIDs returns the kids and algorithms of the published key set, in order.
func jwksIDs(t *testing.T, k *Keys) (ids, algs []string) {
	t.Helper()
	set, err := k.JWKS(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range set.Keys {
		ids, algs = append(ids, key.KeyID), append(algs, key.Algorithm)
	}
	return ids, algs
}

// verifyOffline checks raw as a resource server does: against the JWKS
// only, with every claim of RFC 9068 and contract 5.3.
func verifyOffline(t *testing.T, k *Keys, raw string, now time.Time) (jwt.Claims, error) {
	t.Helper()
	set, err := k.JWKS(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return jwt.Claims{}, err
	}
	var c jwt.Claims
	if err := tok.Claims(&set, &c); err != nil {
		return jwt.Claims{}, err
	}
	return c, c.ValidateWithLeeway(jwt.Expected{Issuer: "https://id.example/oidc", AnyAudience: jwt.Audience{"app1"}, Time: now}, 0)
}

func TestSignAccessTokenShape(t *testing.T) {
	k, c := newKeys(t)
	now := c.Now().Add(500 * time.Millisecond)
	tests := []struct {
		name    string
		subject string
		want    map[string]any
	}{
		{"user", "user1", map[string]any{"sub": "user1", "client_id": "app1", "scope": "openid profile"}},
		{"client credentials: azp, no sub", "", map[string]any{"azp": "app1", "client_id": "app1", "scope": "openid profile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := k.SignAccessToken(t.Context(), AccessToken{Issuer: "https://id.example/oidc", Subject: tt.subject,
				ClientID: "app1", Scope: "openid profile", ID: "jti-1", IssuedAt: now, ExpiresAt: now.Add(2 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
			if err != nil {
				t.Fatal(err)
			}
			h := tok.Headers[0]
			ids, _ := jwksIDs(t, k)
			if h.Algorithm != "RS256" || h.ExtraHeaders["typ"] != AccessTokenType || h.KeyID != ids[0] {
				t.Errorf("header alg %s typ %v kid %s; want RS256, %s and the first JWKS key %s", h.Algorithm, h.ExtraHeaders["typ"], h.KeyID, AccessTokenType, ids[0])
			}
			claims, err := verifyOffline(t, k, raw, now)
			if err != nil {
				t.Fatalf("offline verification: %v", err)
			}
			if claims.IssuedAt.Time().After(now) || claims.ID != "jti-1" || claims.Expiry.Time().Unix() != now.Add(2*time.Hour).Unix() {
				t.Errorf("iat %v, jti %q, exp %v; want iat not after %v, jti-1, exp two hours on", claims.IssuedAt.Time(), claims.ID, claims.Expiry.Time(), now)
			}
			var all map[string]any
			if err := tok.UnsafeClaimsWithoutVerification(&all); err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				if all[name] != want {
					t.Errorf("claim %s = %v; want %v", name, all[name], want)
				}
			}
			if _, ok := all["sub"]; ok != (tt.subject != "") {
				t.Errorf("sub present = %v; want %v", ok, tt.subject != "")
			}
			if _, err := verifyOffline(t, k, raw, now.Add(2*time.Hour+time.Second)); err == nil {
				t.Error("an expired access token verified")
			}
		})
	}
}

func TestJWKSListsECKeysOnlyWhileAnApplicationSignsES256(t *testing.T) {
	k, c := newKeys(t)
	raw, err := k.SignAccessToken(t.Context(), AccessToken{Issuer: "iss", Subject: "u", ClientID: "app1", ID: "j", IssuedAt: c.Now(), ExpiresAt: c.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ids, algs := jwksIDs(t, k)
	if len(ids) != 2 || algs[0] != "RS256" || algs[1] != "RS256" || ids[0] != kid(t, raw) {
		t.Fatalf("JWKS without ES256 applications: %v %v; want the active RS256 key (%s) first, then the next, no EC key", ids, algs, kid(t, raw))
	}
	createApp(t, k, "es", func(a *model.Application) { a.IDTokenAlg = model.SigningES256 })
	c.Advance(reloadEvery) // the cached needs are read again
	ids, algs = jwksIDs(t, k)
	if len(ids) != 4 || algs[0] != "RS256" || algs[2] != "ES256" || ids[0] != kid(t, raw) {
		t.Errorf("JWKS with an ES256 application: %v %v; want the RS256 keys, the active one first, then the ES256 keys", ids, algs)
	}
}

func TestRetiredKeyStaysPublishedWhileItsJWTAccessTokensLive(t *testing.T) {
	k, c := newKeys(t) // rotation every 24 h, retention 2 h
	createApp(t, k, "jwt", func(a *model.Application) {
		a.AccessTokenFormat, a.AccessTokenTTL = model.AccessTokenJWT, 5*time.Hour
	})
	now := c.Now()
	raw, err := k.SignAccessToken(t.Context(), AccessToken{Issuer: "https://id.example/oidc", Subject: "u", ClientID: "app1",
		ID: "j", IssuedAt: now, ExpiresAt: now.Add(5 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(24*time.Hour - time.Hour) // an hour before rotation
	raw, err = k.SignAccessToken(t.Context(), AccessToken{Issuer: "https://id.example/oidc", Subject: "u", ClientID: "app1",
		ID: "j2", IssuedAt: c.Now(), ExpiresAt: c.Now().Add(5 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(3*time.Hour + time.Minute) // rotated two hours ago: past the configured retention
	if err := k.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyOffline(t, k, raw, c.Now()); err != nil {
		t.Errorf("a live JWT access token of a retired key: %v", err)
	}
	c.Advance(3 * time.Hour) // the longest lifetime has passed since rotation: no token of the old key lives
	if err := k.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	if ids, _ := jwksIDs(t, k); len(ids) != 2 {
		t.Errorf("JWKS %v after every token of the retired key expired; want the active and the next key only", ids)
	}
}

// createApp stores an application app1-like application named id.
func createApp(t *testing.T, k *Keys, id string, edit func(*model.Application)) {
	t.Helper()
	app := &model.Application{ID: id, Name: id, IDTokenAlg: model.SigningRS256, AccessTokenFormat: model.AccessTokenOpaque,
		AccessTokenTTL: time.Hour, CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
	edit(app)
	if err := k.Store.(*sqlite.Store).CreateApplication(t.Context(), app); err != nil {
		t.Fatal(err)
	}
}
