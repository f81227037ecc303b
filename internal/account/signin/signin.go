package signin

import (
	"context"
	"errors"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// ErrLockedOut is the failure that locked the account or address: this
// attempt was judged, unlike one throttle.ErrLocked refused beforehand. Both
// match throttle.ErrLocked.
var ErrLockedOut = errors.New("this failure locked sign-ins")

// Store finds the user a login names.
type Store interface {
	// FindUserByLogin returns the user whose username, email or phone is
	// login (normalised), or model.ErrNotFound.
	FindUserByLogin(ctx context.Context, login string) (*model.User, error)
}

// Codes checks verification codes (passcode.Service).
type Codes interface {
	// Use consumes t's code when it is right: model.ErrWrongCode or
	// model.ErrCodeExpired when not.
	Use(ctx context.Context, t passcode.Target, code string) error
}

// Service signs users in with a password or a verification code.
type Service struct {
	Store   Store
	Users   *users.Service
	Codes   Codes
	Limiter *throttle.Limiter
	// Audit records the outcome; nil: none.
	Audit *audit.Recorder
	// Upstream signs in at LDAP and AD connections; nil: Directory is not
	// called.
	Upstream Upstream
}

// Attempt is one sign-in: who tries and from where.
type Attempt struct {
	Login, Password string
	// IP is the client address the attempt counts against.
	IP string
	// ClientID names the application signed in to, for the audit trail; "" if none.
	ClientID string
}

// Password checks a.Password for a.Login. Errors: throttle.ErrLocked
// (wrapped) while sign-ins for the account or address are paused (with
// ErrLockedOut when this attempt's failure paused them),
// model.ErrBadCredentials for an unknown login or a wrong password alike,
// model.ErrSuspended for a right password of a user who may not sign in,
// and anything else when the check could not be made (model.ErrBusy among
// them: then no attempt was counted).
func (s *Service) Password(ctx context.Context, a Attempt) (*model.User, error) {
	account, err := s.account(ctx, a.Login)
	if err != nil {
		return nil, err
	}
	userID := userOf(account)
	attempt, err := s.Limiter.Begin(ctx, account, a.IP)
	if errors.Is(err, throttle.ErrLocked) {
		s.record(ctx, a, model.AuditEvent{Type: model.AuditLoginFailure, UserID: userID, Detail: "locked"})
	}
	if err != nil {
		return nil, err
	}
	u, err := s.Users.Authenticate(ctx, a.Login, a.Password)
	if errors.Is(err, model.ErrBusy) {
		// Refused before the password was checked: no attempt.
		if rerr := attempt.NotJudged(ctx); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	if errors.Is(err, model.ErrBadCredentials) {
		if lerr := attempt.Failed(ctx); errors.Is(lerr, throttle.ErrLocked) {
			s.record(ctx, a, model.AuditEvent{Type: model.AuditLoginLockout, UserID: userID})
			return nil, errors.Join(ErrLockedOut, lerr)
		} else if lerr != nil {
			return nil, lerr
		}
		s.record(ctx, a, model.AuditEvent{Type: model.AuditLoginFailure, UserID: userID, Detail: "wrong credentials"})
		return nil, err
	}
	if err != nil && !errors.Is(err, model.ErrSuspended) {
		return nil, err
	}
	// The password was right: the attempt was no failure.
	if rerr := attempt.Succeeded(ctx); rerr != nil {
		return nil, rerr
	}
	if err != nil {
		s.record(ctx, a, model.AuditEvent{Type: model.AuditLoginFailure, UserID: userID, Detail: "suspended"})
		return nil, err
	}
	s.record(ctx, a, model.AuditEvent{Type: model.AuditLoginSuccess, UserID: u.ID, ClientID: a.ClientID})
	return u, nil
}

// CodeAttempt is a sign-in with a CHANNEL_LOGIN verification code.
type CodeAttempt struct {
	Kind    string // model.MessageEmail or model.MessageSMS
	Address string // passcode.Address's form
	Code    string
	// IP and ClientID as in Attempt.
	IP, ClientID string
}

// Passcode signs in the user at a.Address with a code sent there for
// CHANNEL_LOGIN, consuming it, under the same attempt reservation, lockout
// and audit as Password. Errors: throttle.ErrLocked (with ErrLockedOut as
// in Password), model.ErrWrongCode for a wrong, used or unsent code and for
// an address that names no user alike, model.ErrCodeExpired, and
// model.ErrSuspended for a right code of a user who may not sign in.
func (s *Service) Passcode(ctx context.Context, a CodeAttempt) (*model.User, error) {
	u, err := s.UserAt(ctx, a.Kind, a.Address)
	if err != nil {
		return nil, err
	}
	account, userID := s.Limiter.UnknownAccount(a.Address), ""
	if u != nil {
		account, userID = throttle.UserAccount(u.ID), u.ID
	}
	at := Attempt{Login: a.Address, IP: a.IP, ClientID: a.ClientID}
	attempt, err := s.Limiter.Begin(ctx, account, a.IP)
	if errors.Is(err, throttle.ErrLocked) {
		s.record(ctx, at, model.AuditEvent{Type: model.AuditLoginFailure, UserID: userID, Detail: "locked"})
	}
	if err != nil {
		return nil, err
	}
	err = model.ErrWrongCode // an unknown address: no code was sent to it
	if u != nil {
		err = s.Codes.Use(ctx, passcode.Target{Kind: a.Kind, To: a.Address, Channel: passcode.ChannelLogin}, a.Code)
	}
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) {
		if lerr := attempt.Failed(ctx); errors.Is(lerr, throttle.ErrLocked) {
			s.record(ctx, at, model.AuditEvent{Type: model.AuditLoginLockout, UserID: userID})
			return nil, errors.Join(ErrLockedOut, lerr)
		} else if lerr != nil {
			return nil, lerr
		}
		s.record(ctx, at, model.AuditEvent{Type: model.AuditLoginFailure, UserID: userID, Detail: "wrong code"})
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if rerr := attempt.Succeeded(ctx); rerr != nil {
		return nil, rerr
	}
	if !users.Active(u) {
		s.record(ctx, at, model.AuditEvent{Type: model.AuditLoginFailure, UserID: userID, Detail: "suspended"})
		return nil, model.ErrSuspended
	}
	s.record(ctx, at, model.AuditEvent{Type: model.AuditLoginSuccess, UserID: u.ID, ClientID: a.ClientID})
	return u, nil
}

// UserAt returns the user whose email (kind model.MessageEmail) or phone
// number is address, or nil when none is: only that field is compared.
func (s *Service) UserAt(ctx context.Context, kind, address string) (*model.User, error) {
	field := store.ByPhone
	if kind == model.MessageEmail {
		field = store.ByEmail
	}
	u, err := s.Users.Store.FindUser(ctx, field, address)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// Confirm checks that pw is the password of u, who is signed in (the old
// password a password change asks for). It counts as a sign-in attempt
// against u's account and ip, so that a stolen token cannot be used to
// guess the password past the lockout. Errors as Password's.
func (s *Service) Confirm(ctx context.Context, u *model.User, pw, ip string) error {
	attempt, err := s.Limiter.Begin(ctx, throttle.UserAccount(u.ID), ip)
	if err != nil {
		return err
	}
	ok, err := s.Users.CheckPassword(ctx, u, pw)
	if err != nil {
		if errors.Is(err, model.ErrBusy) {
			if rerr := attempt.NotJudged(ctx); rerr != nil {
				return rerr
			}
		}
		return err
	}
	if !ok {
		if lerr := attempt.Failed(ctx); errors.Is(lerr, throttle.ErrLocked) {
			s.record(ctx, Attempt{IP: ip}, model.AuditEvent{Type: model.AuditLoginLockout, UserID: u.ID, Detail: "password change"})
			return errors.Join(ErrLockedOut, lerr)
		} else if lerr != nil {
			return lerr
		}
		s.record(ctx, Attempt{IP: ip}, model.AuditEvent{Type: model.AuditLoginFailure, UserID: u.ID, Detail: "wrong old password"})
		return model.ErrBadCredentials
	}
	return attempt.Succeeded(ctx)
}

// account names the account a sign-in attempt is counted against: the
// user's id when the login names one (so that username, email, phone and
// every variant of them share one count), else a keyed hash of the login in
// its normalised form (so that an unknown login's variants share one too,
// and the login is never stored). Both kinds lock the same way, which
// reveals nothing about which logins exist.
func (s *Service) account(ctx context.Context, login string) (string, error) {
	u, err := s.Store.FindUserByLogin(ctx, login)
	switch {
	case err == nil:
		return throttle.UserAccount(u.ID), nil
	case errors.Is(err, model.ErrNotFound):
		// Prefixed apart, so that no typed login can pass for a user id.
		return s.Limiter.UnknownAccount(login), nil
	default:
		return "", err
	}
}

func (s *Service) record(ctx context.Context, a Attempt, e model.AuditEvent) {
	if s.Audit != nil {
		e.IP = a.IP
		s.Audit.Record(ctx, e)
	}
}

// userOf is the user id in a throttle account name, or "" for an unknown login.
func userOf(account string) string {
	id, ok := strings.CutPrefix(account, "user:")
	if !ok {
		return ""
	}
	return id
}

// Upstream is what a directory sign-in needs of the upstream identity
// providers (idp.Service).
type Upstream interface {
	Directory(ctx context.Context, c *model.ExtIdpConn, login, password string) (*model.UpstreamProfile, error)
	SignIn(ctx context.Context, c *model.ExtIdpConn, p *model.UpstreamProfile, t *model.UpstreamTokens, ip, clientID string) (*idp.Outcome, error)
}

// DirectoryAttempt is a sign-in with an LDAP or AD connection's login and
// password.
type DirectoryAttempt struct {
	Conn            *model.ExtIdpConn
	Login, Password string
	// IP and ClientID as in Attempt.
	IP, ClientID string
}

// Directory signs a.Login in at the directory of a.Conn and then to the
// account linked to it (created on the first sign-in, as idp.SignIn
// says). The attempt is counted as a password's is, against the
// directory login (the account is only known once the directory said
// yes) and the address. Errors: throttle.ErrLocked (with ErrLockedOut as in
// Password), model.ErrBadCredentials for an unknown login and a wrong
// password alike, model.ErrUpstreamUnavailable (no attempt counted: the
// password was not judged), and SignIn's.
func (s *Service) Directory(ctx context.Context, a DirectoryAttempt) (*idp.Outcome, error) {
	at := Attempt{Login: a.Login, IP: a.IP, ClientID: a.ClientID}
	account := s.Limiter.UnknownAccount(a.Conn.Identifier + ":" + a.Login)
	attempt, err := s.Limiter.Begin(ctx, account, a.IP)
	if errors.Is(err, throttle.ErrLocked) {
		s.record(ctx, at, model.AuditEvent{Type: model.AuditLoginFailure, Detail: "locked"})
	}
	if err != nil {
		return nil, err
	}
	p, err := s.Upstream.Directory(ctx, a.Conn, a.Login, a.Password)
	if errors.Is(err, model.ErrBadCredentials) {
		if lerr := attempt.Failed(ctx); errors.Is(lerr, throttle.ErrLocked) {
			s.record(ctx, at, model.AuditEvent{Type: model.AuditLoginLockout})
			return nil, errors.Join(ErrLockedOut, lerr)
		} else if lerr != nil {
			return nil, lerr
		}
		s.record(ctx, at, model.AuditEvent{Type: model.AuditLoginFailure, Detail: "wrong credentials at " + a.Conn.Identifier})
		return nil, err
	}
	if err != nil {
		if rerr := attempt.NotJudged(ctx); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	if err := attempt.Succeeded(ctx); err != nil {
		return nil, err
	}
	return s.Upstream.SignIn(ctx, a.Conn, p, nil, a.IP, a.ClientID)
}
