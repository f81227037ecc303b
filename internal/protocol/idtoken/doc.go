// Package idtoken owns id token signing: the signing keys (generation,
// storage sealed under the server secret, scheduled and forced rotation),
// minting id tokens, the published key set (JWKS) and verifying an
// id_token_hint. The token and authorize endpoints sign with it; discovery,
// JWKS and logout read it.
package idtoken
