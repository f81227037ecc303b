package pages

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
)

// Adding a second factor that sends codes by email or SMS: the address,
// then the code sent to it on the API's enrollment channel
// (CHANNEL_BIND_MFA), so that a code proves the same thing on either path.
// From the account page, or during a sign-in whose policy requires a
// factor the user lacks.
const (
	accountCodeFactorPath = accountPath + "/mfa/code"
	signInCodeFactorPath  = mfaPath + "/code"
)

// codeFactorKind is a kind of factor that sends codes.
type codeFactorKind struct {
	factor  string // model.FactorEmail or model.FactorSMS
	address addressKind
	// Catalog keys.
	title, lead, label, exists, add string
}

var codeFactorKinds = map[string]codeFactorKind{
	"email": {factor: model.FactorEmail, address: emailKind, title: "mfa.code.email.title",
		lead: "mfa.code.email.lead", label: "mfa.code.email.label", exists: "mfa.error.has_email", add: "mfa.account.add_email"},
	"sms": {factor: model.FactorSMS, address: phoneKind, title: "mfa.code.sms.title",
		lead: "mfa.code.sms.lead", label: "mfa.code.sms.label", exists: "mfa.error.has_sms", add: "mfa.account.add_sms"},
}

func (h *Handler) registerCodeFactors(mux edge.Routes) {
	for _, base := range []string{accountCodeFactorPath, signInCodeFactorPath} {
		mux.HandleFunc("GET "+base, h.codeFactorForm)
		mux.Handle("POST "+base+"/send", h.form(h.codeFactorSend))
		mux.Handle("POST "+base, h.form(h.codeFactorEnroll))
	}
}

// codeFactorEnroller is who adds the factor, and what follows.
type codeFactorEnroller struct {
	userID, base string
	// address is the user's own, offered first: the account page's.
	address func(codeFactorKind) string
	// done ends the enrollment: the factor added, recovery codes when
	// they were drawn.
	done func(kind string, recovery []string)
}

// enroller returns who adds a factor on this request's path: the signed-in
// user with a recent session, or the held sign-in that must enroll; else
// it has answered (a redirect, an error page) and returns nil.
func (h *Handler) enroller(w http.ResponseWriter, r *http.Request) *codeFactorEnroller {
	if strings.HasPrefix(r.URL.Path, signInCodeFactorPath) {
		p, tok := h.pending(w, r)
		if p == nil {
			return nil
		}
		if !p.Enroll {
			http.Redirect(w, r, mfaPath, http.StatusSeeOther)
			return nil
		}
		return &codeFactorEnroller{userID: p.UserID, base: signInCodeFactorPath,
			address: func(codeFactorKind) string { return "" },
			done:    func(kind string, recovery []string) { h.release(w, r, p, tok, kind, recovery) }}
	}
	u := h.recentUser(w, r)
	if u == nil {
		return nil
	}
	return &codeFactorEnroller{userID: u.ID, base: accountCodeFactorPath,
		address: func(k codeFactorKind) string { return k.address.value(u) },
		done: func(_ string, recovery []string) {
			if recovery == nil {
				http.Redirect(w, r, accountPath+"?changed=mfa_added#mfa", http.StatusSeeOther)
				return
			}
			h.showRecoveryCodes(w, r, recovery, accountPath)
		}}
}

// back is where the page's "back" link leads.
func (e *codeFactorEnroller) back() string {
	if e.base == signInCodeFactorPath {
		return mfaPath
	}
	return accountPath + "#mfa"
}

// codeFactorLinks lead to adding, at base, the kinds of code factor this
// installation can send that list lacks.
func (h *Handler) codeFactorLinks(base string, list []*model.Factor) []codeFactorLink {
	var links []codeFactorLink
	for _, name := range []string{"email", "sms"} {
		k := codeFactorKinds[name]
		if h.codes != nil && h.delivers[k.address.kind] && !slices.ContainsFunc(list, func(f *model.Factor) bool { return f.Type == k.factor }) {
			links = append(links, codeFactorLink{Href: base + "?kind=" + name, Label: k.add})
		}
	}
	return links
}

// requestedCodeKind returns the kind named by the request's "kind" when this
// installation can send its codes.
func (h *Handler) requestedCodeKind(r *http.Request) (codeFactorKind, string, bool) {
	name := r.FormValue("kind")
	k, ok := codeFactorKinds[name]
	return k, name, ok && h.codes != nil && h.delivers[k.address.kind]
}

// codeFactorPage is the state of the page: the address being added ("":
// not sent yet) and what to show again after an error.
type codeFactorPage struct {
	to, value  string
	errs       map[string]*msg
	formError  *msg
	sentNotice bool
}

func (h *Handler) showCodeFactor(w http.ResponseWriter, r *http.Request, status int, e *codeFactorEnroller, k codeFactorKind, name string, c codeFactorPage) {
	pg := page{Title: m(k.title), Error: c.formError, Hidden: []hiddenField{{Name: "kind", Value: name}},
		LoginHref: e.back(), switchBase: e.base + "?kind=" + name}
	if c.to == "" {
		f := k.address.newField(&model.User{}, c.value, c.errs["address"])
		f.Name, f.Label, f.Hint = "address", k.label, nil
		pg.Message, pg.Action, pg.Submit = m(k.lead), e.base+"/send", "mfa.code.send"
		pg.Fields = finishFields([]field{f}, nil, "address")
	} else {
		pg.Hidden = append(pg.Hidden, hiddenField{Name: "address", Value: c.to})
		pg.Message, pg.Action, pg.Submit = m("mfa.code.sent", c.to), e.base, "mfa.code.submit"
		pg.Again = e.base + "/send"
		pg.Fields = finishFields([]field{{Name: "code", Type: "text", Label: "reset.code", Autocomplete: "one-time-code",
			Plain: true, MaxLength: passcode.Digits, Required: true, Error: c.errs["code"]}}, nil, "code")
	}
	h.render(w, r, status, "mfacode", pg)
}

// codeFactorForm asks for the address; on the account page the user's own
// is filled in.
func (h *Handler) codeFactorForm(w http.ResponseWriter, r *http.Request) {
	e := h.enroller(w, r)
	if e == nil {
		return
	}
	k, name, ok := h.requestedCodeKind(r)
	if !ok {
		http.Redirect(w, r, e.back(), http.StatusSeeOther)
		return
	}
	h.showCodeFactor(w, r, http.StatusOK, e, k, name, codeFactorPage{value: e.address(k)})
}

// codeFactorSend sends a code to the posted address, under the pages'
// send limits.
func (h *Handler) codeFactorSend(w http.ResponseWriter, r *http.Request) {
	e := h.enroller(w, r)
	if e == nil {
		return
	}
	k, name, ok := h.requestedCodeKind(r)
	if !ok {
		http.Redirect(w, r, e.back(), http.StatusSeeOther)
		return
	}
	given := r.PostFormValue("address")
	to, problem := k.address.parse(given)
	if problem != nil {
		h.showCodeFactor(w, r, http.StatusBadRequest, e, k, name, codeFactorPage{value: given, errs: map[string]*msg{"address": problem}})
		return
	}
	err := h.limiter.AllowSend(r.Context(), sendApp, passcode.ChannelBindMFA, to, audit.ClientIP(r))
	if errors.Is(err, throttle.ErrLocked) {
		retryAfter(w, err)
		h.showCodeFactor(w, r, http.StatusTooManyRequests, e, k, name, codeFactorPage{value: given, formError: m("forgot.error.throttled")})
		return
	}
	if err != nil {
		h.internalError(w, r, "add a factor: throttle", err)
		return
	}
	t := passcode.Target{Kind: k.address.kind, To: to, Channel: passcode.ChannelBindMFA}
	if err := h.codes.Send(r.Context(), t, messageLang(r)); err != nil {
		h.internalError(w, r, "add a factor: send a code", err)
		return
	}
	h.showCodeFactor(w, r, http.StatusOK, e, k, name, codeFactorPage{to: to})
}

// codeFactorEnroll adds the factor once the code sent to its address is
// given, counting a wrong code against the lockout; the first factor of
// an account comes with recovery codes. A sign-in then ends with it.
func (h *Handler) codeFactorEnroll(w http.ResponseWriter, r *http.Request) {
	e := h.enroller(w, r)
	if e == nil {
		return
	}
	k, name, ok := h.requestedCodeKind(r)
	to, problem := k.address.parse(r.PostFormValue("address"))
	if !ok || problem != nil {
		http.Redirect(w, r, e.back(), http.StatusSeeOther)
		return
	}
	again := codeFactorPage{to: to, errs: map[string]*msg{}}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		again.errs["code"] = m("code.error.code_required")
		h.showCodeFactor(w, r, http.StatusBadRequest, e, k, name, again)
		return
	}
	ctx := r.Context()
	before, err := h.factors.Store.ListFactors(ctx, e.userID)
	if err != nil {
		h.internalError(w, r, "add a factor: factors", err)
		return
	}
	status, fail := h.checkSecond(w, r, e.userID, k.factor, func() error {
		return h.codes.Use(ctx, passcode.Target{Kind: k.address.kind, To: to, Channel: passcode.ChannelBindMFA}, code)
	})
	if fail != nil && fail.err != nil {
		h.internalError(w, r, "add a factor: check a code", fail.err)
		return
	}
	if fail != nil {
		again.errs["code"] = fail.msg
		h.showCodeFactor(w, r, status, e, k, name, again)
		return
	}
	_, err = h.factors.EnrollCode(ctx, e.userID, k.factor, to)
	if errors.Is(err, model.ErrConflict) {
		h.showCodeFactor(w, r, http.StatusConflict, e, k, name, codeFactorPage{value: to, formError: m(k.exists)})
		return
	}
	if err != nil {
		h.internalError(w, r, "add a factor", err)
		return
	}
	where := " (account page)"
	if e.base == signInCodeFactorPath {
		where = " (sign-in)"
	}
	h.record(r, model.AuditEvent{Type: model.AuditMFAEnroll, UserID: e.userID, Detail: k.factor + where})
	if len(before) > 0 {
		e.done(k.factor, nil)
		return
	}
	codes, err := h.factors.NewRecoveryCodes(ctx, e.userID)
	if err != nil {
		h.internalError(w, r, "add a factor: recovery codes", err)
		return
	}
	e.done(k.factor, codes)
}
