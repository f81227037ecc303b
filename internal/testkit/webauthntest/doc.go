// Package webauthntest is a software WebAuthn authenticator for tests: it
// takes the options a relying party sends to navigator.credentials.create
// and get (their publicKey object, as JSON) and an origin, and answers with
// the JSON a browser's credential.toJSON() gives. It owns ES256 (ECDSA
// P-256) keys made with crypto/ecdsa, attestation "none", the authenticator
// data flags (UP, UV, BE, BS), a signature counter the test sets (to play a
// cloned authenticator, or one without a counter) and a store of resident
// credentials, so that a discoverable sign-in returns the userHandle. It
// checks nothing a browser would refuse beyond the exclusion list: tests
// tamper with its answers to play the attacker.
package webauthntest
