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
}
