package pages

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
)

// registration is what the registration form shows again after an error.
type registration struct {
	returnTo, username, email string
	errs                      map[string]*msg // by field name
	formError                 *msg            // not about one field
	// verify: the application requires a verified email; sentTo: the
	// address a code was just sent to.
	verify bool
	sentTo string
}

// readRegistration reads the entries a registration form posts back,
// passwords aside.
func readRegistration(r *http.Request) registration {
	return registration{
		returnTo: safeReturnTo(r.PostFormValue("return_to")),
		username: r.PostFormValue("username"),
		email:    r.PostFormValue("email"),
		errs:     map[string]*msg{},
	}
}

func (h *Handler) registerForm(w http.ResponseWriter, r *http.Request) {
	returnTo := safeReturnTo(r.URL.Query().Get("return_to"))
	closed, verify, err := h.registrationPolicy(r, returnTo)
	if err != nil || closed {
		h.refuseRegistration(w, r, err)
		return
	}
	h.showRegister(w, r, http.StatusOK, registration{returnTo: returnTo, verify: verify})
}

// emailCodes reports whether the registration form can prove an email by
// a code: whenever email can be sent. The code is then required where the
// application asks for a verified email, and optional elsewhere; a code
// given is always checked, and a right one marks the email verified, as the
// authentication API's signup does with the same CHANNEL_COMPLETE_EMAIL code.
func (h *Handler) emailCodes() bool { return h.delivers[model.MessageEmail] }

// registrationPolicy is the sign-up settings of the application return_to
// names. Without one, the page is closed when every application closes
// registration, and asks for a verified email when every application does:
// users belong to the whole installation, so one that any application lets
// sign up could sign up there all the same.
func (h *Handler) registrationPolicy(r *http.Request, returnTo string) (closed, emailVerify bool, err error) {
	var list []*model.Application
	if u, perr := url.Parse(returnTo); perr == nil && u.Query().Get("client_id") != "" {
		app, err := h.store.GetApplication(r.Context(), u.Query().Get("client_id"))
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return false, false, err
		}
		if app != nil {
			list = []*model.Application{app}
		}
	}
	if list == nil {
		if list, err = h.store.ListApplications(r.Context()); err != nil {
			return false, false, err
		}
	}
	if len(list) == 0 {
		return false, false, nil
	}
	closed, emailVerify = true, true
	for _, a := range list {
		closed = closed && a.RegistrationClosed
		emailVerify = emailVerify && a.RegistrationEmailVerify
	}
	return closed, emailVerify, nil
}

// refuseRegistration answers a closed registration (err nil) or the failure to learn whether it is.
func (h *Handler) refuseRegistration(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		h.internalError(w, r, "register: application", err)
		return
	}
	h.renderError(w, r, http.StatusForbidden, m("register.closed.title"), m("register.closed.message"), "")
}

func (h *Handler) showRegister(w http.ResponseWriter, r *http.Request, status int, reg registration) {
	name, err := h.appName(r, reg.returnTo)
	if err != nil {
		h.internalError(w, r, "register: application", err)
		return
	}
	fields := []field{
		{Name: "username", Type: "text", Label: "register.username", Value: reg.username, Autocomplete: "username",
			Plain: true, MaxLength: 64, Error: reg.errs["username"]},
		{Name: "email", Type: "email", Label: "register.email", Value: reg.email, Autocomplete: "email",
			Plain: true, Error: reg.errs["email"]},
	}
	focus := "username"
	if h.emailCodes() {
		fields[1].SendCode = registerCodePath
		hint := m("register.code_hint_optional")
		switch {
		case reg.sentTo != "":
			hint, focus = m("register.code_sent", reg.sentTo), "code"
		case reg.verify:
			hint = m("register.code_hint")
		}
		fields = append(fields, field{Name: "code", Type: "text", Label: "register.code", Autocomplete: "one-time-code",
			Plain: true, MaxLength: passcode.Digits, Hint: hint, Error: reg.errs["code"]})
	}
	fields = append(fields,
		field{Name: "password", Type: "password", Label: "register.password", Autocomplete: "new-password", Required: true,
			Hint: m("register.password_hint", strconv.Itoa(users.MinPasswordLen)), Error: reg.errs["password"]},
		field{Name: "password_confirm", Type: "password", Label: "register.confirm", Autocomplete: "new-password", Required: true,
			Error: reg.errs["password_confirm"]},
	)
	var alsoBy map[string]string
	if reg.errs["username"] != nil && reg.errs["username"].Key == "register.error.identity_required" {
		alsoBy = map[string]string{"email": "username-error"}
	}
	h.render(w, r, status, "register", page{
		Title:      m("register.title"),
		AppName:    name,
		ReturnTo:   reg.returnTo,
		LoginHref:  withReturnTo("/login", reg.returnTo),
		Error:      reg.formError,
		Fields:     finishFields(fields, alsoBy, focus),
		SendsCode:  h.emailCodes(),
		switchBase: withReturnTo("/register", reg.returnTo),
	})
}

// registerCodePath is where the registration form's "Send code" button posts it.
const registerCodePath = "/register/code"

// sendRegisterCode sends a CHANNEL_COMPLETE_EMAIL code to the form's email
// and shows the form again with the entries kept (passwords are never
// echoed) and the code input focused. The send limits are counted before
// the address is looked up, so that they bound what the "taken" answer
// tells too.
func (h *Handler) sendRegisterCode(w http.ResponseWriter, r *http.Request) {
	reg := readRegistration(r)
	closed, verify, err := h.registrationPolicy(r, reg.returnTo)
	if err != nil || closed {
		h.refuseRegistration(w, r, err)
		return
	}
	reg.verify = verify
	to := emailAddress(reg.email)
	switch {
	case strings.TrimSpace(reg.email) == "":
		reg.errs["email"] = m("register.error.email_for_code")
	case to == "":
		reg.errs["email"] = m("register.error.email_invalid")
	}
	if len(reg.errs) > 0 {
		h.showRegister(w, r, http.StatusBadRequest, reg)
		return
	}
	ctx := r.Context()
	err = h.limiter.AllowSend(ctx, sendApp, passcode.ChannelCompleteEmail, to, audit.ClientIP(r))
	if errors.Is(err, throttle.ErrLocked) {
		retryAfter(w, err)
		reg.formError = m("forgot.error.throttled")
		h.showRegister(w, r, http.StatusTooManyRequests, reg)
		return
	}
	if err != nil {
		h.internalError(w, r, "register: throttle a code", err)
		return
	}
	// No code goes to an address that has an account: the registration
	// would be refused as taken, so it would mail the owner for nothing.
	switch u, err := h.signin.UserAt(ctx, model.MessageEmail, to); {
	case err != nil:
		h.internalError(w, r, "register: look up the address", err)
		return
	case u != nil:
		reg.errs["email"] = m("register.error.email_taken")
		h.showRegister(w, r, http.StatusConflict, reg)
		return
	}
	if err := h.codes.Send(ctx, passcode.Target{Kind: model.MessageEmail, To: to, Channel: passcode.ChannelCompleteEmail}, messageLang(r)); err != nil {
		h.internalError(w, r, "register: send a code", err)
		return
	}
	reg.sentTo = to
	h.showRegister(w, r, http.StatusOK, reg)
}

// register creates the account and signs the new user in. Invalid input is
// answered 400, a wrong or expired code 403 and a taken username or email
// 409, each with the form again and each message at its field (passwords
// are never echoed back).
func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	reg := readRegistration(r)
	closed, emailVerify, err := h.registrationPolicy(r, reg.returnTo)
	if err != nil || closed {
		h.refuseRegistration(w, r, err)
		return
	}
	reg.verify = emailVerify
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("password_confirm")
	if err := users.ValidatePassword(pw); err != nil {
		_, reg.errs["password"] = inputError(err)
	}
	if pw != confirm {
		reg.errs["password_confirm"] = m("register.error.mismatch")
	}
	// users.Create would also accept a phone number, which this form does not ask for.
	hasEmail := strings.TrimSpace(reg.email) != ""
	if strings.TrimSpace(reg.username) == "" && !hasEmail {
		reg.errs["username"] = m("register.error.identity_required")
	}
	proof := h.emailProof(r, reg)
	if len(reg.errs) > 0 {
		h.showRegister(w, r, http.StatusBadRequest, reg)
		return
	}
	if emailVerify && hasEmail && !h.emailCodes() {
		reg.errs["email"] = m("register.error.email_verify")
		h.showRegister(w, r, http.StatusForbidden, reg)
		return
	}
	switch err := h.allowRegistration(r); {
	case errors.Is(err, throttle.ErrLocked):
		retryAfter(w, err)
		h.record(r, model.AuditEvent{Type: model.AuditRegisterRefuse})
		reg.formError = m("register.error.throttled")
		h.showRegister(w, r, http.StatusTooManyRequests, reg)
		return
	case err != nil:
		h.internalError(w, r, "register: throttle", err)
		return
	}
	p := users.CreateParams{Username: reg.username, Email: reg.email, Password: pw}
	if proof != nil {
		// Checked first and used up once the account exists, so that a taken
		// username or any other refusal leaves the code good for the next try.
		err := h.codes.Check(r.Context(), proof.Target, proof.Code)
		if x := codeProblem(err); x != nil {
			reg.errs["code"] = x
		} else if err != nil {
			h.internalError(w, r, "register: check the code", err)
			return
		}
		if len(reg.errs) > 0 {
			h.showRegister(w, r, http.StatusForbidden, reg)
			return
		}
		p.Email, p.Profile.EmailVerified = proof.Target.To, &[]bool{true}[0]
	}
	u, err := h.users.Create(r.Context(), p)
	switch {
	case errors.Is(err, model.ErrInvalidInput):
		if name, x := inputError(err); name != "" {
			reg.errs[name] = x
		} else {
			reg.formError = x
		}
		h.showRegister(w, r, http.StatusBadRequest, reg)
		return
	case errors.Is(err, model.ErrConflict):
		switch {
		case strings.HasPrefix(err.Error(), "username:"):
			reg.errs["username"] = m("register.error.username_taken")
		case strings.HasPrefix(err.Error(), "email:"):
			reg.errs["email"] = m("register.error.email_taken")
		default:
			reg.formError = m("register.error.taken")
		}
		h.showRegister(w, r, http.StatusConflict, reg)
		return
	case err != nil:
		h.internalError(w, r, "register: create user", err)
		return
	}
	if proof != nil {
		// The code was right when checked and the address is now this
		// user's: should using it up fail, the code only waits to expire,
		// and a second registration with it would find the address taken.
		if err := h.codes.UseAll(r.Context(), *proof); err != nil {
			h.log.WarnContext(r.Context(), "login: register: use up the code", "err", err)
		}
	}
	h.record(r, model.AuditEvent{Type: model.AuditRegister, UserID: u.ID})
	h.finishSignIn(w, r, u.ID, mfa.FirstPassword, reg.returnTo, false)
}

// emailProof is the code the form gives to prove its email, or nil when it
// gives none and needs none; a missing or misplaced code is put in reg.errs.
func (h *Handler) emailProof(r *http.Request, reg registration) *passcode.Proof {
	code := strings.TrimSpace(r.PostFormValue("code"))
	hasEmail := strings.TrimSpace(reg.email) != ""
	switch {
	case !h.emailCodes() || (code == "" && !(reg.verify && hasEmail)):
		return nil
	case !hasEmail:
		reg.errs["email"] = m("register.error.code_lacks_email")
	case code == "":
		reg.errs["code"] = m("register.error.code_required")
	case emailAddress(reg.email) == "":
		reg.errs["email"] = m("register.error.email_invalid")
	default:
		return &passcode.Proof{Target: passcode.Target{Kind: model.MessageEmail, To: emailAddress(reg.email),
			Channel: passcode.ChannelCompleteEmail}, Code: code}
	}
	return nil
}

// inputRules map the English of internal/account/users' validation errors to the
// form field and message they belong to; withLimit copies the number the
// error names (a length limit) into the message.
var inputRules = []struct {
	contains, field, key string
	withLimit            bool
}{
	{"a username, email or phone number is required", "username", "register.error.identity_required", false},
	{"the password must have at least", "password", "register.error.password_short", true},
	{"the password must have at most", "password", "register.error.password_long", true},
	{"the password is not valid UTF-8", "password", "register.error.password_invalid", false},
	{"the password is too common", "password", "register.error.password_common", false},
	{"the username must have at most", "username", "register.error.username_long", true},
	{"the username may contain only", "username", "register.error.username_chars", false},
	{"the username must contain a letter", "username", "register.error.username_letter", false},
	{"the email address is too long", "email", "register.error.email_long", false},
	{"is not an email address", "email", "register.error.email_invalid", false},
}

// inputError is the field and translated message for a
// model.ErrInvalidInput from internal/account/users; field is "" for an error no
// rule knows, which gets a general message rather than untranslated English.
func inputError(err error) (field string, x *msg) {
	text := strings.TrimPrefix(err.Error(), model.ErrInvalidInput.Error()+": ")
	for _, rule := range inputRules {
		if !strings.Contains(text, rule.contains) {
			continue
		}
		if rule.withLimit {
			return rule.field, m(rule.key, firstNumber(text))
		}
		return rule.field, m(rule.key)
	}
	return "", m("register.error.invalid")
}

// firstNumber is the first run of digits in s.
func firstNumber(s string) string {
	start := strings.IndexAny(s, "0123456789")
	if start < 0 {
		return ""
	}
	end := start
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	return s[start:end]
}
