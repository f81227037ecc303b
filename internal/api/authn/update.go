package authn

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/wire"
)

// grantSeconds is the lifetime the grant answers announce.
const grantSeconds = int(passcode.GrantLifetime / time.Second)

// change is the address change of one kind (contract 4.4): the names of its
// payload and the channels of the new and the old address's codes (3.1).
type change struct {
	kind, method, payload, purpose string
	newField, newCode, newCC       string
	oldField, oldCode, oldCC       string
	newChannel, oldChannel         string
	value                          func(*model.User) string
	verified                       func(*model.User) bool
}

var (
	emailChange = change{model.MessageEmail, "EMAIL_PASSCODE", "emailPassCodePayload", passcode.GrantUpdateEmail,
		"newEmail", "newEmailPassCode", "", "oldEmail", "oldEmailPassCode", "",
		passcode.ChannelUpdateEmail, passcode.ChannelUpdateEmail,
		func(u *model.User) string { return u.Email }, func(u *model.User) bool { return u.EmailVerified }}
	phoneChange = change{model.MessageSMS, "PHONE_PASSCODE", "phonePassCodePayload", passcode.GrantUpdatePhone,
		"newPhoneNumber", "newPhonePassCode", "newPhoneCountryCode", "oldPhoneNumber", "oldPhonePassCode", "oldPhoneCountryCode",
		passcode.ChannelBindPhone, passcode.ChannelUnbindPhone,
		func(u *model.User) string { return u.Phone }, func(u *model.User) bool { return u.PhoneVerified }}
)

// verifyUpdateEmailRequest serves POST verify-update-email-request (contract 4.4).
func (h *Handler) verifyUpdateEmailRequest(c *call) (any, *envelope.Error) {
	tok, e := c.verifyChange(emailChange)
	if e != nil {
		return nil, e
	}
	return wire.UpdateEmailGrant{UpdateEmailToken: tok, TokenExpiresIn: grantSeconds}, nil
}

// verifyUpdatePhoneRequest serves POST verify-update-phone-request (contract 4.4).
func (h *Handler) verifyUpdatePhoneRequest(c *call) (any, *envelope.Error) {
	tok, e := c.verifyChange(phoneChange)
	if e != nil {
		return nil, e
	}
	return wire.UpdatePhoneGrant{UpdatePhoneToken: tok, TokenExpiresIn: grantSeconds}, nil
}

// updateEmail serves POST update-email (contract 4.4).
func (h *Handler) updateEmail(c *call) (any, *envelope.Error) {
	return c.applyChange(emailChange, "updateEmailToken")
}

// updatePhone serves POST update-phone (contract 4.4).
func (h *Handler) updatePhone(c *call) (any, *envelope.Error) {
	return c.applyChange(phoneChange, "updatePhoneToken")
}

// verifyChange proves a change of address: the new address's code, and
// the current address's code when the user has a verified one (an
// unverified address proves nothing, so its owner's consent is not asked).
// Every code is judged before any is used up. It answers the grant that
// update-email or update-phone takes.
func (c *call) verifyChange(ch change) (string, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return "", e
	}
	method, e := c.params.Text("verifyMethod")
	if e != nil {
		return "", e
	}
	if method != ch.method {
		return "", envelope.BadRequest("verifyMethod must be %s", ch.method)
	}
	payload, e := c.params.Obj(ch.payload)
	if e != nil {
		return "", e
	}
	to, e := changeAddress(payload, ch.kind, ch.newField, ch.newCC)
	if e != nil {
		return "", e
	}
	newCode, e := payload.Text(ch.newCode)
	if e != nil {
		return "", e
	}
	if strings.TrimSpace(newCode) == "" {
		return "", envelope.BadRequest("%s%s is required", payload.Path(), ch.newCode)
	}
	proofs := []passcode.Proof{{Target: passcode.Target{Kind: ch.kind, To: to, Channel: ch.newChannel}, Code: newCode}}
	if to == ch.value(u) {
		return "", c.fail(http.StatusUnprocessableEntity, 0, msgSameAddress)
	}
	oldGiven, e := payload.Text(ch.oldField)
	if e != nil {
		return "", e
	}
	if strings.TrimSpace(oldGiven) != "" {
		old, e := changeAddress(payload, ch.kind, ch.oldField, ch.oldCC)
		if e != nil {
			return "", e
		}
		if old != ch.value(u) {
			return "", c.fail(http.StatusBadRequest, 0, msgNotYourAddress)
		}
	}
	if ch.value(u) != "" && ch.verified(u) {
		oldCode, e := payload.Text(ch.oldCode)
		if e != nil {
			return "", e
		}
		if strings.TrimSpace(oldCode) == "" {
			return "", envelope.BadRequest("%s%s is required: the account's current address is verified", payload.Path(), ch.oldCode)
		}
		proofs = append(proofs, passcode.Proof{Target: passcode.Target{Kind: ch.kind, To: ch.value(u), Channel: ch.oldChannel}, Code: oldCode})
	}
	if e := c.prove(proofs...); e != nil {
		return "", e
	}
	tok, err := c.h.cfg.Codes.Grant(c.Context(), ch.purpose, u.ID, to)
	if err != nil {
		return "", c.internal("granting an address change", err)
	}
	return tok, nil
}

// changeAddress reads an address of a change: an email, or a phone number
// with its country code in ccField.
func changeAddress(o envelope.Object, kind, field, ccField string) (string, *envelope.Error) {
	if kind == model.MessageEmail {
		return address(o, kind, field)
	}
	return addressCC(o, kind, field, ccField)
}

// applyChange redeems the grant in field and sets the address it names,
// verified.
func (c *call) applyChange(ch change, field string) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	to, e := c.redeem(ch.purpose, field, u)
	if e != nil {
		return nil, e
	}
	yes := true
	p := users.Patch{Email: &to, EmailVerified: &yes}
	if ch.kind == model.MessageSMS {
		p = users.Patch{Phone: &to, PhoneVerified: &yes}
	}
	if _, err := c.h.cfg.SignIn.Users.Update(c.Context(), u.ID, p); err != nil {
		return nil, c.userError("changing an address", err)
	}
	c.record(model.AuditEvent{Type: model.AuditAddressUpdate, UserID: u.ID, Detail: ch.kind})
	return wire.Success{Success: true}, nil
}

// redeem uses up the grant of purpose in the body's field, for u.
func (c *call) redeem(purpose, field string, u *model.User) (string, *envelope.Error) {
	tok, e := c.params.Text(field)
	if e != nil {
		return "", e
	}
	if strings.TrimSpace(tok) == "" {
		return "", envelope.BadRequest("%s is required", field)
	}
	to, err := c.h.cfg.Codes.Redeem(c.Context(), purpose, u.ID, tok)
	switch {
	case errors.Is(err, model.ErrWrongCode), errors.Is(err, model.ErrCodeExpired):
		return "", c.fail(http.StatusForbidden, 0, msgGrantInvalid)
	case err != nil:
		return "", c.internal("redeeming a grant", err)
	}
	return to, nil
}

// verifyDeleteAccountRequest serves POST verify-delete-account-request
// (contract 4.6): a CHANNEL_DELETE_ACCOUNT code sent to the user's own email
// or phone, or the password when the user has neither.
func (h *Handler) verifyDeleteAccountRequest(c *call) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	method, e := c.params.Text("verifyMethod")
	if e != nil {
		return nil, e
	}
	switch method {
	case "EMAIL_PASSCODE", "PHONE_PASSCODE":
		ch := emailChange
		field, have := "email", u.Email
		if method == "PHONE_PASSCODE" {
			ch, field, have = phoneChange, "phoneNumber", u.Phone
		}
		payload, e := c.params.Obj(ch.payload)
		if e != nil {
			return nil, e
		}
		if have == "" {
			return nil, c.fail(http.StatusUnprocessableEntity, 0, msgNothingToUnbind)
		}
		given, e := payload.Text(field)
		if e != nil {
			return nil, e
		}
		if strings.TrimSpace(given) != "" {
			to, e := address(payload, ch.kind, field)
			if e != nil {
				return nil, e
			}
			if to != have {
				return nil, c.fail(http.StatusBadRequest, 0, msgNotYourAddress)
			}
		} else if ch.kind == model.MessageSMS {
			return nil, envelope.BadRequest("%sphoneNumber is required", payload.Path())
		}
		code, e := passCode(payload)
		if e != nil {
			return nil, e
		}
		if e := c.prove(passcode.Proof{Target: passcode.Target{Kind: ch.kind, To: have, Channel: passcode.ChannelDeleteAccount}, Code: code}); e != nil {
			return nil, e
		}
	case "PASSWORD":
		if u.Email != "" || u.Phone != "" {
			return nil, c.fail(http.StatusUnprocessableEntity, 0, msgPasswordNotAllowed)
		}
		payload, e := c.params.Obj("passwordPayload")
		if e != nil {
			return nil, e
		}
		encrypt, e := payload.Text("passwordEncryptType")
		if e != nil {
			return nil, e
		}
		pw, e := c.secret(payload, "password", encrypt)
		if e != nil {
			return nil, e
		}
		if e := c.confirm(u, pw); e != nil {
			return nil, e
		}
	case "":
		return nil, envelope.BadRequest("verifyMethod is required")
	default:
		return nil, envelope.BadRequest("verifyMethod must be EMAIL_PASSCODE, PHONE_PASSCODE or PASSWORD")
	}
	tok, err := h.cfg.Codes.Grant(c.Context(), passcode.GrantDeleteAccount, u.ID, "")
	if err != nil {
		return nil, c.internal("granting an account deletion", err)
	}
	return wire.DeleteAccountGrant{DeleteAccountToken: tok, TokenExpiresIn: grantSeconds}, nil
}

// confirm checks u's password as a sign-in attempt (signin.Confirm).
func (c *call) confirm(u *model.User, pw string) *envelope.Error {
	err := c.h.cfg.SignIn.Confirm(c.Context(), u, pw, audit.ClientIP(c.Request))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, signin.ErrLockedOut):
		return c.fail(http.StatusForbidden, codeLocked, msgLocked)
	case errors.Is(err, throttle.ErrLocked):
		return c.throttled(err)
	case errors.Is(err, model.ErrBadCredentials):
		return c.fail(http.StatusForbidden, codeWrongPassword, msgWrongPassword)
	}
	return c.userError("checking the password", err)
}

// deleteAccount serves POST delete-account (contract 4.6): the grant used
// up, the user and everything they hold (sessions, tokens, codes, consents,
// login history) deleted at once, so that the calling token is refused next.
func (h *Handler) deleteAccount(c *call) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	if _, e := c.redeem(passcode.GrantDeleteAccount, "deleteAccountToken", u); e != nil {
		return nil, e
	}
	if err := h.cfg.SignIn.Users.Delete(c.Context(), []string{u.ID}); err != nil {
		return nil, c.internal("deleting an account", err)
	}
	c.record(model.AuditEvent{Type: model.AuditAccountDelete, UserID: u.ID, Detail: "authentication API delete-account"})
	return wire.Success{Success: true}, nil
}
