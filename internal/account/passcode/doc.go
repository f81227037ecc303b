// Package passcode owns verification codes (contract section 3): six
// digits from the injected randomness, bound to a channel (CHANNEL_LOGIN,
// ...) and a destination (an email address or a phone number), single use,
// live for Lifetime, dead after MaxTries wrong answers, replaced by the next
// code sent. Codes and destinations are stored only as HMAC-SHA256 under a
// key derived from the server secret: a 6-digit code's plain hash would
// be reversed offline in a moment. A code and the outbox message carrying it
// are written in one transaction. It also owns password reset tokens
// (contract 4.5), which a right CHANNEL_RESET_PASSWORD code earns: stored
// in the same table, keyed hash only, one per user, single use.
//
// It owns grants too: the short-lived, single-use tokens a proven step
// hands out (update-email, update-phone, delete-account), sealed so that
// they carry their user and address unseen, and kept as codes are, under a
// keyed hash, one live grant per user and purpose.
package passcode
