package storetest

import (
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func signingKey(id string, activates time.Time) *model.SigningKey {
	return &model.SigningKey{
		ID:               id,
		Alg:              model.SigningRS256,
		PublicDER:        []byte("public-" + id + "\x00\xff"),
		EncryptedPrivate: []byte("sealed-" + id + "\x00\x01"),
		CreatedAt:        t0,
		ActivatesAt:      activates,
	}
}

func testSigningKeys(t *testing.T, open Opener) {
	t.Run("RoundTripAndOrder", func(t *testing.T) {
		s := open(t)
		later := signingKey("k-later", t0.Add(48*time.Hour))
		now := signingKey("k-now", t0.In(east))
		es := signingKey("k-es", t0.Add(time.Hour))
		es.Alg = model.SigningES256
		for _, k := range []*model.SigningKey{later, now, es} {
			must(t, "CreateSigningKey", s.CreateSigningKey(t.Context(), k))
		}
		got, err := s.ListSigningKeys(t.Context())
		must(t, "ListSigningKeys", err)
		now.ActivatesAt = now.ActivatesAt.UTC()
		diff(t, "signing keys", []*model.SigningKey{now, es, later}, got)
	})
	t.Run("DuplicateID", func(t *testing.T) {
		s := open(t)
		must(t, "CreateSigningKey", s.CreateSigningKey(t.Context(), signingKey("k", t0)))
		wantErr(t, "CreateSigningKey twice", s.CreateSigningKey(t.Context(), signingKey("k", t0)), model.ErrConflict)
	})
	t.Run("ActivateAndDelete", func(t *testing.T) {
		s := open(t)
		must(t, "CreateSigningKey", s.CreateSigningKey(t.Context(), signingKey("a", t0)))
		must(t, "CreateSigningKey", s.CreateSigningKey(t.Context(), signingKey("b", t0.Add(24*time.Hour))))
		must(t, "ActivateSigningKey", s.ActivateSigningKey(t.Context(), "b", t0.Add(-time.Hour)))
		wantErr(t, "ActivateSigningKey of a missing key", s.ActivateSigningKey(t.Context(), "missing", t0), model.ErrNotFound)
		got, err := s.ListSigningKeys(t.Context())
		must(t, "ListSigningKeys", err)
		if len(got) != 2 || got[0].ID != "b" || !got[0].ActivatesAt.Equal(t0.Add(-time.Hour)) {
			t.Fatalf("after activating b early, keys = %+v; want b first, activating at %v", got, t0.Add(-time.Hour))
		}
		must(t, "DeleteSigningKey", s.DeleteSigningKey(t.Context(), "a"))
		must(t, "DeleteSigningKey of a missing key", s.DeleteSigningKey(t.Context(), "a"))
		got, err = s.ListSigningKeys(t.Context())
		must(t, "ListSigningKeys", err)
		if len(got) != 1 || got[0].ID != "b" {
			t.Fatalf("after deleting a, keys = %+v; want only b", got)
		}
	})
	t.Run("SigningNeeds", func(t *testing.T) {
		s := open(t)
		got, err := s.SigningNeeds(t.Context())
		must(t, "SigningNeeds", err)
		diff(t, "signing needs without applications", model.SigningNeeds{}, got)
		for _, a := range []struct {
			id, alg, format string
			ttl             time.Duration
		}{
			{"rs-opaque", model.SigningRS256, model.AccessTokenOpaque, 90 * 24 * time.Hour},
			{"rs-jwt", model.SigningRS256, model.AccessTokenJWT, 2 * time.Hour},
			{"rs-jwt-long", model.SigningRS256, model.AccessTokenJWT, 14*24*time.Hour + time.Millisecond},
		} {
			app := application(a.id, t0)
			app.IDTokenAlg, app.AccessTokenFormat, app.AccessTokenTTL = a.alg, a.format, a.ttl
			must(t, "CreateApplication", s.CreateApplication(t.Context(), app))
		}
		got, err = s.SigningNeeds(t.Context())
		must(t, "SigningNeeds", err)
		diff(t, "signing needs of RS256 applications", model.SigningNeeds{LongestJWT: 14*24*time.Hour + time.Millisecond}, got)
		es := application("es-opaque", t0)
		es.IDTokenAlg, es.AccessTokenFormat = model.SigningES256, model.AccessTokenOpaque
		must(t, "CreateApplication", s.CreateApplication(t.Context(), es))
		got, err = s.SigningNeeds(t.Context())
		must(t, "SigningNeeds", err)
		diff(t, "signing needs with an ES256 application", model.SigningNeeds{ES256: true, LongestJWT: 14*24*time.Hour + time.Millisecond}, got)
	})
}
