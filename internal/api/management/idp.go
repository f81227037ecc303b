package management

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/wire"
)

// extIdpJSON is the SDK's ExtIdpDto.
type extIdpJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Logo      string `json:"logo"`
	Type      string `json:"type"`
	CreatedAt string `json:"createdAt"`
}

func newExtIdpJSON(p *model.ExtIdp) extIdpJSON {
	return extIdpJSON{ID: p.ID, Name: p.Name, Logo: p.Logo, Type: p.Type, CreatedAt: envelope.ISOTime(p.CreatedAt)}
}

// extIdpDetailJSON is the SDK's ExtIdpDetail: the ExtIdp with its
// connections. GenAuth has no tenants, so autoJoin is always false.
type extIdpDetailJSON struct {
	extIdpJSON
	Connections []connJSON `json:"connections"`
	AutoJoin    bool       `json:"autoJoin"`
}

// connJSON is the SDK's ExtIdpConnDetail and GenAuth's own fields: the
// settings (never the client secret or bind password: hasSecret says
// whether one is kept), the redirect URI to register at the provider (web
// kinds) and the applications that enable the connection. Accounts with
// the same verified email are linked once the user confirms, hence the
// association mode "challenge".
type connJSON struct {
	ID                      string           `json:"id"`
	Type                    string           `json:"type"`
	ExtIdpID                string           `json:"extIdpId"`
	Logo                    string           `json:"logo"`
	Identifier              string           `json:"identifier"`
	DisplayName             string           `json:"displayName"`
	LoginOnly               bool             `json:"loginOnly"`
	AssociationMode         string           `json:"associationMode"`
	ChallengeBindingMethods []string         `json:"challengeBindingMethods"`
	Fields                  model.ConnFields `json:"fields"`
	HasSecret               bool             `json:"hasSecret"`
	RedirectURI             string           `json:"redirectUri,omitempty"`
	EnabledAppIDs           []string         `json:"enabledAppIds"`
	CreatedAt               string           `json:"createdAt"`
	UpdatedAt               string           `json:"updatedAt"`
}

func (r *request) connJSON(c *model.ExtIdpConn) (connJSON, *envelope.Error) {
	apps, err := r.h.cfg.IdP.ConnApps(r.ctx(), c.ID)
	if err != nil {
		return connJSON{}, r.idpFail("listing a connection's applications", err)
	}
	out := connJSON{ID: c.ID, Type: c.Type, ExtIdpID: c.ExtIdpID, Logo: c.Logo, Identifier: c.Identifier, DisplayName: c.DisplayName,
		LoginOnly: c.LoginOnly, AssociationMode: "challenge", ChallengeBindingMethods: []string{}, Fields: c.Fields,
		HasSecret: c.SealedSecret != nil, EnabledAppIDs: nonNil(apps),
		CreatedAt: envelope.ISOTime(c.CreatedAt), UpdatedAt: envelope.ISOTime(c.UpdatedAt)}
	if model.IdPWeb(c.Type) {
		out.RedirectURI = r.h.cfg.IdP.RedirectURI(c)
	}
	return out, nil
}

// idpFail maps the idp service's errors: an unknown ExtIdp, connection,
// application or identity is 404, a refused setting 400, a taken
// identifier 409.
func (r *request) idpFail(what string, err error) *envelope.Error {
	switch {
	case errors.Is(err, model.ErrNotFound):
		return &envelope.Error{Status: http.StatusNotFound, Message: "not found: " + what}
	case errors.Is(err, model.ErrConflict):
		return &envelope.Error{Status: http.StatusConflict, Message: "the identifier is taken by another connection"}
	case errors.Is(err, model.ErrInvalidInput):
		return &envelope.Error{Status: http.StatusBadRequest, Message: err.Error()}
	}
	return r.h.wr.Internal(r.Request, what, err)
}

// recordIdP records a change made through this endpoint.
func (r *request) recordIdP(userID, detail string) {
	if r.h.cfg.Audit != nil {
		r.h.cfg.Audit.Record(r.ctx(), model.AuditEvent{Type: model.AuditIdPConfig, UserID: userID, IP: audit.ClientIP(r.Request),
			Detail: "management API " + path.Base(r.URL.Path) + ": " + detail})
	}
}

// required reads a required text parameter (the query for GET, the body otherwise).
func (r *request) required(name string) (string, *envelope.Error) {
	v := r.query.Text(name)
	if r.Method != http.MethodGet {
		var e *envelope.Error
		if v, e = r.params.Text(name); e != nil {
			return "", e
		}
	}
	if strings.TrimSpace(v) == "" {
		return "", envelope.BadRequest("%s is required", name)
	}
	return strings.TrimSpace(v), nil
}

// listExtIdp serves GET list-ext-idp: every ExtIdp, oldest first; with
// appId, those with a connection the application enables.
func (h *Handler) listExtIdp(r *request) (any, *envelope.Error) {
	list, err := h.cfg.IdP.ExtIdps(r.ctx())
	if err != nil {
		return nil, r.idpFail("listing identity providers", err)
	}
	if appID := r.query.Text("appId"); appID != "" {
		conns, err := h.cfg.IdP.Enabled(r.ctx(), appID)
		if err != nil {
			return nil, r.idpFail("listing the application's connections", err)
		}
		list = slices.DeleteFunc(list, func(p *model.ExtIdp) bool {
			return !slices.ContainsFunc(conns, func(c *model.ExtIdpConn) bool { return c.ExtIdpID == p.ID })
		})
	}
	out := make([]extIdpJSON, 0, len(list))
	for _, p := range list {
		out = append(out, newExtIdpJSON(p))
	}
	return map[string]any{"totalCount": len(out), "list": out}, nil
}

// getExtIdp serves GET get-ext-idp: the ExtIdp id with its connections.
func (h *Handler) getExtIdp(r *request) (any, *envelope.Error) {
	id, e := r.required("id")
	if e != nil {
		return nil, e
	}
	p, conns, err := h.cfg.IdP.ExtIdp(r.ctx(), id)
	if err != nil {
		return nil, r.idpFail("the identity provider", err)
	}
	out := extIdpDetailJSON{extIdpJSON: newExtIdpJSON(p), Connections: make([]connJSON, 0, len(conns))}
	for _, c := range conns {
		j, e := r.connJSON(c)
		if e != nil {
			return nil, e
		}
		out.Connections = append(out.Connections, j)
	}
	return out, nil
}

// createExtIdp serves POST create-ext-idp: {name, type, logo?}; type oidc,
// oauth2, ldap or ad.
func (h *Handler) createExtIdp(r *request) (any, *envelope.Error) {
	name, e := r.params.Text("name")
	if e != nil {
		return nil, e
	}
	typ, e := r.params.Text("type")
	if e != nil {
		return nil, e
	}
	logo, e := r.params.Text("logo")
	if e != nil {
		return nil, e
	}
	p, err := h.cfg.IdP.CreateExtIdp(r.ctx(), name, typ, logo)
	if err != nil {
		return nil, r.idpFail("creating an identity provider", err)
	}
	r.recordIdP("", fmt.Sprintf("%s %s (%s)", p.ID, p.Name, p.Type))
	return newExtIdpJSON(p), nil
}

// updateExtIdp serves POST update-ext-idp: {id, name, logo?}.
func (h *Handler) updateExtIdp(r *request) (any, *envelope.Error) {
	id, e := r.required("id")
	if e != nil {
		return nil, e
	}
	name, e := r.params.Text("name")
	if e != nil {
		return nil, e
	}
	logo, e := r.params.Text("logo")
	if e != nil {
		return nil, e
	}
	p, err := h.cfg.IdP.UpdateExtIdp(r.ctx(), id, name, logo)
	if err != nil {
		return nil, r.idpFail("the identity provider", err)
	}
	r.recordIdP("", p.ID+" "+p.Name)
	return newExtIdpJSON(p), nil
}

// deleteExtIdp serves POST delete-ext-idp: {id}; its connections, their
// enablements and the identities linked at it go too.
func (h *Handler) deleteExtIdp(r *request) (any, *envelope.Error) {
	id, e := r.required("id")
	if e != nil {
		return nil, e
	}
	if err := h.cfg.IdP.DeleteExtIdp(r.ctx(), id); err != nil {
		return nil, r.idpFail("the identity provider", err)
	}
	r.recordIdP("", id)
	return success{true}, nil
}

// connType reads a connection's type, which must be its ExtIdp's (the
// SDK's "oauth" is oauth2); "" when absent.
func connType(o envelope.Object) (string, *envelope.Error) {
	t, e := o.Text("type")
	if t == "oauth" {
		t = model.IdPOAuth2
	}
	return t, e
}

// connParams reads the body of create-ext-idp-conn and
// update-ext-idp-conn on top of base, the settings kept so far: fields
// changes those it names (null resets one), clientSecret (OIDC, OAuth 2.0)
// or bindPassword (LDAP, AD) in it sets the secret; kind is the ExtIdp's.
func (r *request) connParams(base model.ConnFields, kind string) (idp.ConnParams, *envelope.Error) {
	var p idp.ConnParams
	var e *envelope.Error
	if p.Identifier, e = r.params.Text("identifier"); e != nil {
		return p, e
	}
	if p.DisplayName, e = r.params.Text("displayName"); e != nil {
		return p, e
	}
	if p.Logo, e = r.params.Text("logo"); e != nil {
		return p, e
	}
	loginOnly, e := r.params.Bool("loginOnly")
	if e != nil {
		return p, e
	}
	p.LoginOnly = loginOnly != nil && *loginOnly
	if p.Preset, e = r.params.Text("preset"); e != nil {
		return p, e
	}
	fields := map[string]json.RawMessage{}
	kept, err := json.Marshal(base)
	if err != nil {
		return p, r.h.wr.Internal(r.Request, "encoding a connection's fields", err)
	}
	if err := json.Unmarshal(kept, &fields); err != nil {
		return p, r.h.wr.Internal(r.Request, "decoding a connection's fields", err)
	}
	if raw, ok := r.params.Raw("fields"); ok {
		var change map[string]json.RawMessage
		if json.Unmarshal(raw, &change) != nil {
			return p, r.params.WrongType("fields", "an object")
		}
		for k, v := range change {
			if string(v) == "null" {
				delete(fields, k)
			} else {
				fields[k] = v
			}
		}
	}
	web := model.IdPWeb(kind)
	for _, s := range []struct {
		name string
		web  bool
	}{{"clientSecret", true}, {"bindPassword", false}} {
		raw, ok := fields[s.name]
		if !ok {
			continue
		}
		delete(fields, s.name)
		if s.web != web {
			return p, envelope.BadRequest("fields.%s is not a setting of %s connections", s.name, kind)
		}
		var secret string
		if json.Unmarshal(raw, &secret) != nil {
			return p, envelope.BadRequest("fields.%s must be a string", s.name)
		}
		p.Secret = &secret
	}
	merged, err := json.Marshal(fields)
	if err != nil {
		return p, r.h.wr.Internal(r.Request, "encoding a connection's fields", err)
	}
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p.Fields); err != nil {
		return p, envelope.BadRequest("fields: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if p.Preset == "" {
		p.Preset = p.Fields.Preset
	}
	return p, nil
}

// createExtIdpConn serves POST create-ext-idp-conn: {extIdpId, type?,
// identifier, displayName, fields, loginOnly?, logo?, preset?}.
func (h *Handler) createExtIdpConn(r *request) (any, *envelope.Error) {
	extIdpID, e := r.required("extIdpId")
	if e != nil {
		return nil, e
	}
	p, _, err := h.cfg.IdP.ExtIdp(r.ctx(), extIdpID)
	if err != nil {
		return nil, r.idpFail("the identity provider", err)
	}
	typ, e := connType(r.params)
	if e != nil {
		return nil, e
	}
	if typ != "" && typ != p.Type {
		return nil, envelope.BadRequest("type must be the identity provider's, %s", p.Type)
	}
	params, e := r.connParams(model.ConnFields{}, p.Type)
	if e != nil {
		return nil, e
	}
	params.ExtIdpID = p.ID
	c, err := h.cfg.IdP.CreateConn(r.ctx(), params)
	if err != nil {
		return nil, r.idpFail("creating a connection", err)
	}
	r.recordIdP("", fmt.Sprintf("%s %s of %s", c.ID, c.Identifier, p.ID))
	return r.connJSON(c)
}

// updateExtIdpConn serves POST update-ext-idp-conn: {id, displayName?,
// fields (the settings it names), logo?, loginOnly?}; the secret is kept
// unless fields sets it.
func (h *Handler) updateExtIdpConn(r *request) (any, *envelope.Error) {
	id, e := r.required("id")
	if e != nil {
		return nil, e
	}
	c, err := h.cfg.IdP.Conn(r.ctx(), id)
	if err != nil {
		return nil, r.idpFail("the connection", err)
	}
	params, e := r.connParams(c.Fields, c.Type)
	if e != nil {
		return nil, e
	}
	// Absent: kept, as the SDK's partial update means.
	if _, ok := r.params.Raw("logo"); !ok {
		params.Logo = c.Logo
	}
	if _, ok := r.params.Raw("loginOnly"); !ok {
		params.LoginOnly = c.LoginOnly
	}
	c, err = h.cfg.IdP.UpdateConn(r.ctx(), id, params)
	if err != nil {
		return nil, r.idpFail("updating a connection", err)
	}
	r.recordIdP("", c.ID+" "+c.Identifier)
	return r.connJSON(c)
}

// deleteExtIdpConn serves POST delete-ext-idp-conn: {id}.
func (h *Handler) deleteExtIdpConn(r *request) (any, *envelope.Error) {
	id, e := r.required("id")
	if e != nil {
		return nil, e
	}
	if err := h.cfg.IdP.DeleteConn(r.ctx(), id); err != nil {
		return nil, r.idpFail("the connection", err)
	}
	r.recordIdP("", id)
	return success{true}, nil
}

// changeExtIdpConnState serves POST change-ext-idp-conn-state: {id,
// enabled, appId and/or appIds}: enables or disables the connection for
// each application.
func (h *Handler) changeExtIdpConnState(r *request) (any, *envelope.Error) {
	id, e := r.required("id")
	if e != nil {
		return nil, e
	}
	enabled, e := r.params.Bool("enabled")
	if e != nil {
		return nil, e
	}
	if enabled == nil {
		return nil, envelope.BadRequest("enabled is required")
	}
	appID, e := r.params.Text("appId")
	if e != nil {
		return nil, e
	}
	appIDs, e := scalarList(r.params, "appIds")
	if e != nil {
		return nil, e
	}
	if appID != "" {
		appIDs = append([]string{appID}, appIDs...)
	}
	if len(appIDs) == 0 {
		return nil, envelope.BadRequest("appId or appIds is required")
	}
	for _, app := range slices.Compact(appIDs) {
		if err := h.cfg.IdP.SetEnabled(r.ctx(), id, app, *enabled); err != nil {
			return nil, r.idpFail("the connection or application "+app, err)
		}
		r.recordIdP("", fmt.Sprintf("%s enabled=%v for %s", id, *enabled, app))
	}
	return success{true}, nil
}

// getUserIdentities serves GET get-user-identities: the user's linked
// identities (the SDK's IdentityDto, without the upstream's tokens, which
// only the user sees).
func (h *Handler) getUserIdentities(r *request) (any, *envelope.Error) {
	u, e := r.queryUser()
	if e != nil {
		return nil, e
	}
	ids, err := h.cfg.IdP.Identities(r.ctx(), u.ID)
	if err != nil {
		return nil, r.fail("listing a user's identities", err, codeUserNotFound)
	}
	out := make([]wire.Identity, 0, len(ids))
	for _, i := range ids {
		out = append(out, wire.NewIdentity(i.ID, i.ExtIdpID, i.Provider, model.IdPWeb(i.Provider), i.ConnID, i.Subject, i.Profile))
	}
	return out, nil
}

// unlinkIdentity serves POST unlink-identity: {userId, extIdpId, type?,
// isSocial?} removes the user's identity at the ExtIdp, unless it is their
// last way to sign in (422), as the user's own unlink does.
func (h *Handler) unlinkIdentity(r *request) (any, *envelope.Error) {
	u, e := r.bodyUser()
	if e != nil {
		return nil, e
	}
	extIdpID, e := r.required("extIdpId")
	if e != nil {
		return nil, e
	}
	err := h.cfg.IdP.Unlink(r.ctx(), u.ID, extIdpID, audit.ClientIP(r.Request))
	switch {
	case errors.Is(err, idp.ErrLastLogin):
		return nil, &envelope.Error{Status: http.StatusUnprocessableEntity, Message: err.Error() + ": it is kept"}
	case err != nil:
		return nil, r.idpFail("the user's identity at "+extIdpID, err)
	}
	r.recordIdP(u.ID, "identity at "+extIdpID)
	return success{true}, nil
}

// unsupported are the SDK's calls of the upstream providers' family that
// GenAuth does not serve, each answered 501 with why.
var unsupported = []struct{ method, name, why string }{
	{http.MethodPost, "change-ext-idp-conn-association-state", "GenAuth links an account with the same verified email only once its user confirms; there is no other association mode to choose"},
	{http.MethodGet, "list-tenant-ext-idp", "GenAuth has no tenants"},
	{http.MethodPost, "change-userpool-tenant-ext-idp-conn-state", "GenAuth has no tenants"},
	{http.MethodGet, "ext-idp-conn-apps", "get-ext-idp lists each connection's enabledAppIds"},
	{http.MethodPost, "link-identity", "GenAuth links an upstream account only through a sign-in at it (the user's own link, or generate-link-extidp-url)"},
	{http.MethodGet, "get-user-logged-in-identities", "GenAuth does not keep which identity each session signed in with"},
}

// notServed answers why.
func (h *Handler) notServed(why string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h.wr.Write(w, nil, &envelope.Error{Status: http.StatusNotImplemented, Message: "not supported by GenAuth: " + why})
	})
}
