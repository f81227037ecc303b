package authentication_test

import (
	"errors"
	"testing"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestE2EPassCodes sends codes by email (over SMTP) and SMS (to a signed
// webhook), checks them and signs in with them, with each client
// authentication method.
func TestE2EPassCodes(t *testing.T) {
	for _, method := range []string{authentication.AuthClientSecretPost, authentication.AuthClientSecretBasic, authentication.AuthNone} {
		t.Run(method, func(t *testing.T) {
			srv := testserver.Start(t)
			inbox := srv.StartInbox(t)
			app, secret := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{e2eCallback}, TokenAuthMethod: method,
				IntrospectionAuthMethod: method, RevocationAuthMethod: method})
			opts := authentication.Options{AppID: app.ID, AppSecret: secret, AppHost: srv.URL, RedirectURI: e2eCallback,
				TokenEndpointAuthMethod: method, IntrospectionEndpointAuthMethod: method, RevocationEndpointAuthMethod: method}
			if method == authentication.AuthNone {
				opts.AppSecret = ""
			}
			c, err := authentication.NewClient(opts)
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			u, err := srv.Users.Create(ctx, users.CreateParams{Username: "erin", Email: "erin@example.com", Phone: "13800000002", Password: e2ePassword})
			if err != nil {
				t.Fatal(err)
			}

			if err := c.SendEmail(ctx, "erin@example.com", authentication.ChannelLogin); err != nil {
				t.Fatalf("SendEmail: %v", err)
			}
			var apiErr *authentication.APIError
			if err := c.SendEmail(ctx, "erin@example.com", authentication.ChannelLogin); !errors.As(err, &apiErr) || apiErr.StatusCode != 429 {
				t.Fatalf("a second SendEmail within the minute: %v, want statusCode 429", err)
			}
			code := inbox.Deliver(t)["erin@example.com"]
			check, err := c.PreCheckCode(ctx, authentication.PreCheck{Email: "erin@example.com", PassCode: code, Channel: authentication.ChannelLogin})
			if err != nil || !check.IsValid {
				t.Fatalf("PreCheckCode: %+v, %v", check, err)
			}
			check, err = c.PreCheckCode(ctx, authentication.PreCheck{Email: "erin@example.com", PassCode: code, Channel: authentication.ChannelRegister})
			if err != nil || check.IsValid || check.Message == "" {
				t.Fatalf("PreCheckCode for another channel: %+v, %v", check, err)
			}
			tokens, err := c.SignInByEmailPassCode(ctx, "erin@example.com", code, nil)
			if err != nil {
				t.Fatalf("SignInByEmailPassCode: %v", err)
			}
			if p, err := c.GetProfile(ctx, tokens.AccessToken, false); err != nil || p.UserID != u.ID {
				t.Fatalf("GetProfile: %+v, %v", p, err)
			}
			if _, err := c.SignInByEmailPassCode(ctx, "erin@example.com", code, nil); !errors.As(err, &apiErr) || apiErr.StatusCode != 403 || apiErr.APICode != 2001 {
				t.Fatalf("a used code: %v, want 403/2001", err)
			}

			if err := c.SendSMS(ctx, "13800000002", "", authentication.ChannelLogin); err != nil {
				t.Fatalf("SendSMS: %v", err)
			}
			code = inbox.Deliver(t)["13800000002"]
			if check, err := c.PreCheckCode(ctx, authentication.PreCheck{Phone: "13800000002", PassCode: code, Channel: authentication.ChannelLogin}); err != nil || !check.IsValid {
				t.Fatalf("PreCheckCode by phone: %+v, %v", check, err)
			}
			if _, err := c.SignInByPhonePassCode(ctx, "13800000002", "", code, &authentication.SignInOptions{Scope: "openid offline_access"}); err != nil {
				t.Fatalf("SignInByPhonePassCode: %v", err)
			}
		})
	}
}
