package idp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// Outcome is a successful SignIn: the user, and whether the sign-in
// created the account.
type Outcome struct {
	User    *model.User
	Created bool
}

// LinkNeeded is SignIn's answer when the upstream account Profile is not
// linked but User, an account with the same verified email, exists: the
// caller asks the user to confirm, then calls Link with User and Profile.
type LinkNeeded struct {
	User    *model.User
	Profile *model.UpstreamProfile
}

func (*LinkNeeded) Error() string {
	return "an account with this email address exists: confirm to link the identity to it"
}

// Refusals of SignIn, Link and Unlink.
var (
	// ErrEmailTaken: an account has the upstream's email, and either email
	// is unverified: the user is to sign in to that account and link the
	// provider from the account page.
	ErrEmailTaken = errors.New("an account with this email address exists: sign in to it and link the provider from your account page")
	// ErrNoAccount: no account is linked to the upstream account, and the
	// connection creates none (LoginOnly).
	ErrNoAccount = errors.New("no account is linked to this identity")
	// ErrAlreadyLinked: the upstream account is linked to another user, or
	// the user has another account at this provider linked.
	ErrAlreadyLinked = errors.New("the identity is linked to another account, or the account to another identity at this provider")
	// ErrLastLogin: the identity is the account's last way to sign in.
	ErrLastLogin = errors.New("the identity is the account's last way to sign in")
)

// SignIn signs the upstream account p, as connection c reported it, in.
// The identity linking it gives its user (its profile and tokens
// updated). Else an account with p's email gives *LinkNeeded when both
// emails are verified and ErrEmailTaken otherwise: an unverified email
// never links, and a verified upstream email does not take over an
// account whose own email nobody proved (pre-account hijacking). Else a
// LoginOnly connection gives ErrNoAccount, and any other creates the
// account with its identity. A suspended user gives model.ErrSuspended.
func (s *Service) SignIn(ctx context.Context, c *model.ExtIdpConn, p *model.UpstreamProfile, t *model.UpstreamTokens, ip, clientID string) (*Outcome, error) {
	if p.Subject == "" {
		return nil, fmt.Errorf("%w: the profile has no subject", model.ErrUpstreamRefused)
	}
	out, err := s.signIn(ctx, c, p, t)
	if errors.Is(err, model.ErrConflict) {
		// A concurrent sign-in took the identity, the email, the username
		// or the phone number meanwhile: decide again with what is stored.
		out, err = s.signIn(ctx, c, p, t)
	}
	if err != nil {
		return nil, err
	}
	if out.Created {
		s.record(ctx, model.AuditEvent{Type: model.AuditRegister, UserID: out.User.ID, ClientID: clientID, IP: ip,
			Detail: "idp:" + c.Identifier})
	}
	s.record(ctx, model.AuditEvent{Type: model.AuditIdPSignIn, UserID: out.User.ID, ClientID: clientID, IP: ip,
		Detail: c.Identifier})
	return out, nil
}

func (s *Service) signIn(ctx context.Context, c *model.ExtIdpConn, p *model.UpstreamProfile, t *model.UpstreamTokens) (*Outcome, error) {
	var owner *model.User // the account with p's email
	if p.Email != "" {
		u, err := s.Store.FindUser(ctx, store.ByEmail, p.Email)
		switch {
		case err == nil:
			owner = u
		case !errors.Is(err, model.ErrNotFound):
			return nil, err
		}
	}
	// The identity is read after the account: a concurrent first sign-in
	// stores both in one transaction, so that the account it created
	// above comes with its identity here, and is signed in to.
	i, err := s.Store.FindIdentity(ctx, c.ExtIdpID, p.Subject)
	if err == nil {
		u, err := s.Store.GetUser(ctx, i.UserID)
		if err != nil {
			return nil, err
		}
		if !users.Active(u) {
			return nil, model.ErrSuspended
		}
		if err := s.refresh(ctx, i, c, p, t); err != nil {
			return nil, err
		}
		return &Outcome{User: u}, nil
	}
	if !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	switch {
	case owner != nil && (!p.EmailVerified || !owner.EmailVerified):
		return nil, ErrEmailTaken
	case owner != nil && !users.Active(owner):
		return nil, model.ErrSuspended
	case owner != nil:
		return nil, &LinkNeeded{User: owner, Profile: p}
	}
	if c.LoginOnly {
		return nil, ErrNoAccount
	}
	u, err := s.newUser(ctx, p)
	if err != nil {
		return nil, err
	}
	if i, err = s.newIdentity(c, p, t, u.ID); err != nil {
		return nil, err
	}
	if err := s.Store.CreateUserWithIdentity(ctx, u, i); err != nil {
		return nil, err
	}
	return &Outcome{User: u, Created: true}, nil
}

// newUser is the account a first sign-in creates for p: with each of p's
// values that the users service accepts and, for the unique ones, that no
// account has; without a password. What GenAuth does not accept (a
// username with a space, a taken phone number) is left out rather than
// refusing the account.
func (s *Service) newUser(ctx context.Context, p *model.UpstreamProfile) (*model.User, error) {
	base := users.CreateParams{NoPassword: true, NoLogin: true, SourceType: model.UserSourceExtIdp}
	accepted := func(set func(*users.CreateParams)) bool {
		one := base
		set(&one)
		_, err := s.Users.New(ctx, one)
		return err == nil
	}
	params := base
	if p.Email != "" && accepted(func(c *users.CreateParams) { c.Email = p.Email }) {
		params.Email, params.Profile.EmailVerified = p.Email, &p.EmailVerified
	}
	for _, x := range []struct {
		field store.UserField
		v     string
		set   func(*users.CreateParams, string)
	}{
		{store.ByUsername, p.Username, func(c *users.CreateParams, v string) { c.Username = v }},
		{store.ByPhone, p.Phone, func(c *users.CreateParams, v string) { c.Phone = v }},
	} {
		if x.v == "" || !accepted(func(c *users.CreateParams) { x.set(c, x.v) }) {
			continue
		}
		_, err := s.Store.FindUser(ctx, x.field, x.v)
		switch {
		case errors.Is(err, model.ErrNotFound):
			x.set(&params, x.v)
		case err != nil:
			return nil, err
		}
	}
	if accepted(func(c *users.CreateParams) { c.Name = p.Name }) {
		params.Name = p.Name
	}
	if accepted(func(c *users.CreateParams) { c.Profile.Photo = &p.Picture }) {
		params.Profile.Photo = &p.Picture
	}
	return s.Users.New(ctx, params)
}

// Link links the upstream account p, as connection c reported it, to the
// user userID. The caller has proven that the user is who links: they are
// signed in, or confirmed a LinkNeeded. An upstream account linked to
// another user, or another account at this ExtIdp linked to the user,
// gives ErrAlreadyLinked; the user's own link is refreshed.
func (s *Service) Link(ctx context.Context, c *model.ExtIdpConn, p *model.UpstreamProfile, t *model.UpstreamTokens, userID, ip string) error {
	if p.Subject == "" {
		return fmt.Errorf("%w: the profile has no subject", model.ErrUpstreamRefused)
	}
	i, err := s.Store.FindIdentity(ctx, c.ExtIdpID, p.Subject)
	switch {
	case err == nil && i.UserID != userID:
		return ErrAlreadyLinked
	case err == nil:
		err = s.refresh(ctx, i, c, p, t)
	case errors.Is(err, model.ErrNotFound):
		if i, err = s.newIdentity(c, p, t, userID); err == nil {
			err = s.Store.CreateIdentity(ctx, i)
		}
		if errors.Is(err, model.ErrConflict) {
			// The user's identity at this ExtIdp is another upstream
			// account, or a concurrent link took this one.
			return ErrAlreadyLinked
		}
	}
	if err != nil {
		return err
	}
	s.record(ctx, model.AuditEvent{Type: model.AuditIdPLink, UserID: userID, IP: ip, Detail: c.Identifier})
	return nil
}

// newIdentity links p, reported by c, to userID.
func (s *Service) newIdentity(c *model.ExtIdpConn, p *model.UpstreamProfile, t *model.UpstreamTokens, userID string) (*model.Identity, error) {
	sealed, err := s.sealTokens(t)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return &model.Identity{ID: s.Tokens.ID(), UserID: userID, ExtIdpID: c.ExtIdpID, ConnID: c.ID, Provider: c.Type,
		Subject: p.Subject, Profile: p.Raw, SealedTokens: sealed, CreatedAt: now, UpdatedAt: now}, nil
}

// refresh stores what a new sign-in through c says of the identity i: the
// profile and, when it brought any, the tokens.
func (s *Service) refresh(ctx context.Context, i *model.Identity, c *model.ExtIdpConn, p *model.UpstreamProfile, t *model.UpstreamTokens) error {
	sealed, err := s.sealTokens(t)
	if err != nil {
		return err
	}
	if sealed != nil {
		i.SealedTokens = sealed
	}
	i.ConnID, i.Profile, i.UpdatedAt = c.ID, p.Raw, s.now()
	return s.Store.UpdateIdentity(ctx, i)
}

// sealTokens is t sealed; nil when there are none.
func (s *Service) sealTokens(t *model.UpstreamTokens) ([]byte, error) {
	if t == nil || t.AccessToken == "" && t.RefreshToken == "" {
		return nil, nil
	}
	plain, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	return s.Sealer.Seal(tokensPurpose, plain)
}

// Identities returns the user's linked identities, oldest first.
func (s *Service) Identities(ctx context.Context, userID string) ([]*model.Identity, error) {
	return s.Store.ListIdentities(ctx, userID)
}

// IdentityTokens returns the upstream tokens kept with i; none kept gives
// empty tokens.
func (s *Service) IdentityTokens(i *model.Identity) (*model.UpstreamTokens, error) {
	var t model.UpstreamTokens
	if i.SealedTokens == nil {
		return &t, nil
	}
	plain, err := s.Sealer.Open(tokensPurpose, i.SealedTokens)
	if err != nil {
		return nil, fmt.Errorf("idp: opening the tokens of identity %s: %w", i.ID, err)
	}
	if err := json.Unmarshal(plain, &t); err != nil {
		return nil, fmt.Errorf("idp: the tokens of identity %s: %w", i.ID, err)
	}
	return &t, nil
}

// Unlink removes the user's identity at the ExtIdp extIdpID, unless it is
// their last way to sign in (ErrLastLogin). The other ways: a password,
// another identity, a verified email or phone number (a code), a passkey.
// A user without an identity there gives model.ErrNotFound.
func (s *Service) Unlink(ctx context.Context, userID, extIdpID, ip string) error {
	other, err := s.otherWay(ctx, userID)
	if err != nil {
		return err
	}
	err = s.Store.DeleteIdentity(ctx, userID, extIdpID, !other)
	if errors.Is(err, model.ErrConflict) {
		return ErrLastLogin
	}
	if err != nil {
		return err
	}
	s.record(ctx, model.AuditEvent{Type: model.AuditIdPUnlink, UserID: userID, IP: ip, Detail: extIdpID})
	return nil
}

// otherWay reports whether the user can sign in without an upstream
// identity.
func (s *Service) otherWay(ctx context.Context, userID string) (bool, error) {
	u, err := s.Store.GetUser(ctx, userID)
	if err != nil {
		return false, err
	}
	if u.PasswordHash != "" || u.Email != "" && u.EmailVerified || u.Phone != "" && u.PhoneVerified {
		return true, nil
	}
	factors, err := s.Store.ListFactors(ctx, userID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(factors, func(f *model.Factor) bool { return f.Type == model.FactorWebAuthn }), nil
}
