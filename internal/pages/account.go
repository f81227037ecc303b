package pages

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
)

// accountPath is the signed-in user's account page.
const accountPath = "/account"

// accountForm is what the account page shows again after an error.
type accountForm struct {
	errs   map[string]*msg
	values map[string]string // a new address, by its field
	notice *msg              // a change that was made
	mfaErr *msg              // at the MFA section's password
	offer  string            // after a sign-in offered MFA: where it was going
	// passkeyName is the name of a passkey that could not be added.
	passkeyName string
	idpErr      *msg // at the linked accounts section
}

// signedIn returns the signed-in user, or sends the browser to sign in and
// back here and returns nil.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) *model.User {
	u, err := h.currentUser(r)
	if err != nil {
		h.internalError(w, r, "account: session", err)
		return nil
	}
	if u == nil {
		http.Redirect(w, r, withReturnTo("/login", accountPath), http.StatusSeeOther)
	}
	return u
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) {
	u := h.signedIn(w, r)
	if u == nil {
		return
	}
	var f accountForm
	switch r.URL.Query().Get("changed") {
	case "password":
		f.notice = m("account.password.done")
	case emailKind.name:
		f.notice = m(emailKind.done)
	case phoneKind.name:
		f.notice = m(phoneKind.done)
	case "mfa_removed":
		f.notice = m("mfa.removed")
	case "passkey":
		f.notice = m("passkey.added")
	case "passkey_removed":
		f.notice = m("passkey.removed")
	case "mfa_added":
		f.notice = m("mfa.added")
	case "stale":
		f.notice = m("mfa.account.stale")
	case "stale_identities":
		f.notice = m("idp.account.stale")
	}
	if offer := r.URL.Query().Get("offer"); offer != "" && h.factors != nil {
		f.offer = safeReturnTo(offer)
	}
	h.showAccount(w, r, http.StatusOK, u, f)
}

func (h *Handler) showAccount(w http.ResponseWriter, r *http.Request, status int, u *model.User, f accountForm) {
	var fields []field
	if u.PasswordHash != "" {
		fields = append(fields, field{Name: "old_password", Type: "password", Label: "account.password.old",
			Autocomplete: "current-password", Required: true, Error: f.errs["old_password"]})
	}
	fields = append(fields,
		field{Name: "password", Type: "password", Label: "reset.password", Autocomplete: "new-password", Required: true,
			Hint: m("register.password_hint", strconv.Itoa(users.MinPasswordLen)), Error: f.errs["password"]},
		field{Name: "password_confirm", Type: "password", Label: "register.confirm", Autocomplete: "new-password", Required: true,
			Error: f.errs["password_confirm"]},
	)
	view, err := h.mfaSection(r, u, f.mfaErr)
	if err != nil {
		h.internalError(w, r, "account: second factors", err)
		return
	}
	var passkey *passkeyForm
	if view != nil {
		view.Offer = f.offer
		if view.PasskeysOn && view.Recent {
			passkey = &passkeyForm{Kind: "register", Begin: passkeyRegisterPath + "/begin", Action: passkeyRegisterPath + "/finish",
				Label: "passkey.add", Secondary: view.HasTOTP || len(view.Passkeys) > 0,
				Fields: finishFields([]field{{Name: "passkey_name", Type: "text", Label: "passkey.name", Value: f.passkeyName,
					Autocomplete: "off", MaxLength: maxPasskeyName, Hint: m("passkey.name_hint"), Error: f.errs["passkey_name"]}}, nil, "")}
		}
	}
	identities, err := h.identitiesSection(r, u, f.idpErr)
	if err != nil {
		h.internalError(w, r, "account: linked accounts", err)
		return
	}
	// The page holds several forms: focus goes only to an error, which
	// one post puts in one form.
	h.render(w, r, status, "account", page{
		Identities: identities,
		MFA:        view,
		Passkey:    passkey,
		Title:      m("account.title"),
		User:       displayName(u),
		Message:    f.notice,
		Addresses:  h.addresses(u, f),
		Fields:     finishFields(fields, nil, ""),
		switchBase: accountPath,
	})
}

// changePassword sets a new password for the signed-in user. The current
// password, when there is one, is checked as a sign-in attempt (so a
// borrowed browser cannot guess it past the lockout). Every session and
// token of the user ends; this browser gets a new session.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	u := h.signedIn(w, r)
	if u == nil {
		return
	}
	f := accountForm{errs: map[string]*msg{}}
	old, pw := r.PostFormValue("old_password"), r.PostFormValue("password")
	if u.PasswordHash != "" && old == "" {
		f.errs["old_password"] = m("account.password.error.old_required")
	}
	if err := users.ValidatePassword(pw); err != nil {
		_, f.errs["password"] = inputError(err)
	}
	if pw != r.PostFormValue("password_confirm") {
		f.errs["password_confirm"] = m("register.error.mismatch")
	}
	if len(f.errs) > 0 {
		h.showAccount(w, r, http.StatusBadRequest, u, f)
		return
	}
	ctx, ip := r.Context(), audit.ClientIP(r)
	if u.PasswordHash != "" {
		err := h.signin.Confirm(ctx, u, old, ip)
		switch {
		case errors.Is(err, throttle.ErrLocked):
			retryAfter(w, err)
			f.errs["old_password"] = m("login.error.locked")
			h.showAccount(w, r, http.StatusTooManyRequests, u, f)
			return
		case errors.Is(err, model.ErrBadCredentials):
			f.errs["old_password"] = m("account.password.error.wrong")
			h.showAccount(w, r, http.StatusUnauthorized, u, f)
			return
		case err != nil:
			h.internalError(w, r, "account: check the password", err)
			return
		}
	}
	// The new session keeps how the user signed in: changing the password
	// proves no more and no less than that.
	prev, err := h.sessions.Current(r)
	if err != nil {
		h.internalError(w, r, "account: session", err)
		return
	}
	if err := h.users.SetPassword(ctx, u.ID, pw, ""); err != nil {
		h.internalError(w, r, "account: set the password", err)
		return
	}
	if h.audit != nil {
		h.audit.Record(ctx, model.AuditEvent{Type: model.AuditPasswordChange, UserID: u.ID, IP: ip, Detail: "hosted account page"})
	}
	if _, err := h.sessions.Start(ctx, w, r, u.ID, prev.AMR); err != nil {
		h.internalError(w, r, "account: start session", err)
		return
	}
	http.Redirect(w, r, accountPath+"?changed=password", http.StatusSeeOther)
}
