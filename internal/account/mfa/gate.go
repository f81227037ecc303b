package mfa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Stricter returns the stricter of two MFA policies (model.MFAOff, ...);
// "" is off.
func Stricter(a, b string) string {
	rank := func(p string) int {
		return map[string]int{model.MFAOptional: 1, model.MFARequired: 2}[p]
	}
	if rank(b) > rank(a) {
		return b
	}
	if a == "" {
		return model.MFAOff
	}
	return a
}

// poolPolicyKey is the setting that holds the user pool's MFA policy.
const poolPolicyKey = "mfa_policy"

// PoolPolicy returns the user pool's MFA policy: model.MFAOff until set.
func (s *Service) PoolPolicy(ctx context.Context) (string, error) {
	p, err := s.Store.GetSetting(ctx, poolPolicyKey)
	if errors.Is(err, model.ErrNotFound) {
		return model.MFAOff, nil
	}
	return p, err
}

// SetPoolPolicy sets the user pool's MFA policy; anything but a policy is
// model.ErrInvalidInput.
func (s *Service) SetPoolPolicy(ctx context.Context, policy string) error {
	switch policy {
	case model.MFAOff, model.MFAOptional, model.MFARequired:
	default:
		return fmt.Errorf("%w: the MFA policy must be off, optional or required", model.ErrInvalidInput)
	}
	return s.Store.PutSetting(ctx, poolPolicyKey, policy, s.Now().UTC())
}

// PolicyChange is the audit event of the MFA policy of application appID
// ("": the user pool) changed from old to new through via (the surface
// that changed it); ok is false when it did not change.
func PolicyChange(appID, old, new, via string) (e model.AuditEvent, ok bool) {
	old, new = Stricter(old, ""), Stricter(new, "")
	if old == new {
		return model.AuditEvent{}, false
	}
	return model.AuditEvent{Type: model.AuditMFAPolicy, ClientID: appID, Detail: old + " -> " + new + " (" + via + ")"}, true
}

// Policy is the MFA policy of a sign-in to app (nil: to no application):
// the stricter of the pool's and the application's.
func (s *Service) Policy(ctx context.Context, app *model.Application) (string, error) {
	if app != nil && app.MFAPolicy == model.MFARequired {
		// Nothing is stricter: the pool's is not read (authorize asks this
		// of every session with one factor).
		return model.MFARequired, nil
	}
	pool, err := s.PoolPolicy(ctx)
	if err != nil || app == nil {
		return pool, err
	}
	return Stricter(pool, app.MFAPolicy), nil
}

// The first factors a sign-in can pass, by which a second factor of the
// same kind is no second factor: a code sent by email does not prove more
// after a code sent to the same inbox.
const (
	FirstPassword = "pwd"
	FirstEmail    = "email"
	FirstSMS      = "sms"
	FirstUpstream = "upstream"
	// FirstPasskey is a passkey with user verification: two factors at
	// once, so nothing is asked after it.
	FirstPasskey = "passkey"
	// FirstKey is a passkey without user verification: something the user
	// has, and only that, so a second factor of another kind follows.
	FirstKey = "key"
)

// LoginMethod is what the login history records of a sign-in whose first
// factor was first: "passkey", or "" where the history tells nothing.
func LoginMethod(first string) string {
	if first == FirstPasskey || first == FirstKey {
		return "passkey"
	}
	return ""
}

// Step is what a sign-in still needs after its first factor.
type Step int

const (
	// Done: the sign-in is complete.
	Done Step = iota
	// Challenge: the user proves one of the factors Next returns.
	Challenge
	// Enroll: the policy requires a factor the user does not have; the
	// user enrolls one before the sign-in ends.
	Enroll
	// Offer: the sign-in is complete; the user may be offered to enroll.
	Offer
)

// Next says what a sign-in of userID under policy still needs after the
// first factor it passed, and the factors that can meet a Challenge.
func (s *Service) Next(ctx context.Context, userID, policy, first string) (Step, []*model.Factor, error) {
	if first == FirstPasskey {
		return Done, nil, nil
	}
	all, err := s.Store.ListFactors(ctx, userID)
	if err != nil {
		return Done, nil, err
	}
	// A factor of the first's kind would prove nothing more: a user who
	// has only such factors is treated as one who has none.
	usable := slices.DeleteFunc(all, func(f *model.Factor) bool { return sameKind(f.Type, first) })
	if len(usable) > 0 {
		return Challenge, usable, nil
	}
	return enrollStep(policy), nil, nil
}

func enrollStep(policy string) Step {
	switch policy {
	case model.MFARequired:
		return Enroll
	case model.MFAOptional:
		return Offer
	}
	return Done
}

// sameKind says whether factor type kind is the first factor's own kind.
func sameKind(kind, first string) bool {
	return (kind == model.FactorEmail && first == FirstEmail) || (kind == model.FactorSMS && first == FirstSMS) ||
		(kind == model.FactorWebAuthn && first == FirstKey)
}

// AMR is the RFC 8176 "amr" of a sign-in by first and then, when not "",
// second (a factor type, or "RECOVERY" for a recovery code).
func AMR(first, second string) []string {
	amr := map[string][]string{FirstPassword: {"pwd"}, FirstEmail: {"otp"}, FirstSMS: {"sms"},
		FirstUpstream: {"fed"}, FirstPasskey: {"hwk", "user"}, FirstKey: {"hwk"}}[first]
	switch second {
	case model.FactorTOTP, model.FactorEmail, RecoveryFactor:
		amr = append(amr, "otp")
	case model.FactorSMS:
		amr = append(amr, "sms")
	case model.FactorWebAuthn:
		amr = append(amr, "hwk")
	}
	slices.Sort(amr)
	amr = slices.Compact(amr)
	if second != "" || first == FirstPasskey {
		amr = append(amr, "mfa")
	}
	return amr
}

// FirstOf is the first factor of a session that signed in with one, as
// its amr says; a session that does not say (from before amr was kept) is
// taken to have used a password.
func FirstOf(amr []string) string {
	switch {
	case slices.Contains(amr, "hwk"):
		return FirstKey
	case slices.Contains(amr, "fed"):
		return FirstUpstream
	case slices.Contains(amr, "sms"):
		return FirstSMS
	case slices.Contains(amr, "otp") && !slices.Contains(amr, "pwd"):
		return FirstEmail
	}
	return FirstPassword
}

// RecoveryFactor names a recovery code where a factor type is expected.
const RecoveryFactor = "RECOVERY"

// PendingLifetime is how long a sign-in waits for its second factor
// (contract 6.3: the mfaToken lives 10 minutes).
const PendingLifetime = 10 * time.Minute

// grantPending is the passcode grant purpose of pending sign-ins.
const grantPending = "MFA_PENDING"

// Pending is a sign-in that passed its first factor and waits for the
// second (or, with Enroll, for the user to enroll one).
type Pending struct {
	UserID   string `json:"-"`
	ClientID string `json:"c,omitempty"`
	First    string `json:"f"`
	Enroll   bool   `json:"e,omitempty"`
	// StepUp: the user is signed in with First; the second factor raises
	// that session rather than starting one.
	StepUp bool `json:"u,omitempty"`
	// State is the surface's own: the scope asked for, where to go next.
	State string `json:"s,omitempty"`
	// Method is what the login history records of the sign-in once it is
	// complete ("idp:ldap"); "": LoginMethod(First).
	Method string `json:"m,omitempty"`
	// Issued is when Hold made it, in Unix seconds.
	Issued int64 `json:"i,omitempty"`
}

// Grants keeps pending sign-ins: sealed, single use, one live per user
// (passcode.Service).
type Grants interface {
	GrantFor(ctx context.Context, purpose, userID, address string, lifetime time.Duration) (string, error)
	Peek(ctx context.Context, purpose, tok string) (userID, address string, err error)
	Redeem(ctx context.Context, purpose, userID, tok string) (string, error)
	Take(ctx context.Context, purpose, tok string) (userID, address string, err error)
}

// Hold stores p and returns the opaque token that finishes it (the API's
// mfaToken, the pages' pending cookie); a newer pending sign-in of the
// same user replaces it.
func (s *Service) Hold(ctx context.Context, p Pending) (string, error) {
	p.Issued = s.Now().Unix()
	b, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	return s.Grants.GrantFor(ctx, grantPending, p.UserID, string(b), PendingLifetime)
}

// Held returns the pending sign-in of tok without ending it. Errors:
// model.ErrWrongCode (unknown, used, replaced) or model.ErrCodeExpired.
func (s *Service) Held(ctx context.Context, tok string) (*Pending, error) {
	userID, b, err := s.Grants.Peek(ctx, grantPending, tok)
	if err != nil {
		return nil, err
	}
	var p Pending
	if err := json.Unmarshal([]byte(b), &p); err != nil {
		return nil, model.ErrWrongCode
	}
	p.UserID = userID
	return &p, nil
}

// Release ends the pending sign-in of tok once its second factor is
// proven: of concurrent releases one succeeds, the others get
// model.ErrWrongCode.
func (s *Service) Release(ctx context.Context, p *Pending, tok string) error {
	_, err := s.Grants.Redeem(ctx, grantPending, p.UserID, tok)
	return err
}
