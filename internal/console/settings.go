package console

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/account/users/commonpw"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/platform/password"
)

func (h *Handler) registerSettings(mux edge.Routes) {
	mux.Handle("GET "+Path+"/settings", h.page(h.settings))
	mux.Handle("POST "+Path+"/settings/mfa", h.form(h.setMFAPolicy))
	mux.Handle("POST "+Path+"/settings/test-email", h.form(h.testMessage(model.MessageEmail)))
	mux.Handle("POST "+Path+"/settings/test-sms", h.form(h.testMessage(model.MessageSMS)))
}

// mfaPolicies are the user pool's MFA policies, as the form offers them.
var mfaPolicies = []string{model.MFAOff, model.MFAOptional, model.MFARequired}

// settingsView is the settings page: the pool's MFA policy (a form), what
// the server enforces and how it was started (read only), and the test
// message forms with their values and field errors.
type settingsView struct {
	Policy   string
	Policies []string
	Passkeys bool
	Delivery Delivery
	// Session lifetimes of the hosted pages (serve --session-ttl,
	// --session-idle-ttl), as catalog keys with their arguments.
	SessionTTL, SessionIdle span
	Lockout                 lockoutView
	Password                passwordView
	// The test message forms: the value sent and its error's catalog key.
	Email, EmailError string
	Phone, PhoneError string
}

// span is a duration as a catalog key ("span.days" ...) and its number.
type span struct{ Key, N string }

func spanOf(d time.Duration) span {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return span{"span.days", strconv.Itoa(int(d / (24 * time.Hour)))}
	case d >= time.Hour && d%time.Hour == 0:
		return span{"span.hours", strconv.Itoa(int(d / time.Hour))}
	case d >= time.Minute && d%time.Minute == 0:
		return span{"span.minutes", strconv.Itoa(int(d / time.Minute))}
	}
	return span{"span.seconds", strconv.Itoa(int(d / time.Second))}
}

type lockoutView struct {
	Window                       span
	AccountAfter, AddressAfter   int
	BaseLock, MaxLock            span
	RegistrationsPerAddress      int
	SendInterval                 span
	SendsPerAddress, SendsPerApp int // 0: no limit
}

type passwordView struct {
	Min, Max, Common int
	MemoryMiB        int
}

func (h *Handler) settingsData(r *http.Request) (settingsView, error) {
	v := settingsView{Policies: mfaPolicies}
	if h.MFA != nil {
		p, err := h.MFA.PoolPolicy(r.Context())
		if err != nil {
			return v, err
		}
		v.Policy, v.Passkeys = p, h.MFA.PasskeysOn()
	}
	if h.Notify != nil {
		v.Delivery = h.Notify.Delivery()
	}
	ttl, idle := h.Hosted.TTL, h.Hosted.IdleTTL
	if ttl == 0 {
		ttl = sessions.DefaultTTL
	}
	if idle == 0 {
		idle = sessions.DefaultIdleTTL
	}
	v.SessionTTL, v.SessionIdle = spanOf(ttl), spanOf(idle)
	p := throttle.DefaultPolicy
	if h.Lockout != nil {
		p = *h.Lockout
	}
	v.Lockout = lockoutView{Window: spanOf(p.Window), AccountAfter: p.AccountLockAfter, AddressAfter: p.AddressLockAfter,
		BaseLock: spanOf(p.BaseLock), MaxLock: spanOf(p.MaxLock), RegistrationsPerAddress: p.RegistrationsPerAddress,
		SendInterval: spanOf(p.SendInterval), SendsPerAddress: p.SendsPerAddress, SendsPerApp: p.SendsPerApp}
	v.Password = passwordView{Min: users.MinPasswordLen, Max: users.MaxPasswordLen, Common: commonpw.Len(),
		MemoryMiB: password.MemoryPerHash >> 20}
	return v, nil
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request, a *admin) {
	h.settingsPage(w, r, a, http.StatusOK, "", func(*settingsView) {})
}

// settingsPage renders the settings with status, a form's error and its
// kept values (keep).
func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request, a *admin, status int, problem string, keep func(*settingsView)) {
	v, err := h.settingsData(r)
	if err != nil {
		h.internal(w, r, a, "console settings", err)
		return
	}
	keep(&v)
	h.render(w, r, status, "settings", a, view{Title: "settings.title", Section: "settings", Error: problem, Data: v})
}

// setMFAPolicy sets the user pool's MFA policy as the management API's
// update-global-mfa-settings does, with its mfa.policy event.
func (h *Handler) setMFAPolicy(w http.ResponseWriter, r *http.Request, a *admin) {
	if h.MFA == nil {
		h.fail(w, r, a, http.StatusNotFound, "error.not_found")
		return
	}
	ctx := r.Context()
	policy := r.PostForm.Get("policy")
	old, err := h.MFA.PoolPolicy(ctx)
	if err != nil {
		h.internal(w, r, a, "console settings: MFA policy", err)
		return
	}
	if err := h.MFA.SetPoolPolicy(ctx, policy); errors.Is(err, model.ErrInvalidInput) {
		h.settingsPage(w, r, a, http.StatusBadRequest, "settings.mfa.invalid", func(*settingsView) {})
		return
	} else if err != nil {
		h.internal(w, r, a, "console settings: set MFA policy", err)
		return
	}
	if e, ok := mfa.PolicyChange("", old, policy, "console"); ok {
		e.IP = clientIP(r)
		h.Audit.Record(ctx, e)
	}
	h.changed(r, a, "mfa policy", "", "", old+" -> "+policy)
	done(w, r, Path+"/settings", "settings.mfa")
}

// testMessage queues a test email or SMS to the address or number given,
// through the outbox the server's sender drains.
func (h *Handler) testMessage(kind string) func(http.ResponseWriter, *http.Request, *admin) {
	return func(w http.ResponseWriter, r *http.Request, a *admin) {
		email := kind == model.MessageEmail
		configured := h.Notify != nil
		if configured {
			d := h.Notify.Delivery()
			configured = email && d.SMTP != "" || !email && d.SMSWebhook != ""
		}
		var to, problem string
		if email {
			to = loginid.Email(r.PostForm.Get("email"))
			if to == "" || users.ValidateEmail(to) != nil {
				problem = "settings.email.invalid"
			}
		} else if to = loginid.Phone(r.PostForm.Get("phone")); !passcode.ValidPhone(to, "") {
			problem = "settings.sms.invalid"
		}
		keep := func(v *settingsView) {
			if email {
				v.Email, v.EmailError = r.PostForm.Get("email"), problem
			} else {
				v.Phone, v.PhoneError = r.PostForm.Get("phone"), problem
			}
		}
		switch {
		case !configured:
			h.settingsPage(w, r, a, http.StatusConflict, "settings.test.unconfigured", keep)
			return
		case problem != "":
			h.settingsPage(w, r, a, http.StatusBadRequest, "settings.invalid", keep)
			return
		}
		lang := "en"
		if l, _ := i18n.Choose(r); l == i18n.Chinese {
			lang = "zh"
		}
		id, err := h.Notify.SendTest(r.Context(), kind, to, lang)
		if err != nil {
			h.internal(w, r, a, "console settings: test message", err)
			return
		}
		h.changed(r, a, "test "+kind, "", "", "message "+id+" to "+to)
		done(w, r, Path+"/settings", "settings.test_"+kind)
	}
}
