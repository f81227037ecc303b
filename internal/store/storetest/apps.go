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
		AccessTokenFormat:       model.AccessTokenJWT,
		WebOrigins:              []string{"https://app.example", "http://localhost:3000"},
		RegistrationClosed:      true,
		RegistrationEmailVerify: true,
		MFAPolicy:               model.MFARequired,
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

func testApplicationManagement(t *testing.T, open Opener) {
	t.Run("UpdateAndDeleteApplication", func(t *testing.T) {
		s := open(t)
		app := application("app-1", t0)
		app.AppIdentifier, app.Logo, app.Description = "portal", "https://app.example/logo.png", "维护 <&>"
		app.AppType, app.DefaultProtocol, app.InitLoginURI, app.SSOEnabled = model.AppTypeSPA, model.ProtocolOAuth,
			"https://app.example/login", true
		must(t, "CreateApplication", s.CreateApplication(t.Context(), app))
		got, err := s.GetApplication(t.Context(), "app-1")
		must(t, "GetApplication", err)
		diff(t, "application", app, got)
		other := application("app-2", t0)
		other.AppIdentifier = "portal"
		wantErr(t, "CreateApplication with a taken identifier", s.CreateApplication(t.Context(), other), model.ErrConflict)
		other.AppIdentifier = "other"
		must(t, "CreateApplication", s.CreateApplication(t.Context(), other))

		changed := application("app-1", t0.Add(time.Hour)) // CreatedAt ignored
		changed.Name, changed.SecretHash, changed.RedirectURIs, changed.AppIdentifier = "renamed", "new-hash", nil, "portal2"
		changed.AllowedScopes, changed.ClaimsFormat, changed.WebOrigins = "*", model.ClaimsStandard, []string{"https://other.example:8443"}
		changed.AccessTokenFormat = model.AccessTokenOpaque
		changed.RegistrationClosed, changed.RegistrationEmailVerify = false, false
		changed.MFAPolicy = model.MFAOptional
		changed.UpdatedAt = t0.Add(3 * time.Hour)
		must(t, "UpdateApplication", s.UpdateApplication(t.Context(), changed))
		got, err = s.GetApplication(t.Context(), "app-1")
		must(t, "GetApplication", err)
		want := *changed
		want.CreatedAt = t0
		diff(t, "updated application", &want, got)
		changed.AppIdentifier = "other"
		wantErr(t, "UpdateApplication to a taken identifier", s.UpdateApplication(t.Context(), changed), model.ErrConflict)
		wantErr(t, "UpdateApplication of an unknown id", s.UpdateApplication(t.Context(), application("app-9", t0)),
			model.ErrNotFound)

		must(t, "CreateTokens", s.CreateTokens(t.Context(), token("h1", "j1", model.TokenAccess, "g1", "")))
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-1", "g2")))
		must(t, "SaveConsent", s.SaveConsent(t.Context(), &model.Consent{UserID: "user-1", ClientID: "app-1",
			Scopes: []string{"openid"}, CreatedAt: t0, UpdatedAt: t0}))
		must(t, "DeleteApplication", s.DeleteApplication(t.Context(), "app-1"))
		_, err = s.GetApplication(t.Context(), "app-1")
		wantErr(t, "GetApplication after delete", err, model.ErrNotFound)
		checkAbsent(t, s, "h1")
		_, err = s.GetAuthCode(t.Context(), "code-1", t0)
		wantErr(t, "GetAuthCode after delete", err, model.ErrNotFound)
		_, err = s.GetConsent(t.Context(), "user-1", "app-1")
		wantErr(t, "GetConsent after delete", err, model.ErrNotFound)
		_, err = s.GetApplication(t.Context(), "app-2")
		must(t, "GetApplication of the other app", err)
		wantErr(t, "DeleteApplication again", s.DeleteApplication(t.Context(), "app-1"), model.ErrNotFound)
	})
}

func testSignOutClient(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	mine := func(hash, id, kind, client string) *model.Token {
		tok := token(hash, id, kind, "g-"+hash, "")
		tok.ClientID = client
		return tok
	}
	gone := mine("h-old", "j-old", model.TokenAccess, "app-1")
	gone.RevokedAt = t0
	must(t, "CreateTokens", s.CreateTokens(ctx, mine("h-a", "j-a", model.TokenAccess, "app-1"),
		mine("h-r", "j-r", model.TokenRefresh, "app-1"), gone, mine("h-b", "j-b", model.TokenAccess, "app-2")))
	for _, c := range []*model.AuthCode{
		{Hash: "c-open", GrantID: "g1", ClientID: "app-1", UserID: "u", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{Hash: "c-other", GrantID: "g2", ClientID: "app-2", UserID: "u", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
	} {
		must(t, "CreateAuthCode", s.CreateAuthCode(ctx, c))
	}
	at := t0.Add(time.Minute)
	n, err := s.SignOutClient(ctx, "app-1", at)
	must(t, "SignOutClient", err)
	if n != 2 {
		t.Errorf("SignOutClient revoked %d tokens; want 2", n)
	}
	checkRevokedAt(t, s, at, "h-a", "h-r")
	checkRevokedAt(t, s, t0, "h-old")
	checkRevokedAt(t, s, time.Time{}, "h-b")
	_, err = s.GetAuthCode(ctx, "c-open", at)
	wantErr(t, "GetAuthCode of the client's open code", err, model.ErrNotFound)
	if _, err := s.GetAuthCode(ctx, "c-other", at); err != nil {
		t.Errorf("another client's code: %v", err)
	}
}
