package authentication_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
	"github.com/opengenauth/genauth/internal/testkit/webauthntest"
)

// TestE2EPasskeys registers a passkey made by a software authenticator
// through the SDK, signs in with it without a password, then uses it as
// the second factor of a password sign-in; on a server at localhost, since
// browsers (and the server) refuse an IP address as the relying party.
func TestE2EPasskeys(t *testing.T) {
	for _, method := range []string{authentication.AuthClientSecretPost, authentication.AuthClientSecretBasic} {
		t.Run(method, func(t *testing.T) { testE2EPasskeys(t, method) })
	}
}

func testE2EPasskeys(t *testing.T, method string) {
	srv := testserver.StartWith(t, testserver.Options{Localhost: true})
	app, secret := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{e2eCallback}, TokenAuthMethod: method})
	srv.CreateUser(t, e2eUser, e2ePassword)
	client, err := authentication.NewClient(authentication.Options{AppID: app.ID, AppSecret: secret, AppHost: srv.URL,
		RedirectURI: e2eCallback, Protocol: authentication.ProtocolOIDC, TokenEndpointAuthMethod: method})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	tokens, err := client.SignInByUsernamePassword(ctx, e2eUser, e2ePassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := webauthntest.New()
	reg, err := client.InitRegisterOptions(ctx, tokens.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := key.Create(reg.RegistrationOptions, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	v, err := client.VerifyRegister(ctx, tokens.AccessToken, authentication.VerifyRegisterRequest{Ticket: reg.Ticket, Credential: cred,
		AuthenticatorCode: "fingerprint", Name: "Laptop"})
	if err != nil || !v.Verified {
		t.Fatalf("VerifyRegister: %+v, %v", v, err)
	}
	factors, err := client.ListEnrolledFactors(ctx, tokens.AccessToken)
	if err != nil || len(factors) != 1 || factors[0].FactorType != model.FactorWebAuthn || factors[0].Profile.Name != "Laptop" {
		t.Fatalf("ListEnrolledFactors: %+v, %v", factors, err)
	}

	// Passwordless, the user verified: tokens at once.
	signIn := func(mfaToken string) (*authentication.PasskeyVerified, error) {
		t.Helper()
		a, err := client.InitAuthenticationOptions(ctx, mfaToken)
		if err != nil {
			t.Fatal(err)
		}
		assertion, err := key.Get(a.AuthenticationOptions, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		return client.VerifyAuthentication(ctx, mfaToken, a.Ticket, assertion, &authentication.SignInOptions{Scope: "openid profile offline_access"})
	}
	v, err = signIn("")
	if err != nil || !v.Verified || v.TokenSet == nil || v.TokenSet.RefreshToken == "" {
		t.Fatalf("passwordless: %+v, %v", v, err)
	}
	id, err := client.VerifyIDToken(ctx, v.TokenSet.IDToken)
	if err != nil || !slices.Equal(id.AMR, []string{"hwk", "user", "mfa"}) {
		t.Fatalf("id token %+v, %v", id, err)
	}
	if u, err := client.GetProfile(ctx, v.TokenSet.AccessToken, false); err != nil || u.Username != e2eUser {
		t.Fatalf("GetProfile: %+v, %v", u, err)
	}

	// The passkey is now a second factor of the password sign-in.
	var apiErr *authentication.APIError
	if _, err := client.SignInByUsernamePassword(ctx, e2eUser, e2ePassword, nil); !errors.As(err, &apiErr) || apiErr.MFA == nil {
		t.Fatalf("a password sign-in with a passkey: %v", err)
	}
	v, err = signIn(apiErr.MFA.MFAToken)
	if err != nil || !v.Verified || v.TokenSet == nil {
		t.Fatalf("passkey as the second factor: %+v, %v", v, err)
	}
	if id, err := client.VerifyIDToken(ctx, v.TokenSet.IDToken); err != nil || !slices.Equal(id.AMR, []string{"hwk", "pwd", "mfa"}) {
		t.Fatalf("id token %+v, %v", id, err)
	}

	// Without user verification the passkey is one factor, and the user has
	// no other to follow it: refused, since it would skip the password.
	key.UV = false
	v, err = signIn("")
	if err != nil || v.Verified || v.TokenSet != nil {
		t.Fatalf("a passkey without user verification and no other factor: %+v, %v", v, err)
	}
}
