package authn

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/wire"
)

// enrollPurpose is the passcode grant purpose of an enrollmentToken for
// factor type t: the token is bound to its type, its user and its address
// (an OTP factor's secret, which the sealed token carries unseen).
func enrollPurpose(t string) string { return "MFA_ENROLL_" + t }

// factorKinds is the kind of message each code factor sends.
var factorKinds = map[string]string{model.FactorSMS: model.MessageSMS, model.FactorEmail: model.MessageEmail}

// manager is the caller of the factor endpoints: a signed-in user, or a
// pending sign-in that must enroll a factor before it ends.
func (c *call) manager() (*mfaCaller, *envelope.Error) {
	who, e := c.mfaUser()
	if e != nil {
		return nil, e
	}
	if who.pending != nil && !who.pending.Enroll {
		return nil, c.fail(http.StatusUnauthorized, codeNotLoggedIn, msgUnauthorized)
	}
	return who, nil
}

// changer is the caller of an endpoint that enrolls or removes a factor:
// the authentication must be recent (issue 16): an access token issued by
// a sign-in, not a refresh, within recentAuth, or the pending sign-in that
// must enroll.
func (c *call) changer() (*mfaCaller, *envelope.Error) {
	who, e := c.manager()
	if e != nil {
		return nil, e
	}
	if who.pending == nil && (c.refreshed || c.h.cfg.Now().Sub(c.issued) > recentAuth) {
		return nil, c.fail(http.StatusForbidden, 0, msgNotRecent)
	}
	return who, nil
}

// listFactorsToEnroll serves GET list-factors-to-enroll (contract 6.1):
// the kinds offered that the user has not enrolled.
func (h *Handler) listFactorsToEnroll(c *call) (any, *envelope.Error) {
	who, e := c.manager()
	if e != nil {
		return nil, e
	}
	have, err := h.cfg.MFA.Store.ListFactors(c.Context(), who.u.ID)
	if err != nil {
		return nil, c.internal("listing the user's factors", err)
	}
	list := []wire.FactorType{}
	for _, p := range c.offered() {
		if !hasType(have, p.MFAPolicy) {
			list = append(list, wire.FactorType{FactorType: p.MFAPolicy})
		}
	}
	return list, nil
}

func hasType(list []*model.Factor, t string) bool {
	for _, f := range list {
		if f.Type == t {
			return true
		}
	}
	return false
}

// factorType reads factorType: OTP, SMS or EMAIL; FACE is 501.
func (c *call) factorType() (string, *envelope.Error) {
	t, e := c.params.Text("factorType")
	if e != nil {
		return "", e
	}
	switch t {
	case model.FactorTOTP, model.FactorSMS, model.FactorEmail:
		return t, nil
	case "FACE":
		return "", &envelope.Error{Status: http.StatusNotImplemented, Message: "FACE factors are not supported"}
	case "":
		return "", envelope.BadRequest("factorType is required")
	}
	return "", envelope.BadRequest("factorType must be OTP, SMS, EMAIL or FACE")
}

// sendEnrollFactorRequest serves POST send-enroll-factor-request (contract
// 6.1): an OTP secret with the user's new recovery codes (the first
// shown), or a CHANNEL_BIND_MFA code sent to the profile's address; and
// the enrollmentToken (60 s) that enroll-factor takes.
func (h *Handler) sendEnrollFactorRequest(c *call) (any, *envelope.Error) {
	t, e := c.factorType()
	if e != nil {
		return nil, e
	}
	var to string
	if kind, ok := factorKinds[t]; ok {
		profile, e := c.params.Obj("profile")
		if e != nil {
			return nil, e
		}
		if profile.Len() == 0 {
			return nil, envelope.BadRequest("profile is required for factorType %s", t)
		}
		field := "email"
		if kind == model.MessageSMS {
			field = "phoneNumber"
			profile.Default("phoneCountryCode", []byte(`"+86"`))
		}
		if to, e = address(profile, kind, field); e != nil {
			return nil, e
		}
		if !h.cfg.Delivers[kind] {
			return nil, c.fail(http.StatusNotImplemented, 0, msgNotConfigured[kind])
		}
	}
	who, e := c.changer()
	if e != nil {
		return nil, e
	}
	ctx := c.Context()
	have, err := h.cfg.MFA.Store.ListFactors(ctx, who.u.ID)
	if err != nil {
		return nil, c.internal("listing the user's factors", err)
	}
	if hasType(have, t) {
		return nil, c.fail(http.StatusConflict, 0, msgFactorExists)
	}
	if t == model.FactorTOTP {
		account := who.u.Username
		if account == "" {
			account = who.u.ID
		}
		setup, err := h.cfg.MFA.NewTOTP(account)
		if err != nil {
			return nil, c.internal("drawing a TOTP secret", err)
		}
		codes, err := h.cfg.MFA.NewRecoveryCodes(ctx, who.u.ID)
		if err != nil {
			return nil, c.internal("drawing recovery codes", err)
		}
		tok, err := h.cfg.Codes.Grant(ctx, enrollPurpose(t), who.u.ID, setup.Secret)
		if err != nil {
			return nil, c.internal("granting an enrollment", err)
		}
		return wire.EnrollRequest{EnrollmentToken: tok, OTPData: &wire.OTPData{QRCodeURI: setup.URI,
			QRCodeDataURL: "data:image/png;base64," + base64.StdEncoding.EncodeToString(setup.QRCode), RecoveryCode: codes[0]}}, nil
	}
	kind := factorKinds[t]
	appID := ""
	if who.pending != nil {
		appID = who.pending.ClientID
	}
	err = h.cfg.SendLimiter.AllowSend(ctx, appID, passcode.ChannelBindMFA, to, audit.ClientIP(c.Request))
	if errors.Is(err, throttle.ErrLocked) {
		return nil, c.throttled(err)
	}
	if err != nil {
		return nil, c.internal("counting a code sent", err)
	}
	lang := "en"
	if c.lang == zhCN {
		lang = "zh"
	}
	if err := h.cfg.Codes.Send(ctx, passcode.Target{Kind: kind, To: to, Channel: passcode.ChannelBindMFA}, lang); err != nil {
		return nil, c.internal("queueing a verification code", err)
	}
	tok, err := h.cfg.Codes.Grant(ctx, enrollPurpose(t), who.u.ID, to)
	if err != nil {
		return nil, c.internal("granting an enrollment", err)
	}
	return wire.EnrollRequest{EnrollmentToken: tok}, nil
}

// enrollFactor serves POST enroll-factor (contract 6.1): the first TOTP
// code, or the code sent to the address, proves the factor. Called with
// the mfaToken of a sign-in that must enroll, it ends that sign-in with
// the token set (GenAuth's extension).
func (h *Handler) enrollFactor(c *call) (any, *envelope.Error) {
	t, e := c.factorType()
	if e != nil {
		return nil, e
	}
	tok, e := c.params.Text("enrollmentToken")
	if e != nil {
		return nil, e
	}
	if strings.TrimSpace(tok) == "" {
		return nil, envelope.BadRequest("enrollmentToken is required")
	}
	data, e := c.params.Obj("enrollmentData")
	if e != nil {
		return nil, e
	}
	code, e := passCode(data)
	if e != nil {
		return nil, e
	}
	if !digits(code, 6) {
		return nil, envelope.BadRequest("enrollmentData.passCode must be six digits")
	}
	who, e := c.changer()
	if e != nil {
		return nil, e
	}
	ctx := c.Context()
	badToken := c.fail(http.StatusForbidden, 0, msgGrantInvalid)
	owner, addr, err := h.cfg.Codes.Peek(ctx, enrollPurpose(t), tok)
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) || (err == nil && owner != who.u.ID) {
		return nil, badToken
	}
	if err != nil {
		return nil, c.internal("reading an enrollmentToken", err)
	}
	var f *model.Factor
	if t == model.FactorTOTP {
		f, err = h.cfg.MFA.EnrollTOTP(ctx, who.u.ID, addr, code)
		if errors.Is(err, model.ErrWrongCode) {
			return nil, c.fail(http.StatusForbidden, codeTOTPWrong, msgTOTPWrong)
		}
	} else {
		err = h.cfg.Codes.Use(ctx, passcode.Target{Kind: factorKinds[t], To: addr, Channel: passcode.ChannelBindMFA}, code)
		switch {
		case errors.Is(err, model.ErrWrongCode):
			return nil, c.fail(http.StatusForbidden, codeWrongCode, msgWrongCode)
		case errors.Is(err, model.ErrCodeExpired):
			return nil, c.fail(http.StatusForbidden, codeCodeExpired, msgCodeExpired)
		case err == nil:
			f, err = h.cfg.MFA.EnrollCode(ctx, who.u.ID, t, addr)
		}
	}
	if errors.Is(err, model.ErrConflict) {
		return nil, c.fail(http.StatusConflict, 0, msgFactorExists)
	}
	if err != nil {
		return nil, c.internal("enrolling a factor", err)
	}
	// The token is used up last, so that a mistyped code can be typed again.
	if _, err := h.cfg.Codes.Redeem(ctx, enrollPurpose(t), who.u.ID, tok); err != nil {
		if rerr := h.cfg.MFA.Remove(ctx, who.u.ID, f.ID); rerr != nil {
			return nil, c.internal("undoing an enrollment", rerr)
		}
		if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) {
			return nil, badToken
		}
		return nil, c.internal("using up an enrollmentToken", err)
	}
	clientID := ""
	if who.pending != nil {
		clientID = who.pending.ClientID
	}
	c.record(model.AuditEvent{Type: model.AuditMFAEnroll, UserID: who.u.ID, ClientID: clientID, Detail: t})
	if who.pending == nil {
		return nil, nil
	}
	set, e := c.finish(who, t)
	if e != nil {
		return nil, e
	}
	return wire.MFAVerified{Verified: true, SignInTokens: set}, nil
}

// listEnrolledFactors serves GET list-enrolled-factors (contract 6.1).
func (h *Handler) listEnrolledFactors(c *call) (any, *envelope.Error) {
	who, e := c.manager()
	if e != nil {
		return nil, e
	}
	have, err := h.cfg.MFA.Store.ListFactors(c.Context(), who.u.ID)
	if err != nil {
		return nil, c.internal("listing the user's factors", err)
	}
	list := make([]wire.Factor, len(have))
	for i, f := range have {
		list[i] = factorOut(f)
	}
	return list, nil
}

func factorOut(f *model.Factor) wire.Factor {
	out := wire.Factor{FactorID: f.ID, FactorType: f.Type}
	switch f.Type {
	case model.FactorSMS:
		out.Profile.PhoneNumber = f.Address
	case model.FactorEmail:
		out.Profile.Email = f.Address
	case model.FactorWebAuthn:
		out.Profile.Name, out.Profile.CredentialID = f.Name, f.CredentialID
	}
	return out
}

// getFactor serves GET get-factor?factorId= and its alias get-factors:
// one of the caller's factors; another user's is as unknown.
func (h *Handler) getFactor(c *call) (any, *envelope.Error) {
	id := strings.TrimSpace(c.query.Text("factorId"))
	if id == "" {
		return nil, envelope.BadRequest("factorId is required")
	}
	who, e := c.manager()
	if e != nil {
		return nil, e
	}
	f, err := h.cfg.MFA.Store.GetFactor(c.Context(), id)
	if errors.Is(err, model.ErrNotFound) || (err == nil && f.UserID != who.u.ID) {
		return nil, c.fail(http.StatusNotFound, 0, msgNoFactor)
	}
	if err != nil {
		return nil, c.internal("looking up a factor", err)
	}
	return factorOut(f), nil
}

// resetFactor serves POST reset-factor {factorId}: removes one of the
// caller's factors (the last one takes the recovery codes with it).
func (h *Handler) resetFactor(c *call) (any, *envelope.Error) {
	id, e := c.params.Text("factorId")
	if e != nil {
		return nil, e
	}
	if strings.TrimSpace(id) == "" {
		return nil, envelope.BadRequest("factorId is required")
	}
	who, e := c.changer()
	if e != nil {
		return nil, e
	}
	if who.pending != nil {
		return nil, c.fail(http.StatusUnauthorized, codeNotLoggedIn, msgUnauthorized)
	}
	err := h.cfg.MFA.Remove(c.Context(), who.u.ID, strings.TrimSpace(id))
	if errors.Is(err, model.ErrNotFound) {
		return nil, c.fail(http.StatusNotFound, 0, msgNoFactor)
	}
	if err != nil {
		return nil, c.internal("removing a factor", err)
	}
	c.record(model.AuditEvent{Type: model.AuditMFARemove, UserID: who.u.ID, Detail: id})
	return nil, nil
}
