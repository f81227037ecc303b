package login

import (
	"errors"
	"net/http"
	"strings"

	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/users"
)

func (h *Handler) registerForm(w http.ResponseWriter, r *http.Request) {
	returnTo := safeReturnTo(r.URL.Query().Get("return_to"))
	h.showRegister(w, r, http.StatusOK, page{ReturnTo: returnTo})
}

func (h *Handler) showRegister(w http.ResponseWriter, r *http.Request, status int, p page) {
	name, err := h.appName(r, p.ReturnTo)
	if err != nil {
		h.internalError(w, r, "register: application", err)
		return
	}
	p.Title = "Create an account"
	p.AppName = name
	p.LoginHref = withReturnTo("/login", p.ReturnTo)
	h.render(w, r, status, "register", p)
}

// register creates the account and signs the new user in. Invalid input is
// answered 400 and a taken username or email 409, both with the form again
// (passwords are never echoed back).
func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	p := page{
		ReturnTo: safeReturnTo(r.PostFormValue("return_to")),
		Username: r.PostFormValue("username"),
		Email:    r.PostFormValue("email"),
	}
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("password_confirm")
	fields := map[string]string{}
	if err := users.ValidatePassword(pw); err != nil {
		fields["password"] = safeMessage(err)
	}
	if pw != confirm {
		fields["password_confirm"] = "The two passwords do not match."
	}
	// users.Create would also accept a phone number, which this form does not ask for.
	if strings.TrimSpace(p.Username) == "" && strings.TrimSpace(p.Email) == "" {
		p.Error = "Enter a username, an email address, or both."
	}
	if len(fields) > 0 || p.Error != "" {
		p.FieldErrors = fields
		h.showRegister(w, r, http.StatusBadRequest, p)
		return
	}
	u, err := h.users.Create(r.Context(), users.CreateParams{Username: p.Username, Email: p.Email, Password: pw})
	switch {
	case errors.Is(err, genauth.ErrInvalidInput):
		p.Error = safeMessage(err)
		h.showRegister(w, r, http.StatusBadRequest, p)
		return
	case errors.Is(err, genauth.ErrConflict):
		p.Error = "An account with this username or email already exists. Sign in instead, or choose another."
		h.showRegister(w, r, http.StatusConflict, p)
		return
	case err != nil:
		h.internalError(w, r, "register: create user", err)
		return
	}
	if _, err := h.sessions.Start(r.Context(), w, r, u.ID); err != nil {
		h.internalError(w, r, "register: start session", err)
		return
	}
	http.Redirect(w, r, p.ReturnTo, http.StatusSeeOther)
}
