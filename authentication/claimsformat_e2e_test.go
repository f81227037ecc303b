package authentication_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestE2EClaimsFormats signs in over OpenID Connect against applications
// of each claims format: the SDK decodes userinfo and the id token of both
// (updated_at as seconds or as an ISO string, unknown claims absent or null)
// to the same values.
func TestE2EClaimsFormats(t *testing.T) {
	srv := testserver.Start(t)
	user := srv.CreateUser(t, e2eUser, e2ePassword)
	for _, format := range []string{model.ClaimsStandard, model.ClaimsGenAuth} {
		t.Run(format, func(t *testing.T) {
			app, secret := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{e2eCallback}, ClaimsFormat: format})
			client, err := authentication.NewClient(authentication.Options{
				AppID: app.ID, AppSecret: secret, AppHost: srv.URL, RedirectURI: e2eCallback,
				Protocol: authentication.ProtocolOIDC, Now: srv.Clock.Now,
			})
			if err != nil {
				t.Fatal(err)
			}
			e := &e2e{srv: srv, app: app, secret: secret, user: user, client: client}
			ctx := context.Background()
			code := e.login(t, authentication.AuthorizeParams{Scope: "openid profile email phone address", Prompt: "login"})
			ts, err := client.GetAccessTokenByCode(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := client.VerifyIDToken(ctx, ts.IDToken)
			if err != nil {
				t.Fatalf("VerifyIDToken: %v", err)
			}
			info, err := client.GetUserInfoByAccessToken(ctx, ts.AccessToken)
			if err != nil {
				t.Fatalf("GetUserInfoByAccessToken: %v", err)
			}
			for what, u := range map[string]*authentication.UserInfo{"id token": &tok.User, "userinfo": info} {
				// Seconds in the standard format, milliseconds in GenAuth's.
				want := user.UpdatedAt.Truncate(time.Second)
				if format == model.ClaimsGenAuth {
					want = user.UpdatedAt.Truncate(time.Millisecond)
				}
				if u.UpdatedAt == nil || !u.UpdatedAt.Equal(want) {
					t.Errorf("%s: updated_at %v; want %v", what, u.UpdatedAt, want)
				}
				if u.PreferredUsername == nil || *u.PreferredUsername != e2eUser || u.Email != nil || u.PhoneNumber != nil {
					t.Errorf("%s: %+v; want the username and no email or phone", what, u)
				}
				// GenAuth's shape keeps the address object, its parts null.
				if (u.Address != nil) != (format == model.ClaimsGenAuth) || u.Address != nil && u.Address.Formatted != nil {
					t.Errorf("%s: address %+v in the %s format", what, u.Address, format)
				}
				var raw map[string]json.RawMessage
				if err := json.Unmarshal(u.Raw, &raw); err != nil {
					t.Fatal(err)
				}
				if _, present := raw["email"]; present != (format == model.ClaimsGenAuth) {
					t.Errorf("%s: email present %v; want %v in the %s format", what, present, !present, format)
				}
			}
		})
	}
}
