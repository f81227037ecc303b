// Package reset owns password reset (contract 4.5): a right
// CHANNEL_RESET_PASSWORD code sent to a user's email or phone earns a
// single-use reset token (passcode.Service keeps it, hashed), and the token
// sets a new password once, which ends the user's sessions and tokens and
// lifts the lockout of their account.
package reset
