package storetest

import (
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func application(id string, created time.Time) *model.Application {
	return &model.Application{
		ID:                      id,
		Name:                    "app " + id,
		SecretHash:              "secret-hash-" + id,
		RedirectURIs:            []string{"https://app.example/callback", "http://localhost:3000/cb?x=1&y=2"},
		LogoutRedirectURIs:      []string{"https://app.example/bye"},
		TokenAuthMethod:         model.AuthClientSecretBasic,
		IntrospectionAuthMethod: model.AuthClientSecretPost,
		RevocationAuthMethod:    model.AuthNone,
		GrantTypes:              []string{model.GrantAuthorizationCode, model.GrantRefreshToken},
		AccessTokenTTL:          model.DefaultAccessTokenTTL,
		RefreshTokenTTL:         30*time.Minute + 250*time.Millisecond,
		IDTokenTTL:              2 * time.Hour,
		IDTokenAlg:              model.SigningES256,
		RequireConsent:          true,
		RotateRefreshTokens:     true,
		RefreshGracePeriod:      7 * time.Second,
		RefreshIdleTTL:          3 * time.Hour,
		RejectPKCEPlain:         true,
		AllowedScopes:           "read write:all",
		ClaimsFormat:            model.ClaimsGenAuth,
		WebOrigins:              []string{"https://app.example", "http://localhost:3000"},
		CreatedAt:               created,
		UpdatedAt:               created.Add(time.Hour),
	}
}

func testApplications(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) {
		tests := []struct {
			name string
			app  *model.Application
		}{
			{"every field", application("app-full", t0.In(east))},
			{"empty lists", &model.Application{ID: "app-empty", Name: "bare", CreatedAt: t0, UpdatedAt: t0}},
			{"unicode name", &model.Application{ID: "app-unicode", Name: "应用 ✓ \"quoted\"", CreatedAt: t0, UpdatedAt: t0}},
		}
		s := open(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				must(t, "CreateApplication", s.CreateApplication(t.Context(), tt.app))
				got, err := s.GetApplication(t.Context(), tt.app.ID)
				must(t, "GetApplication", err)
				diff(t, "application", tt.app, got)
				checkUTC(t, "application", got.CreatedAt, got.UpdatedAt)
			})
		}
	})

	t.Run("DuplicateID", func(t *testing.T) {
		s := open(t)
		first := application("app-1", t0)
		must(t, "CreateApplication", s.CreateApplication(t.Context(), first))
		second := application("app-1", t0.Add(time.Minute))
		second.Name = "other"
		wantErr(t, "CreateApplication with a taken id", s.CreateApplication(t.Context(), second), model.ErrConflict)
		got, err := s.GetApplication(t.Context(), "app-1")
		must(t, "GetApplication", err)
		diff(t, "application after the conflict", first, got)
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		must(t, "CreateApplication", s.CreateApplication(t.Context(), application("app-1", t0)))
		_, err := s.GetApplication(t.Context(), "app-2")
		wantErr(t, "GetApplication of an unknown id", err, model.ErrNotFound)
		_, err = s.GetApplication(t.Context(), "")
		wantErr(t, "GetApplication of an empty id", err, model.ErrNotFound)
	})

	t.Run("ListOldestFirst", func(t *testing.T) {
		s := open(t)
		apps, err := s.ListApplications(t.Context())
		must(t, "ListApplications of an empty store", err)
		if len(apps) != 0 {
			t.Fatalf("ListApplications of an empty store returned %d applications", len(apps))
		}
		// Inserted out of order: the list follows CreatedAt, not insertion.
		for _, a := range []*model.Application{
			application("c", t0.Add(2*time.Hour)),
			application("a", t0),
			application("b", t0.Add(time.Hour)),
		} {
			must(t, "CreateApplication", s.CreateApplication(t.Context(), a))
		}
		apps, err = s.ListApplications(t.Context())
		must(t, "ListApplications", err)
		if len(apps) != 3 {
			t.Fatalf("ListApplications returned %d applications, want 3", len(apps))
		}
		var ids []string
		for _, a := range apps {
			ids = append(ids, a.ID)
		}
		diff(t, "application order", []string{"a", "b", "c"}, ids)
		diff(t, "listed application", application("a", t0), apps[0])
	})
}
