// Package cors decides which browser origins may read GenAuth's protocol
// answers (the Fetch standard's CORS protocol), in one place. Discovery and
// JWKS are public documents any page may read. The token, introspection,
// revocation and userinfo endpoints answer an origin only when an
// application lists it among its web origins: for a preflight, any
// application; for the request itself, the application the request turned
// out to belong to (the authenticated client, or the access token's). No
// answer ever allows credentials (cookies): these endpoints take none.
package cors
