package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/opengenauth/genauth/internal/model"
)

// The hosted pages' paths the console sends administrators to.
const (
	hostedLogin  = "/login"
	hostedStepUp = "/mfa/step-up"
)

// admin is the signed-in administrator of a console request.
type admin struct {
	User *model.User
	// CSRF is the token every form of this session carries.
	CSRF string
}

// page wraps a console page: the request must carry a live console session
// of an activated administrator, else the browser goes to sign in (no
// session) or is refused (no longer an administrator).
func (h *Handler) page(fn func(http.ResponseWriter, *http.Request, *admin)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := h.current(w, r)
		switch {
		case a == nil:
		case !pathIsText(r):
			h.fail(w, r, a, http.StatusNotFound, "error.not_found")
		default:
			fn(w, r, a)
		}
	})
}

// pathIsText reports whether the decoded path is text: an id that is not
// (a NUL byte, invalid UTF-8) names nothing, and PostgreSQL would refuse
// to look it up.
func pathIsText(r *http.Request) bool {
	return utf8.ValidString(r.URL.Path) && !strings.ContainsRune(r.URL.Path, 0)
}

// form wraps a console form: besides page's checks, the post must come from
// this origin and carry the session's token; the body is limited and parsed.
func (h *Handler) form(fn func(http.ResponseWriter, *http.Request, *admin)) http.Handler {
	return h.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
		if err := r.ParseForm(); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				h.refuse(w, r, http.StatusRequestEntityTooLarge, "error.too_large")
				return
			}
			h.refuse(w, r, http.StatusBadRequest, "error.unreadable")
			return
		}
		a := h.current(w, r)
		if a == nil {
			return
		}
		if !hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(a.CSRF)) {
			h.fail(w, r, a, http.StatusForbidden, "error.csrf")
			return
		}
		if !pathIsText(r) {
			h.fail(w, r, a, http.StatusNotFound, "error.not_found")
			return
		}
		fn(w, r, a)
	}))
}

// current returns the request's administrator, or answers and returns nil.
func (h *Handler) current(w http.ResponseWriter, r *http.Request) *admin {
	s, err := h.Sessions.Current(r)
	if errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrInactive) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			http.Redirect(w, r, signInPath(r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		h.refuse(w, r, http.StatusUnauthorized, "error.signed_out")
		return nil
	}
	if err != nil {
		h.internal(w, r, nil, "console: session", err)
		return nil
	}
	u, err := h.allowed(r, s.UserID)
	if err != nil {
		h.internal(w, r, nil, "console: administrator", err)
		return nil
	}
	if u == nil || !slices.Contains(s.AMR, "mfa") {
		// The role was revoked or the account suspended since sign-in.
		if err := h.Sessions.End(w, r); err != nil {
			h.internal(w, r, nil, "console: end session", err)
			return nil
		}
		h.refuse(w, r, http.StatusForbidden, "error.not_admin")
		return nil
	}
	c, _ := r.Cookie(SessionCookie)
	return &admin{User: u, CSRF: h.csrfToken(c.Value)}
}

// allowed returns the user if it is an activated administrator, else nil.
func (h *Handler) allowed(r *http.Request, userID string) (*model.User, error) {
	u, err := h.Store.GetUser(r.Context(), userID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ok, err := h.Admins.IsAdmin(r.Context(), userID)
	if err != nil || !ok || u.Status != model.UserActivated {
		return nil, err
	}
	return u, nil
}

// csrfToken binds a form to the session whose cookie value is v: only a
// page that could read the session's own pages has it.
func (h *Handler) csrfToken(v string) string {
	m := hmac.New(sha256.New, h.CSRFKey)
	m.Write([]byte("console form\x00" + v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// signInPath is the console's sign-in with where to go after it.
func signInPath(returnTo string) string {
	return Path + "/signin?" + url.Values{"return_to": {returnTo}}.Encode()
}

// consoleReturn keeps a return path only when it is a console page.
func consoleReturn(s string) string {
	if !strings.HasPrefix(s, Path+"/") || strings.ContainsAny(s, "\\\x00\r\n") || strings.HasPrefix(s, Path+"//") ||
		strings.HasPrefix(s, Path+"/signin") || strings.HasPrefix(s, Path+"/signout") {
		return Path + "/"
	}
	if u, err := url.Parse(s); err != nil || u.Scheme != "" || u.Host != "" {
		return Path + "/"
	}
	return s
}

// signIn starts a console session from the browser's hosted session: the
// administrator signs in on the hosted pages and proves a second factor
// there (enrolling one if needed), then comes back here.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	back := Path + "/signin?" + url.Values{"return_to": {consoleReturn(r.URL.Query().Get("return_to"))}}.Encode()
	s, err := h.Hosted.Current(r)
	if errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrInactive) {
		http.Redirect(w, r, hostedLogin+"?"+url.Values{"return_to": {back}}.Encode(), http.StatusSeeOther)
		return
	}
	if err != nil {
		h.internal(w, r, nil, "console sign-in: hosted session", err)
		return
	}
	u, err := h.allowed(r, s.UserID)
	if err != nil {
		h.internal(w, r, nil, "console sign-in: administrator", err)
		return
	}
	if u == nil {
		h.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditConsoleRefused, UserID: s.UserID, IP: clientIP(r)})
		h.refuse(w, r, http.StatusForbidden, "error.not_admin")
		return
	}
	if !slices.Contains(s.AMR, "mfa") {
		http.Redirect(w, r, hostedStepUp+"?"+url.Values{"return_to": {back}}.Encode(), http.StatusSeeOther)
		return
	}
	if _, err := h.Sessions.Start(r.Context(), w, r, u.ID, s.AMR); err != nil {
		h.internal(w, r, nil, "console sign-in: start session", err)
		return
	}
	h.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditConsoleSignIn, UserID: u.ID, IP: clientIP(r)})
	http.Redirect(w, r, consoleReturn(r.URL.Query().Get("return_to")), http.StatusSeeOther)
}

// signOut ends the console session only: the hosted session, which the
// administrator's applications may share, stays.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, a *admin) {
	if err := h.Sessions.End(w, r); err != nil {
		h.internal(w, r, a, "console sign-out", err)
		return
	}
	h.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditConsoleSignOut, UserID: a.User.ID, IP: clientIP(r)})
	http.Redirect(w, r, Path+"/signedout", http.StatusSeeOther)
}

func (h *Handler) signedOut(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "signedout", nil, view{Title: "signedout.title"})
}
