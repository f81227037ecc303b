package authentication_test

import (
	"errors"
	"testing"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/model"
)

// TestE2ESignInByPassword signs in through the authentication API with
// every client authentication method and every kind of login, then reads
// the profile with the token it got and checks the token at userinfo.
func TestE2ESignInByPassword(t *testing.T) {
	for _, method := range []string{authentication.AuthClientSecretPost, authentication.AuthClientSecretBasic, authentication.AuthNone} {
		t.Run(method, func(t *testing.T) {
			e := newE2E(t, authentication.ProtocolOIDC, method, model.GrantAuthorizationCode, model.GrantRefreshToken)
			ctx := t.Context()
			for _, tc := range []struct {
				name string
				fn   func() (*authentication.SignInTokens, error)
			}{
				{"username", func() (*authentication.SignInTokens, error) {
					return e.client.SignInByUsernamePassword(ctx, e2eUser, e2ePassword, &authentication.SignInOptions{Scope: "openid profile offline_access"})
				}},
				{"account", func() (*authentication.SignInTokens, error) {
					return e.client.SignInByAccountPassword(ctx, "ALICE", e2ePassword, nil)
				}},
			} {
				tokens, err := tc.fn()
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if tokens.TokenType != "Bearer" || tokens.ExpiresIn <= 0 || tokens.ExpireIn != tokens.ExpiresIn || tokens.IDToken == "" {
					t.Errorf("%s: tokens %+v", tc.name, tokens)
				}
				if (tokens.RefreshToken != "") != (tc.name == "username") {
					t.Errorf("%s: refresh token %q with scope %q", tc.name, tokens.RefreshToken, tokens.Scope)
				}
				if _, err := e.client.VerifyIDToken(ctx, tokens.IDToken, authentication.WithAccessToken(tokens.AccessToken)); err != nil {
					t.Errorf("%s: id token: %v", tc.name, err)
				}
				u, err := e.client.GetProfile(ctx, tokens.AccessToken, true)
				if err != nil {
					t.Fatalf("%s: GetProfile: %v", tc.name, err)
				}
				if u.UserID != e.user.ID || u.Username != e2eUser || u.CustomData == nil {
					t.Errorf("%s: profile %+v", tc.name, u)
				}
				info, err := e.client.GetUserInfoByAccessToken(ctx, tokens.AccessToken)
				if err != nil || info.Sub != e.user.ID {
					t.Errorf("%s: userinfo %+v, %v", tc.name, info, err)
				}
			}

			_, err := e.client.SignInByEmailPassword(ctx, "nobody@example.com", e2ePassword, nil)
			var apiErr *authentication.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 403 || apiErr.APICode != 2333 || apiErr.Message == "" {
				t.Errorf("unknown account: %v, want statusCode 403 apiCode 2333", err)
			}
			if _, err := e.client.GetProfile(ctx, "not a token", false); !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
				t.Errorf("GetProfile with a bad token: %v, want statusCode 401", err)
			}
		})
	}
}
