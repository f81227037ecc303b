// Package oidcconn signs users in at an upstream OpenID Connect or OAuth 2.0
// provider (issue 17): the authorization URL of the code flow with PKCE,
// the code exchange, the id token's verification (OIDC: discovery cached
// per issuer, the issuer's keys, audience, expiry, nonce), the userinfo
// call, and the mapping of the provider's claims to a model.UpstreamProfile.
// Failures wrap model.ErrUpstreamUnavailable or model.ErrUpstreamRefused.
package oidcconn
