package pages

import (
	"errors"
	"net/http"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
)

// accountCodeFactorPath adds a second factor that sends codes by email or
// SMS, from the account page: the address, then the code sent to it on
// the API's enrollment channel (CHANNEL_BIND_MFA), so that a code proves
// the same thing on either path.
const accountCodeFactorPath = accountPath + "/mfa/code"

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
	mux.HandleFunc("GET "+accountCodeFactorPath, h.codeFactorForm)
	mux.Handle("POST "+accountCodeFactorPath+"/send", h.form(h.codeFactorSend))
	mux.Handle("POST "+accountCodeFactorPath, h.form(h.codeFactorEnroll))
}

// codeFactorKind returns the kind named by the request's "kind" when this
// installation can send its codes.
func (h *Handler) codeFactorKind(r *http.Request) (codeFactorKind, string, bool) {
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

func (h *Handler) showCodeFactor(w http.ResponseWriter, r *http.Request, status int, k codeFactorKind, name string, c codeFactorPage) {
	pg := page{Title: m(k.title), Error: c.formError, Hidden: []hiddenField{{Name: "kind", Value: name}},
		LoginHref: accountPath + "#mfa", switchBase: accountCodeFactorPath + "?kind=" + name}
	if c.to == "" {
		f := k.address.newField(&model.User{}, c.value, c.errs["address"])
		f.Name, f.Label, f.Hint = "address", k.label, nil
		pg.Message, pg.Action, pg.Submit = m(k.lead), accountCodeFactorPath+"/send", "mfa.code.send"
		pg.Fields = finishFields([]field{f}, nil, "address")
	} else {
		pg.Hidden = append(pg.Hidden, hiddenField{Name: "address", Value: c.to})
		pg.Message, pg.Action, pg.Submit = m("mfa.code.sent", c.to), accountCodeFactorPath, "mfa.code.submit"
		pg.Again = accountCodeFactorPath + "/send"
		pg.Fields = finishFields([]field{{Name: "code", Type: "text", Label: "reset.code", Autocomplete: "one-time-code",
			Plain: true, MaxLength: passcode.Digits, Required: true, Error: c.errs["code"]}}, nil, "code")
	}
	h.render(w, r, status, "mfacode", pg)
}

// codeFactorForm asks for the address; the user's own is filled in.
func (h *Handler) codeFactorForm(w http.ResponseWriter, r *http.Request) {
	u := h.recentUser(w, r)
	if u == nil {
		return
	}
	k, name, ok := h.codeFactorKind(r)
	if !ok {
		http.Redirect(w, r, accountPath+"#mfa", http.StatusSeeOther)
		return
	}
	h.showCodeFactor(w, r, http.StatusOK, k, name, codeFactorPage{value: k.address.value(u)})
}

// codeFactorSend sends a code to the posted address, under the pages'
// send limits.
func (h *Handler) codeFactorSend(w http.ResponseWriter, r *http.Request) {
	u := h.recentUser(w, r)
	if u == nil {
		return
	}
	k, name, ok := h.codeFactorKind(r)
	if !ok {
		http.Redirect(w, r, accountPath+"#mfa", http.StatusSeeOther)
		return
	}
	given := r.PostFormValue("address")
	to, problem := k.address.parse(given)
	if problem != nil {
		h.showCodeFactor(w, r, http.StatusBadRequest, k, name, codeFactorPage{value: given, errs: map[string]*msg{"address": problem}})
		return
	}
	err := h.limiter.AllowSend(r.Context(), sendApp, passcode.ChannelBindMFA, to, audit.ClientIP(r))
	if errors.Is(err, throttle.ErrLocked) {
		h.showCodeFactor(w, r, http.StatusTooManyRequests, k, name, codeFactorPage{value: given, formError: m("forgot.error.throttled")})
		return
	}
	if err != nil {
		h.internalError(w, r, "account: throttle", err)
		return
	}
	t := passcode.Target{Kind: k.address.kind, To: to, Channel: passcode.ChannelBindMFA}
	if err := h.codes.Send(r.Context(), t, messageLang(r)); err != nil {
		h.internalError(w, r, "account: send a code", err)
		return
	}
	h.showCodeFactor(w, r, http.StatusOK, k, name, codeFactorPage{to: to})
}

// codeFactorEnroll adds the factor once the code sent to its address is
// given, counting a wrong code against the lockout; the first factor of
// an account comes with recovery codes.
func (h *Handler) codeFactorEnroll(w http.ResponseWriter, r *http.Request) {
	u := h.recentUser(w, r)
	if u == nil {
		return
	}
	k, name, ok := h.codeFactorKind(r)
	to, problem := k.address.parse(r.PostFormValue("address"))
	if !ok || problem != nil {
		http.Redirect(w, r, accountPath+"#mfa", http.StatusSeeOther)
		return
	}
	again := codeFactorPage{to: to, errs: map[string]*msg{}}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		again.errs["code"] = m("code.error.code_required")
		h.showCodeFactor(w, r, http.StatusBadRequest, k, name, again)
		return
	}
	ctx := r.Context()
	before, err := h.factors.Store.ListFactors(ctx, u.ID)
	if err != nil {
		h.internalError(w, r, "account: factors", err)
		return
	}
	status, fail := h.checkSecond(r, u.ID, k.factor, func() error {
		return h.codes.Use(ctx, passcode.Target{Kind: k.address.kind, To: to, Channel: passcode.ChannelBindMFA}, code)
	})
	if fail != nil && fail.err != nil {
		h.internalError(w, r, "account: check a code", fail.err)
		return
	}
	if fail != nil {
		again.errs["code"] = fail.msg
		h.showCodeFactor(w, r, status, k, name, again)
		return
	}
	_, err = h.factors.EnrollCode(ctx, u.ID, k.factor, to)
	if errors.Is(err, model.ErrConflict) {
		h.showCodeFactor(w, r, http.StatusConflict, k, name, codeFactorPage{value: to, formError: m(k.exists)})
		return
	}
	if err != nil {
		h.internalError(w, r, "account: add a factor", err)
		return
	}
	h.record(r, model.AuditEvent{Type: model.AuditMFAEnroll, UserID: u.ID, Detail: k.factor + " (account page)"})
	if len(before) > 0 {
		http.Redirect(w, r, accountPath+"?changed=mfa_added#mfa", http.StatusSeeOther)
		return
	}
	codes, err := h.factors.NewRecoveryCodes(ctx, u.ID)
	if err != nil {
		h.internalError(w, r, "account: recovery codes", err)
		return
	}
	h.showRecoveryCodes(w, r, codes, accountPath)
}
