// Package store is the vocabulary GenAuth's storage shares; it holds no
// storage interface. Each package that keeps data declares the small
// interface it needs, next to its code (oauth.TokenStore, sessions.Store,
// throttle.Store, idtoken.KeyStore, ...); server.Store is their union, which
// both backends, sqlite and postgres, implement, and storetest is the
// conformance suite that fixes what every operation does.
//
// What store owns: the query and filter types those interfaces take
// (UserQuery, UserPage, LoginQuery, AuditQuery, UserField, ThrottleKey,
// Lockout); EntryError, naming the failing entry of a batch; the rules both
// backends apply the same way (MatchLogin, PickUser, FilterStrings, NextAttempt,
// SuccessorID). The queries themselves are in sqlstore, written once for
// both backends.
//
// Every backend follows the same conventions: lookups that find nothing
// return model.ErrNotFound; inserts that collide with a unique value
// return model.ErrConflict; secrets and tokens arrive already hashed.
// Operations that must happen once (redeem a code, refresh from a token that
// may be revoked concurrently) are single methods that each backend makes
// atomic.
package store
