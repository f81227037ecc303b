package authn

import (
	"errors"
	"net/http"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
)

// codeRegistrationClosed: the application does not allow registration.
const codeRegistrationClosed = 2031

// signUp serves POST signup (contract 2.4) for connection PASSWORD: a
// username or an email and a password, and profile fields; it answers the
// new user. Pass codes are not available yet, so neither is an address that
// must be proven by one.
func (h *Handler) signUp(c *call) (any, *envelope.Error) {
	app, e := c.app()
	if e != nil {
		return nil, e
	}
	connection, e := c.params.Text("connection")
	if e != nil {
		return nil, e
	}
	switch connection {
	case "PASSWORD":
	case "PASSCODE":
		return nil, &envelope.Error{Status: http.StatusNotImplemented, Message: "sign-up by pass code is not available yet"}
	case "":
		return nil, envelope.BadRequest("connection is required")
	default:
		return nil, envelope.BadRequest("connection must be PASSWORD or PASSCODE")
	}
	if app.RegistrationClosed {
		return nil, c.fail(http.StatusForbidden, codeRegistrationClosed, msgRegistrationClosed)
	}
	payload, e := c.params.Obj("passwordPayload")
	if e != nil {
		return nil, e
	}
	username, e := payload.Text("username")
	if e != nil {
		return nil, e
	}
	email, e := payload.Text("email")
	if e != nil {
		return nil, e
	}
	if (strings.TrimSpace(username) == "") == (strings.TrimSpace(email) == "") {
		return nil, envelope.BadRequest("passwordPayload needs exactly one of username and email")
	}
	opts, e := c.params.Obj("options")
	if e != nil {
		return nil, e
	}
	encrypt, e := opts.Text("passwordEncryptType")
	if e != nil {
		return nil, e
	}
	pw, e := c.secret(payload, "password", encrypt)
	if e != nil {
		return nil, e
	}
	profile, e := c.params.Obj("profile")
	if e != nil {
		return nil, e
	}
	patch, e := signUpProfile(profile)
	if e != nil {
		return nil, e
	}
	if email != "" && app.RegistrationEmailVerify {
		return nil, c.fail(http.StatusForbidden, 0, msgEmailVerifyFirst)
	}
	ip := audit.ClientIP(c.Request)
	switch err := h.cfg.SignIn.Limiter.AllowRegistration(c.Context(), ip); {
	case errors.Is(err, throttle.ErrLocked):
		c.record(model.AuditEvent{Type: model.AuditRegisterRefuse, ClientID: app.ID})
		return nil, c.fail(http.StatusTooManyRequests, 0, msgThrottled)
	case err != nil:
		return nil, c.internal("counting a registration", err)
	}
	u, err := h.cfg.SignIn.Users.Create(c.Context(), users.CreateParams{Username: username, Email: email, Password: pw,
		SourceType: model.UserSourceRegister, SourceID: app.ID, Profile: patch})
	if err != nil {
		return nil, c.userError("creating a user", err)
	}
	c.record(model.AuditEvent{Type: model.AuditRegister, UserID: u.ID, ClientID: app.ID, Detail: "authentication API signup"})
	return envelope.NewUser(u), nil
}

// signUpProfile reads signup's profile. An email or phone there must be
// proven by a code (contract 2.4), which is not available yet; the parts of
// an address and the company GenAuth does not keep are refused rather than
// dropped; device and browser describe the client, not the user, and are
// ignored.
func signUpProfile(o envelope.Object) (users.Patch, *envelope.Error) {
	var p users.Patch
	for _, name := range []string{"email", "phone"} {
		v, e := o.Text(name)
		if e != nil {
			return p, e
		}
		if v != "" {
			return p, &envelope.Error{Status: http.StatusNotImplemented,
				Message: "profile." + name + " needs a verification code, which is not available yet"}
		}
	}
	for _, name := range []string{"company", "formatted", "streetAddress", "locality", "region", "postalCode", "country"} {
		v, e := o.Text(name)
		if e != nil {
			return p, e
		}
		if v != "" {
			return p, envelope.BadRequest("profile.%s cannot be stored: GenAuth does not keep it", name)
		}
	}
	for _, f := range []struct {
		name string
		dst  **string
	}{
		{"name", &p.Name}, {"nickname", &p.Nickname}, {"givenName", &p.GivenName}, {"familyName", &p.FamilyName},
		{"middleName", &p.MiddleName}, {"profile", &p.Profile}, {"preferredUsername", &p.PreferredUsername},
		{"photo", &p.Photo}, {"website", &p.Website}, {"gender", &p.Gender}, {"birthdate", &p.Birthdate},
		{"zoneinfo", &p.Zoneinfo}, {"locale", &p.Locale}, {"address", &p.Address},
	} {
		v, e := o.Str(f.name)
		if e != nil {
			return p, e
		}
		*f.dst = v
	}
	var e *envelope.Error
	p.CustomData, e = o.AnyMap("customData")
	return p, e
}
