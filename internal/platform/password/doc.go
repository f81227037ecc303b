// Package password hashes and verifies user passwords with argon2id, encoded
// in the PHC string format so parameters can change without breaking old hashes.
package password
