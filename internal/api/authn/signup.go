package authn

import (
	"errors"
	"net/http"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
)

// codeRegistrationClosed: the application does not allow registration.
const codeRegistrationClosed = 2031

// signUp serves POST signup (contract 2.4): connection PASSWORD (a username
// or an email and a password) or PASSCODE (an email or a phone number and
// the CHANNEL_REGISTER code sent to it), and profile fields; an email or a
// phone in the profile is proven by its completion code. It answers the new
// user; an address a code proved is verified.
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
	case "PASSWORD", "PASSCODE":
	case "":
		return nil, envelope.BadRequest("connection is required")
	default:
		return nil, envelope.BadRequest("connection must be PASSWORD or PASSCODE")
	}
	if app.RegistrationClosed {
		return nil, c.fail(http.StatusForbidden, codeRegistrationClosed, msgRegistrationClosed)
	}
	opts, e := c.params.Obj("options")
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
	p := users.CreateParams{SourceType: model.UserSourceRegister, SourceID: app.ID}
	var proofs []passcode.Proof
	proven := "" // the kind of address the registration code proves
	if connection == "PASSWORD" {
		p.Username, p.Email, p.Password, e = c.passwordSignUp(opts)
	} else {
		var pr passcode.Proof
		pr, p.Password, e = c.codeSignUp(opts)
		proofs, proven = append(proofs, pr), pr.Target.Kind
		if pr.Target.Kind == model.MessageEmail {
			p.Email = pr.Target.To
		} else {
			p.Phone = pr.Target.To
		}
		p.NoPassword = p.Password == ""
	}
	if e != nil {
		return nil, e
	}
	completions, e := c.completions(profile, opts, proven, p.Email, p.Phone)
	if e != nil {
		return nil, e
	}
	for _, pr := range completions {
		if pr.Target.Kind == model.MessageEmail {
			p.Email = pr.Target.To
		} else {
			p.Phone = pr.Target.To
		}
	}
	proofs = append(proofs, completions...)
	verified := map[string]bool{}
	for _, pr := range proofs {
		verified[pr.Target.Kind] = true
	}
	if p.Email != "" && !verified[model.MessageEmail] && app.RegistrationEmailVerify {
		return nil, c.fail(http.StatusForbidden, 0, msgEmailVerifyFirst)
	}
	if verified[model.MessageEmail] {
		patch.EmailVerified = &[]bool{true}[0]
	}
	if verified[model.MessageSMS] {
		patch.PhoneVerified = &[]bool{true}[0]
	}
	p.Profile = patch
	ip := audit.ClientIP(c.Request)
	switch err := h.cfg.SignIn.Limiter.AllowRegistration(c.Context(), ip); {
	case errors.Is(err, throttle.ErrLocked):
		c.record(model.AuditEvent{Type: model.AuditRegisterRefuse, ClientID: app.ID})
		return nil, c.throttled(err)
	case err != nil:
		return nil, c.internal("counting a registration", err)
	}
	if e := c.prove(proofs...); e != nil {
		return nil, e
	}
	u, err := h.cfg.SignIn.Users.Create(c.Context(), p)
	if err != nil {
		return nil, c.userError("creating a user", err)
	}
	c.record(model.AuditEvent{Type: model.AuditRegister, UserID: u.ID, ClientID: app.ID, Detail: "authentication API signup"})
	return envelope.NewUser(u), nil
}

// passwordSignUp reads connection PASSWORD's payload: exactly one of a
// username and an email, and the password.
func (c *call) passwordSignUp(opts envelope.Object) (username, email, pw string, e *envelope.Error) {
	payload, e := c.params.Obj("passwordPayload")
	if e != nil {
		return "", "", "", e
	}
	if username, e = payload.Text("username"); e != nil {
		return "", "", "", e
	}
	if email, e = payload.Text("email"); e != nil {
		return "", "", "", e
	}
	if (strings.TrimSpace(username) == "") == (strings.TrimSpace(email) == "") {
		return "", "", "", envelope.BadRequest("passwordPayload needs exactly one of username and email")
	}
	if email != "" {
		if email, e = address(payload, model.MessageEmail, "email"); e != nil {
			return "", "", "", e
		}
	}
	encrypt, e := opts.Text("passwordEncryptType")
	if e != nil {
		return "", "", "", e
	}
	pw, e = c.secret(payload, "password", encrypt)
	return username, email, pw, e
}

// codeSignUp reads connection PASSCODE's payload: an email or a phone
// number and its CHANNEL_REGISTER code; and the optional
// options.passwordForPhonePassCode.
func (c *call) codeSignUp(opts envelope.Object) (passcode.Proof, string, *envelope.Error) {
	payload, e := c.params.Obj("passCodePayload")
	if e != nil {
		return passcode.Proof{}, "", e
	}
	if payload.Len() == 0 {
		return passcode.Proof{}, "", envelope.BadRequest("passCodePayload is required for connection PASSCODE")
	}
	email, e := payload.Text("email")
	if e != nil {
		return passcode.Proof{}, "", e
	}
	phone, e := payload.Text("phone")
	if e != nil {
		return passcode.Proof{}, "", e
	}
	kind, field := model.MessageEmail, "email"
	switch {
	case strings.TrimSpace(email) != "" && strings.TrimSpace(phone) != "":
		return passcode.Proof{}, "", envelope.BadRequest("passCodePayload needs one of email and phone, not both")
	case strings.TrimSpace(phone) != "":
		kind, field = model.MessageSMS, "phone"
	case strings.TrimSpace(email) == "":
		return passcode.Proof{}, "", envelope.BadRequest("passCodePayload.email or passCodePayload.phone is required")
	}
	to, e := address(payload, kind, field)
	if e != nil {
		return passcode.Proof{}, "", e
	}
	code, e := passCode(payload)
	if e != nil {
		return passcode.Proof{}, "", e
	}
	pw := ""
	if _, ok := opts.Raw("passwordForPhonePassCode"); ok {
		encrypt, e := opts.Text("passwordEncryptType")
		if e != nil {
			return passcode.Proof{}, "", e
		}
		if pw, e = c.secret(opts, "passwordForPhonePassCode", encrypt); e != nil {
			return passcode.Proof{}, "", e
		}
	}
	return passcode.Proof{Target: passcode.Target{Kind: kind, To: to, Channel: passcode.ChannelRegister}, Code: code}, pw, nil
}

// completions reads profile.email and profile.phone with the completion
// codes that must prove them (contract 2.4). An address the sign-up already
// names must be the same one: the registration code proved it already (kind
// proven), or, for the email of a password sign-up,
// options.emailPassCodeForInformationCompletion proves it.
func (c *call) completions(profile, opts envelope.Object, proven, email, phone string) ([]passcode.Proof, *envelope.Error) {
	var out []passcode.Proof
	for _, f := range []struct {
		kind, field, option, channel, have string
	}{
		{model.MessageEmail, "email", "emailPassCodeForInformationCompletion", passcode.ChannelCompleteEmail, email},
		{model.MessageSMS, "phone", "phonePassCodeForInformationCompletion", passcode.ChannelCompletePhone, phone},
	} {
		given, e := profile.Text(f.field)
		if e != nil {
			return nil, e
		}
		code, e := opts.Text(f.option)
		if e != nil {
			return nil, e
		}
		to := f.have
		if strings.TrimSpace(given) != "" {
			if to, e = address(profile, f.kind, f.field); e != nil {
				return nil, e
			}
			if f.have != "" && to != f.have {
				return nil, envelope.BadRequest("profile.%s differs from the %s signed up with", f.field, f.field)
			}
		}
		switch {
		case to == "" && strings.TrimSpace(code) != "":
			return nil, envelope.BadRequest("options.%s proves profile.%s, which is missing", f.option, f.field)
		case to == "" || f.kind == proven:
		case strings.TrimSpace(code) != "":
			out = append(out, passcode.Proof{Target: passcode.Target{Kind: f.kind, To: to, Channel: f.channel}, Code: code})
		case strings.TrimSpace(given) != "":
			return nil, envelope.BadRequest("profile.%s needs options.%s", f.field, f.option)
		}
	}
	return out, nil
}

// prove uses up the proofs' codes once every one is right.
func (c *call) prove(proofs ...passcode.Proof) *envelope.Error {
	return c.codeError("judging a verification code", c.h.cfg.Codes.UseAll(c.Context(), proofs...))
}

// signUpProfile reads signup's profile but its email and phone, which
// completions reads with their codes; the parts of an address and the company GenAuth does not keep are refused rather than
// dropped; device and browser describe the client, not the user, and are
// ignored.
func signUpProfile(o envelope.Object) (users.Patch, *envelope.Error) {
	var p users.Patch
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
