package management

import (
	"errors"
	"net/http"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
)

// applyAppFields reads the create-application fields present in o into p.
func applyAppFields(o envelope.Object, p *apps.CreateParams) *envelope.Error {
	text := []struct {
		name string
		dst  *string
	}{
		{"appName", &p.Name}, {"appIdentifier", &p.AppIdentifier}, {"appType", &p.AppType},
		{"defaultProtocol", &p.DefaultProtocol}, {"initLoginUri", &p.InitLoginURI}, {"appLogo", &p.Logo},
		{"appDescription", &p.Description},
	}
	for _, f := range text {
		v, e := o.Str(f.name)
		if e != nil {
			return e
		}
		if v != nil {
			*f.dst = *v
		}
	}
	for _, f := range []struct {
		name string
		dst  *[]string
	}{{"redirectUris", &p.RedirectURIs}, {"logoutRedirectUris", &p.LogoutRedirectURIs}, {"webOrigins", &p.WebOrigins}} {
		if _, ok := o.Raw(f.name); !ok {
			continue
		}
		v, e := o.Strings(f.name)
		if e != nil {
			return e
		}
		*f.dst = v
	}
	for _, f := range []struct {
		name string
		dst  *bool
	}{{"ssoEnabled", &p.SSOEnabled}, {"registrationClosed", &p.RegistrationClosed}, {"registrationEmailVerify", &p.RegistrationEmailVerify}} {
		if v, e := o.Bool(f.name); e != nil {
			return e
		} else if v != nil {
			*f.dst = *v
		}
	}
	if v, e := parsePolicy(o); e != nil {
		return e
	} else if v != "" {
		p.MFAPolicy = v
	}
	oc, e := o.Obj("oidcConfig")
	if e != nil {
		return e
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"token_endpoint_auth_method", &p.TokenAuthMethod},
		{"introspection_endpoint_auth_method", &p.IntrospectionAuthMethod},
		{"revocation_endpoint_auth_method", &p.RevocationAuthMethod},
		{"id_token_signed_response_alg", &p.IDTokenAlg},
		{"allowed_scopes", &p.AllowedScopes},
		{"claims_format", &p.ClaimsFormat},
		{"access_token_format", &p.AccessTokenFormat},
	} {
		v, e := oc.Str(f.name)
		if e != nil {
			return e
		}
		if v != nil {
			*f.dst = *v
		}
	}
	if _, ok := oc.Raw("grant_types"); ok {
		v, e := oc.Strings("grant_types")
		if e != nil {
			return e
		}
		p.GrantTypes = v
	}
	for _, f := range []struct {
		name string
		dst  *time.Duration
	}{{"access_token_expire", &p.AccessTokenTTL}, {"refresh_token_expire", &p.RefreshTokenTTL}, {"id_token_expire", &p.IDTokenTTL}} {
		v, e := oc.Int(f.name)
		if e != nil {
			return e
		}
		if v != nil {
			if *v <= 0 || *v > int64(100*365*24*time.Hour/time.Second) {
				return envelope.BadRequest("oidcConfig.%s must be a positive number of seconds", f.name)
			}
			*f.dst = time.Duration(*v) * time.Second
		}
	}
	if v, e := oc.Bool("skip_consent"); e != nil {
		return e
	} else if v != nil {
		p.RequireConsent = !*v
	}
	return nil
}

// poolID is the user pool id the Application object carries.
func (r *request) poolID() (string, *envelope.Error) {
	c, err := r.h.keys.Load(r.ctx())
	if err != nil {
		return "", r.h.wr.Internal(r.Request, "loading the access key", err)
	}
	return c.ID, nil
}

func (r *request) application(a *model.Application) (any, *envelope.Error) {
	pool, e := r.poolID()
	if e != nil {
		return nil, e
	}
	return newApplicationJSON(a, pool), nil
}

func (h *Handler) createApplication(r *request) (any, *envelope.Error) {
	var p apps.CreateParams
	if e := applyAppFields(r.params, &p); e != nil {
		return nil, e
	}
	app, _, err := h.cfg.Apps.Create(r.ctx(), p)
	if err != nil {
		return nil, r.fail("creating an application", err, codeAppNotFound)
	}
	return r.application(app)
}

// appID reads the appId parameter (query for GET, body otherwise).
func (r *request) appID() (string, *envelope.Error) {
	id := r.query.Text("appId")
	if r.Method != http.MethodGet {
		var e *envelope.Error
		if id, e = r.params.Text("appId"); e != nil {
			return "", e
		}
	}
	if id == "" {
		return "", envelope.BadRequest("appId is required")
	}
	return id, nil
}

func (h *Handler) getApplication(r *request) (any, *envelope.Error) {
	id, e := r.appID()
	if e != nil {
		return nil, e
	}
	app, err := h.cfg.Apps.Get(r.ctx(), id)
	if err != nil {
		return nil, r.fail("reading an application", err, codeAppNotFound)
	}
	return r.application(app)
}

func (h *Handler) listApplications(r *request) (any, *envelope.Error) {
	pageNo, e := r.query.Int("page")
	if e != nil {
		return nil, e
	}
	limit, e := r.query.Int("limit")
	if e != nil {
		return nil, e
	}
	offset, n := envelope.Page(pageNo, limit)
	list, total, err := h.cfg.Apps.Search(r.ctx(), r.query.Text("keywords"), offset, n)
	if err != nil {
		return nil, r.fail("listing applications", err, codeAppNotFound)
	}
	pool, e := r.poolID()
	if e != nil {
		return nil, e
	}
	out := make([]applicationJSON, 0, len(list))
	for _, a := range list {
		out = append(out, newApplicationJSON(a, pool))
	}
	return map[string]any{"totalCount": total, "list": out}, nil
}

func (h *Handler) updateApplication(r *request) (any, *envelope.Error) {
	id, e := r.appID()
	if e != nil {
		return nil, e
	}
	// A field refused half-way aborts the update: nothing is stored.
	var old string
	app, err := h.cfg.Apps.Update(r.ctx(), id, func(p *apps.CreateParams) error {
		old = p.MFAPolicy
		if e := applyAppFields(r.params, p); e != nil {
			return e
		}
		return nil
	})
	if e, ok := errors.AsType[*envelope.Error](err); ok {
		return nil, e
	}
	if err != nil {
		return nil, r.fail("updating an application", err, codeAppNotFound)
	}
	h.recordPolicy(r, app.ID, old, app.MFAPolicy)
	return success{true}, nil
}

func (h *Handler) deleteApplication(r *request) (any, *envelope.Error) {
	id, e := r.appID()
	if e != nil {
		return nil, e
	}
	if err := h.cfg.Apps.Delete(r.ctx(), id); err != nil {
		return nil, r.fail("deleting an application", err, codeAppNotFound)
	}
	return success{true}, nil
}

// getApplicationSecret cannot show a secret: GenAuth keeps only its hash.
func (h *Handler) getApplicationSecret(r *request) (any, *envelope.Error) {
	id, e := r.appID()
	if e != nil {
		return nil, e
	}
	if _, err := h.cfg.Apps.Get(r.ctx(), id); err != nil {
		return nil, r.fail("reading an application", err, codeAppNotFound)
	}
	return nil, &envelope.Error{Status: http.StatusForbidden,
		Message: "application secrets are stored only as a hash and cannot be shown; refresh-application-secret issues a new one"}
}

func (h *Handler) refreshApplicationSecret(r *request) (any, *envelope.Error) {
	id, e := r.appID()
	if e != nil {
		return nil, e
	}
	secret, err := h.cfg.Apps.RotateSecret(r.ctx(), id)
	if err != nil {
		return nil, r.fail("refreshing an application secret", err, codeAppNotFound)
	}
	return map[string]string{"secret": secret}, nil
}

func (h *Handler) listApplicationActiveUsers(r *request) (any, *envelope.Error) {
	id, e := r.appID()
	if e != nil {
		return nil, e
	}
	// Pagination at the top level or under options.pagination.
	pg := r.params
	if opts, e := r.params.Obj("options"); e != nil {
		return nil, e
	} else if sub, e := opts.Obj("pagination"); e != nil {
		return nil, e
	} else if sub.Len() > 0 {
		pg = sub
	}
	pageNo, e := pg.Int("page")
	if e != nil {
		return nil, e
	}
	limit, e := pg.Int("limit")
	if e != nil {
		return nil, e
	}
	offset, n := envelope.Page(pageNo, limit)
	list, total, err := h.cfg.Users.ActiveUsers(r.ctx(), id, offset, n)
	if err != nil {
		return nil, r.fail("listing active users", err, codeAppNotFound)
	}
	return userList{TotalCount: total, List: newUserList(list)}, nil
}
