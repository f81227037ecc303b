package pages

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
)

// addressKind is a kind of address the account page changes: its paths,
// fields and messages, and the channels of its codes, which are the
// authentication API's (internal/api/authn/update.go), so that a code
// proves the same thing on either path.
type addressKind struct {
	kind                   string // model.MessageEmail or model.MessageSMS
	name                   string // "email" or "phone": in the paths, the field and the notice
	newChannel, oldChannel string
	value                  func(*model.User) string
	verified               func(*model.User) bool
	// Catalog keys.
	label, title, newLabel, hint, hintOld  string
	invalid, same, taken                   string
	verifyTitle, sentOld, codeNew, codeOld string
	submit, done                           string
}

var (
	emailKind = addressKind{kind: model.MessageEmail, name: "email",
		newChannel: passcode.ChannelUpdateEmail, oldChannel: passcode.ChannelUpdateEmail,
		value:    func(u *model.User) string { return u.Email },
		verified: func(u *model.User) bool { return u.EmailVerified },
		label:    "account.email", title: "account.email.title", newLabel: "account.email.new",
		hintOld: "account.email.hint_old",
		invalid: "register.error.email_invalid", same: "account.email.error.same", taken: "account.email.error.taken",
		verifyTitle: "account.email.verify.title", sentOld: "account.email.sent_old", codeNew: "account.email.code_new", codeOld: "account.email.code_old",
		submit: "account.email.submit", done: "account.email.done"}
	phoneKind = addressKind{kind: model.MessageSMS, name: "phone",
		newChannel: passcode.ChannelBindPhone, oldChannel: passcode.ChannelUnbindPhone,
		value:    func(u *model.User) string { return u.Phone },
		verified: func(u *model.User) bool { return u.PhoneVerified },
		label:    "account.phone", title: "account.phone.title", newLabel: "account.phone.new",
		hint: "account.phone.hint", hintOld: "account.phone.hint_old",
		invalid: "code.error.phone", same: "account.phone.error.same", taken: "account.phone.error.taken",
		verifyTitle: "account.phone.verify.title", sentOld: "account.phone.sent_old", codeNew: "account.phone.code_new", codeOld: "account.phone.code_old",
		submit: "account.phone.submit", done: "account.phone.done"}
	addressKinds = []addressKind{emailKind, phoneKind}
)

func (k addressKind) path() string       { return accountPath + "/" + k.name }
func (k addressKind) verifyPath() string { return k.path() + "/verify" }
func (k addressKind) field() string      { return "new_" + k.name }

// confirmOld reports whether u's current address must agree to a change:
// when it is verified (an unverified address proves nothing).
func (k addressKind) confirmOld(u *model.User) bool { return k.value(u) != "" && k.verified(u) }

// parse reads s as a new address in passcode.Address's form, or says what
// is wrong with it. An email is checked as users.Update will check it, so
// that no code goes to an address that cannot be stored.
func (k addressKind) parse(s string) (string, *msg) {
	if k.kind == model.MessageEmail {
		to := emailAddress(s)
		if to == "" || users.ValidateEmail(to) != nil {
			return "", m(k.invalid)
		}
		return to, nil
	}
	s = strings.TrimSpace(s)
	if !passcode.ValidPhone(s, "") {
		return "", m(k.invalid)
	}
	return passcode.Address(model.MessageSMS, s, ""), nil
}

// newField is the input of the new address on the account page.
func (k addressKind) newField(u *model.User, value string, problem *msg) field {
	f := field{Name: k.field(), Type: "email", Label: k.newLabel, Value: value, Autocomplete: "email",
		Plain: true, Required: true, Error: problem}
	if k.kind == model.MessageSMS {
		f.Type, f.Autocomplete = "tel", "tel"
	}
	hint := k.hint
	if k.confirmOld(u) {
		hint = k.hintOld
	}
	if hint != "" {
		f.Hint = m(hint)
	}
	return f
}

// addressView is one address on the account page, with its change form
// when a code can be sent to that kind; and the code page of a change.
type addressView struct {
	Label    string // catalog key
	Value    string // the current address; "": none
	Verified bool
	Title    string // catalog key of the change form's heading
	Action   string // where the change form posts; "": no change here
	Fields   []field
	// The code page: the new address; the current one when it is sent a
	// code too, and the key of the sentence saying so; where "send new
	// codes" posts; the submit key.
	New, Old, OldLead, Again, Submit string
}

// addresses are the account page's address views; a change form shows
// what f holds for its field (the value posted, its error).
func (h *Handler) addresses(u *model.User, f accountForm) []addressView {
	out := make([]addressView, 0, len(addressKinds))
	for _, k := range addressKinds {
		v := addressView{Label: k.label, Value: k.value(u), Verified: k.verified(u)}
		if h.delivers[k.kind] {
			v.Title, v.Action = k.title, k.path()
			v.Fields = finishFields([]field{k.newField(u, f.values[k.field()], f.errs[k.field()])}, nil, "")
		}
		out = append(out, v)
	}
	return out
}

// sendAddressCodes starts a change of k's address: a code to the new
// address, and one to the current address when it is verified, on the
// channels of the API's verify-update request and under the same send
// limits as the pages' other codes. An address another account has is
// answered as users.Update would (409), before anything is sent to it.
func (h *Handler) sendAddressCodes(k addressKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := h.signedIn(w, r)
		if u == nil {
			return
		}
		given := r.PostFormValue(k.field())
		f := accountForm{errs: map[string]*msg{}, values: map[string]string{k.field(): given}}
		refuse := func(status int, x *msg) {
			f.errs[k.field()] = x
			h.showAccount(w, r, status, u, f)
		}
		to, problem := k.parse(given)
		switch {
		case problem != nil:
			refuse(http.StatusBadRequest, problem)
			return
		case to == k.value(u):
			refuse(http.StatusBadRequest, m(k.same))
			return
		}
		targets := []passcode.Target{{Kind: k.kind, To: to, Channel: k.newChannel}}
		if k.confirmOld(u) {
			targets = append(targets, passcode.Target{Kind: k.kind, To: k.value(u), Channel: k.oldChannel})
		}
		ctx, ip := r.Context(), audit.ClientIP(r)
		for i, t := range targets {
			err := h.limiter.AllowSend(ctx, sendApp, t.Channel, t.To, ip)
			if errors.Is(err, throttle.ErrLocked) {
				retryAfter(w, err)
				refuse(http.StatusTooManyRequests, m("forgot.error.throttled"))
				return
			}
			if err != nil {
				h.internalError(w, r, "account: throttle", err)
				return
			}
			// The new address is looked up after the limit counted the
			// request, so that it cannot be asked of many addresses fast.
			if i == 0 {
				other, err := h.signin.UserAt(ctx, k.kind, to)
				if err != nil {
					h.internalError(w, r, "account: look up the address", err)
					return
				}
				if other != nil {
					refuse(http.StatusConflict, m(k.taken))
					return
				}
			}
		}
		for _, t := range targets {
			if err := h.codes.Send(ctx, t, messageLang(r)); err != nil {
				h.internalError(w, r, "account: send a code", err)
				return
			}
		}
		http.Redirect(w, r, k.verifyPath()+"?"+url.Values{k.field(): {to}}.Encode(), http.StatusSeeOther)
	}
}

// addressCodes is what the code page of a change shows again after an error.
type addressCodes struct {
	to        string
	errs      map[string]*msg
	formError *msg
}

// addressCodeForm shows the code page of a change to the address in the
// query; without a valid new one there is nothing to confirm, and the
// browser goes back to the account page.
func (h *Handler) addressCodeForm(k addressKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := h.signedIn(w, r)
		if u == nil {
			return
		}
		to, problem := k.parse(r.URL.Query().Get(k.field()))
		if problem != nil || to == k.value(u) {
			http.Redirect(w, r, accountPath, http.StatusSeeOther)
			return
		}
		h.showAddressCodes(w, r, http.StatusOK, u, k, addressCodes{to: to})
	}
}

func (h *Handler) showAddressCodes(w http.ResponseWriter, r *http.Request, status int, u *model.User, k addressKind, c addressCodes) {
	code := func(name, label string) field {
		return field{Name: name, Type: "text", Label: label, Autocomplete: "one-time-code", Plain: true,
			MaxLength: passcode.Digits, Required: true, Hint: m("code.code_hint"), Error: c.errs[name]}
	}
	fields := []field{code("code", k.codeNew)}
	v := addressView{New: c.to, Again: k.path(), Submit: k.submit}
	if k.confirmOld(u) {
		fields = append(fields, code("old_code", k.codeOld))
		v.Old, v.OldLead = k.value(u), k.sentOld
	}
	h.render(w, r, status, "accountverify", page{
		Title:      m(k.verifyTitle),
		Error:      c.formError,
		Fields:     finishFields(fields, nil, "code"),
		Action:     k.verifyPath(),
		Hidden:     []hiddenField{{Name: k.field(), Value: c.to}},
		Change:     &v,
		switchBase: k.verifyPath() + "?" + url.Values{k.field(): {c.to}}.Encode(),
	})
}

// changeAddress makes the change once its codes are right: each is judged
// on its own, so that an error shows at its field, and then UseAll uses
// them up together, none if one fails. The new address is stored verified.
func (h *Handler) changeAddress(k addressKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := h.signedIn(w, r)
		if u == nil {
			return
		}
		given := r.PostFormValue(k.field())
		to, problem := k.parse(given)
		if problem == nil && to == k.value(u) {
			problem = m(k.same) // changed already, in another tab
		}
		if problem != nil {
			// Only an altered or outdated form gets here: start again.
			h.showAccount(w, r, http.StatusBadRequest, u, accountForm{errs: map[string]*msg{k.field(): problem},
				values: map[string]string{k.field(): given}})
			return
		}
		c := addressCodes{to: to, errs: map[string]*msg{}}
		names := []string{"code"}
		proofs := []passcode.Proof{{Target: passcode.Target{Kind: k.kind, To: to, Channel: k.newChannel}, Code: r.PostFormValue("code")}}
		if k.confirmOld(u) {
			names = append(names, "old_code")
			proofs = append(proofs, passcode.Proof{Target: passcode.Target{Kind: k.kind, To: k.value(u), Channel: k.oldChannel},
				Code: r.PostFormValue("old_code")})
		}
		for i := range proofs {
			if proofs[i].Code = strings.TrimSpace(proofs[i].Code); proofs[i].Code == "" {
				c.errs[names[i]] = m("code.error.code_required")
			}
		}
		if len(c.errs) > 0 {
			h.showAddressCodes(w, r, http.StatusBadRequest, u, k, c)
			return
		}
		ctx := r.Context()
		for i, p := range proofs {
			if err := h.codes.Check(ctx, p.Target, p.Code); err != nil {
				x := codeProblem(err)
				if x == nil {
					h.internalError(w, r, "account: check a code", err)
					return
				}
				c.errs[names[i]] = x
			}
		}
		if len(c.errs) == 0 {
			if err := h.codes.UseAll(ctx, proofs...); err != nil {
				x := codeProblem(err)
				if x == nil {
					h.internalError(w, r, "account: use the codes", err)
					return
				}
				c.errs["code"] = x
			}
		}
		if len(c.errs) > 0 {
			h.showAddressCodes(w, r, http.StatusForbidden, u, k, c)
			return
		}
		yes := true
		p := users.Patch{Email: &to, EmailVerified: &yes}
		if k.kind == model.MessageSMS {
			p = users.Patch{Phone: &to, PhoneVerified: &yes}
		}
		_, err := h.users.Update(ctx, u.ID, p)
		switch {
		case errors.Is(err, model.ErrConflict):
			c.formError = m(k.taken)
			h.showAddressCodes(w, r, http.StatusConflict, u, k, c)
			return
		case errors.Is(err, model.ErrInvalidInput):
			_, c.formError = inputError(err)
			h.showAddressCodes(w, r, http.StatusBadRequest, u, k, c)
			return
		case err != nil:
			h.internalError(w, r, "account: change the address", err)
			return
		}
		h.record(r, model.AuditEvent{Type: model.AuditAddressUpdate, UserID: u.ID, Detail: k.kind + ", hosted account page"})
		http.Redirect(w, r, accountPath+"?changed="+k.name, http.StatusSeeOther)
	}
}

// codeProblem is the message for a code refused (wrong, used, dead after
// too many tries, or expired), or nil for another error.
func codeProblem(err error) *msg {
	switch {
	case errors.Is(err, model.ErrWrongCode):
		return m("reset.error.wrong_code")
	case errors.Is(err, model.ErrCodeExpired):
		return m("reset.error.expired")
	}
	return nil
}
