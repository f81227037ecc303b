package authn

import (
	"context"
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

// Codes issues and checks verification codes (passcode.Service).
type Codes interface {
	Send(ctx context.Context, t passcode.Target, lang string) error
	Check(ctx context.Context, t passcode.Target, code string) error
	// Use is Check that consumes a right code; UseAll uses up every
	// proof's code once all are right.
	Use(ctx context.Context, t passcode.Target, code string) error
	UseAll(ctx context.Context, proofs ...passcode.Proof) error
	// Grant and Redeem hand out and use up the tokens of the account
	// changes a code proved (passcode.Service).
	Grant(ctx context.Context, purpose, userID, address string) (string, error)
	Redeem(ctx context.Context, purpose, userID, tok string) (string, error)
	// Peek reads a grant without using it up.
	Peek(ctx context.Context, purpose, tok string) (userID, address string, err error)
}

// channelKinds says which endpoint may send a code for each channel
// (contract 3.1): email, SMS, or both.
var channelKinds = map[string][]string{
	passcode.ChannelLogin:                {model.MessageEmail, model.MessageSMS},
	passcode.ChannelRegister:             {model.MessageEmail, model.MessageSMS},
	passcode.ChannelResetPassword:        {model.MessageEmail, model.MessageSMS},
	passcode.ChannelBindPhone:            {model.MessageSMS},
	passcode.ChannelUnbindPhone:          {model.MessageSMS},
	passcode.ChannelBindMFA:              {model.MessageSMS},
	passcode.ChannelVerifyMFA:            {model.MessageEmail, model.MessageSMS},
	passcode.ChannelUnbindMFA:            {model.MessageSMS},
	passcode.ChannelCompletePhone:        {model.MessageSMS},
	passcode.ChannelCompleteEmail:        {model.MessageEmail},
	passcode.ChannelIdentityVerification: {model.MessageSMS},
	passcode.ChannelDeleteAccount:        {model.MessageEmail, model.MessageSMS},
	passcode.ChannelVerifyEmailLink:      {model.MessageEmail},
	passcode.ChannelUpdateEmail:          {model.MessageEmail},
	passcode.ChannelBindEmail:            {model.MessageEmail},
	passcode.ChannelUnbindEmail:          {model.MessageEmail},
	passcode.ChannelUnlockAccount:        {model.MessageEmail},
}

// unsupportedChannels are valid channels whose feature GenAuth lacks: they
// send nothing (501).
var unsupportedChannels = map[string]bool{
	passcode.ChannelIdentityVerification: true, // real-name verification
	passcode.ChannelUnlockAccount:        true, // self-service unlock
	passcode.ChannelVerifyEmailLink:      true, // a link, not a code
}

// hidden are the channels whose answer must not tell whether the address
// belongs to a user (contract 3.1): a code goes to a user's address only,
// and the answer is the same either way.
var hidden = map[string]bool{passcode.ChannelLogin: true, passcode.ChannelResetPassword: true}

// kindName is how the endpoints name a kind of message.
var kindName = map[string]string{model.MessageEmail: "email", model.MessageSMS: "SMS"}

// channel reads a channel valid for kind from o.
func channel(o envelope.Object, kind string) (string, *envelope.Error) {
	ch, e := o.Text("channel")
	if e != nil {
		return "", e
	}
	if ch == "" {
		return "", envelope.BadRequest("%schannel is required", o.Path())
	}
	kinds, ok := channelKinds[ch]
	if !ok {
		return "", envelope.BadRequest("%schannel %q is not a known channel", o.Path(), ch)
	}
	for _, k := range kinds {
		if k == kind {
			return ch, nil
		}
	}
	return "", envelope.BadRequest("%schannel %s is not valid for %s", o.Path(), ch, kindName[kind])
}

// address reads the destination of kind from o's field (an email, or a
// phone number with the optional phoneCountryCode beside it) in
// passcode.Address's form.
func address(o envelope.Object, kind, field string) (string, *envelope.Error) {
	return addressCC(o, kind, field, "phoneCountryCode")
}

// addressCC is address with the country code in the field ccField.
func addressCC(o envelope.Object, kind, field, ccField string) (string, *envelope.Error) {
	to, e := o.Text(field)
	if e != nil {
		return "", e
	}
	to = strings.TrimSpace(to)
	if to == "" {
		return "", envelope.BadRequest("%s%s is required", o.Path(), field)
	}
	if kind == model.MessageEmail {
		at := strings.LastIndexByte(to, '@')
		if len(to) > 254 || at < 1 || at == len(to)-1 || strings.ContainsAny(to, " \t\r\n<>,;") {
			return "", envelope.BadRequest("%s%s is not an email address", o.Path(), field)
		}
		return passcode.Address(kind, to, ""), nil
	}
	cc, e := o.Text(ccField)
	if e != nil {
		return "", e
	}
	cc = strings.TrimSpace(cc)
	if !passcode.ValidPhone(to, cc) {
		return "", envelope.BadRequest("%s%s must be a phone number (5 to 20 digits) and %s a country code such as +86", o.Path(), field, ccField)
	}
	return passcode.Address(kind, to, cc), nil
}

// sendEmail serves POST send-email (contract 3.1).
func (h *Handler) sendEmail(c *call) (any, *envelope.Error) {
	return nil, c.send(model.MessageEmail, "email")
}

// sendSMS serves POST send-sms (contract 3.1).
func (h *Handler) sendSMS(c *call) (any, *envelope.Error) {
	return nil, c.send(model.MessageSMS, "phoneNumber")
}

// send queues a code of kind to the address in field: input checked, then
// whether the kind can be delivered, then the limits, then (for the hidden
// channels) whether the address is a user's, which changes nothing in the
// answer.
func (c *call) send(kind, field string) *envelope.Error {
	app, e := c.app()
	if e != nil {
		return e
	}
	ch, e := channel(c.params, kind)
	if e != nil {
		return e
	}
	to, e := address(c.params, kind, field)
	if e != nil {
		return e
	}
	if unsupportedChannels[ch] {
		return &envelope.Error{Status: http.StatusNotImplemented, Message: msgChannelUnsupported.in(c.lang) + ch}
	}
	if !c.h.cfg.Delivers[kind] {
		return c.fail(http.StatusNotImplemented, 0, msgNotConfigured[kind])
	}
	ctx := c.Context()
	if ch == passcode.ChannelVerifyMFA {
		if e := c.mfaAddress(kind, to); e != nil {
			return e
		}
	}
	err := c.h.cfg.SendLimiter.AllowSend(ctx, app.ID, ch, to, audit.ClientIP(c.Request))
	if errors.Is(err, throttle.ErrLocked) {
		return c.throttled(err)
	}
	if err != nil {
		return c.internal("counting a code sent", err)
	}
	var u *model.User
	if hidden[ch] {
		if u, err = c.h.cfg.SignIn.UserAt(ctx, kind, to); err != nil {
			return c.internal("looking up the address", err)
		}
		if u == nil {
			return nil
		}
	}
	lang := "en"
	if c.lang == zhCN {
		lang = "zh"
	}
	if err := c.h.cfg.Codes.Send(ctx, passcode.Target{Kind: kind, To: to, Channel: ch}, lang); err != nil {
		return c.internal("queueing a verification code", err)
	}
	if ch == passcode.ChannelResetPassword && u != nil {
		c.record(model.AuditEvent{Type: model.AuditResetCodeSend, UserID: u.ID, ClientID: app.ID,
			Detail: "authentication API send-" + map[string]string{model.MessageEmail: "email", model.MessageSMS: "sms"}[kind]})
	}
	return nil
}

// preCheckCode serves POST pre-check-code (contract 3.2): whether a code is
// right, without using it up; a wrong code counts a try.
func (h *Handler) preCheckCode(c *call) (any, *envelope.Error) {
	if _, e := c.app(); e != nil {
		return nil, e
	}
	m, payload, e := c.codeMethod("codeType",
		codeMethod{"SMS", model.MessageSMS, "smsCodePayload", "phone"},
		codeMethod{"EMAIL", model.MessageEmail, "emailCodePayload", "email"})
	if e != nil {
		return nil, e
	}
	kind := m.kind
	ch, e := channel(payload, kind)
	if e != nil {
		return nil, e
	}
	to, e := address(payload, kind, m.field)
	if e != nil {
		return nil, e
	}
	code, e := passCode(payload)
	if e != nil {
		return nil, e
	}
	err := h.cfg.Codes.Check(c.Context(), passcode.Target{Kind: kind, To: to, Channel: ch}, code)
	switch {
	case err == nil:
		return wire.CodeCheck{IsValid: true}, nil
	case errors.Is(err, model.ErrWrongCode):
		return wire.CodeCheck{Message: msgWrongCode.in(c.lang)}, nil
	case errors.Is(err, model.ErrCodeExpired):
		return wire.CodeCheck{Message: msgCodeExpired.in(c.lang)}, nil
	}
	return nil, c.internal("checking a verification code", err)
}

// passCode reads a payload's passCode.
func passCode(o envelope.Object) (string, *envelope.Error) {
	code, e := o.Text("passCode")
	if e != nil {
		return "", e
	}
	if strings.TrimSpace(code) == "" {
		return "", envelope.BadRequest("%spassCode is required", o.Path())
	}
	return code, nil
}

// codeMethod is one way a request names the address a code went to: the
// selector's value, the kind of message, the payload holding the address
// and the code, and the address's field in it.
type codeMethod struct {
	name, kind, payload, field string
}

// codeMethod reads the selector param (codeType, verifyMethod), which must
// name one of methods, and that method's payload, which must be given.
func (c *call) codeMethod(param string, methods ...codeMethod) (codeMethod, envelope.Object, *envelope.Error) {
	sel, e := c.params.Text(param)
	if e != nil {
		return codeMethod{}, envelope.Object{}, e
	}
	if sel == "" {
		return codeMethod{}, envelope.Object{}, envelope.BadRequest("%s is required", param)
	}
	for _, m := range methods {
		if m.name != sel {
			continue
		}
		payload, e := c.params.Obj(m.payload)
		if e != nil {
			return codeMethod{}, envelope.Object{}, e
		}
		if payload.Len() == 0 {
			return codeMethod{}, envelope.Object{}, envelope.BadRequest("%s is required for %s %s", m.payload, param, sel)
		}
		return m, payload, nil
	}
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = m.name
	}
	return codeMethod{}, envelope.Object{}, envelope.BadRequest("%s must be %s", param, strings.Join(names, " or "))
}
