package authn

import (
	"errors"
	"net/http"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/wire"
)

// verifyResetPasswordRequest serves POST verify-reset-password-request
// (contract 4.5): a CHANNEL_RESET_PASSWORD code, consumed, earns a reset
// token. An address that names no user is answered as a wrong code.
func (h *Handler) verifyResetPasswordRequest(c *call) (any, *envelope.Error) {
	if _, e := c.app(); e != nil {
		return nil, e
	}
	m, payload, e := c.codeMethod("verifyMethod",
		codeMethod{"EMAIL_PASSCODE", model.MessageEmail, "emailPassCodePayload", "email"},
		codeMethod{"PHONE_PASSCODE", model.MessageSMS, "phonePassCodePayload", "phoneNumber"})
	if e != nil {
		return nil, e
	}
	kind := m.kind
	to, e := address(payload, kind, m.field)
	if e != nil {
		return nil, e
	}
	code, e := passCode(payload)
	if e != nil {
		return nil, e
	}
	tok, err := h.cfg.Reset.Verify(c.Context(), kind, to, code)
	if e := c.codeError("verifying a password reset code", err); e != nil {
		return nil, e
	}
	return wire.ResetToken{PasswordResetToken: tok, TokenExpiresIn: int64(passcode.ResetLifetime.Seconds())}, nil
}

// resetPassword serves POST reset-password (contract 4.5).
func (h *Handler) resetPassword(c *call) (any, *envelope.Error) {
	if _, e := c.app(); e != nil {
		return nil, e
	}
	tok, e := c.params.Text("passwordResetToken")
	if e != nil {
		return nil, e
	}
	if tok == "" {
		return nil, envelope.BadRequest("passwordResetToken is required")
	}
	encrypt, e := c.params.Text("passwordEncryptType")
	if e != nil {
		return nil, e
	}
	pw, e := c.secret(c.params, "password", encrypt)
	if e != nil {
		return nil, e
	}
	err := h.cfg.Reset.Reset(c.Context(), tok, pw, audit.ClientIP(c.Request))
	if errors.Is(err, model.ErrWrongCode) {
		return nil, c.fail(http.StatusForbidden, codeWrongCode, msgResetToken)
	}
	if errors.Is(err, model.ErrCodeExpired) {
		return nil, c.fail(http.StatusForbidden, codeCodeExpired, msgResetTokenExpired)
	}
	if err != nil {
		return nil, c.userError("resetting a password", err)
	}
	return wire.Success{Success: true}, nil
}

// codeError answers a failed code check: 403 with 2001 (wrong) or 2300
// (expired); nil when err is.
func (c *call) codeError(what string, err error) *envelope.Error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, model.ErrWrongCode):
		return c.fail(http.StatusForbidden, codeWrongCode, msgWrongCode)
	case errors.Is(err, model.ErrCodeExpired):
		return c.fail(http.StatusForbidden, codeCodeExpired, msgCodeExpired)
	}
	return c.internal(what, err)
}
