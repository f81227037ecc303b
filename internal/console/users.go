package console

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/store"
)

const usersPath = Path + "/users"

// recentLogins is how many of a user's last sign-ins the user page lists.
const recentLogins = 20

func (h *Handler) registerUsers(mux edge.Routes) {
	mux.Handle("GET "+usersPath, h.page(h.userList))
	mux.Handle("GET "+usersPath+"/new", h.page(h.userNew))
	mux.Handle("POST "+usersPath+"/new", h.form(h.userCreate))
	mux.Handle("GET "+usersPath+"/{id}", h.page(h.userDetail))
	mux.Handle("GET "+usersPath+"/{id}/edit", h.page(h.userEdit))
	mux.Handle("POST "+usersPath+"/{id}/edit", h.form(h.userUpdate))
	mux.Handle("POST "+usersPath+"/{id}/restore", h.form(h.userRestore))
	mux.Handle("GET "+usersPath+"/{id}/password", h.page(h.userPasswordForm))
	mux.Handle("POST "+usersPath+"/{id}/password", h.form(h.userPassword))
	mux.Handle("GET "+usersPath+"/{id}/send-reset", h.page(h.userSendResetForm))
	mux.Handle("POST "+usersPath+"/{id}/send-reset", h.form(h.userSendReset))
	for _, c := range userConfirmations {
		mux.Handle("GET "+usersPath+"/{id}/"+c.path, h.page(h.userConfirm(c)))
		mux.Handle("POST "+usersPath+"/{id}/"+c.path, h.form(h.userConfirmed(c)))
	}
}

// userPath is the console page of the user id.
func userPath(id string) string { return usersPath + "/" + id }

// pathUser reads the user the path names, or answers (404 for none) and
// returns nil.
func (h *Handler) pathUser(w http.ResponseWriter, r *http.Request, a *admin) *model.User {
	u, err := h.Users.Find(r.Context(), users.IDTypeUserID, r.PathValue("id"))
	if h.missing(w, r, a, "console user", err) {
		return nil
	}
	return u
}

type userView struct {
	User   *model.User
	Name   string
	Active bool
	Admin  bool
	Self   bool
	// Profile are the attributes set besides the logins.
	Profile    []prop
	CustomData string
	// Factors is nil when the server has no second factors.
	Factors    *mfa.Status
	Identities []*model.Identity
	// IdPNames names the ExtIdps of Identities by id.
	IdPNames map[string]string
	Apps     []*model.Application
	Logins   []*model.LoginRecord
}

func (h *Handler) userDetail(w http.ResponseWriter, r *http.Request, a *admin) {
	u := h.pathUser(w, r, a)
	if u == nil {
		return
	}
	ctx := r.Context()
	v := userView{User: u, Name: displayName(u), Active: users.Active(u), Self: u.ID == a.User.ID}
	values := profileValues(u)
	for _, p := range profileFields[loginFields:] {
		if values[p.name] != "" {
			v.Profile = append(v.Profile, prop{Label: "users.field." + p.name, Value: values[p.name]})
		}
	}
	if len(u.CustomData) > 0 {
		b, _ := json.MarshalIndent(u.CustomData, "", "  ")
		v.CustomData = string(b)
	}
	var err error
	if v.Admin, err = h.Admins.IsAdmin(ctx, u.ID); err != nil {
		h.internal(w, r, a, "console user: role", err)
		return
	}
	if h.MFA != nil {
		if v.Factors, err = h.MFA.Status(ctx, u.ID); err != nil {
			h.internal(w, r, a, "console user: factors", err)
			return
		}
	}
	if h.IdP != nil {
		if v.Identities, err = h.IdP.Identities(ctx, u.ID); err != nil {
			h.internal(w, r, a, "console user: identities", err)
			return
		}
		v.IdPNames = map[string]string{}
		for _, i := range v.Identities {
			v.IdPNames[i.ExtIdpID] = h.idpName(r, i.ExtIdpID)
		}
	}
	if v.Apps, err = h.Users.LoggedInApps(ctx, u.ID); h.missing(w, r, a, "console user: applications", err) {
		return
	}
	v.Logins, _, err = h.Users.LoginHistory(ctx, store.LoginQuery{UserID: u.ID, Limit: recentLogins})
	if h.missing(w, r, a, "console user: sign-ins", err) {
		return
	}
	h.render(w, r, http.StatusOK, "user", a, view{Title: "users.detail.title", Section: "users", Data: v})
}

// prop is a labelled value of a user.
type prop struct{ Label, Value string }

// field is a text input of a form, as typed, with its problem.
type field struct {
	Name, Label, Type, Autocomplete, Value string
	// Error is the catalog key of the problem; Detail the service's words.
	Error, Detail string
}

// userForm is the form that creates a user (New) or edits one.
type userForm struct {
	New    bool
	Action string
	// Back is the page the form came from: the list or the user's.
	Back, BackName string
	Fields         []field
	Gender         string
	// EmailVerified and PhoneVerified are the administrator's word that
	// the addresses are the user's.
	EmailVerified, PhoneVerified bool
	CustomData                   string
	CustomDataError              string
	// Create only: "set" a password or "none"; a reset code to send, by
	// kind, among Channels (the kinds delivered).
	Password   field
	NoPassword bool
	SendReset  string
	Channels   []string
}

// profileFields are the text attributes the edit form changes, by form
// name, with the service's name for them (as its messages say).
var profileFields = []struct{ name, api, input string }{
	{"username", "username", "text"},
	{"email", "email", "email"},
	{"phone", "phone", "tel"},
	{"name", "name", "text"},
	{"nickname", "nickname", "text"},
	{"given_name", "givenName", "text"},
	{"family_name", "familyName", "text"},
	{"middle_name", "middleName", "text"},
	{"preferred_username", "preferredUsername", "text"},
	{"profile", "profile", "url"},
	{"photo", "photo", "url"},
	{"website", "website", "url"},
	{"birthdate", "birthdate", "text"},
	{"zoneinfo", "zoneinfo", "text"},
	{"locale", "locale", "text"},
	{"address", "address", "text"},
	{"external_id", "externalId", "text"},
}

// The first profileFields: the logins, which the user page shows apart,
// and what a new user is created with.
const (
	loginFields  = 3
	createFields = 4
)

func profileValues(u *model.User) map[string]string {
	return map[string]string{"username": u.Username, "email": u.Email, "phone": u.Phone, "name": u.Name,
		"nickname": u.Nickname, "given_name": u.GivenName, "family_name": u.FamilyName, "middle_name": u.MiddleName,
		"preferred_username": u.PreferredUsername, "profile": u.Profile, "photo": u.Picture, "website": u.Website,
		"birthdate": u.Birthdate, "zoneinfo": u.Zoneinfo, "locale": u.Locale, "address": u.Address.Formatted,
		"external_id": u.ExternalID}
}

func newUserForm(isNew bool, values map[string]string) *userForm {
	n := len(profileFields)
	if isNew {
		n = createFields
	}
	f := &userForm{New: isNew, Password: field{Name: "password", Label: "users.field.password", Type: "password",
		Autocomplete: "new-password"}}
	for _, p := range profileFields[:n] {
		f.Fields = append(f.Fields, field{Name: p.name, Label: "users.field." + p.name, Type: p.input,
			Autocomplete: "off", Value: values[p.name]})
	}
	return f
}

// fail marks the field a service's invalid-input error is about, else the
// form's custom data; it returns the error's words and whether it marked
// something.
func (f *userForm) fail(err error) (string, bool) {
	detail := strings.TrimPrefix(err.Error(), model.ErrInvalidInput.Error()+": ")
	mark := func(name string) bool {
		for i := range f.Fields {
			if f.Fields[i].Name == name {
				f.Fields[i].Error, f.Fields[i].Detail = "users.error.field", detail
				return true
			}
		}
		if name == "password" {
			f.Password.Error, f.Password.Detail = "users.error.field", detail
			return true
		}
		return false
	}
	for _, p := range profileFields {
		if strings.HasPrefix(detail, p.api+" ") && mark(p.name) {
			return detail, true
		}
	}
	switch {
	case strings.HasPrefix(detail, "customData"):
		f.CustomDataError = "users.error.custom_data"
		return detail, true
	case strings.HasPrefix(detail, "gender"):
		return detail, false
	}
	for _, name := range []string{"password", "username", "email", "phone"} {
		if strings.Contains(detail, name) && mark(name) {
			return detail, true
		}
	}
	return detail, false
}

func (f *userForm) value(name string) string {
	for _, fd := range f.Fields {
		if fd.Name == name {
			return fd.Value
		}
	}
	return ""
}

// channels are the kinds of message delivered, email first.
func (h *Handler) channels() []string {
	var out []string
	if h.Reset == nil {
		return nil
	}
	for _, k := range []string{model.MessageEmail, model.MessageSMS} {
		if h.Delivers[k] {
			out = append(out, k)
		}
	}
	return out
}

func (h *Handler) userNew(w http.ResponseWriter, r *http.Request, a *admin) {
	f := newUserForm(true, nil)
	f.Action, f.Channels = usersPath+"/new", h.channels()
	h.render(w, r, http.StatusOK, "userform", a, view{Title: "users.new.title", Section: "users", Data: f})
}

func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request, a *admin) {
	form := r.PostForm
	values := map[string]string{}
	for _, p := range profileFields[:createFields] {
		values[p.name] = form.Get(p.name)
	}
	f := newUserForm(true, values)
	f.Action, f.Channels = usersPath+"/new", h.channels()
	f.NoPassword = form.Get("password_mode") == "none"
	f.EmailVerified, f.PhoneVerified = form.Get("email_verified") != "", form.Get("phone_verified") != ""
	f.SendReset = form.Get("send_reset")
	v := view{Title: "users.new.title", Section: "users", Data: f}
	if f.SendReset != "" {
		var addr string
		switch f.SendReset {
		case model.MessageEmail:
			addr = f.value("email")
		case model.MessageSMS:
			addr = f.value("phone")
		}
		if !h.Delivers[f.SendReset] || h.Reset == nil || strings.TrimSpace(addr) == "" {
			v.Error = "users.error.reset_address"
			h.render(w, r, http.StatusBadRequest, "userform", a, v)
			return
		}
	}
	p := users.CreateParams{Username: values["username"], Email: values["email"], Phone: values["phone"],
		Name: values["name"], NoPassword: f.NoPassword, SourceType: model.UserSourceAdmin,
		Profile: users.Patch{EmailVerified: &f.EmailVerified, PhoneVerified: &f.PhoneVerified}}
	if !f.NoPassword {
		p.Password = form.Get("password")
	}
	u, err := h.Users.Create(r.Context(), p)
	if h.userFormRefused(w, r, a, f, v, err) {
		return
	}
	if err != nil {
		h.internal(w, r, a, "console: create user", err)
		return
	}
	h.changed(r, a, "create user", u.ID, "", displayName(u))
	if f.SendReset == "" {
		done(w, r, userPath(u.ID), "user_created")
		return
	}
	if _, err := h.Reset.SendTo(r.Context(), u, f.SendReset, resetLang(r), "console create-user by "+a.User.ID); err != nil {
		h.Logger.ErrorContext(r.Context(), "console: reset code for a new user", "user", u.ID, "err", err)
		done(w, r, userPath(u.ID), "user_created_unsent")
		return
	}
	done(w, r, userPath(u.ID), "user_created_sent")
}

func (h *Handler) userEdit(w http.ResponseWriter, r *http.Request, a *admin) {
	u := h.pathUser(w, r, a)
	if u == nil {
		return
	}
	f := newUserForm(false, profileValues(u))
	f.Action, f.Gender = userPath(u.ID)+"/edit", cmp.Or(u.Gender, model.GenderUnknown)
	f.Back, f.BackName = userPath(u.ID), displayName(u)
	f.EmailVerified, f.PhoneVerified = u.EmailVerified, u.PhoneVerified
	if len(u.CustomData) > 0 {
		b, _ := json.MarshalIndent(u.CustomData, "", "  ")
		f.CustomData = string(b)
	}
	h.render(w, r, http.StatusOK, "userform", a, view{Title: "users.edit.title", Section: "users", Data: f})
}

func (h *Handler) userUpdate(w http.ResponseWriter, r *http.Request, a *admin) {
	u := h.pathUser(w, r, a)
	if u == nil {
		return
	}
	form := r.PostForm
	values := map[string]string{}
	for _, p := range profileFields {
		values[p.name] = form.Get(p.name)
	}
	f := newUserForm(false, values)
	f.Action, f.Gender, f.CustomData = userPath(u.ID)+"/edit", form.Get("gender"), form.Get("custom_data")
	f.Back, f.BackName = userPath(u.ID), displayName(u)
	f.EmailVerified, f.PhoneVerified = form.Get("email_verified") != "", form.Get("phone_verified") != ""
	v := view{Title: "users.edit.title", Section: "users", Data: f}
	p := users.Patch{Username: ptr(values["username"]), Email: ptr(values["email"]), Phone: ptr(values["phone"]),
		Name: ptr(values["name"]), Nickname: ptr(values["nickname"]), GivenName: ptr(values["given_name"]),
		FamilyName: ptr(values["family_name"]), MiddleName: ptr(values["middle_name"]),
		PreferredUsername: ptr(values["preferred_username"]), Profile: ptr(values["profile"]),
		Photo: ptr(values["photo"]), Website: ptr(values["website"]), Birthdate: ptr(values["birthdate"]),
		Zoneinfo: ptr(values["zoneinfo"]), Locale: ptr(values["locale"]), Address: ptr(values["address"]),
		ExternalID: ptr(values["external_id"]), Gender: ptr(f.Gender),
		EmailVerified: ptr(f.EmailVerified), PhoneVerified: ptr(f.PhoneVerified), CustomData: map[string]any{}}
	if s := strings.TrimSpace(f.CustomData); s != "" {
		if err := json.Unmarshal([]byte(s), &p.CustomData); err != nil || p.CustomData == nil {
			f.CustomDataError, v.Error = "users.error.custom_data", "users.error.invalid"
			h.render(w, r, http.StatusBadRequest, "userform", a, v)
			return
		}
	}
	updated, err := h.Users.Update(r.Context(), u.ID, p)
	if h.userFormRefused(w, r, a, f, v, err) || h.missing(w, r, a, "console: update user", err) {
		return
	}
	// An administrator vouching for an address (or withdrawing it) is a
	// security event, as through the management API.
	var marks string
	if updated.EmailVerified != u.EmailVerified {
		marks += " emailVerified=" + strconv.FormatBool(updated.EmailVerified)
	}
	if updated.PhoneVerified != u.PhoneVerified {
		marks += " phoneVerified=" + strconv.FormatBool(updated.PhoneVerified)
	}
	if marks != "" {
		h.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditProfileUpdate, UserID: u.ID, IP: clientIP(r),
			Detail: "console update-user by " + a.User.ID + marks})
	}
	h.changed(r, a, "update user", u.ID, "", strings.TrimSpace(marks))
	done(w, r, userPath(u.ID), "user_updated")
}

func ptr[T any](v T) *T { return &v }

// userFormRefused shows the user form again when the service refused its
// values (400, the field marked where the message names one) or a taken
// username, email or phone (409); it returns whether it did.
func (h *Handler) userFormRefused(w http.ResponseWriter, r *http.Request, a *admin, f *userForm, v view, err error) bool {
	switch {
	case errors.Is(err, model.ErrInvalidInput):
		v.Error = "users.error.invalid"
		if d, marked := f.fail(err); !marked {
			v.Detail = d
		}
		h.render(w, r, http.StatusBadRequest, "userform", a, v)
	case errors.Is(err, model.ErrConflict):
		v.Error = "users.error.taken"
		h.render(w, r, http.StatusConflict, "userform", a, v)
	default:
		return false
	}
	return true
}
