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

func testConsents(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	_, err := s.GetConsent(ctx, "u1", "app1")
	wantErr(t, "GetConsent before any", err, model.ErrNotFound)

	first := &model.Consent{UserID: "u1", ClientID: "app1", Scopes: []string{"openid", "email"}, CreatedAt: t0, UpdatedAt: t0}
	must(t, "SaveConsent", s.SaveConsent(ctx, first))
	must(t, "SaveConsent", s.SaveConsent(ctx, &model.Consent{UserID: "u1", ClientID: "app2", Scopes: []string{"openid"}, CreatedAt: t0.Add(time.Minute), UpdatedAt: t0.Add(time.Minute)}))
	must(t, "SaveConsent", s.SaveConsent(ctx, &model.Consent{UserID: "u2", ClientID: "app1", Scopes: []string{"profile"}, CreatedAt: t0, UpdatedAt: t0}))
	got, err := s.GetConsent(ctx, "u1", "app1")
	must(t, "GetConsent", err)
	diff(t, "consent", first, got)

	// Saving again replaces the scopes and keeps the creation time.
	must(t, "SaveConsent again", s.SaveConsent(ctx, &model.Consent{UserID: "u1", ClientID: "app1", Scopes: []string{"openid", "phone"}, CreatedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(time.Hour)}))
	got, err = s.GetConsent(ctx, "u1", "app1")
	must(t, "GetConsent", err)
	diff(t, "replaced consent", &model.Consent{UserID: "u1", ClientID: "app1", Scopes: []string{"openid", "phone"}, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour)}, got)

	list, err := s.ListConsents(ctx, "u1")
	must(t, "ListConsents", err)
	if len(list) != 2 || list[0].ClientID != "app1" || list[1].ClientID != "app2" {
		t.Fatalf("ListConsents(u1) = %+v; want app1 then app2", list)
	}
	_, err = s.WithdrawConsent(ctx, "u1", "app1", t0.Add(2*time.Hour))
	must(t, "WithdrawConsent", err)
	_, err = s.WithdrawConsent(ctx, "u1", "app1", t0.Add(2*time.Hour))
	must(t, "WithdrawConsent of a missing consent", err)
	_, err = s.GetConsent(ctx, "u1", "app1")
	wantErr(t, "GetConsent after withdrawal", err, model.ErrNotFound)
	if _, err := s.GetConsent(ctx, "u2", "app1"); err != nil {
		t.Fatalf("another user's consent was touched: %v", err)
	}
}
