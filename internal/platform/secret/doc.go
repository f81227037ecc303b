// Package secret owns the server secret key and the encryption of data that
// must be stored recoverable but never in the clear (signing keys, later the
// management API's access key secret): AES-256-GCM under keys derived from
// the server secret per purpose with HKDF-SHA256.
package secret
