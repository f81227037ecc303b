package pages

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/model"
)

// maxReturnTo bounds return_to; an authorize URL is far shorter.
const maxReturnTo = 4096

// safeReturnTo returns s if it is a path on this server, else "/". Only a
// single leading slash is accepted: "//host" and "/\host" are read by browsers
// as another host. Any control character, space or non-ASCII byte is refused
// too, because browsers drop tabs and newlines ("/\t/evil.com" becomes
// "//evil.com").
func safeReturnTo(s string) string {
	if s == "" || len(s) > maxReturnTo || s[0] != '/' {
		return "/"
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return "/"
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	// "/%2F%2Fevil.com" is local, but a later path-cleaning redirect could turn it into "//evil.com".
	if strings.HasPrefix(u.Path, "//") || strings.HasPrefix(u.Path, "/\\") {
		return "/"
	}
	return s
}

// withReturnTo is path with return_to added, unless it is the default "/".
func withReturnTo(path, returnTo string) string {
	if returnTo == "/" {
		return path
	}
	return path + "?" + url.Values{"return_to": {returnTo}}.Encode()
}

// appName returns the name of the application whose client_id is in
// returnTo's query, or "" when there is none or it is unknown.
func (h *Handler) appName(r *http.Request, returnTo string) (string, error) {
	u, err := url.Parse(returnTo)
	if err != nil {
		return "", nil
	}
	id := u.Query().Get("client_id")
	if id == "" {
		return "", nil
	}
	app, err := h.store.GetApplication(r.Context(), id)
	if errors.Is(err, model.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return app.Name, nil
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	h.showLogin(w, r, http.StatusOK, safeReturnTo(r.URL.Query().Get("return_to")), "", nil)
}

// credentialFields are the username and password fields of a sign-in
// form: errs by field name at their inputs, a wrong pair ("credentials")
// at the password, the focus on the first field to fill.
func credentialFields(usernameLabel, autocomplete, username string, errs map[string]*msg) []field {
	fields := []field{
		{Name: "username", Type: "text", Label: usernameLabel, Value: username, Autocomplete: autocomplete,
			Plain: true, Required: true, Error: errs["username"]},
		{Name: "password", Type: "password", Label: "login.password", Autocomplete: "current-password",
			Required: true, Error: errs["password"]},
	}
	var alsoBy map[string]string
	if errs["credentials"] != nil {
		// Shown at the password, but it is about the pair.
		fields[1].Error = errs["credentials"]
		alsoBy = map[string]string{"username": "password-error"}
	}
	focus := "username"
	if username != "" {
		focus = "password"
	}
	return finishFields(fields, alsoBy, focus)
}

// showLogin renders the sign-in form with the username kept and errs (by
// field name) next to their inputs.
func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, status int, returnTo, username string, errs map[string]*msg) {
	name, err := h.appName(r, returnTo)
	if err != nil {
		h.internalError(w, r, "login: application", err)
		return
	}
	// With passkeys, the browser offers them in the login field's autofill
	// (conditional UI) as well as behind their own button.
	auto := "username"
	var passkey *passkeyForm
	if h.passkeys() {
		auto = "username webauthn"
		passkey = &passkeyForm{Kind: "login", Begin: passkeyLoginPath + "/begin", Action: passkeyLoginPath + "/finish",
			Label: "passkey.login", Secondary: true, Conditional: true, ReturnTo: returnTo}
	}
	forgot := ""
	if h.reset != nil {
		forgot = withReturnTo("/forgot", returnTo)
	}
	code := ""
	if h.codeSignIn() {
		code = withReturnTo("/login/code", returnTo)
	}
	idps, err := h.idpLinks(r, returnTo)
	if err != nil {
		h.internalError(w, r, "login: upstream providers", err)
		return
	}
	h.render(w, r, status, "login", page{
		IdPs:       idps,
		Title:      m("login.title"),
		AppName:    name,
		ReturnTo:   returnTo,
		RegHref:    withReturnTo("/register", returnTo),
		ForgotURL:  forgot,
		CodeURL:    code,
		Fields:     credentialFields("login.username", auto, username, errs),
		Error:      errs["passkey"],
		Passkey:    passkey,
		switchBase: withReturnTo("/login", returnTo),
	})
}

// login checks the password and starts a new session. A wrong password is
// answered 401 and a missing field 400, with the form again, so that scripts
// and logs can tell them from success (303) without reading the page.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	returnTo := safeReturnTo(r.PostFormValue("return_to"))
	username, pw := r.PostFormValue("username"), r.PostFormValue("password")
	errs := map[string]*msg{}
	if strings.TrimSpace(username) == "" {
		errs["username"] = m("login.error.username_required")
	}
	if pw == "" {
		errs["password"] = m("login.error.password_required")
	}
	if len(errs) > 0 {
		h.showLogin(w, r, http.StatusBadRequest, returnTo, username, errs)
		return
	}
	u, err := h.signin.Password(r.Context(), signin.Attempt{Login: username, Password: pw, IP: audit.ClientIP(r), ClientID: clientOf(returnTo)})
	switch {
	case errors.Is(err, throttle.ErrLocked):
		retryAfter(w, err)
		h.showLogin(w, r, http.StatusTooManyRequests, returnTo, username, map[string]*msg{"credentials": m("login.error.locked")})
		return
	case errors.Is(err, model.ErrBadCredentials):
		h.showLogin(w, r, http.StatusUnauthorized, returnTo, username, map[string]*msg{"credentials": m("login.error.wrong")})
		return
	case errors.Is(err, model.ErrSuspended):
		h.showLogin(w, r, http.StatusForbidden, returnTo, username, map[string]*msg{"credentials": m("login.error.suspended")})
		return
	case err != nil:
		h.internalError(w, r, "login", err)
		return
	}
	h.finishSignIn(w, r, u.ID, mfa.FirstPassword, returnTo, true)
}

// retryAfter tells the client when the throttle's refusal err ends.
func retryAfter(w http.ResponseWriter, err error) {
	w.Header().Set("Retry-After", throttle.RetryAfter(err))
}
