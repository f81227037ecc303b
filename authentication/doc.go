// Package authentication is the Go SDK for signing users in with GenAuth: the
// counterpart of the Python SDK's AuthenticationClient (OAuth 2.0 and OIDC
// modules, backend logout, and the authentication API), done the Go way.
//
// It talks to any server that follows GenAuth's application protocol: the
// authorize, token, userinfo, introspection and revocation endpoints under
// <AppHost>/oauth or <AppHost>/oidc, and the logout URLs. It depends only on
// the standard library.
//
// A web application builds the login link with [Client.BuildAuthorizeURL],
// exchanges the returned code with [Client.GetAccessTokenByCode] (PKCE via
// [GenerateCodeVerifier] and [CodeChallenge]), reads the profile with
// [Client.GetUserInfoByAccessToken], renews tokens with
// [Client.GetNewAccessTokenByRefreshToken], and signs the user out with
// [Client.BuildLogoutURL] (browser) and [Client.RevokeToken] (backend);
// [Client.Protocol] says which endpoints it speaks to. A resource server
// protects its handlers with [Client.RequireToken]: JWT access tokens are
// verified offline with [Client.VerifyAccessToken] (signature against the
// JWKS, iss, aud, exp; refusals match [ErrInvalidAccessToken]) and, with
// [WithRevocationCheck], introspected too, since offline checks cannot see
// revocation; opaque tokens are introspected ([Client.IntrospectToken]).
//
// With OpenID Connect, [Client.VerifyIDToken] (or an [IDTokenVerifier]
// without a Client) checks an id token locally: the signature against the
// server's JWKS (found by discovery, cached, refetched on key rotation)
// with the one algorithm the application signs with, then iss, aud, exp,
// iat and, on request, nonce and at_hash. A refused token's error matches
// [ErrInvalidIDToken] and a reason such as [ErrTokenExpired].
//
// Without a browser, the Client calls GenAuth's authentication API
// (<AppHost>/api/v3, the Node and Python SDKs' AuthenticationClient). Its
// failures are an [*APIError] with the envelope's statusCode and apiCode.
// The methods, by group:
//
//   - Sign-in: [Client.SignInByUsernamePassword],
//     [Client.SignInByEmailPassword], [Client.SignInByPhonePassword],
//     [Client.SignInByAccountPassword], [Client.SignInByEmailPassCode],
//     [Client.SignInByPhonePassCode]; they answer a token set.
//   - Sign-up: [Client.SignUpByUsernamePassword],
//     [Client.SignUpByEmailPassword], [Client.SignUpByEmailCode],
//     [Client.SignUpByPhoneCode], with a [SignUpProfile] whose email and
//     phone are proven by their completion codes.
//   - Verification codes: [Client.SendEmail], [Client.SendSMS] (for a
//     channel such as [ChannelLogin]) and [Client.PreCheckCode].
//   - The signed-in user, by access token: [Client.GetProfile],
//     [Client.UpdateProfile], [Client.UpdatePassword],
//     [Client.GetSecurityInfo], [Client.GetLoginHistory],
//     [Client.GetLoggedInApps], [Client.GetAccessibleApps].
//   - Email and phone: [Client.BindEmail], [Client.UnbindEmail],
//     [Client.BindPhone], [Client.UnbindPhone], and changes proven first:
//     [Client.VerifyUpdateEmailRequest] then [Client.UpdateEmail],
//     [Client.VerifyUpdatePhoneRequest] then [Client.UpdatePhone].
//   - A forgotten password: [Client.VerifyResetPasswordRequest] then
//     [Client.ResetPassword].
//   - Deleting the account: [Client.VerifyDeleteAccountRequest] then
//     [Client.DeleteAccount].
//   - MFA: a sign-in that needs a second factor fails with an [APIError]
//     whose MFA.MFAToken [Client.MFAOTPVerify], [Client.MFASMSVerify],
//     [Client.MFAEmailVerify] or [Client.MFARecoveryCodeVerify] takes to
//     finish it; factors: [Client.ListFactorsToEnroll],
//     [Client.SendEnrollFactorRequest] then [Client.EnrollFactor],
//     [Client.ListEnrolledFactors], [Client.GetFactor], [Client.ResetFactor].
//   - Passkeys (the browser or an authenticator makes the credentials):
//     [Client.InitRegisterOptions] then [Client.VerifyRegister];
//     [Client.InitAuthenticationOptions] then [Client.VerifyAuthentication],
//     passwordless or, with an mfaToken, as the second factor.
//   - Upstream identity providers: [Client.SignInByLDAP] and
//     [Client.SignInByAD] sign in with a directory account (the first
//     sign-in creates the account); [Client.GetApplicationEnabledExtIdps]
//     lists the application's connections; for the signed-in user
//     [Client.GetIdentities], [Client.GenerateLinkExtIdpURL] (the page that
//     links another) and [Client.UnlinkExtIdp].
//   - Checks: [Client.ValidatePassword], [Client.CheckAppIDSecret] (a wrong
//     secret matches [ErrWrongAppSecret]) and [Client.GetSystemInfo].
//
// With Options.PasswordEncryptType [PasswordEncryptRSA], every call that
// sends a password encrypts it under the key GetSystemInfo publishes, and
// sends nothing when it cannot.
//
// Every network method takes a context. A non-2xx answer is an [*Error]
// carrying the HTTP status and the protocol's error and error_description;
// transport and decoding failures are returned wrapped, so errors.Is and
// errors.As see the cause.
package authentication
