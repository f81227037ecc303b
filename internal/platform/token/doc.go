// Package token mints the opaque random values GenAuth hands out (access and
// refresh tokens, authorization codes, session ids, ids and secrets) and
// hashes them for storage. Only hashes are ever stored.
package token
