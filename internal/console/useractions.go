package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/reset"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// refusal is a change the console refuses: the status and the catalog key
// of why.
type refusal struct {
	status int
	key    string
}

// userConfirmation is a change to a user that its own page confirms
// first, saying what it does: a GET shows the question, the POST acts.
type userConfirmation struct {
	path   string // under the user's page
	title  string // catalog keys: the page's title, the consequences, the button
	lead   string
	button string
	done   string
	// act makes the change: a refusal, or an error for the console to
	// answer (model.ErrNotFound: 404).
	act func(h *Handler, r *http.Request, a *admin, u *model.User) (*refusal, error)
	// after is where the browser goes once done; nil: the user's page.
	after func(u *model.User) string
}

var userConfirmations = []userConfirmation{
	{path: "suspend", title: "users.suspend.title", lead: "users.suspend.lead", button: "users.suspend.button",
		done: "user_suspended", act: (*Handler).suspendUser},
	{path: "mfa-reset", title: "users.mfa_reset.title", lead: "users.mfa_reset.lead", button: "users.mfa_reset.button",
		done: "mfa_reset", act: (*Handler).resetFactors},
	{path: "signout", title: "users.signout.title", lead: "users.signout.lead", button: "users.signout.button",
		done: "user_signed_out", act: (*Handler).signOutUser},
	{path: "identities/{ext}/unlink", title: "users.unlink.title", lead: "users.unlink.lead",
		button: "users.unlink.button", done: "identity_unlinked", act: (*Handler).unlinkIdentity},
	{path: "admin-grant", title: "users.admin_grant.title", lead: "users.admin_grant.lead",
		button: "users.admin_grant.button", done: "admin_granted", act: (*Handler).grantAdmin},
	{path: "admin-revoke", title: "users.admin_revoke.title", lead: "users.admin_revoke.lead",
		button: "users.admin_revoke.button", done: "admin_revoked", act: (*Handler).revokeAdmin},
	{path: "delete", title: "users.delete.title", lead: "users.delete.lead", button: "users.delete.button",
		done: "user_deleted", act: (*Handler).deleteUser, after: func(*model.User) string { return usersPath }},
}

func (h *Handler) grantAdmin(r *http.Request, a *admin, u *model.User) (*refusal, error) {
	if err := h.Admins.Grant(r.Context(), u.ID, a.User.ID); err != nil {
		return nil, err
	}
	h.changed(r, a, "grant administrator role", u.ID, "", "")
	return nil, nil
}

// revokeAdmin takes the role from another administrator: your own goes
// through another one, and the last one is kept.
func (h *Handler) revokeAdmin(r *http.Request, a *admin, u *model.User) (*refusal, error) {
	if u.ID == a.User.ID {
		return refuseSelf, nil
	}
	err := h.Admins.Revoke(r.Context(), u.ID, a.User.ID)
	if errors.Is(err, model.ErrConflict) {
		return &refusal{http.StatusConflict, "users.error.last_admin"}, nil
	}
	if err != nil {
		return nil, err
	}
	h.changed(r, a, "revoke administrator role", u.ID, "", "")
	return nil, nil
}

type confirmView struct {
	Name   string // the user's
	Arg    string // what the change names besides the user
	Lead   string
	Button string
	Action string
	Back   string
}

func (h *Handler) confirmView(r *http.Request, c userConfirmation, u *model.User) confirmView {
	v := confirmView{Name: displayName(u), Lead: c.lead, Button: c.button, Action: r.URL.Path, Back: userPath(u.ID)}
	if ext := r.PathValue("ext"); ext != "" {
		v.Arg = h.idpName(r, ext)
	}
	return v
}

// idpName is the name of the ExtIdp id, or the id when it has none to
// show (deleted since, or unreadable: only a label depends on it).
func (h *Handler) idpName(r *http.Request, id string) string {
	p, _, err := h.IdP.ExtIdp(r.Context(), id)
	if err != nil || p.Name == "" {
		return id
	}
	return p.Name
}

func (h *Handler) userConfirm(c userConfirmation) func(http.ResponseWriter, *http.Request, *admin) {
	return func(w http.ResponseWriter, r *http.Request, a *admin) {
		u := h.pathUser(w, r, a)
		if u == nil {
			return
		}
		if ext := r.PathValue("ext"); ext != "" && !h.hasIdentity(w, r, a, u, ext) {
			return
		}
		h.render(w, r, http.StatusOK, "userconfirm", a, view{Title: c.title, Section: "users", Data: h.confirmView(r, c, u)})
	}
}

func (h *Handler) userConfirmed(c userConfirmation) func(http.ResponseWriter, *http.Request, *admin) {
	return func(w http.ResponseWriter, r *http.Request, a *admin) {
		u := h.pathUser(w, r, a)
		if u == nil {
			return
		}
		no, err := c.act(h, r, a, u)
		if h.missing(w, r, a, "console: "+c.path, err) {
			return
		}
		if no != nil {
			h.render(w, r, no.status, "userconfirm", a, view{Title: c.title, Section: "users", Error: no.key,
				Data: h.confirmView(r, c, u)})
			return
		}
		to := userPath(u.ID)
		if c.after != nil {
			to = c.after(u)
		}
		done(w, r, to, c.done)
	}
}

// hasIdentity answers 404 and returns false unless u has an identity at
// the ExtIdp ext.
func (h *Handler) hasIdentity(w http.ResponseWriter, r *http.Request, a *admin, u *model.User, ext string) bool {
	if h.IdP == nil {
		h.fail(w, r, a, http.StatusNotFound, "error.not_found")
		return false
	}
	list, err := h.IdP.Identities(r.Context(), u.ID)
	if err != nil {
		h.internal(w, r, a, "console user: identities", err)
		return false
	}
	if !slices.ContainsFunc(list, func(i *model.Identity) bool { return i.ExtIdpID == ext }) {
		h.fail(w, r, a, http.StatusNotFound, "error.not_found")
		return false
	}
	return true
}

// Suspending, deleting or taking the role from yourself would lock you out
// of the console: refused, which also keeps at least one administrator.
var refuseSelf = &refusal{http.StatusConflict, "users.error.self"}

func (h *Handler) suspendUser(r *http.Request, a *admin, u *model.User) (*refusal, error) {
	if u.ID == a.User.ID {
		return refuseSelf, nil
	}
	st := model.UserSuspended
	// The service ends the user's sessions and tokens with the change.
	if _, err := h.Users.Update(r.Context(), u.ID, users.Patch{Status: &st}); err != nil {
		return nil, err
	}
	h.changed(r, a, "suspend user", u.ID, "", "")
	return nil, nil
}

func (h *Handler) userRestore(w http.ResponseWriter, r *http.Request, a *admin) {
	u := h.pathUser(w, r, a)
	if u == nil {
		return
	}
	st := model.UserActivated
	if _, err := h.Users.Update(r.Context(), u.ID, users.Patch{Status: &st}); h.missing(w, r, a, "console: restore user", err) {
		return
	}
	h.changed(r, a, "restore user", u.ID, "", "")
	done(w, r, userPath(u.ID), "user_restored")
}

// resetFactors removes every second factor and recovery code and, as the
// management API's reset-user-mfa does, signs the user out everywhere:
// whoever signed in with a lost factor is out.
func (h *Handler) resetFactors(r *http.Request, a *admin, u *model.User) (*refusal, error) {
	if h.MFA == nil {
		return nil, model.ErrNotFound
	}
	n, err := h.MFA.Reset(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	if err := h.Users.Kick(r.Context(), u.ID, nil); err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("%d factors removed, sessions ended", n)
	h.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditMFAReset, UserID: u.ID, IP: clientIP(r),
		Detail: "console reset-user-mfa by " + a.User.ID + ": " + detail})
	h.changed(r, a, "reset second factors", u.ID, "", detail)
	return nil, nil
}

func (h *Handler) signOutUser(r *http.Request, a *admin, u *model.User) (*refusal, error) {
	if err := h.Users.Kick(r.Context(), u.ID, nil); err != nil {
		return nil, err
	}
	h.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditLogoutAll, UserID: u.ID, IP: clientIP(r),
		Detail: "console sign-out-everywhere by " + a.User.ID})
	h.changed(r, a, "sign user out everywhere", u.ID, "", "")
	return nil, nil
}

func (h *Handler) unlinkIdentity(r *http.Request, a *admin, u *model.User) (*refusal, error) {
	if h.IdP == nil {
		return nil, model.ErrNotFound
	}
	ext := r.PathValue("ext")
	err := h.IdP.Unlink(r.Context(), u.ID, ext, clientIP(r))
	if errors.Is(err, idp.ErrLastLogin) {
		return &refusal{http.StatusUnprocessableEntity, "users.error.last_login"}, nil
	}
	if err != nil {
		return nil, err
	}
	h.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditIdPConfig, UserID: u.ID, IP: clientIP(r),
		Detail: "console unlink-identity by " + a.User.ID + ": identity at " + ext})
	h.changed(r, a, "unlink identity", u.ID, "", ext)
	return nil, nil
}

func (h *Handler) deleteUser(r *http.Request, a *admin, u *model.User) (*refusal, error) {
	if u.ID == a.User.ID {
		return refuseSelf, nil
	}
	if err := h.Users.Delete(r.Context(), []string{u.ID}); err != nil {
		return nil, err
	}
	h.changed(r, a, "delete user", u.ID, "", displayName(u))
	return nil, nil
}

type userPasswordView struct {
	Name     string
	Action   string
	Back     string
	Password field
}

func newUserPasswordView(u *model.User) userPasswordView {
	return userPasswordView{Name: displayName(u), Action: userPath(u.ID) + "/password", Back: userPath(u.ID),
		Password: field{Name: "password", Label: "users.field.new_password", Type: "password", Autocomplete: "new-password"}}
}

func (h *Handler) userPasswordForm(w http.ResponseWriter, r *http.Request, a *admin) {
	if u := h.pathUser(w, r, a); u != nil {
		h.render(w, r, http.StatusOK, "userpassword", a, view{Title: "users.password.title", Section: "users",
			Data: newUserPasswordView(u)})
	}
}

// userPassword sets a new password; the service ends the user's sessions
// and tokens with it.
func (h *Handler) userPassword(w http.ResponseWriter, r *http.Request, a *admin) {
	u := h.pathUser(w, r, a)
	if u == nil {
		return
	}
	err := h.Users.SetPassword(r.Context(), u.ID, r.PostForm.Get("password"), "")
	if errors.Is(err, model.ErrInvalidInput) {
		v := newUserPasswordView(u)
		f := &userForm{Password: v.Password}
		f.fail(err)
		v.Password = f.Password
		h.render(w, r, http.StatusBadRequest, "userpassword", a, view{Title: "users.password.title", Section: "users",
			Error: "users.error.invalid", Data: v})
		return
	}
	if h.missing(w, r, a, "console: set password", err) {
		return
	}
	h.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditPasswordChange, UserID: u.ID, IP: clientIP(r),
		Detail: "console set-password by " + a.User.ID})
	h.changed(r, a, "set password", u.ID, "", "")
	done(w, r, userPath(u.ID), "password_set")
}

type resetOption struct {
	Kind, Address string
	Checked       bool
}

type sendResetView struct {
	Name    string
	Action  string
	Back    string
	Options []resetOption
	Lang    string
	// Why no option: "users.reset.unconfigured" (the server delivers
	// nothing) or "users.reset.no_address".
	Why string
}

func (h *Handler) sendResetView(r *http.Request, u *model.User, kind, lang string) sendResetView {
	v := sendResetView{Name: displayName(u), Action: userPath(u.ID) + "/send-reset", Back: userPath(u.ID), Lang: lang}
	if v.Lang == "" {
		v.Lang = resetLang(r)
	}
	for _, k := range h.channels() {
		to := map[string]string{model.MessageEmail: u.Email, model.MessageSMS: u.Phone}[k]
		if to != "" {
			v.Options = append(v.Options, resetOption{Kind: k, Address: to, Checked: k == kind})
		}
	}
	if len(v.Options) > 0 && !slices.ContainsFunc(v.Options, func(o resetOption) bool { return o.Checked }) {
		v.Options[0].Checked = true
	}
	switch {
	case len(h.channels()) == 0:
		v.Why = "users.reset.unconfigured"
	case len(v.Options) == 0:
		v.Why = "users.reset.no_address"
	}
	return v
}

// resetLang is the language of a reset message the console sends: the
// console's own.
func resetLang(r *http.Request) string {
	if l, _ := i18n.Choose(r); l == i18n.Chinese {
		return "zh"
	}
	return "en"
}

func (h *Handler) userSendResetForm(w http.ResponseWriter, r *http.Request, a *admin) {
	if u := h.pathUser(w, r, a); u != nil {
		h.render(w, r, http.StatusOK, "usersendreset", a, view{Title: "users.reset.title", Section: "users",
			Data: h.sendResetView(r, u, "", "")})
	}
}

func (h *Handler) userSendReset(w http.ResponseWriter, r *http.Request, a *admin) {
	u := h.pathUser(w, r, a)
	if u == nil {
		return
	}
	kind, lang := r.PostForm.Get("channel"), r.PostForm.Get("lang")
	v := view{Title: "users.reset.title", Section: "users", Data: h.sendResetView(r, u, kind, lang)}
	if lang != "en" && lang != "zh" || !slices.Contains(h.channels(), kind) {
		v.Error = "users.error.reset_channel"
		h.render(w, r, http.StatusBadRequest, "usersendreset", a, v)
		return
	}
	_, err := h.Reset.SendTo(r.Context(), u, kind, lang, "console send-reset by "+a.User.ID)
	var locked *throttle.LockedError
	switch {
	case errors.Is(err, reset.ErrNoAddress):
		v.Error = "users.error.reset_address"
		h.render(w, r, http.StatusUnprocessableEntity, "usersendreset", a, v)
		return
	case errors.As(err, &locked):
		v.Error = "users.error.reset_too_soon"
		w.Header().Set("Retry-After", throttle.RetryAfter(err))
		h.render(w, r, http.StatusTooManyRequests, "usersendreset", a, v)
		return
	case err != nil:
		h.internal(w, r, a, "console: send reset code", err)
		return
	}
	h.changed(r, a, "send password reset code", u.ID, "", kind)
	done(w, r, userPath(u.ID), "reset_sent")
}
