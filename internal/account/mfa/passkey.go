package mfa

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/opengenauth/genauth/internal/model"
)

// PasskeyTimeout is how long a passkey ceremony may take: the browser's
// timeout and the ticket's lifetime.
const PasskeyTimeout = 5 * time.Minute

// The grant purposes of passkey tickets.
const (
	grantPasskeyRegister = "PASSKEY_REGISTER"
	grantPasskeyLogin    = "PASSKEY_LOGIN"
)

// anonymousTicket prefixes the stand-in user a passwordless ticket is kept
// under: a sign-in whose user is not known yet, one ticket per stand-in.
const anonymousTicket = "passkey-login:"

// ErrPasskeysOff means the installation cannot offer passkeys: browsers
// accept only a domain name (localhost included) as the relying party.
var ErrPasskeysOff = errors.New("passkeys need a public URL whose host is a domain name (localhost included), not an IP address")

// NewWebAuthn returns the relying party of the installation at publicURL:
// its host is the RP ID and its origin the only one accepted. A host that
// is an IP address is ErrPasskeysOff.
func NewWebAuthn(publicURL, name string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Hostname() == "" || net.ParseIP(u.Hostname()) != nil {
		return nil, ErrPasskeysOff
	}
	origin := u.Scheme + "://" + u.Host
	return webauthn.New(&webauthn.Config{RPID: u.Hostname(), RPDisplayName: name, RPOrigins: []string{origin},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: PasskeyTimeout, TimeoutUVD: PasskeyTimeout},
			Registration: webauthn.TimeoutConfig{Timeout: PasskeyTimeout, TimeoutUVD: PasskeyTimeout},
		}})
}

// PasskeyUser is the account a passkey is registered for, as the
// authenticator will show it.
type PasskeyUser struct {
	ID, Name, DisplayName string
}

// PasskeysOn says whether the installation offers passkeys.
func (s *Service) PasskeysOn() bool { return s.WebAuthn != nil }

// PasskeyUserOf is u as an authenticator will show it: the username (else
// the email, the phone, the id) and a display name (the nickname, else the
// name, else that).
func PasskeyUserOf(u *model.User) PasskeyUser {
	first := func(vs ...string) string {
		for _, v := range vs {
			if v != "" {
				return v
			}
		}
		return ""
	}
	name := first(u.Username, u.Email, u.Phone, u.ID)
	return PasskeyUser{ID: u.ID, Name: name, DisplayName: first(u.Nickname, u.Name, name)}
}

// passkeyUser is a user and its passkeys as go-webauthn sees them.
type passkeyUser struct {
	PasskeyUser
	creds []webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte                         { return []byte(u.ID) }
func (u *passkeyUser) WebAuthnName() string                       { return u.Name }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.DisplayName }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// passkeys returns the opened credential records of the user's passkeys,
// and whether the user has a factor of another kind.
func (s *Service) passkeys(ctx context.Context, userID string) ([]webauthn.Credential, bool, error) {
	all, err := s.Store.ListFactors(ctx, userID)
	if err != nil {
		return nil, false, err
	}
	var (
		creds []webauthn.Credential
		other bool
	)
	for _, f := range all {
		if f.Type != model.FactorWebAuthn {
			other = true
			continue
		}
		c, err := s.openCredential(f)
		if err != nil {
			return nil, false, err
		}
		// The sealed record keeps the counter of the registration; the
		// factor's is the one each sign-in advanced.
		c.Authenticator.SignCount = uint32(f.Counter)
		creds = append(creds, *c)
	}
	return creds, other, nil
}

func (s *Service) openCredential(f *model.Factor) (*webauthn.Credential, error) {
	plain, err := s.Sealer.Open(sealPurpose, f.Sealed)
	if err != nil {
		return nil, fmt.Errorf("mfa: opening a passkey: %w", err)
	}
	var c webauthn.Credential
	if err := json.Unmarshal(plain, &c); err != nil {
		return nil, fmt.Errorf("mfa: reading a passkey: %w", err)
	}
	return &c, nil
}

// BeginPasskeyRegistration starts registering a passkey for u: the options
// for navigator.credentials.create (a discoverable credential, so that it
// also signs in without a password; the user's passkeys excluded) and the
// single-use ticket that FinishPasskeyRegistration needs.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, u PasskeyUser) (*protocol.CredentialCreation, string, error) {
	if s.WebAuthn == nil {
		return nil, "", ErrPasskeysOff
	}
	creds, _, err := s.passkeys(ctx, u.ID)
	if err != nil {
		return nil, "", err
	}
	user := &passkeyUser{PasskeyUser: u, creds: creds}
	opts, session, err := s.WebAuthn.BeginRegistration(user,
		webauthn.WithExclusions(webauthn.Credentials(creds).CredentialDescriptors()),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
	if err != nil {
		return nil, "", fmt.Errorf("mfa: beginning a passkey registration: %w", err)
	}
	ticket, err := s.holdSession(ctx, grantPasskeyRegister, u.ID, session)
	if err != nil {
		return nil, "", err
	}
	return opts, ticket, nil
}

// FinishPasskeyRegistration checks credential (the JSON of the
// PublicKeyCredential that navigator.credentials.create returned) against
// userID's ticket and stores it as the passkey name. Errors:
// model.ErrWrongCode (a wrong, used or expired ticket, a credential that
// fails a check), model.ErrConflict (a credential registered already), or
// the store's.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, userID, ticket string, credential []byte, name string) (*model.Factor, error) {
	if s.WebAuthn == nil {
		return nil, ErrPasskeysOff
	}
	session, err := s.useSession(ctx, grantPasskeyRegister, userID, ticket)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", model.ErrWrongCode, err)
	}
	creds, _, err := s.passkeys(ctx, userID)
	if err != nil {
		return nil, err
	}
	cred, err := s.WebAuthn.CreateCredential(&passkeyUser{PasskeyUser: PasskeyUser{ID: userID}, creds: creds}, *session, parsed)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", model.ErrWrongCode, err)
	}
	plain, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	sealed, err := s.Sealer.Seal(sealPurpose, plain)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	f := &model.Factor{ID: s.NewID(), UserID: userID, Type: model.FactorWebAuthn, Name: name,
		CredentialID: base64.RawURLEncoding.EncodeToString(cred.ID), Sealed: sealed,
		Counter: int64(cred.Authenticator.SignCount), CreatedAt: now}
	if err := s.Store.CreateFactor(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// BeginPasskeyLogin starts a sign-in by passkey: for userID's passkeys (a
// second factor) or, with userID "", for any discoverable one (passwordless,
// and the conditional UI that offers passkeys in the login field). It
// returns the options for navigator.credentials.get and the single-use
// ticket that FinishPasskeyLogin needs. A user without passkeys gets
// model.ErrNotFound.
func (s *Service) BeginPasskeyLogin(ctx context.Context, userID string) (*protocol.CredentialAssertion, string, error) {
	if s.WebAuthn == nil {
		return nil, "", ErrPasskeysOff
	}
	var (
		opts    *protocol.CredentialAssertion
		session *webauthn.SessionData
		err     error
		holder  = userID
	)
	if userID == "" {
		nonce := make([]byte, 16)
		if _, err := io.ReadFull(s.Rand, nonce); err != nil {
			return nil, "", fmt.Errorf("mfa: drawing a passkey ticket: %w", err)
		}
		holder = anonymousTicket + hex.EncodeToString(nonce)
		opts, session, err = s.WebAuthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationPreferred))
	} else {
		var creds []webauthn.Credential
		if creds, _, err = s.passkeys(ctx, userID); err != nil {
			return nil, "", err
		}
		if len(creds) == 0 {
			return nil, "", model.ErrNotFound
		}
		opts, session, err = s.WebAuthn.BeginLogin(&passkeyUser{PasskeyUser: PasskeyUser{ID: userID}, creds: creds},
			webauthn.WithUserVerification(protocol.VerificationPreferred))
	}
	if err != nil {
		return nil, "", fmt.Errorf("mfa: beginning a passkey sign-in: %w", err)
	}
	ticket, err := s.holdSession(ctx, grantPasskeyLogin, holder, session)
	if err != nil {
		return nil, "", err
	}
	return opts, ticket, nil
}

// PasskeyLogin is a passkey that signed in: the factor, already advanced,
// and whether the authenticator verified the user (a PIN, a fingerprint),
// without which a passkey is one factor, not two.
type PasskeyLogin struct {
	Factor   *model.Factor
	Verified bool
}

// ErrUnverifiedPasskey refuses a passwordless sign-in by a passkey that did
// not verify its user (no PIN, no biometrics) when the user has no factor
// of another kind to follow it: such a passkey is something the user has,
// and only that, so signing in with it alone would skip the password.
var ErrUnverifiedPasskey = fmt.Errorf("%w: the passkey did not verify you (a PIN or biometrics) and no other factor can follow it", model.ErrWrongCode)

// FinishPasskeyLogin checks assertion (the JSON of the PublicKeyCredential
// that navigator.credentials.get returned) against ticket: origin, RP ID,
// challenge, signature and signature counter (a counter that goes back
// means a cloned authenticator and is refused). A ticket begun for a user
// accepts only that user's passkeys. Errors: model.ErrWrongCode (a wrong,
// used or expired ticket, an unknown passkey, a failed check),
// ErrUnverifiedPasskey (which is one), or the store's.
func (s *Service) FinishPasskeyLogin(ctx context.Context, ticket string, assertion []byte) (*PasskeyLogin, error) {
	if s.WebAuthn == nil {
		return nil, ErrPasskeysOff
	}
	// The ticket's holder is its user, or a stand-in for a passwordless one.
	_, b, err := s.Grants.Take(ctx, grantPasskeyLogin, ticket)
	if err != nil {
		return nil, err
	}
	session, err := decodeSession(b)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(assertion)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", model.ErrWrongCode, err)
	}
	f, err := s.Store.FactorByCredential(ctx, base64.RawURLEncoding.EncodeToString(parsed.RawID))
	if errors.Is(err, model.ErrNotFound) {
		return nil, model.ErrWrongCode
	}
	if err != nil {
		return nil, err
	}
	if len(session.UserID) > 0 && string(session.UserID) != f.UserID {
		return nil, model.ErrWrongCode
	}
	creds, other, err := s.passkeys(ctx, f.UserID)
	if err != nil {
		return nil, err
	}
	user := &passkeyUser{PasskeyUser: PasskeyUser{ID: f.UserID}, creds: creds}
	var cred *webauthn.Credential
	if len(session.UserID) > 0 {
		cred, err = s.WebAuthn.ValidateLogin(user, *session, parsed)
	} else {
		cred, err = s.WebAuthn.ValidateDiscoverableLogin(func(_, userHandle []byte) (webauthn.User, error) {
			if string(userHandle) != f.UserID {
				return nil, errors.New("the user handle is not the passkey's user")
			}
			return user, nil
		}, *session, parsed)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", model.ErrWrongCode, err)
	}
	if cred.Authenticator.CloneWarning {
		return nil, fmt.Errorf("%w: the signature counter went back: a cloned authenticator", model.ErrWrongCode)
	}
	verified := parsed.Response.AuthenticatorData.Flags.HasUserVerified()
	if len(session.UserID) == 0 && !verified && !other {
		return nil, ErrUnverifiedPasskey
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	if err := s.Store.AdvanceFactor(ctx, f.ID, int64(cred.Authenticator.SignCount), now); err != nil {
		return nil, err
	}
	f.Counter, f.LastUsedAt = int64(cred.Authenticator.SignCount), now
	return &PasskeyLogin{Factor: f, Verified: verified}, nil
}

// holdSession keeps a ceremony's state server-side, under a single-use
// ticket that lives as long as the ceremony may.
func (s *Service) holdSession(ctx context.Context, purpose, holder string, session *webauthn.SessionData) (string, error) {
	b, err := json.Marshal(session)
	if err != nil {
		return "", err
	}
	return s.Grants.GrantFor(ctx, purpose, holder, string(b), PasskeyTimeout)
}

// useSession uses up holder's ticket and returns the ceremony's state.
func (s *Service) useSession(ctx context.Context, purpose, holder, ticket string) (*webauthn.SessionData, error) {
	b, err := s.Grants.Redeem(ctx, purpose, holder, ticket)
	if err != nil {
		return nil, err
	}
	return decodeSession(b)
}

// decodeSession reads a ceremony's state as holdSession kept it.
func decodeSession(b string) (*webauthn.SessionData, error) {
	var session webauthn.SessionData
	if err := json.Unmarshal([]byte(b), &session); err != nil {
		return nil, model.ErrWrongCode
	}
	return &session, nil
}
