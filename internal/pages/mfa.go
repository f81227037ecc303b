package pages

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
)

const (
	// mfaPath is the second step of a sign-in: the challenge, or the
	// enrollment a required policy asks for.
	mfaPath = "/login/mfa"
	// stepUpPath is where the authorize endpoint sends a signed-in user
	// whose session lacks the second factor the request needs.
	stepUpPath = mfaPath + "/step-up"
	// pendingCookie carries the token of the sign-in waiting at mfaPath;
	// only that path ever sees it.
	pendingCookie = "genauth_mfa"
	// totpCookie carries a TOTP secret being enrolled, sealed, so that the
	// QR code route and the confirming post see the same one and nothing
	// is stored before the user proves the app has it.
	totpCookie = "genauth_totp"
	totpPath   = "/mfa/totp.png"
	// accountTOTPPath enrolls an authenticator app from the account page.
	accountTOTPPath = accountPath + "/mfa/totp"
	// totpSealPurpose is the secret.Sealer purpose of totpCookie.
	totpSealPurpose = "pages totp enrollment"
	// offeredCookie remembers that this browser was offered to set up a
	// second factor (policy optional), so that it is offered once.
	offeredCookie = "genauth_mfa_offered"
	offerMemory   = 365 * 24 * time.Hour
	// recentAuth is how recently a user must have signed in (or confirmed
	// the password) to enroll or remove a factor.
	recentAuth = 15 * time.Minute
)

func (h *Handler) registerMFA(mux edge.Routes) {
	mux.HandleFunc("GET "+mfaPath, h.mfaForm)
	mux.HandleFunc("GET "+stepUpPath, h.stepUp)
	mux.Handle("POST "+mfaPath, h.form(h.mfaVerify))
	mux.Handle("POST "+mfaPath+"/enroll", h.form(h.mfaEnrollAtSignIn))
	if h.codes != nil {
		mux.Handle("POST "+mfaPath+"/send", h.form(h.mfaSend))
	}
	mux.HandleFunc("GET "+totpPath, h.totpImage)
	mux.HandleFunc("GET "+accountTOTPPath, h.accountTOTPForm)
	mux.Handle("POST "+accountTOTPPath, h.form(h.accountTOTPEnroll))
	mux.Handle("POST "+accountPath+"/mfa/remove", h.form(h.accountMFARemove))
	mux.Handle("POST "+accountPath+"/mfa/recovery", h.form(h.accountRecoveryCodes))
	mux.Handle("POST "+accountPath+"/mfa/confirm", h.form(h.accountMFAConfirm))
	h.registerCodeFactors(mux)
}

// finishSignIn ends a sign-in whose first factor (mfa.First*) userID
// passed: when a second factor is due (the user has one, or a policy
// requires enrolling one) the sign-in is held and the browser goes on to
// mfaPath; otherwise the session starts and the browser goes to returnTo.
func (h *Handler) finishSignIn(w http.ResponseWriter, r *http.Request, userID, first, returnTo string, history bool) {
	h.finishSignInBy(w, r, userID, first, mfa.LoginMethod(first), returnTo, history)
}

// finishSignInBy is finishSignIn of a sign-in the login history records
// as method (an upstream provider's "idp:<type>").
func (h *Handler) finishSignInBy(w http.ResponseWriter, r *http.Request, userID, first, method, returnTo string, history bool) {
	ctx, next := r.Context(), returnTo
	if h.factors != nil {
		app, err := h.application(r, returnTo)
		if err != nil {
			h.internalError(w, r, "sign-in: application", err)
			return
		}
		policy, err := h.factors.Policy(ctx, app)
		if err != nil {
			h.internalError(w, r, "sign-in: MFA policy", err)
			return
		}
		step, _, err := h.factors.Next(ctx, userID, policy, first)
		if err != nil {
			h.internalError(w, r, "sign-in: second factor", err)
			return
		}
		if step == mfa.Challenge || step == mfa.Enroll {
			tok, err := h.factors.Hold(ctx, mfa.Pending{UserID: userID, ClientID: clientOf(returnTo), First: first,
				Enroll: step == mfa.Enroll, State: returnTo, Method: method})
			if err != nil {
				h.internalError(w, r, "sign-in: hold for the second factor", err)
				return
			}
			h.setCookie(w, r, pendingCookie, mfaPath, tok, mfa.PendingLifetime)
			http.Redirect(w, r, mfaPath, http.StatusSeeOther)
			return
		}
		if _, err := r.Cookie(offeredCookie); step == mfa.Offer && err != nil {
			// Optional: the account page's MFA section, once per browser,
			// with a way on to where the sign-in was going.
			h.setCookie(w, r, offeredCookie, "/", "1", offerMemory)
			next = accountPath + "?" + url.Values{"offer": {returnTo}}.Encode() + "#mfa"
		}
	}
	if _, err := h.sessions.Start(ctx, w, r, userID, mfa.AMR(first, "")); err != nil {
		h.internalError(w, r, "sign-in: start session", err)
		return
	}
	if history {
		h.recordLogin(r, userID, returnTo, method)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// stepUp holds a step-up for the signed-in user, whose session proved one
// factor, and sends the browser on to the challenge (or, for a user
// without a factor, to enrollment as a required policy would), which
// raises the session and returns to return_to. Enrolling needs a recent
// sign-in, as on the account page: with an older session the user signs in
// again first.
func (h *Handler) stepUp(w http.ResponseWriter, r *http.Request) {
	ctx, returnTo := r.Context(), safeReturnTo(r.URL.Query().Get("return_to"))
	s, err := h.sessions.Current(r)
	if errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrInactive) {
		http.Redirect(w, r, withReturnTo("/login", returnTo), http.StatusSeeOther)
		return
	}
	if err != nil {
		h.internalError(w, r, "step-up: session", err)
		return
	}
	if slices.Contains(s.AMR, "mfa") {
		http.Redirect(w, r, returnTo, http.StatusSeeOther)
		return
	}
	first := mfa.FirstOf(s.AMR)
	step, _, err := h.factors.Next(ctx, s.UserID, model.MFARequired, first)
	if err != nil {
		h.internalError(w, r, "step-up: second factor", err)
		return
	}
	if step == mfa.Enroll && h.factors.Now().Sub(s.AuthTime) >= recentAuth {
		http.Redirect(w, r, withReturnTo("/login", returnTo), http.StatusSeeOther)
		return
	}
	tok, err := h.factors.Hold(ctx, mfa.Pending{UserID: s.UserID, ClientID: clientOf(returnTo), First: first,
		Enroll: step == mfa.Enroll, StepUp: true, State: returnTo})
	if err != nil {
		h.internalError(w, r, "step-up: hold for the second factor", err)
		return
	}
	h.setCookie(w, r, pendingCookie, mfaPath, tok, mfa.PendingLifetime)
	http.Redirect(w, r, mfaPath, http.StatusSeeOther)
}

// application is the application named by returnTo's client_id, or nil.
func (h *Handler) application(r *http.Request, returnTo string) (*model.Application, error) {
	id := clientOf(returnTo)
	if id == "" {
		return nil, nil
	}
	app, err := h.store.GetApplication(r.Context(), id)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	return app, err
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for path, Secure when the
// sessions are; a zero lifetime deletes it.
func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, path, value string, lifetime time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: h.sessions.Secure || r.TLS != nil, MaxAge: int(lifetime / time.Second)}
	if lifetime == 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// pending returns the held sign-in of the request's pending cookie and its
// token, or shows the page that says to sign in again and returns nil.
func (h *Handler) pending(w http.ResponseWriter, r *http.Request) (*mfa.Pending, string) {
	c, err := r.Cookie(pendingCookie)
	if err == nil && c.Value != "" {
		p, err := h.factors.Held(r.Context(), c.Value)
		if err == nil {
			return p, c.Value
		}
		if !errors.Is(err, model.ErrWrongCode) && !errors.Is(err, model.ErrCodeExpired) {
			h.internalError(w, r, "second factor: pending sign-in", err)
			return nil, ""
		}
	}
	h.setCookie(w, r, pendingCookie, mfaPath, "", 0)
	h.renderError(w, r, http.StatusBadRequest, m("mfa.error.expired.title"), m("mfa.error.expired.message"), "")
	return nil, ""
}

// challenge is what the challenge page shows again after an error.
type challenge struct {
	errs      map[string]*msg
	formError *msg
	sent      string // the factor a code was sent to
}

func (h *Handler) mfaForm(w http.ResponseWriter, r *http.Request) {
	p, _ := h.pending(w, r)
	if p == nil {
		return
	}
	if p.Enroll {
		h.showSignInEnroll(w, r, http.StatusOK, p, nil, nil)
		return
	}
	h.showChallenge(w, r, http.StatusOK, p, challenge{sent: r.URL.Query().Get("sent")})
}

func (h *Handler) showChallenge(w http.ResponseWriter, r *http.Request, status int, p *mfa.Pending, c challenge) {
	usable, err := h.usableFactors(r, p)
	if err != nil {
		h.internalError(w, r, "second factor: factors", err)
		return
	}
	pg := page{Title: m("mfa.title"), Error: c.formError, switchBase: mfaPath}
	for _, f := range usable {
		switch f.Type {
		case model.FactorWebAuthn:
			if h.passkeys() && pg.Passkey == nil {
				pg.Passkey = &passkeyForm{Kind: "second", Begin: passkeySecondPath + "/begin",
					Action: passkeySecondPath + "/finish", Label: "passkey.second"}
			}
		case model.FactorTOTP:
			pg.Second = []field{{Name: "code", Type: "text", Label: "mfa.totp.code", Autocomplete: "one-time-code",
				Plain: true, MaxLength: 6, Hint: m("mfa.totp.hint"), Error: c.errs["code"]}}
		case model.FactorEmail, model.FactorSMS:
			if h.codes == nil || !h.delivers[messageKind(f.Type)] {
				continue
			}
			s := factorSend{ID: f.ID, To: maskAddress(f.Address), Label: "mfa.send." + strings.ToLower(f.Type)}
			if c.sent == f.ID {
				s.Fields = []field{{Name: "factor_code", Type: "text", Label: "reset.code", Autocomplete: "one-time-code",
					Plain: true, MaxLength: passcode.Digits, Hint: m("mfa.send.hint", s.To), Error: c.errs["factor_code"]}}
			}
			pg.Sends = append(pg.Sends, s)
		}
	}
	focus := "recovery_code"
	if pg.Second != nil {
		focus = "code"
	}
	for _, s := range pg.Sends {
		if s.Fields != nil {
			focus = "factor_code"
		}
	}
	recovery := field{Name: "recovery_code", Type: "text", Label: "mfa.recovery.code", Autocomplete: "off",
		Plain: true, MaxLength: 40, Hint: m("mfa.recovery.hint"), Error: c.errs["recovery_code"]}
	// One pass over every input of the page, so that one field has focus.
	all := append([]field{}, pg.Second...)
	for _, s := range pg.Sends {
		all = append(all, s.Fields...)
	}
	all = finishFields(append(all, recovery), nil, focus)
	i := 0
	if pg.Second != nil {
		pg.Second, i = all[:1], 1
	}
	for k := range pg.Sends {
		n := len(pg.Sends[k].Fields)
		pg.Sends[k].Fields, i = all[i:i+n], i+n
	}
	pg.Fields = all[i:]
	if pg.Passkey != nil {
		pg.Passkey.Secondary = pg.Second != nil
	}
	if pg.AppName, err = h.appName(r, p.State); err != nil {
		h.internalError(w, r, "second factor: application", err)
		return
	}
	h.render(w, r, status, "mfa", pg)
}

// factorSend is a factor on the challenge page that sends its code: a
// button that sends one, and once sent the input for it.
type factorSend struct {
	ID, To, Label string
	Fields        []field
}

// usableFactors are the factors that can finish the held sign-in: none of
// the first factor's kind.
func (h *Handler) usableFactors(r *http.Request, p *mfa.Pending) ([]*model.Factor, error) {
	_, list, err := h.factors.Next(r.Context(), p.UserID, model.MFAOff, p.First)
	return list, err
}

// messageKind is the kind of message an SMS or EMAIL factor's codes go by.
func messageKind(factorType string) string {
	if factorType == model.FactorSMS {
		return model.MessageSMS
	}
	return model.MessageEmail
}

// maskAddress shows enough of an address to recognise it, not to learn it:
// the page is seen before the sign-in is complete.
func maskAddress(a string) string {
	if local, domain, ok := strings.Cut(a, "@"); ok {
		if len(local) > 1 {
			local = local[:1]
		}
		return local + "***@" + domain
	}
	if len(a) <= 4 {
		return "****"
	}
	return "****" + a[len(a)-4:]
}

// mfaSend sends a CHANNEL_VERIFY_MFA code to one of the held sign-in's
// factors, throttled like every other code the pages send.
func (h *Handler) mfaSend(w http.ResponseWriter, r *http.Request) {
	p, _ := h.pending(w, r)
	if p == nil {
		return
	}
	f, err := h.usableFactor(r, p, r.PostFormValue("factor"))
	if err != nil {
		h.internalError(w, r, "second factor: factors", err)
		return
	}
	if f == nil || (f.Type != model.FactorEmail && f.Type != model.FactorSMS) || !h.delivers[messageKind(f.Type)] {
		http.Redirect(w, r, mfaPath, http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	err = h.limiter.AllowSend(ctx, sendApp, passcode.ChannelVerifyMFA, f.Address, audit.ClientIP(r))
	if errors.Is(err, throttle.ErrLocked) {
		retryAfter(w, err)
		h.showChallenge(w, r, http.StatusTooManyRequests, p, challenge{formError: m("forgot.error.throttled")})
		return
	}
	if err != nil {
		h.internalError(w, r, "second factor: throttle", err)
		return
	}
	t := passcode.Target{Kind: messageKind(f.Type), To: f.Address, Channel: passcode.ChannelVerifyMFA}
	if err := h.codes.Send(ctx, t, messageLang(r)); err != nil {
		h.internalError(w, r, "second factor: send a code", err)
		return
	}
	http.Redirect(w, r, mfaPath+"?"+url.Values{"sent": {f.ID}}.Encode(), http.StatusSeeOther)
}

// usableFactor is the held sign-in's usable factor id, or nil.
func (h *Handler) usableFactor(r *http.Request, p *mfa.Pending, id string) (*model.Factor, error) {
	list, err := h.usableFactors(r, p)
	if err != nil {
		return nil, err
	}
	for _, f := range list {
		if f.ID == id {
			return f, nil
		}
	}
	return nil, nil
}

// mfaVerify checks the second factor of the held sign-in, counting a wrong
// code as a failed sign-in attempt, and on success starts the session.
func (h *Handler) mfaVerify(w http.ResponseWriter, r *http.Request) {
	p, tok := h.pending(w, r)
	if p == nil {
		return
	}
	c := challenge{errs: map[string]*msg{}}
	kind, field, code := model.FactorTOTP, "code", r.PostFormValue("code")
	var sent *model.Factor
	switch r.PostFormValue("method") {
	case "recovery":
		kind, field, code = mfa.RecoveryFactor, "recovery_code", r.PostFormValue("recovery_code")
	case "factor":
		f, err := h.usableFactor(r, p, r.PostFormValue("factor"))
		if err != nil {
			h.internalError(w, r, "second factor: factors", err)
			return
		}
		if f == nil || h.codes == nil || (f.Type != model.FactorEmail && f.Type != model.FactorSMS) {
			http.Redirect(w, r, mfaPath, http.StatusSeeOther)
			return
		}
		sent, c.sent, kind, field, code = f, f.ID, f.Type, "factor_code", r.PostFormValue("factor_code")
	}
	code = strings.TrimSpace(code)
	if code == "" {
		c.errs[field] = m("code.error.code_required")
		h.showChallenge(w, r, http.StatusBadRequest, p, c)
		return
	}
	status, problem := h.checkSecond(w, r, p.UserID, kind, func() error {
		switch {
		case kind == mfa.RecoveryFactor:
			return h.factors.UseRecoveryCode(r.Context(), p.UserID, code)
		case sent != nil:
			return h.codes.Use(r.Context(), passcode.Target{Kind: messageKind(sent.Type), To: sent.Address,
				Channel: passcode.ChannelVerifyMFA}, code)
		}
		err := h.factors.VerifyTOTP(r.Context(), p.UserID, code)
		if errors.Is(err, model.ErrNotFound) {
			return model.ErrWrongCode
		}
		return err
	})
	if status == http.StatusInternalServerError {
		h.internalError(w, r, "second factor: check", problem.err)
		return
	}
	if problem != nil {
		c.errs[field] = problem.msg
		h.showChallenge(w, r, status, p, c)
		return
	}
	h.release(w, r, p, tok, kind, nil)
}

// failure is why a second factor was refused: a message for the user, or
// err when the check could not be made.
type failure struct {
	msg *msg
	err error
}

// checkSecond runs check (a code of kind for userID) as a sign-in attempt
// under the lockout and records the outcome: a status and nil when it
// passed, else the status and why.
func (h *Handler) checkSecond(w http.ResponseWriter, r *http.Request, userID, kind string, check func() error) (int, *failure) {
	ctx, ip := r.Context(), audit.ClientIP(r)
	attempt, err := h.limiter.Begin(ctx, throttle.UserAccount(userID), ip)
	if errors.Is(err, throttle.ErrLocked) {
		retryAfter(w, err)
		h.record(r, model.AuditEvent{Type: model.AuditMFAFailure, UserID: userID, Detail: "locked"})
		return http.StatusTooManyRequests, &failure{msg: m("login.error.locked")}
	}
	if err != nil {
		return http.StatusInternalServerError, &failure{err: err}
	}
	err = check()
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) {
		if lerr := attempt.Failed(ctx); errors.Is(lerr, throttle.ErrLocked) {
			retryAfter(w, lerr)
			h.record(r, model.AuditEvent{Type: model.AuditLoginLockout, UserID: userID, Detail: "second factor"})
			return http.StatusTooManyRequests, &failure{msg: m("login.error.locked")}
		} else if lerr != nil {
			return http.StatusInternalServerError, &failure{err: lerr}
		}
		h.record(r, model.AuditEvent{Type: model.AuditMFAFailure, UserID: userID, Detail: kind})
		return http.StatusUnauthorized, &failure{msg: refusedCode(kind, err)}
	}
	if err != nil {
		if rerr := attempt.NotJudged(ctx); rerr != nil {
			err = rerr
		}
		return http.StatusInternalServerError, &failure{err: err}
	}
	if err := attempt.Succeeded(ctx); err != nil {
		return http.StatusInternalServerError, &failure{err: err}
	}
	return http.StatusOK, nil
}

// refusedCode is the message for a refused code of kind.
func refusedCode(kind string, err error) *msg {
	switch {
	case kind == mfa.RecoveryFactor:
		return m("mfa.error.wrong_recovery")
	case kind == model.FactorEmail || kind == model.FactorSMS:
		if x := codeProblem(err); x != nil {
			return x
		}
		return m("reset.error.wrong_code")
	}
	return m("mfa.error.wrong")
}

// release ends the held sign-in once its second factor (kind) is proven:
// the session starts, and the browser goes to where the sign-in was going,
// or sees the new recovery codes first.
func (h *Handler) release(w http.ResponseWriter, r *http.Request, p *mfa.Pending, tok, kind string, recovery []string) {
	ctx := r.Context()
	err := h.factors.Release(ctx, p, tok)
	h.setCookie(w, r, pendingCookie, mfaPath, "", 0)
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) {
		h.renderError(w, r, http.StatusBadRequest, m("mfa.error.expired.title"), m("mfa.error.expired.message"), "")
		return
	}
	if err != nil {
		h.internalError(w, r, "second factor: release", err)
		return
	}
	// The account may have been suspended or deleted since the first factor.
	u, err := h.store.GetUser(ctx, p.UserID)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		h.internalError(w, r, "second factor: user", err)
		return
	}
	if u == nil || !users.Active(u) {
		h.renderError(w, r, http.StatusForbidden, m("login.title"), m("login.error.suspended"), "")
		return
	}
	returnTo := safeReturnTo(p.State)
	if p.StepUp {
		// The step-up raises the session it began from, if the browser
		// still has it: the second factor alone signs no one in.
		s, err := h.sessions.Current(r)
		if errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrInactive) || (err == nil && s.UserID != p.UserID) {
			h.renderError(w, r, http.StatusBadRequest, m("mfa.error.expired.title"), m("mfa.error.expired.message"), "")
			return
		}
		if err != nil {
			h.internalError(w, r, "step-up: session", err)
			return
		}
		if _, err := h.sessions.Raise(ctx, w, r, s, union(s.AMR, mfa.AMR(p.First, kind))); err != nil {
			h.internalError(w, r, "step-up: raise the session", err)
			return
		}
		h.record(r, model.AuditEvent{Type: model.AuditMFAVerify, UserID: p.UserID, ClientID: p.ClientID, Detail: kind + " (step-up)"})
	} else {
		if _, err := h.sessions.Start(ctx, w, r, p.UserID, mfa.AMR(p.First, kind)); err != nil {
			h.internalError(w, r, "second factor: start session", err)
			return
		}
		h.record(r, model.AuditEvent{Type: model.AuditMFAVerify, UserID: p.UserID, ClientID: p.ClientID, Detail: kind})
		method := p.Method
		if method == "" {
			method = mfa.LoginMethod(p.First)
		}
		h.recordLogin(r, p.UserID, returnTo, method)
	}
	if recovery != nil {
		h.showRecoveryCodes(w, r, recovery, returnTo)
		return
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

// union is the amr of a session a step-up raised: what it proved before and
// what the step-up proved, "mfa" last as mfa.AMR has it.
func union(prev, added []string) []string {
	out := slices.DeleteFunc(slices.Concat(prev, added), func(v string) bool { return v == "mfa" })
	slices.Sort(out)
	return append(slices.Compact(out), "mfa")
}

// enrollment is a TOTP secret being enrolled, as totpCookie keeps it.
type enrollment struct {
	UserID  string `json:"u"`
	URI     string `json:"k"`
	Expires int64  `json:"e"`
}

// enrolling returns the TOTP secret userID is enrolling (from totpCookie),
// or draws a new one and sets the cookie. fresh forces a new one.
func (h *Handler) enrolling(w http.ResponseWriter, r *http.Request, u *model.User, fresh bool) (*otp.Key, error) {
	if e := h.totpEnrollment(r); e != nil && e.UserID == u.ID && !fresh {
		return otp.NewKeyFromURL(e.URI)
	}
	setup, err := h.factors.NewTOTP(displayName(u))
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(enrollment{UserID: u.ID, URI: setup.URI, Expires: h.factors.Now().Add(mfa.PendingLifetime).Unix()})
	if err != nil {
		return nil, err
	}
	sealed, err := h.factors.Sealer.Seal(totpSealPurpose, b)
	if err != nil {
		return nil, err
	}
	h.setCookie(w, r, totpCookie, "/", base64.RawURLEncoding.EncodeToString(sealed), mfa.PendingLifetime)
	return otp.NewKeyFromURL(setup.URI)
}

// totpEnrollment is the request's unexpired totpCookie, or nil.
func (h *Handler) totpEnrollment(r *http.Request) *enrollment {
	c, err := r.Cookie(totpCookie)
	if err != nil {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	b, err := h.factors.Sealer.Open(totpSealPurpose, raw)
	if err != nil {
		return nil
	}
	var e enrollment
	if json.Unmarshal(b, &e) != nil || h.factors.Now().Unix() >= e.Expires {
		return nil
	}
	return &e
}

// totpImage is the QR code of the secret being enrolled: same origin, so
// that the pages' img-src 'self' allows it.
func (h *Handler) totpImage(w http.ResponseWriter, r *http.Request) {
	e := h.totpEnrollment(r)
	if e == nil {
		http.NotFound(w, r)
		return
	}
	key, err := otp.NewKeyFromURL(e.URI)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	img, err := key.Image(256, 256)
	if err != nil {
		h.internalError(w, r, "QR code", err)
		return
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		h.internalError(w, r, "QR code", err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "image/png")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes())
}

// showEnroll shows the enrollment of key: the QR code, the secret as text,
// and the code that confirms it, posted to action; back leads away ("": no
// way back, the sign-in needs it); others are the other factors that may
// be added instead.
func (h *Handler) showEnroll(w http.ResponseWriter, r *http.Request, status int, action, back string, key *otp.Key, problem *msg, others []codeFactorLink, passkey *passkeyForm) {
	fields := finishFields([]field{{Name: "code", Type: "text", Label: "mfa.totp.code", Autocomplete: "one-time-code",
		Plain: true, MaxLength: 6, Required: true, Hint: m("mfa.totp.hint"), Error: problem}}, nil, "code")
	// The language links lead to the page's GET: the account page's own,
	// or the second step of a sign-in.
	again := accountTOTPPath
	if back == "" {
		again = mfaPath
	}
	h.render(w, r, status, "mfaenroll", page{Title: m("mfa.enroll.title"), Action: action, Secret: key.Secret(),
		Fields: fields, LoginHref: back, switchBase: again, MFA: &mfaView{AddCodes: others}, Passkey: passkey})
}

// showSignInEnroll shows the factors a sign-in that must enroll may add:
// an authenticator app (problem is its code's), codes by email or SMS, and
// a passkey (passkey: its form again, with an error; nil: a fresh one).
func (h *Handler) showSignInEnroll(w http.ResponseWriter, r *http.Request, status int, p *mfa.Pending, problem *msg, passkey *passkeyForm) {
	u, err := h.store.GetUser(r.Context(), p.UserID)
	if err != nil {
		h.internalError(w, r, "second factor: user", err)
		return
	}
	key, err := h.enrolling(w, r, u, false)
	if err != nil {
		h.internalError(w, r, "second factor: TOTP secret", err)
		return
	}
	if passkey == nil && h.passkeys() {
		passkey = passkeyEnrollForm("", nil)
	}
	if !h.passkeys() {
		passkey = nil
	}
	// The sign-in needs a factor: codes by email or SMS will do too.
	h.showEnroll(w, r, status, mfaPath+"/enroll", "", key, problem, h.codeFactorLinks(signInCodeFactorPath, nil), passkey)
}

// mfaEnrollAtSignIn enrolls the authenticator app a required policy asks
// for during sign-in, then finishes the sign-in with it.
func (h *Handler) mfaEnrollAtSignIn(w http.ResponseWriter, r *http.Request) {
	p, tok := h.pending(w, r)
	if p == nil {
		return
	}
	if !p.Enroll {
		http.Redirect(w, r, mfaPath, http.StatusSeeOther)
		return
	}
	codes, problem, status := h.enrollTOTP(w, r, p.UserID, "sign-in")
	if status == http.StatusInternalServerError {
		return
	}
	if problem != nil {
		h.showSignInEnroll(w, r, status, p, problem, nil)
		return
	}
	h.release(w, r, p, tok, model.FactorTOTP, codes)
}

// enrollTOTP gives userID the TOTP factor of totpCookie when the posted code
// proves it, and draws recovery codes: the codes, or a message and status
// (500: an error page was shown).
func (h *Handler) enrollTOTP(w http.ResponseWriter, r *http.Request, userID, where string) ([]string, *msg, int) {
	e := h.totpEnrollment(r)
	if e == nil || e.UserID != userID {
		return nil, m("mfa.error.enroll_expired"), http.StatusBadRequest
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		return nil, m("code.error.code_required"), http.StatusBadRequest
	}
	key, err := otp.NewKeyFromURL(e.URI)
	if err != nil {
		return nil, m("mfa.error.enroll_expired"), http.StatusBadRequest
	}
	ctx := r.Context()
	status, fail := h.checkSecond(w, r, userID, "enroll "+model.FactorTOTP, func() error {
		_, err := h.factors.EnrollTOTP(ctx, userID, key.Secret(), code)
		return err
	})
	if status == http.StatusInternalServerError {
		if errors.Is(fail.err, model.ErrConflict) {
			return nil, m("mfa.error.has_totp"), http.StatusConflict
		}
		h.internalError(w, r, "second factor: enroll", fail.err)
		return nil, nil, status
	}
	if fail != nil {
		return nil, fail.msg, status
	}
	h.setCookie(w, r, totpCookie, "/", "", 0)
	h.record(r, model.AuditEvent{Type: model.AuditMFAEnroll, UserID: userID, Detail: model.FactorTOTP + " (" + where + ")"})
	codes, err := h.factors.NewRecoveryCodes(ctx, userID)
	if err != nil {
		h.internalError(w, r, "second factor: recovery codes", err)
		return nil, nil, http.StatusInternalServerError
	}
	return codes, nil, http.StatusOK
}

// showRecoveryCodes shows new recovery codes, the only time they are seen.
func (h *Handler) showRecoveryCodes(w http.ResponseWriter, r *http.Request, codes []string, next string) {
	h.render(w, r, http.StatusOK, "mfacodes", page{Title: m("mfa.codes.title"), Codes: codes, ReturnTo: next, switchBase: "/"})
}

// mfaView is the account page's MFA section.
type mfaView struct {
	// Recent: the session is recent enough to enroll or remove; else
	// the page asks for the password (or, without one, to sign in again).
	Recent      bool
	HasPassword bool
	Factors     []factorView
	HasTOTP     bool
	// AddCodes leads to adding the kinds of code factor (codeFactorKinds)
	// the user lacks and this installation can send.
	AddCodes []codeFactorLink
	Recovery int // unused recovery codes
	Password []field
	// Offer is where a sign-in offered to set up MFA was going: the
	// section says so and leads on; "": no offer.
	Offer string
	// Passkeys lists the user's passkeys apart from the other factors
	// when the pages offer passkeys (else they are listed with them).
	PasskeysOn bool
	Passkeys   []passkeyView
	// Any: the user has a factor of any kind.
	Any bool
}

type codeFactorLink struct{ Href, Label string }

type factorView struct {
	ID, Label string
	Added     string
}

// passkeyView is one of the account page's passkeys; LastUsed "": never.
type passkeyView struct {
	ID, Name, Added, LastUsed string
}

// mfaSection builds the account page's MFA section for u.
func (h *Handler) mfaSection(r *http.Request, u *model.User, passwordErr *msg) (*mfaView, error) {
	if h.factors == nil {
		return nil, nil
	}
	ctx := r.Context()
	list, err := h.factors.Store.ListFactors(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	v := &mfaView{HasPassword: u.PasswordHash != "", PasskeysOn: h.passkeys()}
	if v.Recent, err = h.recent(r); err != nil {
		return nil, err
	}
	for _, f := range list {
		if f.Type == model.FactorWebAuthn && v.PasskeysOn {
			pv := passkeyView{ID: f.ID, Name: f.Name, Added: f.CreatedAt.UTC().Format("2006-01-02")}
			if !f.LastUsedAt.IsZero() {
				pv.LastUsed = f.LastUsedAt.UTC().Format("2006-01-02")
			}
			v.Passkeys = append(v.Passkeys, pv)
			continue
		}
		label := "mfa.factor." + strings.ToLower(f.Type)
		v.HasTOTP = v.HasTOTP || f.Type == model.FactorTOTP
		v.Factors = append(v.Factors, factorView{ID: f.ID, Label: label, Added: f.CreatedAt.UTC().Format("2006-01-02")})
	}
	v.AddCodes = h.codeFactorLinks(accountCodeFactorPath, list)
	if v.Any = len(list) > 0; v.Any {
		if v.Recovery, err = h.factors.Store.CountRecoveryCodes(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	if !v.Recent && v.HasPassword {
		v.Password = finishFields([]field{{Name: "mfa_password", Type: "password", Label: "account.password.old",
			Autocomplete: "current-password", Required: true, Error: passwordErr}}, nil, "")
	}
	return v, nil
}

// recent says whether the request's session began (with a password, a
// code, or the password confirmed again) within recentAuth.
func (h *Handler) recent(r *http.Request) (bool, error) {
	s, err := h.sessions.Current(r)
	if errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrInactive) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return h.factors.Now().Sub(s.AuthTime) < recentAuth, nil
}

// recentUser is the signed-in user when the session is recent; otherwise
// the browser goes back to the account page (which asks for the password)
// and nil is returned.
func (h *Handler) recentUser(w http.ResponseWriter, r *http.Request) *model.User {
	u := h.signedIn(w, r)
	if u == nil {
		return nil
	}
	ok, err := h.recent(r)
	if err != nil {
		h.internalError(w, r, "account: session", err)
		return nil
	}
	if !ok {
		http.Redirect(w, r, accountPath+"?changed=stale#mfa", http.StatusSeeOther)
		return nil
	}
	return u
}

func (h *Handler) accountTOTPForm(w http.ResponseWriter, r *http.Request) {
	u := h.recentUser(w, r)
	if u == nil {
		return
	}
	view, err := h.mfaSection(r, u, nil)
	if err != nil {
		h.internalError(w, r, "account: second factors", err)
		return
	}
	if view.HasTOTP {
		http.Redirect(w, r, accountPath+"#mfa", http.StatusSeeOther)
		return
	}
	key, err := h.enrolling(w, r, u, false)
	if err != nil {
		h.internalError(w, r, "account: TOTP secret", err)
		return
	}
	h.showEnroll(w, r, http.StatusOK, accountTOTPPath, accountPath, key, nil, nil, nil)
}

func (h *Handler) accountTOTPEnroll(w http.ResponseWriter, r *http.Request) {
	u := h.recentUser(w, r)
	if u == nil {
		return
	}
	codes, problem, status := h.enrollTOTP(w, r, u.ID, "account page")
	if status == http.StatusInternalServerError {
		return
	}
	if problem != nil {
		key, err := h.enrolling(w, r, u, false)
		if err != nil {
			h.internalError(w, r, "account: TOTP secret", err)
			return
		}
		h.showEnroll(w, r, status, accountTOTPPath, accountPath, key, problem, nil, nil)
		return
	}
	h.showRecoveryCodes(w, r, codes, accountPath)
}

func (h *Handler) accountMFARemove(w http.ResponseWriter, r *http.Request) {
	u := h.recentUser(w, r)
	if u == nil {
		return
	}
	id := r.PostFormValue("factor")
	err := h.factors.Remove(r.Context(), u.ID, id)
	if errors.Is(err, model.ErrNotFound) {
		http.Redirect(w, r, accountPath+"#mfa", http.StatusSeeOther)
		return
	}
	if err != nil {
		h.internalError(w, r, "account: remove a factor", err)
		return
	}
	h.record(r, model.AuditEvent{Type: model.AuditMFARemove, UserID: u.ID, Detail: id})
	if r.PostFormValue("kind") == "passkey" {
		http.Redirect(w, r, accountPath+"?changed=passkey_removed#passkeys", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, accountPath+"?changed=mfa_removed#mfa", http.StatusSeeOther)
}

func (h *Handler) accountRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	u := h.recentUser(w, r)
	if u == nil {
		return
	}
	list, err := h.factors.Store.ListFactors(r.Context(), u.ID)
	if err != nil {
		h.internalError(w, r, "account: factors", err)
		return
	}
	if len(list) == 0 {
		// Recovery codes stand in for a factor; without one they mean nothing.
		http.Redirect(w, r, accountPath+"#mfa", http.StatusSeeOther)
		return
	}
	codes, err := h.factors.NewRecoveryCodes(r.Context(), u.ID)
	if err != nil {
		h.internalError(w, r, "account: recovery codes", err)
		return
	}
	h.record(r, model.AuditEvent{Type: model.AuditMFAEnroll, UserID: u.ID, Detail: "recovery codes regenerated"})
	h.showRecoveryCodes(w, r, codes, accountPath)
}

// accountMFAConfirm proves the password again: the browser gets a new
// session (with the same amr) whose authentication is recent.
func (h *Handler) accountMFAConfirm(w http.ResponseWriter, r *http.Request) {
	u := h.signedIn(w, r)
	if u == nil {
		return
	}
	if u.PasswordHash == "" {
		http.Redirect(w, r, accountPath+"#mfa", http.StatusSeeOther)
		return
	}
	pw := r.PostFormValue("mfa_password")
	status, problem := http.StatusBadRequest, m("account.password.error.old_required")
	if pw != "" {
		err := h.signin.Confirm(r.Context(), u, pw, audit.ClientIP(r))
		switch {
		case errors.Is(err, throttle.ErrLocked):
			retryAfter(w, err)
			status, problem = http.StatusTooManyRequests, m("login.error.locked")
		case errors.Is(err, model.ErrBadCredentials):
			status, problem = http.StatusUnauthorized, m("account.password.error.wrong")
		case err != nil:
			h.internalError(w, r, "account: check the password", err)
			return
		default:
			problem = nil
		}
	}
	if problem != nil {
		h.showAccount(w, r, status, u, accountForm{mfaErr: problem})
		return
	}
	prev, err := h.sessions.Current(r)
	if err != nil {
		h.internalError(w, r, "account: session", err)
		return
	}
	if _, err := h.sessions.Start(r.Context(), w, r, u.ID, prev.AMR); err != nil {
		h.internalError(w, r, "account: start session", err)
		return
	}
	http.Redirect(w, r, accountPath+"#mfa", http.StatusSeeOther)
}
