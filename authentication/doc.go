// Package authentication is the Go SDK for signing users in with GenAuth: the
// counterpart of the Python SDK's AuthenticationClient (OAuth 2.0 and OIDC
// modules, backend logout), done the Go way.
//
// It talks to any server that follows GenAuth's application protocol: the
// authorize, token, userinfo, introspection and revocation endpoints under
// <AppHost>/oauth or <AppHost>/oidc, and the logout URLs. It depends only on
// the standard library.
//
// A web application builds the login link with [Client.BuildAuthorizeURL],
// exchanges the returned code with [Client.GetAccessTokenByCode] (PKCE via
// [GenerateCodeVerifier] and [CodeChallenge]), reads the profile with
// [Client.GetUserInfoByAccessToken], and signs the user out with
// [Client.BuildLogoutURL] (browser) and [Client.RevokeToken] (backend). A
// resource server protects its handlers with [Client.RequireToken]: JWT
// access tokens are verified offline with [Client.VerifyAccessToken]
// (signature against the JWKS, iss, aud, exp; refusals match
// [ErrInvalidAccessToken]) and, with [WithRevocationCheck], introspected
// too, since offline checks cannot see revocation; opaque tokens are
// introspected.
//
// With OpenID Connect, [Client.VerifyIDToken] (or an [IDTokenVerifier]
// without a Client) checks an id token locally: the signature against the
// server's JWKS (found by discovery, cached, refetched on key rotation)
// with the one algorithm the application signs with, then iss, aud, exp,
// iat and, on request, nonce and at_hash. A refused token's error matches
// [ErrInvalidIDToken] and a reason such as [ErrTokenExpired].
//
// Without a browser, [Client.SignInByUsernamePassword] (and the email, phone
// and account variants) signs a user in through GenAuth's authentication API
// (/api/v3/signin) and [Client.GetProfile] reads the signed-in user; their
// failures are an [*APIError] with the envelope's statusCode and apiCode.
//
// Every network method takes a context. A non-2xx answer is an [*Error]
// carrying the HTTP status and the protocol's error and error_description;
// transport and decoding failures are returned wrapped, so errors.Is and
// errors.As see the cause.
package authentication
