package authn

import (
	"net/http"

	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
)

// binding is one kind of address a user binds (contract 4.4): the user's
// field, the field of the body, the channels of its codes.
type binding struct {
	kind, field, bindChannel, unbindChannel string
	value                                   func(*model.User) string
}

var (
	emailBinding = binding{model.MessageEmail, "email", passcode.ChannelBindEmail, passcode.ChannelUnbindEmail,
		func(u *model.User) string { return u.Email }}
	phoneBinding = binding{model.MessageSMS, "phoneNumber", passcode.ChannelBindPhone, passcode.ChannelUnbindPhone,
		func(u *model.User) string { return u.Phone }}
)

// bindEmail serves POST bind-email (contract 4.4).
func (h *Handler) bindEmail(c *call) (any, *envelope.Error) { return nil, c.bind(emailBinding) }

// bindPhone serves POST bind-phone (contract 4.4).
func (h *Handler) bindPhone(c *call) (any, *envelope.Error) { return nil, c.bind(phoneBinding) }

// unbindEmail serves POST unbind-email (contract 4.4).
func (h *Handler) unbindEmail(c *call) (any, *envelope.Error) { return nil, c.unbind(emailBinding) }

// unbindPhone serves POST unbind-phone (contract 4.4).
func (h *Handler) unbindPhone(c *call) (any, *envelope.Error) { return nil, c.unbind(phoneBinding) }

// bind gives the signed-in user an address of b's kind, proven by the bind
// channel's code; a user who has one changes it by the update flow (422).
func (c *call) bind(b binding) *envelope.Error {
	u, e := c.user()
	if e != nil {
		return e
	}
	to, e := address(c.params, b.kind, b.field)
	if e != nil {
		return e
	}
	code, e := passCode(c.params)
	if e != nil {
		return e
	}
	if b.value(u) != "" {
		return c.fail(http.StatusUnprocessableEntity, 0, msgAlreadyBound)
	}
	if e := c.prove(passcode.Proof{Target: passcode.Target{Kind: b.kind, To: to, Channel: b.bindChannel}, Code: code}); e != nil {
		return e
	}
	yes := true
	p := users.Patch{Email: &to, EmailVerified: &yes}
	if b.kind == model.MessageSMS {
		p = users.Patch{Phone: &to, PhoneVerified: &yes}
	}
	if _, err := c.h.cfg.SignIn.Users.Update(c.Context(), u.ID, p); err != nil {
		return c.userError("binding an address", err)
	}
	c.record(model.AuditEvent{Type: model.AuditAddressBind, UserID: u.ID, Detail: b.kind})
	return nil
}

// unbind removes the signed-in user's address of b's kind, proven by the
// unbind channel's code sent to it; it refuses (422) when the user has none,
// or when it is the user's last way to sign in: no other address for codes,
// and no username with a password.
func (c *call) unbind(b binding) *envelope.Error {
	u, e := c.user()
	if e != nil {
		return e
	}
	code, e := passCode(c.params)
	if e != nil {
		return e
	}
	have := b.value(u)
	if have == "" {
		return c.fail(http.StatusUnprocessableEntity, 0, msgNothingToUnbind)
	}
	other := u.Phone
	if b.kind == model.MessageSMS {
		other = u.Email
	}
	if other == "" && (u.Username == "" || u.PasswordHash == "") {
		return c.fail(http.StatusUnprocessableEntity, 0, msgLastLoginMethod)
	}
	if e := c.prove(passcode.Proof{Target: passcode.Target{Kind: b.kind, To: have, Channel: b.unbindChannel}, Code: code}); e != nil {
		return e
	}
	empty, no := "", false
	p := users.Patch{Email: &empty, EmailVerified: &no}
	if b.kind == model.MessageSMS {
		p = users.Patch{Phone: &empty, PhoneVerified: &no}
	}
	if _, err := c.h.cfg.SignIn.Users.Update(c.Context(), u.ID, p); err != nil {
		return c.userError("unbinding an address", err)
	}
	c.record(model.AuditEvent{Type: model.AuditAddressUnbind, UserID: u.ID, Detail: b.kind})
	return nil
}
