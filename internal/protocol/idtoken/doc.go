// Package idtoken owns token signing: the signing keys (generation,
// storage sealed under the server secret, scheduled and forced rotation,
// retention while the tokens they signed live), minting id tokens and JWT
// access tokens (RFC 9068), the published key set (JWKS: EC keys only while
// an application signs id tokens with ES256) and verifying an
// id_token_hint. The token and authorize endpoints sign with it; discovery,
// JWKS and logout read it.
package idtoken
