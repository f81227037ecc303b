package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
	"github.com/opengenauth/genauth/internal/platform/edge"
)

// idpsPath is the identity providers' section.
const idpsPath = Path + "/idps"

// idpsPageSize is how many providers a page of the list shows.
const idpsPageSize = 50

// registerIdps adds the upstream identity providers' pages: the list, a
// provider with its connections, creating, editing, enabling per
// application, checking and deleting them.
func (h *Handler) registerIdps(mux edge.Routes) {
	mux.Handle("GET "+idpsPath, h.page(h.idpsList))
	mux.Handle("GET "+idpsPath+"/new", h.page(h.idpsNewForm))
	mux.Handle("POST "+idpsPath+"/new", h.form(h.idpsCreate))
	mux.Handle("GET "+idpsPath+"/{id}", h.page(h.idpsProvider))
	mux.Handle("POST "+idpsPath+"/{id}", h.form(h.idpsRename))
	mux.Handle("GET "+idpsPath+"/{id}/delete", h.page(h.idpsDeleteForm))
	mux.Handle("POST "+idpsPath+"/{id}/delete", h.form(h.idpsDelete))
	mux.Handle("GET "+idpsPath+"/{id}/conns/new", h.page(h.idpsConnNewForm))
	mux.Handle("POST "+idpsPath+"/{id}/conns/new", h.form(h.idpsConnCreate))
	mux.Handle("GET "+idpsPath+"/{id}/conns/{conn}", h.page(h.idpsConnEditForm))
	mux.Handle("POST "+idpsPath+"/{id}/conns/{conn}", h.form(h.idpsConnUpdate))
	mux.Handle("GET "+idpsPath+"/{id}/conns/{conn}/apps", h.page(h.idpsAppsForm))
	mux.Handle("POST "+idpsPath+"/{id}/conns/{conn}/apps", h.form(h.idpsApps))
	mux.Handle("POST "+idpsPath+"/{id}/conns/{conn}/check", h.form(h.idpsCheck))
	mux.Handle("GET "+idpsPath+"/{id}/conns/{conn}/delete", h.page(h.idpsConnDeleteForm))
	mux.Handle("POST "+idpsPath+"/{id}/conns/{conn}/delete", h.form(h.idpsConnDelete))
}

// idpsKinds are the forms "Add a provider" offers: each type, then each
// preset (a type with its provider's URLs, scopes and mapping filled).
func idpsKinds() []string {
	return append([]string{model.IdPOIDC, model.IdPOAuth2, model.IdPLDAP, model.IdPAD}, idp.Presets()...)
}

// idpsKind resolves a kind of idpsKinds to the provider type and preset.
func idpsKind(kind string) (typ, preset string, ok bool) {
	switch kind {
	case model.IdPOIDC, model.IdPOAuth2, model.IdPLDAP, model.IdPAD:
		return kind, "", true
	}
	if !slices.Contains(idp.Presets(), kind) {
		return "", "", false
	}
	typ, err := idp.PresetType(kind)
	return typ, kind, err == nil
}

type idpsListView struct {
	Providers []idpsProviderRow
	Kinds     []string
	Pager     idpsPager
}

type idpsPager struct{ Next, First string }

type idpsProviderRow struct {
	Provider *model.ExtIdp
	Conns    []idpsConnRow
}

// idpsConnRow is a connection as the pages show it: the redirect URI to
// register upstream (web kinds) and the applications enabling it.
type idpsConnRow struct {
	Conn        *model.ExtIdpConn
	Web         bool
	RedirectURI string
	Apps        []*model.Application
}

func (h *Handler) idpsList(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	all, err := h.IdP.ExtIdps(ctx)
	if err != nil {
		h.internal(w, r, a, "console idps: list", err)
		return
	}
	// An installation has few providers, which the service lists whole;
	// the page still shows a bounded number, after the cursor.
	start := 0
	if after := r.URL.Query().Get("after"); after != "" {
		start = slices.IndexFunc(all, func(p *model.ExtIdp) bool { return p.ID == after }) + 1
	}
	page := all[start:]
	v := idpsListView{Kinds: idpsKinds()}
	if len(page) > idpsPageSize {
		page = page[:idpsPageSize]
		v.Pager.Next = idpsPath + "?" + url.Values{"after": {page[len(page)-1].ID}}.Encode()
	}
	if start > 0 {
		v.Pager.First = idpsPath
	}
	apps, err := h.idpsAppNames(ctx)
	if err != nil {
		h.internal(w, r, a, "console idps: applications", err)
		return
	}
	for _, p := range page {
		_, conns, err := h.IdP.ExtIdp(ctx, p.ID)
		if errors.Is(err, model.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			h.internal(w, r, a, "console idps: connections", err)
			return
		}
		rows, err := h.idpsConnRows(ctx, conns, apps)
		if err != nil {
			h.internal(w, r, a, "console idps: connections", err)
			return
		}
		v.Providers = append(v.Providers, idpsProviderRow{Provider: p, Conns: rows})
	}
	h.render(w, r, http.StatusOK, "idps", a, view{Title: "idps.title", Section: "idps", Data: v})
}

// idpsAppNames are the applications by id; there are few of them.
func (h *Handler) idpsAppNames(ctx context.Context) (map[string]*model.Application, error) {
	list, err := h.Apps.List(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*model.Application, len(list))
	for _, app := range list {
		m[app.ID] = app
	}
	return m, nil
}

func (h *Handler) idpsConnRows(ctx context.Context, conns []*model.ExtIdpConn, apps map[string]*model.Application) ([]idpsConnRow, error) {
	rows := make([]idpsConnRow, 0, len(conns))
	for _, c := range conns {
		ids, err := h.IdP.ConnApps(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		row := idpsConnRow{Conn: c, Web: model.IdPWeb(c.Type)}
		if row.Web {
			row.RedirectURI = h.IdP.RedirectURI(c)
		}
		for _, id := range ids {
			if app, ok := apps[id]; ok {
				row.Apps = append(row.Apps, app)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// idpsProviderOf loads the provider the path's {id} names with its
// connections, or answers 404.
func (h *Handler) idpsProviderOf(w http.ResponseWriter, r *http.Request, a *admin) (*model.ExtIdp, []*model.ExtIdpConn, bool) {
	p, conns, err := h.IdP.ExtIdp(r.Context(), r.PathValue("id"))
	if h.missing(w, r, a, "console idps: provider", err) {
		return nil, nil, false
	}
	return p, conns, true
}

type idpsProviderView struct {
	Provider *model.ExtIdp
	Conns    []idpsConnRow
	// Name and Logo are the rename form's values; Errors its fields'.
	Name, Logo string
	Errors     map[string]string
}

func (h *Handler) idpsProvider(w http.ResponseWriter, r *http.Request, a *admin) {
	p, conns, ok := h.idpsProviderOf(w, r, a)
	if !ok {
		return
	}
	h.idpsProviderPage(w, r, a, http.StatusOK, view{}, p, conns, p.Name, p.Logo, nil)
}

func (h *Handler) idpsProviderPage(w http.ResponseWriter, r *http.Request, a *admin, status int, v view,
	p *model.ExtIdp, conns []*model.ExtIdpConn, name, logo string, errs map[string]string) {
	apps, err := h.idpsAppNames(r.Context())
	if err != nil {
		h.internal(w, r, a, "console idps: applications", err)
		return
	}
	rows, err := h.idpsConnRows(r.Context(), conns, apps)
	if err != nil {
		h.internal(w, r, a, "console idps: connections", err)
		return
	}
	v.Title, v.TitleArgs, v.Section = "idps.provider.heading", []string{p.Name}, "idps"
	v.Data = idpsProviderView{Provider: p, Conns: rows, Name: name, Logo: logo, Errors: errs}
	h.render(w, r, status, "idps_provider", a, v)
}

// idpsRename changes a provider's name and logo (UpdateExtIdp).
func (h *Handler) idpsRename(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	p, conns, ok := h.idpsProviderOf(w, r, a)
	if !ok {
		return
	}
	name, logo := strings.TrimSpace(r.PostForm.Get("name")), strings.TrimSpace(r.PostForm.Get("logo"))
	if name == "" {
		h.idpsProviderPage(w, r, a, http.StatusBadRequest, view{Error: "idps.error.form"}, p, conns, name, logo,
			map[string]string{"name": "idps.error.required"})
		return
	}
	updated, err := h.IdP.UpdateExtIdp(ctx, p.ID, name, logo)
	if errors.Is(err, model.ErrInvalidInput) {
		h.idpsProviderPage(w, r, a, http.StatusBadRequest, view{Error: "idps.error.invalid", Detail: idpsDetail(err)},
			p, conns, name, logo, nil)
		return
	}
	if h.missing(w, r, a, "console idps: rename", err) {
		return
	}
	h.changed(r, a, "identity provider changed", "", "", fmt.Sprintf("%s %q", updated.ID, updated.Name))
	done(w, r, idpsPath+"/"+updated.ID, "idps.saved")
}

// idpsDetail is the service's message of a refused setting, which is
// English and safe to show.
func idpsDetail(err error) string {
	return strings.TrimPrefix(err.Error(), model.ErrInvalidInput.Error()+": ")
}

// idpsValues are the connection form's fields by name, as posted or as
// stored; a checkbox is "on" or "". Secrets are never among them.
type idpsValues map[string]string

func (v idpsValues) on(name string) bool { return v[name] != "" }

// idpsTextFields are the connection form's text inputs: their input type
// and autocomplete. The secrets are apart: they are never filled in.
var idpsTextFields = map[string]string{
	"display_name": "text", "identifier": "text", "logo": "url",
	"client_id": "text", "scopes": "text", "issuer": "url",
	"authorization_url": "url", "token_url": "url", "userinfo_url": "url",
	"url": "url", "bind_dn": "text", "base_dn": "text", "user_filter": "text", "timeout": "number",
	"mapping": "textarea", "ca_cert": "textarea",
}

// idpsChecks are the connection form's checkboxes.
var idpsChecks = []string{"login_only", "trust_email", "start_tls", "clear_secret"}

// idpsSecretField is the name of the secret input of a type: the client
// secret of the web kinds, the bind password of directories.
func idpsSecretField(typ string) string {
	if model.IdPWeb(typ) {
		return "client_secret"
	}
	return "bind_password"
}

func idpsPosted(r *http.Request) idpsValues {
	v := idpsValues{}
	for name := range idpsTextFields {
		v[name] = strings.TrimSpace(r.PostForm.Get(name))
	}
	for _, name := range idpsChecks {
		if r.PostForm.Get(name) != "" {
			v[name] = "on"
		}
	}
	return v
}

func idpsStored(c *model.ExtIdpConn) idpsValues {
	f := c.Fields
	v := idpsValues{"display_name": c.DisplayName, "identifier": c.Identifier, "logo": c.Logo,
		"client_id": f.ClientID, "scopes": strings.Join(f.Scopes, " "), "issuer": f.Issuer,
		"authorization_url": f.AuthorizationURL, "token_url": f.TokenURL, "userinfo_url": f.UserInfoURL,
		"url": f.URL, "bind_dn": f.BindDN, "base_dn": f.BaseDN, "user_filter": f.UserFilter, "ca_cert": f.CACert}
	if f.TimeoutSeconds > 0 {
		v["timeout"] = strconv.Itoa(f.TimeoutSeconds)
	}
	lines := make([]string, 0, len(f.Mapping))
	for k, claim := range f.Mapping {
		lines = append(lines, k+"="+claim)
	}
	slices.Sort(lines)
	v["mapping"] = strings.Join(lines, "\n")
	for name, set := range map[string]bool{"login_only": c.LoginOnly, "trust_email": f.TrustEmail, "start_tls": f.StartTLS} {
		if set {
			v[name] = "on"
		}
	}
	return v
}

// idpsRequired are the fields a connection of typ needs; a preset fills
// the provider's URLs.
func idpsRequired(typ, preset string) []string {
	switch {
	case typ == model.IdPOIDC && preset == "":
		return []string{"display_name", "issuer", "client_id"}
	case typ == model.IdPOAuth2 && preset == "":
		return []string{"display_name", "authorization_url", "token_url", "userinfo_url", "client_id"}
	case model.IdPWeb(typ):
		return []string{"display_name", "client_id"}
	}
	return []string{"display_name", "url", "base_dn"}
}

// idpsParams reads the form into the service's parameters, with the
// errors the form itself shows (the service checks the rest). secret is
// the posted client secret or bind password: "" keeps the stored one
// unless clear_secret asks to remove it.
func idpsParams(v idpsValues, typ, preset, secret string) (idp.ConnParams, map[string]string) {
	errs := map[string]string{}
	for _, name := range idpsRequired(typ, preset) {
		if v[name] == "" {
			errs[name] = "idps.error.required"
		}
	}
	p := idp.ConnParams{Identifier: v["identifier"], DisplayName: v["display_name"], Logo: v["logo"],
		LoginOnly: v.on("login_only"), Preset: preset}
	f := model.ConnFields{TrustEmail: v.on("trust_email")}
	if model.IdPWeb(typ) {
		f.ClientID, f.Scopes = v["client_id"], strings.Fields(v["scopes"])
		if typ == model.IdPOIDC {
			f.Issuer = v["issuer"]
		} else {
			f.AuthorizationURL, f.TokenURL, f.UserInfoURL = v["authorization_url"], v["token_url"], v["userinfo_url"]
		}
	} else {
		f.URL, f.BindDN, f.BaseDN, f.UserFilter, f.CACert = v["url"], v["bind_dn"], v["base_dn"], v["user_filter"], v["ca_cert"]
		f.StartTLS = v.on("start_tls")
		if t := v["timeout"]; t != "" {
			n, err := strconv.Atoi(t)
			if err != nil || n < 0 || n > 600 {
				errs["timeout"] = "idps.error.timeout"
			}
			f.TimeoutSeconds = n
		}
	}
	for line := range strings.Lines(v["mapping"]) {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		field, claim, ok := strings.Cut(line, "=")
		field, claim = strings.TrimSpace(field), strings.TrimSpace(claim)
		if !ok || field == "" || claim == "" {
			errs["mapping"] = "idps.error.mapping"
			break
		}
		if f.Mapping == nil {
			f.Mapping = map[string]string{}
		}
		f.Mapping[field] = claim
	}
	switch {
	case secret != "":
		p.Secret = &secret
	case v.on("clear_secret"):
		p.Secret = new(string)
	}
	p.Fields = f
	return p, errs
}

// idpsConnView is the connection form: creating a provider with its first
// connection, another connection of a provider, or editing one.
type idpsConnView struct {
	Action, Cancel string
	Type, Preset   string
	Kind           string // the form's kind when creating a provider
	Provider       *model.ExtIdp
	Conn           *model.ExtIdpConn // nil when creating
	RedirectURI    string
	Values         idpsValues
	Errors         map[string]string
}

// Web reports whether the form is of a browser kind.
func (v idpsConnView) Web() bool { return model.IdPWeb(v.Type) }

// HasSecret reports whether the connection keeps a secret already.
func (v idpsConnView) HasSecret() bool { return v.Conn != nil && len(v.Conn.SealedSecret) > 0 }

// SecretField names the secret input.
func (v idpsConnView) SecretField() string { return idpsSecretField(v.Type) }

// idpsField is what the template draws one input from.
type idpsField struct {
	Name, Type, Value, Label, Hint, Error string
	Required, Checked                     bool
	DescribedBy                           string
}

// Field describes the input name: its label and hint keys, value, error
// and whether it is required.
func (v idpsConnView) Field(name string) idpsField {
	f := idpsField{Name: name, Type: idpsTextFields[name], Value: v.Values[name], Label: "idps.field." + name,
		Error: v.Errors[name], Required: slices.Contains(idpsRequired(v.Type, v.Preset), name), Checked: v.Values.on(name)}
	if name == v.SecretField() {
		f.Type, f.Value = "password", ""
	}
	if f.Type == "" {
		f.Type = "checkbox"
	}
	var ids []string
	if hint := "idps.hint." + name; hasKey(i18n.English, hint) {
		f.Hint = hint
		ids = append(ids, "f-"+name+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, "f-"+name+"-error")
	}
	f.DescribedBy = strings.Join(ids, " ")
	return f
}

func (h *Handler) idpsConnPage(w http.ResponseWriter, r *http.Request, a *admin, status int, v view, d idpsConnView) {
	v.Section, v.Data = "idps", d
	switch {
	case d.Conn != nil:
		v.Title, v.TitleArgs = "idps.conn.edit_heading", []string{d.Conn.DisplayName}
	case d.Provider != nil:
		v.Title, v.TitleArgs = "idps.conn.new_heading", []string{d.Provider.Name}
	default:
		v.Title = "idps.new.title." + d.Kind
	}
	h.render(w, r, status, "idps_conn", a, v)
}

// idpsNewForm is the form of a new provider of the kind ?kind= names.
func (h *Handler) idpsNewForm(w http.ResponseWriter, r *http.Request, a *admin) {
	kind := r.URL.Query().Get("kind")
	typ, preset, ok := idpsKind(kind)
	if !ok {
		h.fail(w, r, a, http.StatusNotFound, "error.not_found")
		return
	}
	v := idpsValues{}
	if preset != "" {
		v["display_name"] = tr(i18n.English, "idps.kind."+preset) // a brand name
	}
	if !model.IdPWeb(typ) {
		v["user_filter"] = "(uid=%s)"
		if typ == model.IdPAD {
			v["user_filter"] = "(sAMAccountName=%s)"
		}
	}
	h.idpsConnPage(w, r, a, http.StatusOK, view{}, idpsConnView{Action: idpsPath + "/new", Cancel: idpsPath,
		Type: typ, Preset: preset, Kind: kind, Values: v})
}

// idpsCreate stores a new provider and its first connection, as the CLI's
// idp create does: the provider is deleted again when the service refuses
// the connection, so a typo leaves nothing behind.
func (h *Handler) idpsCreate(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	kind := r.PostForm.Get("kind")
	typ, preset, ok := idpsKind(kind)
	if !ok {
		h.fail(w, r, a, http.StatusNotFound, "error.not_found")
		return
	}
	v := idpsPosted(r)
	d := idpsConnView{Action: idpsPath + "/new", Cancel: idpsPath, Type: typ, Preset: preset, Kind: kind, Values: v}
	params, errs := idpsParams(v, typ, preset, r.PostForm.Get(idpsSecretField(typ)))
	if len(errs) > 0 {
		d.Errors = errs
		h.idpsConnPage(w, r, a, http.StatusBadRequest, view{Error: "idps.error.form"}, d)
		return
	}
	p, err := h.IdP.CreateExtIdp(ctx, v["display_name"], typ, v["logo"])
	if err == nil {
		params.ExtIdpID = p.ID
		var c *model.ExtIdpConn
		if c, err = h.IdP.CreateConn(ctx, params); err == nil {
			h.changed(r, a, "identity provider created", "", "",
				fmt.Sprintf("%s %q (%s), connection %s %s", p.ID, p.Name, p.Type, c.ID, c.Identifier))
			done(w, r, idpsPath+"/"+p.ID, "idps.created")
			return
		}
		if derr := h.IdP.DeleteExtIdp(ctx, p.ID); derr != nil {
			h.internal(w, r, a, "console idps: remove the refused provider", errors.Join(err, derr))
			return
		}
	}
	if h.idpsRefused(w, r, a, err, d) {
		return
	}
	h.internal(w, r, a, "console idps: create", err)
}

// idpsRefused shows the form again for a setting the service refused (400)
// or a taken identifier (409), and reports whether it did.
func (h *Handler) idpsRefused(w http.ResponseWriter, r *http.Request, a *admin, err error, d idpsConnView) bool {
	switch {
	case errors.Is(err, model.ErrInvalidInput):
		h.idpsConnPage(w, r, a, http.StatusBadRequest, view{Error: "idps.error.invalid", Detail: idpsDetail(err)}, d)
	case errors.Is(err, model.ErrConflict):
		d.Errors = map[string]string{"identifier": "idps.error.identifier_taken"}
		h.idpsConnPage(w, r, a, http.StatusConflict, view{Error: "idps.error.form"}, d)
	default:
		return false
	}
	return true
}

func (h *Handler) idpsConnNewForm(w http.ResponseWriter, r *http.Request, a *admin) {
	p, _, ok := h.idpsProviderOf(w, r, a)
	if !ok {
		return
	}
	h.idpsConnPage(w, r, a, http.StatusOK, view{}, h.idpsNewConnView(p, idpsValues{}))
}

func (h *Handler) idpsNewConnView(p *model.ExtIdp, v idpsValues) idpsConnView {
	if !model.IdPWeb(p.Type) && v["user_filter"] == "" {
		v["user_filter"] = "(uid=%s)"
		if p.Type == model.IdPAD {
			v["user_filter"] = "(sAMAccountName=%s)"
		}
	}
	return idpsConnView{Action: idpsPath + "/" + p.ID + "/conns/new", Cancel: idpsPath + "/" + p.ID,
		Type: p.Type, Provider: p, Values: v}
}

// idpsConnCreate adds another connection to a provider.
func (h *Handler) idpsConnCreate(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	p, _, ok := h.idpsProviderOf(w, r, a)
	if !ok {
		return
	}
	v := idpsPosted(r)
	d := h.idpsNewConnView(p, v)
	params, errs := idpsParams(v, p.Type, "", r.PostForm.Get(idpsSecretField(p.Type)))
	if len(errs) > 0 {
		d.Errors = errs
		h.idpsConnPage(w, r, a, http.StatusBadRequest, view{Error: "idps.error.form"}, d)
		return
	}
	params.ExtIdpID = p.ID
	c, err := h.IdP.CreateConn(ctx, params)
	if h.idpsRefused(w, r, a, err, d) || h.missing(w, r, a, "console idps: create connection", err) {
		return
	}
	h.changed(r, a, "identity provider connection created", "", "", fmt.Sprintf("%s %s of %s", c.ID, c.Identifier, p.ID))
	done(w, r, idpsPath+"/"+p.ID, "idps.conn_created")
}

// idpsConn loads the provider and connection the path names; a connection
// of another provider is not found.
func (h *Handler) idpsConn(w http.ResponseWriter, r *http.Request, a *admin) (*model.ExtIdp, *model.ExtIdpConn, bool) {
	p, conns, ok := h.idpsProviderOf(w, r, a)
	if !ok {
		return nil, nil, false
	}
	i := slices.IndexFunc(conns, func(c *model.ExtIdpConn) bool { return c.ID == r.PathValue("conn") })
	if i < 0 {
		h.fail(w, r, a, http.StatusNotFound, "error.not_found")
		return nil, nil, false
	}
	return p, conns[i], true
}

func (h *Handler) idpsEditView(p *model.ExtIdp, c *model.ExtIdpConn, v idpsValues) idpsConnView {
	d := idpsConnView{Action: idpsPath + "/" + p.ID + "/conns/" + c.ID, Cancel: idpsPath + "/" + p.ID,
		Type: c.Type, Preset: c.Fields.Preset, Provider: p, Conn: c, Values: v}
	if d.Web() {
		d.RedirectURI = h.IdP.RedirectURI(c)
	}
	return d
}

func (h *Handler) idpsConnEditForm(w http.ResponseWriter, r *http.Request, a *admin) {
	p, c, ok := h.idpsConn(w, r, a)
	if !ok {
		return
	}
	h.idpsConnPage(w, r, a, http.StatusOK, view{}, h.idpsEditView(p, c, idpsStored(c)))
}

// idpsConnUpdate saves a connection; an empty secret keeps the stored one.
func (h *Handler) idpsConnUpdate(w http.ResponseWriter, r *http.Request, a *admin) {
	p, c, ok := h.idpsConn(w, r, a)
	if !ok {
		return
	}
	v := idpsPosted(r)
	d := h.idpsEditView(p, c, v)
	params, errs := idpsParams(v, c.Type, c.Fields.Preset, r.PostForm.Get(idpsSecretField(c.Type)))
	if len(errs) > 0 {
		d.Errors = errs
		h.idpsConnPage(w, r, a, http.StatusBadRequest, view{Error: "idps.error.form"}, d)
		return
	}
	updated, err := h.IdP.UpdateConn(r.Context(), c.ID, params)
	if h.idpsRefused(w, r, a, err, d) || h.missing(w, r, a, "console idps: update connection", err) {
		return
	}
	detail := fmt.Sprintf("%s %s", updated.ID, updated.Identifier)
	if params.Secret != nil {
		detail += ", secret replaced"
		if *params.Secret == "" {
			detail += " by none"
		}
	}
	h.changed(r, a, "identity provider connection changed", "", "", detail)
	done(w, r, idpsPath+"/"+p.ID, "idps.conn_saved")
}

type idpsAppsView struct {
	Provider *model.ExtIdp
	Conn     *model.ExtIdpConn
	Apps     []idpsAppRow
}

type idpsAppRow struct {
	App     *model.Application
	Enabled bool
}

func (h *Handler) idpsAppsForm(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	p, c, ok := h.idpsConn(w, r, a)
	if !ok {
		return
	}
	list, err := h.Apps.List(ctx)
	if err != nil {
		h.internal(w, r, a, "console idps: applications", err)
		return
	}
	enabled, err := h.IdP.ConnApps(ctx, c.ID)
	if err != nil {
		h.internal(w, r, a, "console idps: enabled applications", err)
		return
	}
	v := idpsAppsView{Provider: p, Conn: c}
	for _, app := range list {
		v.Apps = append(v.Apps, idpsAppRow{App: app, Enabled: slices.Contains(enabled, app.ID)})
	}
	h.render(w, r, http.StatusOK, "idps_apps", a, view{Title: "idps.apps.heading", TitleArgs: []string{c.DisplayName},
		Section: "idps", Data: v})
}

// idpsApps enables the connection for the checked applications and
// disables it for the others the form showed (as genauth idp enable and
// disable, and change-ext-idp-conn-state, do one by one); an application
// created since the form was drawn is left as it is.
func (h *Handler) idpsApps(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	p, c, ok := h.idpsConn(w, r, a)
	if !ok {
		return
	}
	enabled, err := h.IdP.ConnApps(ctx, c.ID)
	if err != nil {
		h.internal(w, r, a, "console idps: enabled applications", err)
		return
	}
	checked := r.PostForm["app"]
	for _, id := range slices.Compact(slices.Sorted(slices.Values(r.PostForm["shown"]))) {
		want := slices.Contains(checked, id)
		if want == slices.Contains(enabled, id) {
			continue
		}
		err := h.IdP.SetEnabled(ctx, c.ID, id, want)
		if errors.Is(err, model.ErrNotFound) {
			continue // the application was deleted meanwhile
		}
		if err != nil {
			h.internal(w, r, a, "console idps: enable", err)
			return
		}
		what := "identity provider connection disabled"
		if want {
			what = "identity provider connection enabled"
		}
		h.changed(r, a, what, "", id, fmt.Sprintf("%s %s", c.ID, c.Identifier))
	}
	done(w, r, idpsPath+"/"+p.ID, "idps.apps_saved")
}

// Outcomes of a check, each a catalog key's last part.
const (
	idpsCheckOK          = "ok"
	idpsCheckNothing     = "nothing"
	idpsCheckUnavailable = "unavailable"
	idpsCheckRefused     = "refused"
	idpsCheckFailed      = "failed"
)

// idpsCheckTimeout bounds a check, whose directory steps may each take
// minutes, below serve's 60-second write timeout so that its answer is
// still written.
const idpsCheckTimeout = 45 * time.Second

type idpsCheckView struct {
	Provider *model.ExtIdp
	Conn     *model.ExtIdpConn
	Outcome  string
	Detail   string // the error, in English, for the administrator
}

// idpsCheck asks the provider what a sign-in would (discovery, the
// directory's service bind) and shows the answer; it changes nothing, but
// it reaches out to the network, so it is a form, not a link.
func (h *Handler) idpsCheck(w http.ResponseWriter, r *http.Request, a *admin) {
	p, c, ok := h.idpsConn(w, r, a)
	if !ok {
		return
	}
	v := idpsCheckView{Provider: p, Conn: c, Outcome: idpsCheckOK}
	ctx, cancel := context.WithTimeout(r.Context(), idpsCheckTimeout)
	defer cancel()
	passed, err := h.IdP.Check(ctx, c)
	switch {
	case errors.Is(err, model.ErrUpstreamUnavailable):
		v.Outcome = idpsCheckUnavailable
	case errors.Is(err, model.ErrUpstreamRefused):
		v.Outcome = idpsCheckRefused
	case err != nil:
		v.Outcome = idpsCheckFailed
		h.Logger.WarnContext(r.Context(), "console idps: check", "connection", c.Identifier, "err", err)
	case !passed:
		v.Outcome = idpsCheckNothing
	}
	if err != nil {
		v.Detail = err.Error()
	}
	h.render(w, r, http.StatusOK, "idps_check", a, view{Title: "idps.check.heading", TitleArgs: []string{c.DisplayName},
		Section: "idps", Data: v})
}

// idpsDeleteView is the confirmation of deleting a provider (Conn nil) or
// one connection.
type idpsDeleteView struct {
	Provider *model.ExtIdp
	Conns    int
	Conn     *model.ExtIdpConn
	Action   string
	Cancel   string
}

func (h *Handler) idpsDeleteForm(w http.ResponseWriter, r *http.Request, a *admin) {
	p, conns, ok := h.idpsProviderOf(w, r, a)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "idps_delete", a, view{Title: "idps.delete.heading", TitleArgs: []string{p.Name}, Section: "idps", Data: idpsDeleteView{Provider: p, Conns: len(conns), Action: idpsPath + "/" + p.ID + "/delete",
		Cancel: idpsPath + "/" + p.ID}})
}

func (h *Handler) idpsDelete(w http.ResponseWriter, r *http.Request, a *admin) {
	p, _, ok := h.idpsProviderOf(w, r, a)
	if !ok {
		return
	}
	if h.missing(w, r, a, "console idps: delete", h.IdP.DeleteExtIdp(r.Context(), p.ID)) {
		return
	}
	h.changed(r, a, "identity provider deleted", "", "", fmt.Sprintf("%s %q", p.ID, p.Name))
	done(w, r, idpsPath, "idps.deleted")
}

func (h *Handler) idpsConnDeleteForm(w http.ResponseWriter, r *http.Request, a *admin) {
	p, c, ok := h.idpsConn(w, r, a)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "idps_delete", a, view{Title: "idps.conn_delete.heading", TitleArgs: []string{c.DisplayName}, Section: "idps", Data: idpsDeleteView{Provider: p, Conn: c, Action: idpsPath + "/" + p.ID + "/conns/" + c.ID + "/delete",
		Cancel: idpsPath + "/" + p.ID}})
}

func (h *Handler) idpsConnDelete(w http.ResponseWriter, r *http.Request, a *admin) {
	p, c, ok := h.idpsConn(w, r, a)
	if !ok {
		return
	}
	if h.missing(w, r, a, "console idps: delete connection", h.IdP.DeleteConn(r.Context(), c.ID)) {
		return
	}
	h.changed(r, a, "identity provider connection deleted", "", "", fmt.Sprintf("%s %s of %s", c.ID, c.Identifier, p.ID))
	done(w, r, idpsPath+"/"+p.ID, "idps.conn_deleted")
}
