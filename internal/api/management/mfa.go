package management

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
)

// factorJSON is one of a user's factors as list-enrolled-factors shapes it
// (factorId, factorType, profile), with when it was made and last used.
// Nothing secret: a TOTP secret or a passkey's key stays sealed.
type factorJSON struct {
	FactorID   string            `json:"factorId"`
	FactorType string            `json:"factorType"`
	Profile    map[string]string `json:"profile"`
	CreatedAt  string            `json:"createdAt"`
	LastUsedAt *string           `json:"lastUsedAt"`
}

// userMFAJSON is get-user-mfa-info's data: the SDK's UserMfaRespDto (each
// status "enabled" or "disabled"; GenAuth has no face factor, so
// faceMfaStatus is always "disabled"), then GenAuth's own fields: the
// passkeys' status, the factors themselves and the recovery codes left.
type userMFAJSON struct {
	TOTPStatus        string       `json:"totpStatus"`
	FaceMFAStatus     string       `json:"faceMfaStatus"`
	SMSMFAStatus      string       `json:"smsMfaStatus"`
	EmailMFAStatus    string       `json:"emailMfaStatus"`
	WebAuthnStatus    string       `json:"webauthnStatus"`
	Factors           []factorJSON `json:"factors"`
	RecoveryCodesLeft int          `json:"recoveryCodesLeft"`
}

func newUserMFAJSON(st *mfa.Status) userMFAJSON {
	has := map[string]bool{}
	out := userMFAJSON{Factors: make([]factorJSON, 0, len(st.Factors)), RecoveryCodesLeft: st.RecoveryCodes}
	for _, f := range st.Factors {
		has[f.Type] = true
		profile := map[string]string{}
		switch f.Type {
		case model.FactorSMS:
			profile["phoneNumber"] = f.Address
		case model.FactorEmail:
			profile["email"] = f.Address
		case model.FactorWebAuthn:
			profile["name"] = f.Name
		}
		j := factorJSON{FactorID: f.ID, FactorType: f.Type, Profile: profile, CreatedAt: envelope.ISOTime(f.CreatedAt)}
		if !f.LastUsedAt.IsZero() {
			used := envelope.ISOTime(f.LastUsedAt)
			j.LastUsedAt = &used
		}
		out.Factors = append(out.Factors, j)
	}
	status := func(kind string) string {
		if has[kind] {
			return "enabled"
		}
		return "disabled"
	}
	out.TOTPStatus, out.FaceMFAStatus = status(model.FactorTOTP), "disabled"
	out.SMSMFAStatus, out.EmailMFAStatus = status(model.FactorSMS), status(model.FactorEmail)
	out.WebAuthnStatus = status(model.FactorWebAuthn)
	return out
}

func (h *Handler) getUserMFAInfo(r *request) (any, *envelope.Error) {
	u, e := r.queryUser()
	if e != nil {
		return nil, e
	}
	st, err := h.cfg.MFA.Status(r.ctx(), u.ID)
	if err != nil {
		return nil, r.fail("reading a user's factors", err, codeUserNotFound)
	}
	return newUserMFAJSON(st), nil
}

// resetUserMFA is GenAuth's own endpoint: the SDK's set-mfa-status only
// stores Authing's "MFA trigger data" (an mfaToken and contact details), and
// nothing in the SDK removes a user's factors. It removes every factor and
// recovery code and, as with kick-users, ends the user's sessions and
// tokens: whoever may have signed in with a lost factor is signed out.
func (h *Handler) resetUserMFA(r *request) (any, *envelope.Error) {
	u, e := r.bodyUser()
	if e != nil {
		return nil, e
	}
	n, err := h.cfg.MFA.Reset(r.ctx(), u.ID)
	if err != nil {
		return nil, r.fail("resetting a user's factors", err, codeUserNotFound)
	}
	if err := h.cfg.Users.Kick(r.ctx(), u.ID, nil); err != nil {
		return nil, r.fail("signing a user out", err, codeUserNotFound)
	}
	if h.cfg.Audit != nil {
		h.cfg.Audit.Record(r.ctx(), model.AuditEvent{Type: model.AuditMFAReset, UserID: u.ID, IP: audit.ClientIP(r.Request),
			Detail: fmt.Sprintf("management API reset-user-mfa: %d factors removed, sessions ended", n)})
	}
	return map[string]any{"success": true, "removedFactors": n}, nil
}

// offeredFactors are the SDK's factor names (contract 6.1) GenAuth offers.
// GenAuth has no policy per factor: a policy other than off offers them all,
// so the SDK's enabledFactors is all of them or none.
var offeredFactors = []string{model.FactorTOTP, model.FactorSMS, model.FactorEmail}

// mfaSettingsJSON is the SDK's MFASettingsDto and GenAuth's policy
// ("off", "optional" or "required"), which says more.
type mfaSettingsJSON struct {
	EnabledFactors []string `json:"enabledFactors"`
	MFAPolicy      string   `json:"mfaPolicy"`
}

func newMFASettings(policy string) mfaSettingsJSON {
	if policy == model.MFAOff || policy == "" {
		return mfaSettingsJSON{EnabledFactors: []string{}, MFAPolicy: model.MFAOff}
	}
	return mfaSettingsJSON{EnabledFactors: offeredFactors, MFAPolicy: policy}
}

// factorList reads a list of the SDK's factor names; present says whether
// it named any.
func factorList(o envelope.Object, name string) (present bool, e *envelope.Error) {
	list, e := o.Strings(name)
	if e != nil {
		return false, e
	}
	for _, f := range list {
		switch strings.ToUpper(strings.TrimSpace(f)) {
		case model.FactorTOTP, model.FactorSMS, model.FactorEmail:
		case "FACE":
			return false, envelope.BadRequest("%s: FACE is not supported: GenAuth has no face recognition factor", name)
		default:
			return false, envelope.BadRequest("%s: unknown factor %q: the factors are OTP, SMS and EMAIL", name, f)
		}
	}
	return len(list) > 0, nil
}

// parsePolicy reads GenAuth's mfaPolicy field; "" when absent.
func parsePolicy(o envelope.Object) (string, *envelope.Error) {
	p, e := o.Str("mfaPolicy")
	if e != nil || p == nil {
		return "", e
	}
	switch v := strings.ToLower(strings.TrimSpace(*p)); v {
	case model.MFAOff, model.MFAOptional, model.MFARequired:
		return v, nil
	}
	return "", envelope.BadRequest("mfaPolicy must be off, optional or required")
}

// settingsPolicy maps a settings call onto a policy, given the current one:
// mfaPolicy when given; else enabling factors makes MFA at least optional
// (a required policy stays), and disabling them turns it off.
func settingsPolicy(o envelope.Object, current, enable, disable string) (string, *envelope.Error) {
	p, e := parsePolicy(o)
	if e != nil {
		return "", e
	}
	on, e := factorList(o, enable)
	if e != nil {
		return "", e
	}
	off := false
	if disable != "" {
		if off, e = factorList(o, disable); e != nil {
			return "", e
		}
	}
	switch {
	case p != "":
		return p, nil
	case on && off:
		return "", envelope.BadRequest("give %s or %s, not both: GenAuth turns its factors on and off together", enable, disable)
	case on:
		return mfa.Stricter(current, model.MFAOptional), nil
	case off:
		return model.MFAOff, nil
	}
	if disable == "" {
		return "", envelope.BadRequest("%s must name at least one factor (OTP, SMS or EMAIL), or give mfaPolicy", enable)
	}
	return "", envelope.BadRequest("give %s or %s (OTP, SMS or EMAIL), or mfaPolicy", enable, disable)
}

func (h *Handler) getGlobalMFASettings(r *request) (any, *envelope.Error) {
	p, err := h.cfg.MFA.PoolPolicy(r.ctx())
	if err != nil {
		return nil, r.fail("reading the MFA policy", err, codeUserNotFound)
	}
	return newMFASettings(p), nil
}

func (h *Handler) updateGlobalMFASettings(r *request) (any, *envelope.Error) {
	current, err := h.cfg.MFA.PoolPolicy(r.ctx())
	if err != nil {
		return nil, r.fail("reading the MFA policy", err, codeUserNotFound)
	}
	p, e := settingsPolicy(r.params, current, "enabledFactors", "")
	if e != nil {
		return nil, e
	}
	return h.setPoolPolicy(r, p)
}

// disableGlobalMFASettings turns MFA off for the pool, whichever factors
// disableFactors names (GenAuth does not turn them off one by one).
func (h *Handler) disableGlobalMFASettings(r *request) (any, *envelope.Error) {
	if on, e := factorList(r.params, "disableFactors"); e != nil {
		return nil, e
	} else if !on {
		return nil, envelope.BadRequest("disableFactors must name at least one factor (OTP, SMS or EMAIL)")
	}
	return h.setPoolPolicy(r, model.MFAOff)
}

func (h *Handler) setPoolPolicy(r *request, p string) (any, *envelope.Error) {
	old, err := h.cfg.MFA.PoolPolicy(r.ctx())
	if err != nil {
		return nil, r.fail("reading the MFA policy", err, codeUserNotFound)
	}
	if err := h.cfg.MFA.SetPoolPolicy(r.ctx(), p); err != nil {
		return nil, r.fail("setting the MFA policy", err, codeUserNotFound)
	}
	h.recordPolicy(r, "", old, p)
	return newMFASettings(p), nil
}

// recordPolicy records a change of the MFA policy of appID ("": the pool).
func (h *Handler) recordPolicy(r *request, appID, old, new string) {
	if e, ok := mfa.PolicyChange(appID, old, new, "management API "+path.Base(r.URL.Path)); ok && h.cfg.Audit != nil {
		e.IP = audit.ClientIP(r.Request)
		h.cfg.Audit.Record(r.ctx(), e)
	}
}

// updateApplicationMFASettings maps the SDK's call onto the application's
// policy as settingsPolicy says.
func (h *Handler) updateApplicationMFASettings(r *request) (any, *envelope.Error) {
	id, e := r.appID()
	if e != nil {
		return nil, e
	}
	var old string
	app, err := h.cfg.Apps.Update(r.ctx(), id, func(p *apps.CreateParams) error {
		old = p.MFAPolicy
		policy, e := settingsPolicy(r.params, p.MFAPolicy, "enabledFactors", "disabledFactors")
		if e != nil {
			return e
		}
		p.MFAPolicy = policy
		return nil
	})
	if e, ok := errors.AsType[*envelope.Error](err); ok {
		return nil, e
	}
	if err != nil {
		return nil, r.fail("updating an application", err, codeAppNotFound)
	}
	h.recordPolicy(r, app.ID, old, app.MFAPolicy)
	return newMFASettings(app.MFAPolicy), nil
}
