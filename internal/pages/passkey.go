package pages

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
	"github.com/opengenauth/genauth/internal/platform/edge"
)

// A passkey ceremony is two requests. Begin (JSON, from passkey.js) answers
// the options for navigator.credentials and a single-use ticket; finish is
// an ordinary form post of the ticket and the credential's JSON, so that
// the answer is a page (the next step, or the form with a readable error)
// exactly as after a password or a code.
const (
	passkeyLoginPath    = "/passkey/login"    // passwordless, and the login field's autofill
	passkeyRegisterPath = "/passkey/register" // the account page adds one
	passkeySecondPath   = mfaPath + "/passkey"
	passkeyEnrollPath   = mfaPath + "/passkey/register" // a sign-in that must enroll adds one
	// maxPasskeyName bounds a passkey's name, in characters.
	maxPasskeyName = 64
)

func (h *Handler) registerPasskeys(mux edge.Routes) {
	mux.Handle("POST "+passkeyLoginPath+"/begin", h.ceremony(h.passkeyLoginBegin))
	mux.Handle("POST "+passkeyLoginPath+"/finish", h.form(h.passkeyLogin))
	mux.Handle("POST "+passkeySecondPath+"/begin", h.ceremony(h.passkeySecondBegin))
	mux.Handle("POST "+passkeySecondPath+"/finish", h.form(h.passkeySecond))
	mux.Handle("POST "+passkeyRegisterPath+"/begin", h.ceremony(h.passkeyRegisterBegin))
	mux.Handle("POST "+passkeyRegisterPath+"/finish", h.form(h.passkeyRegister))
	mux.Handle("POST "+passkeyEnrollPath+"/begin", h.ceremony(h.passkeyEnrollBegin))
	mux.Handle("POST "+passkeyEnrollPath+"/finish", h.form(h.passkeyEnroll))
}

// passkeys says whether the pages offer passkeys: MFA is on and the public
// URL's host is a name a browser accepts as the relying party.
func (h *Handler) passkeys() bool { return h.factors != nil && h.factors.PasskeysOn() }

// passkeyForm is a passkey button's form (templates/layout.html
// "passkey"): hidden until passkey.js finds WebAuthn and shows it.
type passkeyForm struct {
	Kind        string // "login", "second" or "register": what passkey.js does
	Begin       string // where passkey.js asks for the options
	Action      string // where the credential is posted
	Label       string // the button's catalog key
	Secondary   bool   // the button is not the page's main one
	Conditional bool   // also offer passkeys in the login field's autofill
	ReturnTo    string
	Fields      []field // the register form's name
}

// ceremony wraps a begin endpoint: a POST from this origin's own script
// (the forms' cross-origin check, and Sec-Fetch-Site or Origin must say
// same origin), answered in JSON.
func (h *Handler) ceremony(fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.csrf.Check(r) != nil || (r.Header.Get("Sec-Fetch-Site") != "same-origin" && r.Header.Get("Origin") != h.origin) {
			h.jsonRefusal(w, r, http.StatusForbidden, m("error.refused.form"))
			return
		}
		fn(w, r)
	})
}

// beginAnswer is what a begin endpoint answers: publicKey is the JSON form
// of the options, for PublicKeyCredential.parse*OptionsFromJSON.
type beginAnswer struct {
	Ticket    string `json:"ticket"`
	PublicKey any    `json:"publicKey"`
}

// ceremonyError is a begin endpoint's refusal, in the reader's language.
type ceremonyError struct {
	Error string `json:"error"`
}

func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *Handler) jsonRefusal(w http.ResponseWriter, r *http.Request, status int, x *msg) {
	lang, _ := i18n.Choose(r)
	h.writeJSON(w, status, ceremonyError{Error: i18n.T(lang, x.Key, x.Args...)})
}

// jsonInternal is internalError for a begin endpoint.
func (h *Handler) jsonInternal(w http.ResponseWriter, r *http.Request, what string, err error) {
	if h.health.Failed(r.Context(), err) {
		h.jsonRefusal(w, r, http.StatusServiceUnavailable, m("error.unavailable.message"))
		return
	}
	h.log.ErrorContext(r.Context(), "login: "+what, "path", r.URL.Path, "err", err)
	h.jsonRefusal(w, r, http.StatusInternalServerError, m("error.internal.message"))
}

// passkeyLoginBegin starts a passwordless sign-in, which needs no one: each
// stores a ticket, so that an address may start only so many.
func (h *Handler) passkeyLoginBegin(w http.ResponseWriter, r *http.Request) {
	err := h.limiter.AllowPasskeyBegin(r.Context(), audit.ClientIP(r))
	if errors.Is(err, throttle.ErrLocked) {
		retryAfter(w, err)
		h.jsonRefusal(w, r, http.StatusTooManyRequests, m("passkey.error.throttled"))
		return
	}
	if err != nil {
		h.jsonInternal(w, r, "passkey: throttle", err)
		return
	}
	opts, ticket, err := h.factors.BeginPasskeyLogin(r.Context(), "")
	if err != nil {
		h.jsonInternal(w, r, "passkey: begin a sign-in", err)
		return
	}
	h.writeJSON(w, http.StatusOK, beginAnswer{Ticket: ticket, PublicKey: opts.Response})
}

// passkeyLogin signs in with a passkey instead of a password. The attempt
// counts against the account the passkey claims (its user handle) and the
// address, so that a refused passkey counts toward the lockout as a wrong
// password does. With user verification the passkey is both factors; a
// passkey without it is one, and a second follows at mfaPath.
func (h *Handler) passkeyLogin(w http.ResponseWriter, r *http.Request) {
	ctx, ip := r.Context(), audit.ClientIP(r)
	returnTo := safeReturnTo(r.PostFormValue("return_to"))
	refuse := func(status int, x *msg) {
		h.showLogin(w, r, status, returnTo, "", map[string]*msg{"passkey": x})
	}
	account, userID, err := h.passkeyAccount(r, r.PostFormValue("credential"))
	if err != nil {
		h.internalError(w, r, "passkey: account", err)
		return
	}
	event := func(typ, detail string) {
		h.record(r, model.AuditEvent{Type: typ, UserID: userID, ClientID: clientOf(returnTo), Detail: detail})
	}
	attempt, err := h.limiter.Begin(ctx, account, ip)
	if errors.Is(err, throttle.ErrLocked) {
		retryAfter(w, err)
		event(model.AuditLoginFailure, "locked")
		refuse(http.StatusTooManyRequests, m("login.error.locked"))
		return
	}
	if err != nil {
		h.internalError(w, r, "passkey: throttle", err)
		return
	}
	login, err := h.factors.FinishPasskeyLogin(ctx, r.PostFormValue("ticket"), []byte(r.PostFormValue("credential")))
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) {
		if lerr := attempt.Failed(ctx); errors.Is(lerr, throttle.ErrLocked) {
			retryAfter(w, lerr)
			event(model.AuditLoginLockout, "passkey")
			refuse(http.StatusTooManyRequests, m("login.error.locked"))
			return
		} else if lerr != nil {
			h.internalError(w, r, "passkey: throttle", lerr)
			return
		}
		event(model.AuditLoginFailure, "passkey refused")
		if errors.Is(err, mfa.ErrUnverifiedPasskey) {
			refuse(http.StatusUnauthorized, m("passkey.error.unverified"))
			return
		}
		refuse(http.StatusUnauthorized, m("passkey.error.refused"))
		return
	}
	if err != nil {
		if rerr := attempt.NotJudged(ctx); rerr != nil {
			err = rerr
		}
		h.internalError(w, r, "passkey: sign-in", err)
		return
	}
	if err := attempt.Succeeded(ctx); err != nil {
		h.internalError(w, r, "passkey: throttle", err)
		return
	}
	userID = login.Factor.UserID
	u, err := h.store.GetUser(ctx, userID)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		h.internalError(w, r, "passkey: user", err)
		return
	}
	if u == nil || !users.Active(u) {
		event(model.AuditLoginFailure, "suspended")
		refuse(http.StatusForbidden, m("login.error.suspended"))
		return
	}
	event(model.AuditLoginSuccess, "passkey")
	first := mfa.FirstKey
	if login.Verified {
		first = mfa.FirstPasskey
	}
	h.finishSignIn(w, r, u.ID, first, returnTo, true)
}

// passkeyAccount is the throttle account of the user a passwordless
// assertion claims by its user handle (a user id), and that user's id; an
// assertion naming no user counts against a keyed hash of what it names.
func (h *Handler) passkeyAccount(r *http.Request, credential string) (string, string, error) {
	var a struct {
		Response struct {
			UserHandle string `json:"userHandle"`
		} `json:"response"`
	}
	_ = json.Unmarshal([]byte(credential), &a)
	handle, _ := base64.RawURLEncoding.DecodeString(strings.TrimRight(a.Response.UserHandle, "="))
	if len(handle) > 0 && utf8.Valid(handle) {
		u, err := h.store.GetUser(r.Context(), string(handle))
		if err == nil {
			return throttle.UserAccount(u.ID), u.ID, nil
		}
		if !errors.Is(err, model.ErrNotFound) {
			return "", "", err
		}
	}
	return h.limiter.UnknownAccount("passkey:" + string(handle)), "", nil
}

// pendingJSON is pending for a begin endpoint: the held sign-in, or a JSON
// refusal and nil.
func (h *Handler) pendingJSON(w http.ResponseWriter, r *http.Request) *mfa.Pending {
	if c, err := r.Cookie(pendingCookie); err == nil && c.Value != "" {
		p, err := h.factors.Held(r.Context(), c.Value)
		if err == nil {
			return p
		}
		if !errors.Is(err, model.ErrWrongCode) && !errors.Is(err, model.ErrCodeExpired) {
			h.jsonInternal(w, r, "passkey: pending sign-in", err)
			return nil
		}
	}
	h.jsonRefusal(w, r, http.StatusBadRequest, m("mfa.error.expired.message"))
	return nil
}

// usesPasskey says whether a passkey can finish the held sign-in: the user
// has one, and the first factor was not a passkey.
func (h *Handler) usesPasskey(r *http.Request, p *mfa.Pending) (bool, error) {
	list, err := h.usableFactors(r, p)
	for _, f := range list {
		if f.Type == model.FactorWebAuthn {
			return true, err
		}
	}
	return false, err
}

func (h *Handler) passkeySecondBegin(w http.ResponseWriter, r *http.Request) {
	p := h.pendingJSON(w, r)
	if p == nil {
		return
	}
	ok, err := h.usesPasskey(r, p)
	if err != nil {
		h.jsonInternal(w, r, "passkey: factors", err)
		return
	}
	if !ok || p.Enroll {
		h.jsonRefusal(w, r, http.StatusConflict, m("passkey.error.none"))
		return
	}
	opts, ticket, err := h.factors.BeginPasskeyLogin(r.Context(), p.UserID)
	if err != nil {
		h.jsonInternal(w, r, "passkey: begin a second factor", err)
		return
	}
	h.writeJSON(w, http.StatusOK, beginAnswer{Ticket: ticket, PublicKey: opts.Response})
}

// passkeySecond checks a passkey as the held sign-in's second factor, under
// the lockout like a code, and on success starts the session.
func (h *Handler) passkeySecond(w http.ResponseWriter, r *http.Request) {
	p, tok := h.pending(w, r)
	if p == nil {
		return
	}
	ok, err := h.usesPasskey(r, p)
	if err != nil {
		h.internalError(w, r, "passkey: factors", err)
		return
	}
	if !ok || p.Enroll {
		http.Redirect(w, r, mfaPath, http.StatusSeeOther)
		return
	}
	status, problem := h.checkSecond(w, r, p.UserID, model.FactorWebAuthn, func() error {
		login, err := h.factors.FinishPasskeyLogin(r.Context(), r.PostFormValue("ticket"), []byte(r.PostFormValue("credential")))
		if err != nil {
			return err
		}
		// The ticket was begun for this user; this is the caller's check
		// that the passkey is the held sign-in's, all the same.
		if login.Factor.UserID != p.UserID {
			return model.ErrWrongCode
		}
		return nil
	})
	if status == http.StatusInternalServerError {
		h.internalError(w, r, "passkey: second factor", problem.err)
		return
	}
	if problem != nil {
		if status == http.StatusUnauthorized {
			problem.msg = m("passkey.error.refused")
		}
		h.showChallenge(w, r, status, p, challenge{formError: problem.msg})
		return
	}
	h.release(w, r, p, tok, model.FactorWebAuthn, nil)
}

// recentJSON is recentUser for a begin endpoint.
func (h *Handler) recentJSON(w http.ResponseWriter, r *http.Request) *model.User {
	u, err := h.currentUser(r)
	if err != nil {
		h.jsonInternal(w, r, "passkey: session", err)
		return nil
	}
	if u == nil {
		h.jsonRefusal(w, r, http.StatusUnauthorized, m("passkey.error.signed_out"))
		return nil
	}
	ok, err := h.recent(r)
	if err != nil {
		h.jsonInternal(w, r, "passkey: session", err)
		return nil
	}
	if !ok {
		h.jsonRefusal(w, r, http.StatusForbidden, m("mfa.account.stale"))
		return nil
	}
	return u
}

func (h *Handler) passkeyRegisterBegin(w http.ResponseWriter, r *http.Request) {
	u := h.recentJSON(w, r)
	if u == nil {
		return
	}
	h.beginRegistration(w, r, u)
}

// beginRegistration answers the options and ticket of a passkey for u.
func (h *Handler) beginRegistration(w http.ResponseWriter, r *http.Request, u *model.User) {
	opts, ticket, err := h.factors.BeginPasskeyRegistration(r.Context(), mfa.PasskeyUserOf(u))
	if err != nil {
		h.jsonInternal(w, r, "passkey: begin a registration", err)
		return
	}
	h.writeJSON(w, http.StatusOK, beginAnswer{Ticket: ticket, PublicKey: opts.Response})
}

// passkeyName is the name the user gave a new passkey, spaces folded, or
// "Passkey" in the reader's language; a name too long is a problem.
func passkeyName(r *http.Request) (string, *msg) {
	name := strings.Join(strings.Fields(r.PostFormValue("passkey_name")), " ")
	if utf8.RuneCountInString(name) > maxPasskeyName {
		return name, m("passkey.error.name_long", "64")
	}
	if name == "" {
		lang, _ := i18n.Choose(r)
		name = i18n.T(lang, "mfa.factor.webauthn")
	}
	return name, nil
}

// passkeyRegister stores the passkey the account page's ceremony created,
// under the name the user gave it (or a default one).
func (h *Handler) passkeyRegister(w http.ResponseWriter, r *http.Request) {
	u := h.recentUser(w, r)
	if u == nil {
		return
	}
	name, problem := passkeyName(r)
	if problem != nil {
		h.showAccount(w, r, http.StatusBadRequest, u, accountForm{passkeyName: name,
			errs: map[string]*msg{"passkey_name": problem}})
		return
	}
	f, err := h.factors.FinishPasskeyRegistration(r.Context(), u.ID, r.PostFormValue("ticket"), []byte(r.PostFormValue("credential")), name)
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) || errors.Is(err, model.ErrConflict) {
		h.record(r, model.AuditEvent{Type: model.AuditMFAFailure, UserID: u.ID, Detail: "enroll " + model.FactorWebAuthn})
		h.showAccount(w, r, http.StatusBadRequest, u, accountForm{passkeyName: name,
			errs: map[string]*msg{"passkey_name": m("passkey.error.not_added")}})
		return
	}
	if err != nil {
		h.internalError(w, r, "passkey: registration", err)
		return
	}
	h.record(r, model.AuditEvent{Type: model.AuditMFAEnroll, UserID: u.ID, Detail: model.FactorWebAuthn + " " + f.ID + " (account page)"})
	// A first factor comes with recovery codes, as an authenticator app
	// does: a lost passkey must not lock the user out.
	left, err := h.factors.Store.CountRecoveryCodes(r.Context(), u.ID)
	if err != nil {
		h.internalError(w, r, "passkey: recovery codes", err)
		return
	}
	if left == 0 {
		codes, err := h.factors.NewRecoveryCodes(r.Context(), u.ID)
		if err != nil {
			h.internalError(w, r, "passkey: recovery codes", err)
			return
		}
		h.showRecoveryCodes(w, r, codes, accountPath+"?changed=passkey#passkeys")
		return
	}
	http.Redirect(w, r, accountPath+"?changed=passkey#passkeys", http.StatusSeeOther)
}

// passkeyEnrollForm is the passkey form of a sign-in that must enroll a
// factor, with problem at its name.
func passkeyEnrollForm(name string, problem *msg) *passkeyForm {
	return &passkeyForm{Kind: "register", Begin: passkeyEnrollPath + "/begin", Action: passkeyEnrollPath + "/finish",
		Label: "passkey.add", Secondary: true,
		Fields: finishFields([]field{{Name: "passkey_name", Type: "text", Label: "passkey.name", Value: name,
			Autocomplete: "off", MaxLength: maxPasskeyName, Hint: m("passkey.name_hint"), Error: problem}}, nil, "")}
}

// passkeyEnrollBegin starts the passkey of a held sign-in that must enroll.
func (h *Handler) passkeyEnrollBegin(w http.ResponseWriter, r *http.Request) {
	p := h.pendingJSON(w, r)
	if p == nil {
		return
	}
	if !p.Enroll {
		h.jsonRefusal(w, r, http.StatusConflict, m("mfa.error.expired.message"))
		return
	}
	u, err := h.store.GetUser(r.Context(), p.UserID)
	if err != nil {
		h.jsonInternal(w, r, "passkey: user", err)
		return
	}
	h.beginRegistration(w, r, u)
}

// passkeyEnroll stores the passkey a held sign-in that must enroll created,
// with recovery codes, and ends the sign-in with it as the second factor.
func (h *Handler) passkeyEnroll(w http.ResponseWriter, r *http.Request) {
	p, tok := h.pending(w, r)
	if p == nil {
		return
	}
	if !p.Enroll {
		http.Redirect(w, r, mfaPath, http.StatusSeeOther)
		return
	}
	name, problem := passkeyName(r)
	if problem != nil {
		h.showSignInEnroll(w, r, http.StatusBadRequest, p, nil, passkeyEnrollForm(name, problem))
		return
	}
	ctx := r.Context()
	f, err := h.factors.FinishPasskeyRegistration(ctx, p.UserID, r.PostFormValue("ticket"), []byte(r.PostFormValue("credential")), name)
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) || errors.Is(err, model.ErrConflict) {
		h.record(r, model.AuditEvent{Type: model.AuditMFAFailure, UserID: p.UserID, Detail: "enroll " + model.FactorWebAuthn})
		h.showSignInEnroll(w, r, http.StatusBadRequest, p, nil, passkeyEnrollForm(name, m("passkey.error.not_added")))
		return
	}
	if err != nil {
		h.internalError(w, r, "passkey: registration", err)
		return
	}
	h.record(r, model.AuditEvent{Type: model.AuditMFAEnroll, UserID: p.UserID, Detail: model.FactorWebAuthn + " " + f.ID + " (sign-in)"})
	codes, err := h.factors.NewRecoveryCodes(ctx, p.UserID)
	if err != nil {
		h.internalError(w, r, "passkey: recovery codes", err)
		return
	}
	h.release(w, r, p, tok, model.FactorWebAuthn, codes)
}
