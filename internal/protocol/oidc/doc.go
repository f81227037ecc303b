// Package oidc owns the OpenID Connect endpoints of their own: discovery,
// JWKS and RP-initiated logout (/oidc/session/end and its confirmation).
// Id tokens are signed by internal/protocol/idtoken and the user claims each
// scope releases are internal/protocol/claims, which the token endpoint in
// internal/protocol/oauth uses too.
package oidc
