package authn

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/wire"
)

// API codes of MFA (contract 6 and 8).
const (
	codeMFARequired = 1636
	codeTOTPWrong   = 6001
	codeTOTPMissing = 6003
	codeRecoveryMis = 6004
)

// recentAuth is how recent the access token of a caller who enrolls or
// removes a factor must be (issue 16's "recent authentication").
const recentAuth = 15 * time.Minute

// gate is the second factor after signin's first: nil when the sign-in
// is complete, else the "MFA required" answer (contract 6.3) with the
// mfaToken that finishes it. method is the login history's, as issue's.
func (c *call) gate(app *model.Application, u *model.User, scope, first, method string) *envelope.Error {
	ctx := c.Context()
	policy, err := c.h.cfg.MFA.Policy(ctx, app)
	if err != nil {
		return c.internal("reading the MFA policy", err)
	}
	step, factors, err := c.h.cfg.MFA.Next(ctx, u.ID, policy, first)
	if err != nil {
		return c.internal("listing the user's factors", err)
	}
	if step != mfa.Challenge && step != mfa.Enroll {
		return nil
	}
	tok, err := c.h.cfg.MFA.Hold(ctx, mfa.Pending{UserID: u.ID, ClientID: app.ID, First: first, Enroll: step == mfa.Enroll, State: scope, Method: method})
	if err != nil {
		return c.internal("holding a sign-in for its second factor", err)
	}
	data := wire.MFARequired{MFAToken: tok, ApplicationMFA: c.offered()}
	for _, f := range factors {
		switch f.Type {
		case model.FactorTOTP:
			data.TOTPMFAEnabled = true
		case model.FactorSMS:
			data.MFAPhone = maskPhone(f.Address)
		case model.FactorEmail:
			data.MFAEmail = maskEmail(f.Address)
		}
	}
	return &envelope.Error{Status: http.StatusForbidden, APICode: codeMFARequired, Message: msgMFARequired.in(c.lang), Data: data}
}

// offered is the kinds of factor this installation can enroll: OTP
// always, SMS and EMAIL when such messages are delivered.
func (c *call) offered() []wire.MFAPolicy {
	list := []wire.MFAPolicy{{MFAPolicy: model.FactorTOTP, Status: 1, Sort: 1}}
	for _, k := range []struct{ factor, kind string }{{model.FactorSMS, model.MessageSMS}, {model.FactorEmail, model.MessageEmail}} {
		if c.h.cfg.Delivers[k.kind] {
			list = append(list, wire.MFAPolicy{MFAPolicy: k.factor, Status: 1, Sort: len(list) + 1})
		}
	}
	return list
}

// maskPhone keeps a phone number's first three and last four digits.
func maskPhone(p string) string {
	p = strings.TrimPrefix(p, "+")
	if len(p) <= 7 {
		return strings.Repeat("x", len(p))
	}
	return p[:3] + strings.Repeat("x", len(p)-7) + p[len(p)-4:]
}

// maskEmail keeps an address's first character and its domain.
func maskEmail(a string) string {
	at := strings.LastIndexByte(a, '@')
	if at < 1 {
		return "***"
	}
	return a[:1] + "***" + a[at:]
}

// mfaCaller is who calls an MFA endpoint: a signed-in user, or a pending
// sign-in by its mfaToken.
type mfaCaller struct {
	u       *model.User
	pending *mfa.Pending // nil for an access token
	tok     string       // the mfaToken
}

// mfaUser is the caller of an MFA endpoint: the user of an access token,
// else of the mfaToken of a pending sign-in (contract 6.3).
func (c *call) mfaUser() (*mfaCaller, *envelope.Error) {
	u, e := c.user()
	if e == nil {
		return &mfaCaller{u: u}, nil
	}
	tok := c.bearer()
	if e.Status != http.StatusUnauthorized || tok == "" {
		return nil, e
	}
	ctx := c.Context()
	p, err := c.h.cfg.MFA.Held(ctx, tok)
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) {
		return nil, e
	}
	if err != nil {
		return nil, c.internal("looking up the mfaToken", err)
	}
	u, err = c.h.cfg.Store.GetUser(ctx, p.UserID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, e
	}
	if err != nil {
		return nil, c.internal("looking up the mfaToken's user", err)
	}
	if !users.Active(u) {
		return nil, e
	}
	return &mfaCaller{u: u, pending: p, tok: tok}, nil
}

// mfaTOTPVerify serves POST mfa-totp-verify {totp} (contract 6.1, 6.3).
func (h *Handler) mfaTOTPVerify(c *call) (any, *envelope.Error) {
	code, e := c.params.Text("totp")
	if e != nil {
		return nil, e
	}
	if strings.TrimSpace(code) == "" {
		return nil, &envelope.Error{Status: http.StatusBadRequest, APICode: codeTOTPMissing, Message: "totp is required"}
	}
	if !digits(code, 6) {
		return nil, envelope.BadRequest("totp must be six digits")
	}
	return c.verify(model.FactorTOTP, func(ctx context.Context, who *mfaCaller) error {
		return h.cfg.MFA.VerifyTOTP(ctx, who.u.ID, code)
	})
}

// mfaRecoveryVerify serves POST mfa-recovery-code-verify {recoveryCode}:
// GenAuth's own name for the recovery code.
func (h *Handler) mfaRecoveryVerify(c *call) (any, *envelope.Error) {
	code, e := c.params.Text("recoveryCode")
	if e != nil {
		return nil, e
	}
	if strings.TrimSpace(code) == "" {
		return nil, &envelope.Error{Status: http.StatusBadRequest, APICode: codeRecoveryMis, Message: "recoveryCode is required"}
	}
	if !recoveryShaped(code) {
		return nil, envelope.BadRequest("recoveryCode must be 24 hex digits, as in e7ad-aaa4-da75-fa37-57d1-5141")
	}
	return c.verify(mfa.RecoveryFactor, func(ctx context.Context, who *mfaCaller) error {
		return h.cfg.MFA.UseRecoveryCode(ctx, who.u.ID, code)
	})
}

// mfaSMSVerify serves POST mfa-sms-verify {passCode}: a CHANNEL_VERIFY_MFA
// code sent to the user's SMS factor (GenAuth's name).
func (h *Handler) mfaSMSVerify(c *call) (any, *envelope.Error) {
	return c.verifyCode(model.FactorSMS, model.MessageSMS)
}

// mfaEmailVerify serves POST mfa-email-verify {passCode}, as mfaSMSVerify
// for the EMAIL factor.
func (h *Handler) mfaEmailVerify(c *call) (any, *envelope.Error) {
	return c.verifyCode(model.FactorEmail, model.MessageEmail)
}

func (c *call) verifyCode(factor, kind string) (any, *envelope.Error) {
	code, e := passCode(c.params)
	if e != nil {
		return nil, e
	}
	if !digits(code, 6) {
		return nil, envelope.BadRequest("passCode must be six digits")
	}
	return c.verify(factor, func(ctx context.Context, who *mfaCaller) error {
		f, err := c.factorOf(ctx, who.u.ID, factor)
		if err != nil {
			return err
		}
		return c.h.cfg.Codes.Use(ctx, passcode.Target{Kind: kind, To: f.Address, Channel: passcode.ChannelVerifyMFA}, code)
	})
}

// mfaAddress checks a CHANNEL_VERIFY_MFA send: its caller is a signed-in
// user or a pending sign-in, and to is the address of the caller's factor
// of kind, so that challenge codes go nowhere else.
func (c *call) mfaAddress(kind, to string) *envelope.Error {
	who, e := c.mfaUser()
	if e != nil {
		return e
	}
	factor := map[string]string{model.MessageEmail: model.FactorEmail, model.MessageSMS: model.FactorSMS}[kind]
	f, err := c.factorOf(c.Context(), who.u.ID, factor)
	if err != nil && !errors.Is(err, model.ErrWrongCode) {
		return c.internal("listing the user's factors", err)
	}
	if f == nil || f.Address != to {
		return c.fail(http.StatusBadRequest, 0, msgNotFactorAddress)
	}
	return nil
}

// factorOf is the user's factor of kind; model.ErrWrongCode when there is
// none, so that proving a factor one lacks fails like a wrong code.
func (c *call) factorOf(ctx context.Context, userID, kind string) (*model.Factor, error) {
	list, err := c.h.cfg.MFA.Store.ListFactors(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, f := range list {
		if f.Type == kind {
			return f, nil
		}
	}
	return nil, model.ErrWrongCode
}

// verify proves the caller's factor (a factor type or
// mfa.RecoveryFactor) with check, as a sign-in attempt counted toward the
// lockout. A wrong proof is {verified: false}; a right one finishes a
// pending sign-in with the token set.
func (c *call) verify(factor string, check func(context.Context, *mfaCaller) error) (any, *envelope.Error) {
	who, e := c.mfaUser()
	if e != nil {
		return nil, e
	}
	ok, set, e := c.proveFactor(who, factor, check)
	if e != nil {
		return nil, e
	}
	return wire.MFAVerified{Verified: ok, SignInTokens: set}, nil
}

// proveFactor is verify for the caller who: whether check passed and, when it
// finished a pending sign-in, the token set.
func (c *call) proveFactor(who *mfaCaller, factor string, check func(context.Context, *mfaCaller) error) (bool, *wire.SignInTokens, *envelope.Error) {
	ctx := c.Context()
	ip := audit.ClientIP(c.Request)
	clientID := ""
	if who.pending != nil {
		clientID = who.pending.ClientID
		// A factor of the first's kind proves nothing more (mfa.Next); a
		// recovery code stands in for a usable factor only.
		_, usable, err := c.h.cfg.MFA.Next(ctx, who.u.ID, model.MFAOff, who.pending.First)
		if err != nil {
			return false, nil, c.internal("listing the user's factors", err)
		}
		if len(usable) == 0 || (factor != mfa.RecoveryFactor && !slices.ContainsFunc(usable, func(f *model.Factor) bool { return f.Type == factor })) {
			return false, nil, envelope.BadRequest("no %s factor of the user can finish this sign-in", factor)
		}
	}
	attempt, err := c.h.cfg.SignIn.Limiter.Begin(ctx, throttle.UserAccount(who.u.ID), ip)
	if errors.Is(err, throttle.ErrLocked) {
		c.record(model.AuditEvent{Type: model.AuditMFAFailure, UserID: who.u.ID, ClientID: clientID, Detail: factor + " locked"})
		return false, nil, c.throttled(err)
	}
	if err != nil {
		return false, nil, c.internal("counting an MFA attempt", err)
	}
	err = check(ctx, who)
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) || errors.Is(err, model.ErrNotFound) {
		if lerr := attempt.Failed(ctx); errors.Is(lerr, throttle.ErrLocked) {
			c.record(model.AuditEvent{Type: model.AuditLoginLockout, UserID: who.u.ID, ClientID: clientID, Detail: "mfa " + factor})
			return false, nil, c.fail(http.StatusForbidden, codeLocked, msgLocked)
		} else if lerr != nil {
			return false, nil, c.internal("locking after a wrong second factor", lerr)
		}
		c.record(model.AuditEvent{Type: model.AuditMFAFailure, UserID: who.u.ID, ClientID: clientID, Detail: factor})
		return false, nil, nil
	}
	if err != nil {
		return false, nil, c.internal("verifying a second factor", err)
	}
	if err := attempt.Succeeded(ctx); err != nil {
		return false, nil, c.internal("counting an MFA attempt", err)
	}
	c.record(model.AuditEvent{Type: model.AuditMFAVerify, UserID: who.u.ID, ClientID: clientID, Detail: factor})
	if who.pending == nil {
		return true, nil, nil
	}
	set, e := c.finish(who, factor)
	if e != nil {
		return false, nil, e
	}
	return true, set, nil
}

// finish ends the caller's pending sign-in, once, with the token set: its
// first factor, then second (a factor type or mfa.RecoveryFactor).
func (c *call) finish(who *mfaCaller, second string) (*wire.SignInTokens, *envelope.Error) {
	ctx := c.Context()
	err := c.h.cfg.MFA.Release(ctx, who.pending, who.tok)
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) {
		return nil, c.fail(http.StatusUnauthorized, codeNotLoggedIn, msgUnauthorized)
	}
	if err != nil {
		return nil, c.internal("ending a pending sign-in", err)
	}
	app, err := c.h.cfg.Store.GetApplication(ctx, who.pending.ClientID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, c.fail(http.StatusNotFound, codeAppNotFound, msgAppNotFound)
	}
	if err != nil {
		return nil, c.internal("looking up the application", err)
	}
	return c.issue(app, who.u, who.pending.State, who.pending.First, second, who.pending.Method)
}

// digits says whether s, trimmed, is n ASCII digits.
func digits(s string, n int) bool {
	s = strings.TrimSpace(s)
	return len(s) == n && strings.Trim(s, "0123456789") == ""
}

// recoveryShaped says whether s is 24 hex digits, with dashes or spaces
// anywhere (mfa.Service.UseRecoveryCode's reading).
func recoveryShaped(s string) bool {
	n := 0
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '-' || r == ' ':
		case (r >= '0' && r <= '9') || (r >= 'a' && r <= 'f'):
			n++
		default:
			return false
		}
	}
	return n == 24
}
