// Package mfa owns second factors (issue 16, contract section 6): their
// enrollment, their checks and their removal. A TOTP factor (RFC 6238:
// SHA-1, 6 digits, 30-second steps, one step of drift either way) keeps its
// secret sealed under the server key and the last time step it accepted, so
// that no code is accepted twice. Recovery codes are ten single-use codes
// per user, kept only as keyed hashes. The codes themselves come from
// github.com/pquerna/otp; this package decides which to accept.
//
// Throttling wrong codes is the caller's: it counts them with the sign-in
// lockout (internal/account/throttle), so that guessing a second factor
// and guessing a password draw on the same allowance.
package mfa
