package pages

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
)

// registration is what the registration form shows again after an error.
type registration struct {
	returnTo, username, email string
	errs                      map[string]*msg // by field name
	formError                 *msg            // not about one field
}

func (h *Handler) registerForm(w http.ResponseWriter, r *http.Request) {
	returnTo := safeReturnTo(r.URL.Query().Get("return_to"))
	if closed, _, err := h.registrationPolicy(r, returnTo); err != nil || closed {
		h.refuseRegistration(w, r, err)
		return
	}
	h.showRegister(w, r, http.StatusOK, registration{returnTo: returnTo})
}

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
		{Name: "password", Type: "password", Label: "register.password", Autocomplete: "new-password", Required: true,
			Hint: m("register.password_hint", strconv.Itoa(users.MinPasswordLen)), Error: reg.errs["password"]},
		{Name: "password_confirm", Type: "password", Label: "register.confirm", Autocomplete: "new-password", Required: true,
			Error: reg.errs["password_confirm"]},
	}
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
		Fields:     finishFields(fields, alsoBy, "username"),
		switchBase: withReturnTo("/register", reg.returnTo),
	})
}

// register creates the account and signs the new user in. Invalid input is
// answered 400 and a taken username or email 409, both with the form again
// and each message at its field (passwords are never echoed back).
func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	reg := registration{
		returnTo: safeReturnTo(r.PostFormValue("return_to")),
		username: r.PostFormValue("username"),
		email:    r.PostFormValue("email"),
		errs:     map[string]*msg{},
	}
	closed, emailVerify, err := h.registrationPolicy(r, reg.returnTo)
	if err != nil || closed {
		h.refuseRegistration(w, r, err)
		return
	}
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("password_confirm")
	if err := users.ValidatePassword(pw); err != nil {
		_, reg.errs["password"] = inputError(err)
	}
	if pw != confirm {
		reg.errs["password_confirm"] = m("register.error.mismatch")
	}
	// users.Create would also accept a phone number, which this form does not ask for.
	if strings.TrimSpace(reg.username) == "" && strings.TrimSpace(reg.email) == "" {
		reg.errs["username"] = m("register.error.identity_required")
	}
	if len(reg.errs) > 0 {
		h.showRegister(w, r, http.StatusBadRequest, reg)
		return
	}
	// Proving an email needs a code, which GenAuth cannot send yet.
	if emailVerify && strings.TrimSpace(reg.email) != "" {
		reg.errs["email"] = m("register.error.email_verify")
		h.showRegister(w, r, http.StatusForbidden, reg)
		return
	}
	switch err := h.allowRegistration(r); {
	case errors.Is(err, throttle.ErrLocked):
		h.record(r, model.AuditEvent{Type: model.AuditRegisterRefuse})
		reg.formError = m("register.error.throttled")
		h.showRegister(w, r, http.StatusTooManyRequests, reg)
		return
	case err != nil:
		h.internalError(w, r, "register: throttle", err)
		return
	}
	u, err := h.users.Create(r.Context(), users.CreateParams{Username: reg.username, Email: reg.email, Password: pw})
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
	h.record(r, model.AuditEvent{Type: model.AuditRegister, UserID: u.ID})
	if _, err := h.sessions.Start(r.Context(), w, r, u.ID); err != nil {
		h.internalError(w, r, "register: start session", err)
		return
	}
	http.Redirect(w, r, reg.returnTo, http.StatusSeeOther)
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
