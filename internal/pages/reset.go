package pages

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
)

// Codes sends, checks and consumes verification codes (passcode.Service).
type Codes interface {
	Send(ctx context.Context, t passcode.Target, lang string) error
	// Check judges a code without using it up; UseAll uses up every
	// proof's code once all are right (an address change's two codes).
	Check(ctx context.Context, t passcode.Target, code string) error
	UseAll(ctx context.Context, proofs ...passcode.Proof) error
	signin.Codes
}

// sendApp is what the per-application send limit counts the hosted pages' codes as.
const sendApp = "hosted pages"

// recovery is what the reset forms show again after an error.
type recovery struct {
	returnTo, email string
	errs            map[string]*msg
	formError       *msg
}

func (h *Handler) forgotForm(w http.ResponseWriter, r *http.Request) {
	h.showForgot(w, r, http.StatusOK, recovery{returnTo: safeReturnTo(r.URL.Query().Get("return_to"))})
}

func (h *Handler) showForgot(w http.ResponseWriter, r *http.Request, status int, rec recovery) {
	fields := []field{{Name: "email", Type: "email", Label: "forgot.email", Value: rec.email, Autocomplete: "email",
		Plain: true, Required: true, Error: rec.errs["email"]}}
	h.render(w, r, status, "forgot", page{
		Title:      m("forgot.title"),
		ReturnTo:   rec.returnTo,
		LoginHref:  withReturnTo("/login", rec.returnTo),
		Error:      rec.formError,
		Fields:     finishFields(fields, nil, "email"),
		switchBase: withReturnTo("/forgot", rec.returnTo),
	})
}

// emailAddress is s as passcode.Address binds it, or "" when s is no email address.
func emailAddress(s string) string {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if len(s) > 254 || at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>,;") {
		return ""
	}
	return passcode.Address(model.MessageEmail, s, "")
}

// forgot sends a CHANNEL_RESET_PASSWORD code to the address when it is a
// user's, and goes on to the reset form either way: the answer does not
// tell whether the address has an account.
func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) {
	rec := recovery{returnTo: safeReturnTo(r.PostFormValue("return_to")), email: r.PostFormValue("email"), errs: map[string]*msg{}}
	to := emailAddress(rec.email)
	if to == "" {
		rec.errs["email"] = m("register.error.email_invalid")
		h.showForgot(w, r, http.StatusBadRequest, rec)
		return
	}
	ctx := r.Context()
	err := h.limiter.AllowSend(ctx, sendApp, passcode.ChannelResetPassword, to, audit.ClientIP(r))
	if errors.Is(err, throttle.ErrLocked) {
		retryAfter(w, err)
		rec.formError = m("forgot.error.throttled")
		h.showForgot(w, r, http.StatusTooManyRequests, rec)
		return
	}
	if err != nil {
		h.internalError(w, r, "forgot: throttle", err)
		return
	}
	u, err := h.signin.UserAt(ctx, model.MessageEmail, to)
	if err != nil {
		h.internalError(w, r, "forgot: look up the address", err)
		return
	}
	if u != nil {
		if err := h.codes.Send(ctx, passcode.Target{Kind: model.MessageEmail, To: to, Channel: passcode.ChannelResetPassword}, messageLang(r)); err != nil {
			h.internalError(w, r, "forgot: send a code", err)
			return
		}
		h.record(r, model.AuditEvent{Type: model.AuditResetCodeSend, UserID: u.ID, Detail: "hosted /forgot page"})
	}
	q := url.Values{"email": {to}}
	if rec.returnTo != "/" {
		q.Set("return_to", rec.returnTo)
	}
	http.Redirect(w, r, "/reset?"+q.Encode(), http.StatusSeeOther)
}

func (h *Handler) resetForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.showReset(w, r, http.StatusOK, recovery{returnTo: safeReturnTo(q.Get("return_to")), email: q.Get("email")})
}

func (h *Handler) showReset(w http.ResponseWriter, r *http.Request, status int, rec recovery) {
	fields := []field{
		{Name: "email", Type: "email", Label: "forgot.email", Value: rec.email, Autocomplete: "email",
			Plain: true, Required: true, Error: rec.errs["email"]},
		{Name: "code", Type: "text", Label: "reset.code", Autocomplete: "one-time-code", Plain: true, MaxLength: passcode.Digits,
			Required: true, Hint: m("reset.code_hint"), Error: rec.errs["code"]},
		{Name: "password", Type: "password", Label: "reset.password", Autocomplete: "new-password", Required: true,
			Hint: m("register.password_hint", strconv.Itoa(users.MinPasswordLen)), Error: rec.errs["password"]},
		{Name: "password_confirm", Type: "password", Label: "register.confirm", Autocomplete: "new-password", Required: true,
			Error: rec.errs["password_confirm"]},
	}
	focus := "code"
	if rec.email == "" {
		focus = "email"
	}
	q := url.Values{}
	if rec.email != "" {
		q.Set("email", rec.email)
	}
	if rec.returnTo != "/" {
		q.Set("return_to", rec.returnTo)
	}
	h.render(w, r, status, "reset", page{
		Title:      m("reset.title"),
		ReturnTo:   rec.returnTo,
		LoginHref:  withReturnTo("/login", rec.returnTo),
		RegHref:    withReturnTo("/forgot", rec.returnTo),
		Error:      rec.formError,
		Fields:     finishFields(fields, nil, focus),
		switchBase: "/reset?" + q.Encode(),
	})
}

// resetPassword checks the new password, then uses the code up for a reset
// token and the token for the new password (reset.Service), which signs the
// user out everywhere. A wrong code and an address that is no user's are
// answered alike.
func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) {
	rec := recovery{returnTo: safeReturnTo(r.PostFormValue("return_to")), email: r.PostFormValue("email"), errs: map[string]*msg{}}
	to := emailAddress(rec.email)
	if to == "" {
		rec.errs["email"] = m("register.error.email_invalid")
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		rec.errs["code"] = m("reset.error.code_required")
	}
	pw := r.PostFormValue("password")
	if err := users.ValidatePassword(pw); err != nil {
		_, rec.errs["password"] = inputError(err)
	}
	if pw != r.PostFormValue("password_confirm") {
		rec.errs["password_confirm"] = m("register.error.mismatch")
	}
	if len(rec.errs) > 0 {
		h.showReset(w, r, http.StatusBadRequest, rec)
		return
	}
	tok, err := h.reset.Verify(r.Context(), model.MessageEmail, to, code)
	if err == nil {
		err = h.reset.Reset(r.Context(), tok, pw, audit.ClientIP(r))
	}
	switch {
	case errors.Is(err, model.ErrWrongCode):
		rec.errs["code"] = m("reset.error.wrong_code")
		h.showReset(w, r, http.StatusForbidden, rec)
		return
	case errors.Is(err, model.ErrCodeExpired):
		rec.errs["code"] = m("reset.error.expired")
		h.showReset(w, r, http.StatusForbidden, rec)
		return
	case err != nil:
		h.internalError(w, r, "reset: set the password", err)
		return
	}
	h.render(w, r, http.StatusOK, "resetdone", page{
		Title:     m("reset.done.title"),
		LoginHref: withReturnTo("/login", rec.returnTo),
	})
}
