package authn

import (
	"errors"
	"net/http"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/wire"
)

// record writes an audit event of the call, when there is a recorder.
func (c *call) record(e model.AuditEvent) {
	if a := c.h.cfg.SignIn.Audit; a != nil {
		e.IP = audit.ClientIP(c.Request)
		a.Record(c.Context(), e)
	}
}

// userError answers a users.Service failure: bad input 400, a taken
// username, email or phone 409.
func (c *call) userError(what string, err error) *envelope.Error {
	switch {
	case errors.Is(err, model.ErrInvalidInput):
		return envelope.BadRequest("%s", strings.TrimPrefix(err.Error(), model.ErrInvalidInput.Error()+": "))
	case errors.Is(err, model.ErrConflict):
		return c.fail(http.StatusConflict, codeUserExists, msgUserExists)
	case errors.Is(err, model.ErrBusy):
		e := c.fail(http.StatusTooManyRequests, 0, msgThrottled)
		e.RetryAfter = health.RetryAfter(err)
		return e
	}
	return c.internal(what, err)
}

// updateProfile serves POST update-profile (contract 4.2). email, phone
// and password are not changed here: like other unknown keys, they are
// ignored. Fields the contract names that GenAuth does not keep are refused,
// so that a caller does not believe them saved.
func (h *Handler) updateProfile(c *call) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	for _, name := range []string{"country", "province", "city", "streetAddress", "postalCode", "company", "identityNumber"} {
		v, e := c.params.Text(name)
		if e != nil {
			return nil, e
		}
		if v != "" {
			return nil, envelope.BadRequest("%s cannot be stored: GenAuth does not keep it", name)
		}
	}
	var p users.Patch
	for _, f := range []struct {
		name string
		dst  **string
	}{
		{"name", &p.Name}, {"nickname", &p.Nickname}, {"photo", &p.Photo}, {"externalId", &p.ExternalID},
		{"birthdate", &p.Birthdate}, {"address", &p.Address}, {"gender", &p.Gender}, {"username", &p.Username},
	} {
		v, e := c.params.Str(f.name)
		if e != nil {
			return nil, e
		}
		*f.dst = v
	}
	if p.CustomData, e = c.params.AnyMap("customData"); e != nil {
		return nil, e
	}
	updated, err := h.cfg.SignIn.Users.Update(c.Context(), u.ID, p)
	if err != nil {
		return nil, c.userError("updating a profile", err)
	}
	c.record(model.AuditEvent{Type: model.AuditProfileUpdate, UserID: u.ID, Detail: "authentication API update-profile"})
	return envelope.NewUser(updated), nil
}

// updatePassword serves POST update-password (contract 4.3). A user with a
// password must give it; the change ends the user's other sessions and
// tokens, and the calling token stays valid.
func (h *Handler) updatePassword(c *call) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	encrypt, e := c.params.Text("passwordEncryptType")
	if e != nil {
		return nil, e
	}
	newPw, e := c.secret(c.params, "newPassword", encrypt)
	if e != nil {
		return nil, e
	}
	if u.PasswordHash != "" {
		old, e := c.params.Text("oldPassword")
		if e != nil {
			return nil, e
		}
		if old == "" {
			return nil, envelope.BadRequest("oldPassword is required: the user has a password")
		}
		oldPw, e := c.secret(c.params, "oldPassword", encrypt)
		if e != nil {
			return nil, e
		}
		if e := c.confirm(u, oldPw); e != nil {
			return nil, e
		}
	}
	if err := h.cfg.SignIn.Users.SetPassword(c.Context(), u.ID, newPw, c.tokenHash); err != nil {
		return nil, c.userError("setting a password", err)
	}
	c.record(model.AuditEvent{Type: model.AuditPasswordChange, UserID: u.ID, Detail: "authentication API update-password"})
	return nil, nil
}

// getSecurityInfo serves GET get-security-info. Only hashes are kept, so a
// password's strength is what the policy guarantees of every password
// set: level 2 (medium) when there is one, 0 without. The score out of
// 100: 40 for a password, 20 each for an email, a phone and MFA.
func (h *Handler) getSecurityInfo(c *call) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	factors, err := h.cfg.MFA.Store.ListFactors(c.Context(), u.ID)
	if err != nil {
		return nil, c.internal("listing the user's factors", err)
	}
	info := wire.SecurityInfo{PasswordSet: u.PasswordHash != "", EmailBinded: u.Email != "", PhoneBinded: u.Phone != "", MFAEnrolled: len(factors) > 0}
	for _, f := range []struct {
		on     bool
		points int
	}{{info.PasswordSet, 40}, {info.EmailBinded, 20}, {info.PhoneBinded, 20}, {info.MFAEnrolled, 20}} {
		if f.on {
			info.SecurityScore += f.points
		}
	}
	if info.PasswordSet {
		info.PasswordSecurityLevel = 2
	}
	return info, nil
}

// getMyLoginHistory serves GET get-my-login-history: a page of the
// caller's own sign-ins, newest first. GenAuth has no GeoIP data: geoip is
// empty. Only successful sign-ins are kept
// (failures go to the audit log), so success=false finds none.
func (h *Handler) getMyLoginHistory(c *call) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	q, e := c.query.LoginQuery(u.ID)
	if e != nil {
		return nil, e
	}
	success, e := c.query.Bool("success")
	if e != nil {
		return nil, e
	}
	out := wire.LoginHistory{List: []wire.LoginEntry{}}
	if success != nil && !*success {
		return out, nil
	}
	list, total, err := h.cfg.SignIn.Users.LoginHistory(c.Context(), q)
	if err != nil {
		return nil, c.internal("reading login history", err)
	}
	out.TotalCount = total
	apps := map[string]*model.Application{}
	for _, rec := range list {
		entry := wire.LoginEntry{UserID: rec.UserID, AppID: rec.AppID, LoginAt: envelope.ISOTime(rec.Time), ClientIP: rec.ClientIP,
			Success: true, UserAgent: rec.UserAgent, LoginMethod: rec.Method}
		app, ok := apps[rec.AppID]
		if !ok && rec.AppID != "" {
			app, err = h.cfg.Store.GetApplication(c.Context(), rec.AppID)
			if err != nil && !errors.Is(err, model.ErrNotFound) {
				return nil, c.internal("looking up an application", err)
			}
			apps[rec.AppID] = app
		}
		if app != nil {
			entry.AppName, entry.AppLogo, entry.AppLoginURL = app.Name, app.Logo, app.InitLoginURI
		}
		out.List = append(out.List, entry)
	}
	return out, nil
}

func newAppEntry(a *model.Application, active bool) wire.AppEntry {
	return wire.AppEntry{AppID: a.ID, AppName: a.Name, AppLoginURL: a.InitLoginURI, AppLogo: a.Logo, Active: active}
}

// getMyLoggedInApps serves GET get-my-logged-in-apps: the applications the
// caller holds an active token of.
func (h *Handler) getMyLoggedInApps(c *call) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	list, err := h.cfg.SignIn.Users.LoggedInApps(c.Context(), u.ID)
	if err != nil {
		return nil, c.internal("listing logged-in apps", err)
	}
	out := make([]wire.AppEntry, 0, len(list))
	for _, a := range list {
		out = append(out, newAppEntry(a, true))
	}
	return out, nil
}

// getMyAccessibleApps serves GET get-my-accessible-apps. GenAuth has no
// per-user access rules yet: every user may use every application.
func (h *Handler) getMyAccessibleApps(c *call) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	list, err := h.cfg.Store.ListApplications(c.Context())
	if err != nil {
		return nil, c.internal("listing applications", err)
	}
	active, err := h.cfg.SignIn.Users.LoggedInApps(c.Context(), u.ID)
	if err != nil {
		return nil, c.internal("listing logged-in apps", err)
	}
	in := map[string]bool{}
	for _, a := range active {
		in[a.ID] = true
	}
	out := make([]wire.AppEntry, 0, len(list))
	for _, a := range list {
		out = append(out, newAppEntry(a, in[a.ID]))
	}
	return out, nil
}
