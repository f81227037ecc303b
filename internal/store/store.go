package store

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Store is GenAuth's persistent state. Lookups that find nothing return
// genauth.ErrNotFound; inserts that collide with a unique value return
// genauth.ErrConflict. Secrets and tokens arrive already hashed.
type Store interface {
	// Ping reports whether the backend can serve requests.
	Ping(ctx context.Context) error
	// CheckWrite commits a write that leaves nothing behind, to learn
	// whether the database takes writes again: one whose disk is full or
	// that is read-only still answers Ping and reads.
	CheckWrite(ctx context.Context) error
	Close() error

	CreateApplication(ctx context.Context, app *model.Application) error
	GetApplication(ctx context.Context, id string) (*model.Application, error)
	// ListApplications returns every application, oldest first.
	ListApplications(ctx context.Context) ([]*model.Application, error)

	CreateUser(ctx context.Context, u *model.User) error
	GetUser(ctx context.Context, id string) (*model.User, error)
	// FindUserByLogin finds the user whose username, email or phone equals
	// login as loginid.Normalize compares them (usernames by their RFC 8265
	// form, emails case-insensitively, all trimmed); MatchLogin says which
	// user wins when several match.
	FindUserByLogin(ctx context.Context, login string) (*model.User, error)
	// DuplicateUsernames returns the groups of users whose usernames are
	// equal as loginid.UsernameKey compares them, each group oldest first.
	// Only a database that held them before usernames were unique that way
	// has any: they are never merged or renamed, but reported (genauth doctor).
	DuplicateUsernames(ctx context.Context) ([][]*model.User, error)
	// ListUsers returns every user, oldest first.
	ListUsers(ctx context.Context) ([]*model.User, error)

	CreateSession(ctx context.Context, s *model.Session) error
	// GetSession returns the session with this id hash if it has not expired at now.
	GetSession(ctx context.Context, idHash string, now time.Time) (*model.Session, error)
	// DeleteSession ends a session; deleting a missing one is not an error.
	DeleteSession(ctx context.Context, idHash string) error

	CreateAuthCode(ctx context.Context, c *model.AuthCode) error
	// GetAuthCode returns an unexpired, unredeemed code. A redeemed code gives
	// genauth.ErrCodeRedeemed, an expired or unknown one genauth.ErrNotFound.
	GetAuthCode(ctx context.Context, hash string, now time.Time) (*model.AuthCode, error)
	// RedeemAuthCode atomically marks the code redeemed and stores the tokens
	// issued for it. If the code was redeemed before, it revokes every token of
	// the code's grant and returns genauth.ErrCodeRedeemed; of two concurrent
	// calls exactly one succeeds.
	RedeemAuthCode(ctx context.Context, hash string, now time.Time, issued []*model.Token) error

	// CreateTokens stores tokens atomically (all or none).
	CreateTokens(ctx context.Context, tokens ...*model.Token) error
	// GetToken returns the token with this hash, active or not.
	GetToken(ctx context.Context, hash string) (*model.Token, error)
	// RefreshTokens atomically checks that the refresh token with refreshID is
	// still active at now and stores the tokens issued from it. An expired or
	// revoked refresh token gives genauth.ErrInactive and stores nothing.
	RefreshTokens(ctx context.Context, refreshID string, now time.Time, issued []*model.Token) error
	// RotateRefreshToken atomically retires the refresh token with refreshID
	// and stores the tokens issued in its place.
	//
	// A retired token presented again is a retry, rotated anew, only while
	// its successor is unused: retired at most grace ago, and no refresh
	// token its rotations issued has been rotated or revoked since, and no
	// access token issued with one has a UsedAt (see RecordTokenUse). The
	// retry revokes what the earlier rotations issued, so one branch stays
	// live. Anything else is reuse: every token of the grant is revoked and
	// genauth.ErrTokenReused returned. So is presenting a refresh token that
	// such a retry gave up (revoked when a sibling was issued).
	//
	// Otherwise revoked or expired: genauth.ErrInactive; unknown:
	// genauth.ErrNotFound. Of concurrent calls with grace 0, exactly one
	// succeeds; of a retry and a concurrent use of the successor (rotation
	// or RecordTokenUse), exactly one succeeds.
	RotateRefreshToken(ctx context.Context, refreshID string, now time.Time, grace time.Duration, issued []*model.Token) error
	// RecordTokenUse sets UsedAt to now on the access token with this hash
	// when a refresh token rotation issued it (its refresh token has a
	// parent), it is unrevoked and has no UsedAt yet; otherwise it changes
	// nothing. A missing token is not an error.
	RecordTokenUse(ctx context.Context, hash string, now time.Time) error
	// RevokeToken revokes the token with this hash at now and, when it is a
	// refresh token, every unrevoked token of its grant (RFC 7009 section
	// 2.1: access tokens based on the same grant), even when the refresh
	// token itself was revoked before (say, by rotation). It returns the
	// token as it was found; a missing token gives genauth.ErrNotFound.
	RevokeToken(ctx context.Context, hash string, now time.Time) (*model.Token, error)

	// CreateSigningKey stores a new id-token signing key; a taken id gives genauth.ErrConflict.
	CreateSigningKey(ctx context.Context, k *model.SigningKey) error
	// ListSigningKeys returns every signing key ordered by ActivatesAt, then CreatedAt.
	ListSigningKeys(ctx context.Context) ([]*model.SigningKey, error)
	// ActivateSigningKey moves a key's ActivatesAt (used to promote the next key early).
	ActivateSigningKey(ctx context.Context, id string, at time.Time) error
	// DeleteSigningKey removes a key; deleting a missing one is not an error.
	DeleteSigningKey(ctx context.Context, id string) error

	// SaveConsent creates or replaces the user's consent for the client.
	SaveConsent(ctx context.Context, c *model.Consent) error
	GetConsent(ctx context.Context, userID, clientID string) (*model.Consent, error)
	// ListConsents returns the user's consents, oldest first.
	ListConsents(ctx context.Context, userID string) ([]*model.Consent, error)
	// WithdrawConsent deletes the user's consent for the client and, in the
	// same transaction, revokes at now every token of that user for that
	// client and deletes their unredeemed codes for it; it returns how many
	// tokens it revoked. The user's sessions stay. A missing consent is not
	// an error (the tokens are revoked all the same).
	WithdrawConsent(ctx context.Context, userID, clientID string, now time.Time) (int, error)

	// DeleteExpired deletes at most limit (> 0) sessions, codes, tokens and
	// throttle rows (their window and lock over), in total, that expired
	// before `before`, and returns how many it
	// deleted; fewer than limit means nothing more is due (rows that
	// concurrent callers hold are left to them). It keeps what a later
	// request may still need: a redeemed code while a token of its grant
	// is unexpired (a replay must still revoke them), a refresh token while
	// a token issued from it is unexpired (revoking it must still cascade).
	// Concurrent calls, from any number of processes, are safe.
	DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error)

	// Management API.

	// UpdateUser replaces the stored user with id u.ID (CreatedAt and the
	// login counters, which only RecordLogin changes, are kept);
	// a missing one gives genauth.ErrNotFound, a taken unique value
	// genauth.ErrConflict. With signOut it also, in the same transaction,
	// deletes the user's sessions and unredeemed codes and revokes their
	// tokens at u.UpdatedAt.
	UpdateUser(ctx context.Context, u *model.User, signOut bool) error
	// CreateUsers stores all users or none; a failing entry gives a
	// *EntryError wrapping the cause.
	CreateUsers(ctx context.Context, users []*model.User) error
	// DeleteUsers deletes the users and everything they hold (sessions,
	// codes, tokens, consents, login history) atomically; an unknown id gives
	// an *EntryError wrapping genauth.ErrNotFound and deletes nothing.
	DeleteUsers(ctx context.Context, ids []string) error
	// FindUser finds the user whose field equals value, compared as
	// FindUserByLogin compares that field.
	FindUser(ctx context.Context, field UserField, value string) (*model.User, error)
	// QueryUsers returns a page of the users matching q and how many match in all.
	QueryUsers(ctx context.Context, q UserQuery) ([]*model.User, int, error)
	// SignOutUser, atomically, deletes the user's sessions and revokes at now
	// their tokens and deletes their unredeemed codes for the given clients
	// (every client when clientIDs is empty).
	SignOutUser(ctx context.Context, userID string, clientIDs []string, now time.Time) error
	// RecordLogin appends to the user's login history and updates their
	// LoginsCount, LastLogin and LastIP; an unknown user gives genauth.ErrNotFound.
	RecordLogin(ctx context.Context, rec *model.LoginRecord) error
	// ListLogins returns a page of login history, newest first, and the total.
	ListLogins(ctx context.Context, q LoginQuery) ([]*model.LoginRecord, int, error)
	// ActiveClients returns the ids of the clients for which the user holds a
	// token active at now, sorted.
	ActiveClients(ctx context.Context, userID string, now time.Time) ([]string, error)
	// ActiveUsers returns a page of the users, oldest first, holding a token
	// of the client active at now, and how many there are.
	ActiveUsers(ctx context.Context, clientID string, now time.Time, offset, limit int) ([]*model.User, int, error)
	// UpdateApplication replaces the stored application with id app.ID
	// (CreatedAt is kept); a missing one gives genauth.ErrNotFound.
	UpdateApplication(ctx context.Context, app *model.Application) error
	// DeleteApplication deletes the application with its codes, tokens and
	// consents; a missing one gives genauth.ErrNotFound.
	DeleteApplication(ctx context.Context, id string) error
	// CreateAccessKey stores the user pool's access key; there is at most
	// one, so a second gives genauth.ErrConflict.
	CreateAccessKey(ctx context.Context, k *model.AccessKey) error
	GetAccessKey(ctx context.Context) (*model.AccessKey, error)
	// UpdateAccessKeySecret replaces the sealed secret of the access key id.
	UpdateAccessKeySecret(ctx context.Context, id string, sealed []byte, now time.Time) error
	// UseNonce records a request signature nonce until expires. A nonce
	// already recorded and not expired at now gives genauth.ErrConflict;
	// of two concurrent calls exactly one succeeds. Expired nonces are
	// deleted along the way.
	UseNonce(ctx context.Context, nonce string, now, expires time.Time) error

	// TouchSession records that the session was used at now, for its idle limit.
	TouchSession(ctx context.Context, idHash string, now time.Time) error

	// HitThrottle adds one to key's count and returns the state after. A
	// window that began more than window before now starts afresh (count 1,
	// no lock). Concurrent hits are all counted.
	HitThrottle(ctx context.Context, key string, now time.Time, window time.Duration) (*model.Throttle, error)
	// ReserveAttempt atomically counts one attempt against every key before
	// the attempt is judged, as NextAttempt decides: unless one key is locked
	// at now (then nothing changes and granted is false), each key's count
	// grows by one and a key whose count reaches its Lockout.After locks. It
	// returns the keys' states after, in the order given. Concurrent calls,
	// from any number of processes, each see their own count, so no more
	// than Lockout.After attempts are granted before a key locks.
	ReserveAttempt(ctx context.Context, now time.Time, window time.Duration, keys ...ThrottleKey) (states []*model.Throttle, granted bool, err error)
	// ReleaseAttempt takes back an attempt ReserveAttempt counted against
	// key, which turned out not to count (it succeeded): the count drops by
	// one and the key unlocks. An unknown key is not an error.
	ReleaseAttempt(ctx context.Context, key string) error
	// GetThrottle returns key's state; an unknown key gives genauth.ErrNotFound.
	GetThrottle(ctx context.Context, key string) (*model.Throttle, error)
	// ResetThrottle forgets key; resetting an unknown key is not an error.
	ResetThrottle(ctx context.Context, key string) error

	// SignOutClient revokes at now every token of the client and deletes its
	// unredeemed codes, atomically, and returns how many tokens it revoked.
	SignOutClient(ctx context.Context, clientID string, now time.Time) (int, error)

	// AppendAuditEvents stores security events.
	AppendAuditEvents(ctx context.Context, events ...*model.AuditEvent) error
	// ListAuditEvents returns the events matching q, newest first.
	ListAuditEvents(ctx context.Context, q AuditQuery) ([]*model.AuditEvent, error)
	// DeleteAuditEvents deletes at most limit (> 0) audit events older than
	// before and returns how many it deleted; fewer than limit means none
	// is left. Concurrent calls, from any number of processes, are safe.
	DeleteAuditEvents(ctx context.Context, before time.Time, limit int) (int, error)
}

// AuditQuery selects audit events; zero fields match everything.
type AuditQuery struct {
	Type     string
	UserID   string
	ClientID string
	Since    time.Time
	Until    time.Time
	Limit    int // 0: 100; at most 10,000
}

// RowLimit is the number of rows the query asks for.
func (q AuditQuery) RowLimit() int {
	if q.Limit <= 0 {
		return 100
	}
	return min(q.Limit, 10000)
}
