// Package oidc owns what OpenID Connect adds to the OAuth endpoints: id token
// signing keys (generation, sealed storage, scheduled and forced rotation),
// id token minting and verification, the user claims each scope releases,
// discovery, JWKS and RP-initiated logout (/oidc/session/end).
package oidc
