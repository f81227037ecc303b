package pages

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// codeLogin is what the sign-in-with-a-code forms show again after an error.
type codeLogin struct {
	returnTo, address string
	errs              map[string]*msg
	formError         *msg
}

// codeSignIn reports whether a code can be sent to sign in with.
func (h *Handler) codeSignIn() bool {
	email, sms := h.codeKinds()
	return email || sms
}

// codeKinds says which kinds of address a code can be sent to.
func (h *Handler) codeKinds() (email, sms bool) {
	return h.delivers[model.MessageEmail], h.delivers[model.MessageSMS]
}

// addressLabel is the label of the address input (what can be entered)
// and the message for an input that is none of it.
func (h *Handler) addressLabel() (label string, invalid *msg) {
	switch email, sms := h.codeKinds(); {
	case email && sms:
		return "code.address", m("code.error.address")
	case sms:
		return "code.phone", m("code.error.phone")
	default:
		return "code.email", m("register.error.email_invalid")
	}
}

// codeAddress reads s as an email address (with an @) or else a phone
// number, of a kind a code can be sent to: its kind and passcode.Address
// form, or an error message.
func (h *Handler) codeAddress(s string) (kind, to string, problem *msg) {
	email, sms := h.codeKinds()
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") || !sms {
		if to = emailAddress(s); to == "" || !email {
			_, problem = h.addressLabel()
			return "", "", problem
		}
		return model.MessageEmail, to, nil
	}
	if !passcode.ValidPhone(s, "") {
		_, problem = h.addressLabel()
		return "", "", problem
	}
	return model.MessageSMS, passcode.Address(model.MessageSMS, s, ""), nil
}

func (h *Handler) codeLoginForm(w http.ResponseWriter, r *http.Request) {
	h.showCodeLogin(w, r, http.StatusOK, codeLogin{returnTo: safeReturnTo(r.URL.Query().Get("return_to"))})
}

func (h *Handler) showCodeLogin(w http.ResponseWriter, r *http.Request, status int, c codeLogin) {
	label, _ := h.addressLabel()
	fields := []field{{Name: "address", Type: "text", Label: label, Value: c.address, Autocomplete: "username",
		Plain: true, Required: true, Error: c.errs["address"]}}
	h.render(w, r, status, "codelogin", page{
		Title:      m("code.title"),
		ReturnTo:   c.returnTo,
		LoginHref:  withReturnTo("/login", c.returnTo),
		Error:      c.formError,
		Fields:     finishFields(fields, nil, "address"),
		switchBase: withReturnTo("/login/code", c.returnTo),
	})
}

// sendLoginCode sends a CHANNEL_LOGIN code to the address when it is a
// user's, and goes on to the code form either way: the answer does not tell
// whether the address has an account.
func (h *Handler) sendLoginCode(w http.ResponseWriter, r *http.Request) {
	c := codeLogin{returnTo: safeReturnTo(r.PostFormValue("return_to")), address: r.PostFormValue("address"), errs: map[string]*msg{}}
	kind, to, problem := h.codeAddress(c.address)
	if problem != nil {
		c.errs["address"] = problem
		h.showCodeLogin(w, r, http.StatusBadRequest, c)
		return
	}
	ctx := r.Context()
	err := h.limiter.AllowSend(ctx, sendApp, passcode.ChannelLogin, to, audit.ClientIP(r))
	if errors.Is(err, throttle.ErrLocked) {
		retryAfter(w, err)
		c.formError = m("forgot.error.throttled")
		h.showCodeLogin(w, r, http.StatusTooManyRequests, c)
		return
	}
	if err != nil {
		h.internalError(w, r, "code sign-in: throttle", err)
		return
	}
	u, err := h.signin.UserAt(ctx, kind, to)
	if err != nil {
		h.internalError(w, r, "code sign-in: look up the address", err)
		return
	}
	if u != nil {
		if err := h.codes.Send(ctx, passcode.Target{Kind: kind, To: to, Channel: passcode.ChannelLogin}, messageLang(r)); err != nil {
			h.internalError(w, r, "code sign-in: send a code", err)
			return
		}
	}
	q := url.Values{"address": {to}}
	if c.returnTo != "/" {
		q.Set("return_to", c.returnTo)
	}
	http.Redirect(w, r, "/login/code/verify?"+q.Encode(), http.StatusSeeOther)
}

// codeFirst is the first factor a code sent to an address of kind proves.
func codeFirst(kind string) string {
	if kind == model.MessageSMS {
		return mfa.FirstSMS
	}
	return mfa.FirstEmail
}

// messageLang is the language of the messages sent for r: "en" or "zh".
func messageLang(r *http.Request) string {
	if l, _ := i18n.Choose(r); l == i18n.Chinese {
		return "zh"
	}
	return "en"
}

func (h *Handler) verifyCodeForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.showVerifyCode(w, r, http.StatusOK, codeLogin{returnTo: safeReturnTo(q.Get("return_to")), address: q.Get("address")})
}

func (h *Handler) showVerifyCode(w http.ResponseWriter, r *http.Request, status int, c codeLogin) {
	name, err := h.appName(r, c.returnTo)
	if err != nil {
		h.internalError(w, r, "code sign-in: application", err)
		return
	}
	label, _ := h.addressLabel()
	fields := []field{
		{Name: "address", Type: "text", Label: label, Value: c.address, Autocomplete: "username",
			Plain: true, Required: true, Error: c.errs["address"]},
		{Name: "code", Type: "text", Label: "reset.code", Autocomplete: "one-time-code", Plain: true, MaxLength: passcode.Digits,
			Required: true, Hint: m("code.code_hint"), Error: c.errs["code"]},
	}
	focus := "code"
	if c.address == "" {
		focus = "address"
	}
	q := url.Values{}
	if c.address != "" {
		q.Set("address", c.address)
	}
	if c.returnTo != "/" {
		q.Set("return_to", c.returnTo)
	}
	h.render(w, r, status, "codeverify", page{
		Title:      m("code.verify.title"),
		AppName:    name,
		ReturnTo:   c.returnTo,
		LoginHref:  withReturnTo("/login", c.returnTo),
		RegHref:    withReturnTo("/login/code", c.returnTo),
		Error:      c.formError,
		Fields:     finishFields(fields, nil, focus),
		switchBase: "/login/code/verify?" + q.Encode(),
	})
}

// codeLogin signs in with the code (signin.Passcode: the same attempt
// count, lockout and audit as the API's PASSCODE sign-in) and starts a
// session as the password form does. A wrong code and an address that is
// no user's are answered alike.
func (h *Handler) codeLogin(w http.ResponseWriter, r *http.Request) {
	c := codeLogin{returnTo: safeReturnTo(r.PostFormValue("return_to")), address: r.PostFormValue("address"), errs: map[string]*msg{}}
	kind, to, problem := h.codeAddress(c.address)
	if problem != nil {
		c.errs["address"] = problem
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		c.errs["code"] = m("code.error.code_required")
	}
	if len(c.errs) > 0 {
		h.showVerifyCode(w, r, http.StatusBadRequest, c)
		return
	}
	u, err := h.signin.Passcode(r.Context(), signin.CodeAttempt{Kind: kind, Address: to, Code: code,
		IP: audit.ClientIP(r), ClientID: clientOf(c.returnTo)})
	status := http.StatusUnauthorized
	switch {
	case errors.Is(err, throttle.ErrLocked):
		retryAfter(w, err)
		status, c.errs["code"] = http.StatusTooManyRequests, m("login.error.locked")
	case errors.Is(err, model.ErrWrongCode):
		c.errs["code"] = m("reset.error.wrong_code")
	case errors.Is(err, model.ErrCodeExpired):
		c.errs["code"] = m("reset.error.expired")
	case errors.Is(err, model.ErrSuspended):
		status, c.errs["code"] = http.StatusForbidden, m("login.error.suspended")
	case err != nil:
		h.internalError(w, r, "code sign-in", err)
		return
	}
	if err != nil {
		h.showVerifyCode(w, r, status, c)
		return
	}
	h.finishSignIn(w, r, u.ID, codeFirst(kind), c.returnTo, true)
}
