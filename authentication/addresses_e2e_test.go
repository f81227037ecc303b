package authentication_test

import (
	"errors"
	"testing"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestE2EAddresses signs up by codes, binds, changes and unbinds addresses
// and deletes the account through the SDK, with every code delivered for
// real (SMTP and the SMS webhook), on both backends.
func TestE2EAddresses(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) {
			srv := b.Start(t)
			inbox := srv.StartInbox(t)
			app, secret := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{e2eCallback}})
			c, err := authentication.NewClient(authentication.Options{AppID: app.ID, AppSecret: secret, AppHost: srv.URL, RedirectURI: e2eCallback})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			ok := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			code := func(to string) string {
				t.Helper()
				got := inbox.Deliver(t)[to]
				if len(got) != 6 {
					t.Fatalf("no code arrived for %s", to)
				}
				return got
			}
			var apiErr *authentication.APIError

			// Sign-up by phone code, with a password and a completed, proven email.
			ok("SendSMS", c.SendSMS(ctx, "13800000021", "+86", authentication.ChannelRegister))
			phoneCode := code("+8613800000021")
			ok("SendEmail", c.SendEmail(ctx, "kim@example.com", authentication.ChannelCompleteEmail))
			u, err := c.SignUpByPhoneCode(ctx, "13800000021", "+86", phoneCode, e2ePassword,
				&authentication.SignUpProfile{Nickname: "Kim", Email: "kim@example.com", EmailPassCode: code("kim@example.com")})
			ok("SignUpByPhoneCode", err)
			if u.Phone != "+8613800000021" || !u.PhoneVerified || u.Email != "kim@example.com" || !u.EmailVerified {
				t.Fatalf("SignUpByPhoneCode: %+v", u)
			}
			tokens, err := c.SignInByPhonePassword(ctx, "+8613800000021", e2ePassword, nil)
			ok("SignInByPhonePassword", err)
			at := tokens.AccessToken

			// Sign-up by email code.
			ok("SendEmail", c.SendEmail(ctx, "lee@example.com", authentication.ChannelRegister))
			lee, err := c.SignUpByEmailCode(ctx, "lee@example.com", code("lee@example.com"), nil)
			ok("SignUpByEmailCode", err)
			if lee.Email != "lee@example.com" || !lee.EmailVerified {
				t.Fatalf("SignUpByEmailCode: %+v", lee)
			}

			// Change the email: both addresses' codes, then the grant.
			ok("SendEmail", c.SendEmail(ctx, "kim2@example.com", authentication.ChannelUpdateEmail))
			ok("SendEmail", c.SendEmail(ctx, "kim@example.com", authentication.ChannelUpdateEmail))
			codes := inbox.Deliver(t)
			g, err := c.VerifyUpdateEmailRequest(ctx, at, authentication.EmailChange{NewEmail: "kim2@example.com",
				NewEmailPassCode: codes["kim2@example.com"], OldEmailPassCode: codes["kim@example.com"]})
			ok("VerifyUpdateEmailRequest", err)
			if g.TokenExpiresIn != 60 {
				t.Errorf("tokenExpiresIn = %d", g.TokenExpiresIn)
			}
			ok("UpdateEmail", c.UpdateEmail(ctx, at, g.UpdateEmailToken))
			if err := c.UpdateEmail(ctx, at, g.UpdateEmailToken); !errors.As(err, &apiErr) || apiErr.StatusCode != 403 {
				t.Fatalf("a used update token: %v", err)
			}
			p, err := c.GetProfile(ctx, at, false)
			ok("GetProfile", err)
			if p.Email != "kim2@example.com" {
				t.Fatalf("after UpdateEmail: %q", p.Email)
			}

			// Unbind the email, then bind one back; binding a second one is refused.
			ok("SendEmail", c.SendEmail(ctx, "kim2@example.com", authentication.ChannelUnbindEmail))
			ok("UnbindEmail", c.UnbindEmail(ctx, at, code("kim2@example.com")))
			ok("SendEmail", c.SendEmail(ctx, "kim3@example.com", authentication.ChannelBindEmail))
			ok("BindEmail", c.BindEmail(ctx, at, "kim3@example.com", code("kim3@example.com")))
			if err := c.BindEmail(ctx, at, "kim4@example.com", "123456"); !errors.As(err, &apiErr) || apiErr.StatusCode != 422 {
				t.Fatalf("a second BindEmail: %v", err)
			}

			// Change the phone: the new number's bind code, the old one's unbind code.
			ok("SendSMS", c.SendSMS(ctx, "13800000022", "+86", authentication.ChannelBindPhone))
			ok("SendSMS", c.SendSMS(ctx, "+8613800000021", "", authentication.ChannelUnbindPhone))
			codes = inbox.Deliver(t)
			pg, err := c.VerifyUpdatePhoneRequest(ctx, at, authentication.PhoneChange{NewPhoneNumber: "13800000022", NewPhoneCountryCode: "+86",
				NewPhonePassCode: codes["+8613800000022"], OldPhonePassCode: codes["+8613800000021"]})
			ok("VerifyUpdatePhoneRequest", err)
			ok("UpdatePhone", c.UpdatePhone(ctx, at, pg.UpdatePhoneToken))
			ok("SendSMS", c.SendSMS(ctx, "+8613800000022", "", authentication.ChannelUnbindPhone))
			ok("UnbindPhone", c.UnbindPhone(ctx, at, code("+8613800000022")))
			ok("SendSMS", c.SendSMS(ctx, "13800000023", "", authentication.ChannelBindPhone))
			ok("BindPhone", c.BindPhone(ctx, at, "13800000023", "", code("13800000023")))

			// Delete the account by a code to its email; the token is refused afterwards.
			ok("SendEmail", c.SendEmail(ctx, "kim3@example.com", authentication.ChannelDeleteAccount))
			dg, err := c.VerifyDeleteAccountRequest(ctx, at, authentication.DeleteVerification{PassCode: code("kim3@example.com")})
			ok("VerifyDeleteAccountRequest", err)
			ok("DeleteAccount", c.DeleteAccount(ctx, at, dg.DeleteAccountToken))
			if _, err := c.GetProfile(ctx, at, false); !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
				t.Fatalf("GetProfile after DeleteAccount: %v", err)
			}
			if err := c.DeleteAccount(ctx, at, dg.DeleteAccountToken); !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
				t.Fatalf("DeleteAccount again: %v", err)
			}
		})
	}
}
