package console

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
)

// appsPath is the applications' section.
const appsPath = Path + "/apps"

// appsPage is how many applications a page of the list shows.
const appsPage = 50

func (h *Handler) registerApps(mux edge.Routes) {
	mux.Handle("GET "+appsPath, h.page(h.appList))
	mux.Handle("GET "+appsPath+"/new", h.page(h.appNew))
	mux.Handle("POST "+appsPath, h.form(h.appCreate))
	mux.Handle("GET "+appsPath+"/{id}", h.page(h.appShow))
	mux.Handle("POST "+appsPath+"/{id}", h.form(h.appUpdate))
	for _, action := range appActions {
		mux.Handle("GET "+appsPath+"/{id}/"+action, h.page(h.appConfirm))
	}
	mux.Handle("POST "+appsPath+"/{id}/secret", h.form(h.appRotate))
	mux.Handle("POST "+appsPath+"/{id}/delete", h.form(h.appDelete))
	mux.Handle("POST "+appsPath+"/{id}/signout", h.form(h.appSignOut))
}

// appActions are the changes that ask for a confirmation first.
var appActions = []string{"secret", "delete", "signout"}

type appListView struct {
	Query string
	Apps  []*model.Application
	Pager appPager
}

// appPager is what the "pager" template takes.
type appPager struct{ Next, First string }

// appList lists the applications oldest first, a page at a time, or those
// whose name, identifier or id contains the search. The service reads
// every application (an installation holds few, as its Search says); the
// console still pages by a cursor, the position (created, id) after the
// last one shown, so a page is stable while applications come and go.
func (h *Handler) appList(w http.ResponseWriter, r *http.Request, a *admin) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	after, ok := parseAppCursor(r.URL.Query().Get("after"))
	if !ok {
		h.fail(w, r, a, http.StatusBadRequest, "apps.error.cursor")
		return
	}
	list, _, err := h.Apps.Search(r.Context(), q, 0, math.MaxInt)
	if err != nil {
		h.internal(w, r, a, "console apps: list", err)
		return
	}
	slices.SortFunc(list, compareApps)
	if after != nil {
		i, found := slices.BinarySearchFunc(list, after, compareApps)
		if found {
			i++
		}
		list = list[i:]
	}
	v := appListView{Query: q}
	query := url.Values{}
	if q != "" {
		query.Set("q", q)
	}
	if after != nil {
		v.Pager.First = appsPath
		if q != "" {
			v.Pager.First += "?" + query.Encode()
		}
	}
	if len(list) > appsPage {
		list = list[:appsPage]
		last := list[len(list)-1]
		query.Set("after", strconv.FormatInt(last.CreatedAt.UnixNano(), 10)+"."+last.ID)
		v.Pager.Next = appsPath + "?" + query.Encode()
	}
	v.Apps = list
	h.render(w, r, http.StatusOK, "apps", a, view{Title: "apps.title", Section: "apps", Data: v})
}

func compareApps(x, y *model.Application) int {
	return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), strings.Compare(x.ID, y.ID))
}

// parseAppCursor reads "<created, unix ns>.<id>"; "" is the first page.
func parseAppCursor(s string) (*model.Application, bool) {
	if s == "" {
		return nil, true
	}
	ns, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" {
		return nil, false
	}
	return &model.Application{ID: id, CreatedAt: time.Unix(0, n)}, true
}

// appFormView is the settings page of a new or an existing application.
type appFormView struct {
	App      *model.Application // nil for a new one
	Sections []appSection
	// Discovery is where the application's developers find the endpoints.
	Discovery string
}

func (h *Handler) appForm(w http.ResponseWriter, r *http.Request, a *admin, status int, app *model.Application,
	values url.Values, errs map[string]string, problem, detail string) {
	v := view{Title: "apps.new.title", Section: "apps", Error: problem, Detail: detail,
		Data: appFormView{App: app, Sections: appSections(values, errs), Discovery: h.PublicURL + "/oidc/.well-known/openid-configuration"}}
	if app != nil {
		v.Title = "apps.edit.title"
	}
	h.render(w, r, status, "app", a, v)
}

func (h *Handler) appNew(w http.ResponseWriter, r *http.Request, a *admin) {
	h.appForm(w, r, a, http.StatusOK, nil, appDefaults(), nil, "", "")
}

func (h *Handler) appCreate(w http.ResponseWriter, r *http.Request, a *admin) {
	p, errs := appParams(r.PostForm)
	if len(errs) > 0 {
		h.appForm(w, r, a, http.StatusBadRequest, nil, r.PostForm, errs, "apps.error.fields", "")
		return
	}
	app, secret, err := h.Apps.Create(r.Context(), p)
	if h.appRefused(w, r, a, nil, err) {
		return
	}
	h.changed(r, a, "application created", "", app.ID, strconv.Quote(app.Name))
	if secret == "" {
		done(w, r, appsPath+"/"+app.ID, "app_created")
		return
	}
	h.render(w, r, http.StatusOK, "appsecret", a, view{Title: "apps.created.title", Section: "apps",
		Data: appSecretView{App: app, Secret: secret}})
}

// appRefused answers a refused create or update with the form again: a
// taken identifier is a conflict (409), any other rule of the service a bad
// request with its message. It returns whether it answered.
func (h *Handler) appRefused(w http.ResponseWriter, r *http.Request, a *admin, app *model.Application, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, model.ErrConflict) && strings.TrimSpace(r.PostForm.Get("identifier")) != "":
		h.appForm(w, r, a, http.StatusConflict, app, r.PostForm, map[string]string{"identifier": "apps.error.identifier_taken"},
			"apps.error.fields", "")
	case errors.Is(err, model.ErrInvalidInput):
		h.appForm(w, r, a, http.StatusBadRequest, app, r.PostForm, nil, "apps.error.invalid",
			strings.TrimPrefix(err.Error(), model.ErrInvalidInput.Error()+": "))
	default:
		h.missing(w, r, a, "console apps: save", err)
	}
	return true
}

type appSecretView struct {
	App     *model.Application
	Secret  string
	Rotated bool
}

func (h *Handler) appShow(w http.ResponseWriter, r *http.Request, a *admin) {
	app, err := h.Apps.Get(r.Context(), r.PathValue("id"))
	if h.missing(w, r, a, "console apps: read", err) {
		return
	}
	h.appForm(w, r, a, http.StatusOK, app, appValues(app), nil, "", "")
}

// appUpdate replaces every setting with the form's: the form holds them all.
func (h *Handler) appUpdate(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	old, err := h.Apps.Get(ctx, r.PathValue("id"))
	if h.missing(w, r, a, "console apps: read", err) {
		return
	}
	p, errs := appParams(r.PostForm)
	if len(errs) > 0 {
		h.appForm(w, r, a, http.StatusBadRequest, old, r.PostForm, errs, "apps.error.fields", "")
		return
	}
	app, err := h.Apps.Update(ctx, old.ID, func(cur *apps.CreateParams) error {
		*cur = p
		return nil
	})
	if h.appRefused(w, r, a, old, err) {
		return
	}
	what := "nothing changed"
	if changes := appChanges(appValues(old), appValues(app)); len(changes) > 0 {
		what = "changed " + strings.Join(changes, ", ")
	}
	h.changed(r, a, "application updated", "", app.ID, what)
	if e, ok := mfa.PolicyChange(app.ID, old.MFAPolicy, app.MFAPolicy, "console, by "+a.User.ID); ok {
		e.IP = audit.ClientIP(r)
		h.Audit.Record(ctx, e)
	}
	done(w, r, appsPath+"/"+app.ID, "app_updated")
}

// appConfirmView asks before a change that cannot be taken back.
type appConfirmView struct {
	App    *model.Application
	Action string // one of appActions
}

func (h *Handler) appConfirm(w http.ResponseWriter, r *http.Request, a *admin) {
	app, err := h.Apps.Get(r.Context(), r.PathValue("id"))
	if h.missing(w, r, a, "console apps: read", err) {
		return
	}
	action := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	h.render(w, r, http.StatusOK, "appconfirm", a, view{Title: "apps." + action + ".title", Section: "apps", Data: appConfirmView{App: app, Action: action}})
}

// appRotate gives the application a new secret, shown once; the old one
// stops working at once. A public application has no secret to rotate (422).
func (h *Handler) appRotate(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	app, err := h.Apps.Get(ctx, r.PathValue("id"))
	if h.missing(w, r, a, "console apps: read", err) {
		return
	}
	secret, err := h.Apps.RotateSecret(ctx, app.ID)
	if errors.Is(err, model.ErrInvalidInput) {
		h.render(w, r, http.StatusUnprocessableEntity, "appconfirm", a, view{Title: "apps.secret.title",
			Section: "apps", Error: "apps.error.public",
			Data: appConfirmView{App: app, Action: "secret"}})
		return
	}
	if h.missing(w, r, a, "console apps: rotate secret", err) {
		return
	}
	h.changed(r, a, "application secret rotated", "", app.ID, "")
	h.render(w, r, http.StatusOK, "appsecret", a, view{Title: "apps.rotated.title", Section: "apps",
		Data: appSecretView{App: app, Secret: secret, Rotated: true}})
}

func (h *Handler) appDelete(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	app, err := h.Apps.Get(ctx, r.PathValue("id"))
	if h.missing(w, r, a, "console apps: read", err) {
		return
	}
	if h.missing(w, r, a, "console apps: delete", h.Apps.Delete(ctx, app.ID)) {
		return
	}
	h.changed(r, a, "application deleted", "", app.ID, strconv.Quote(app.Name))
	done(w, r, appsPath, "app_deleted")
}

// appSignOut revokes every token of the application and deletes its open
// codes; browser sessions at GenAuth are not the application's and stay.
func (h *Handler) appSignOut(w http.ResponseWriter, r *http.Request, a *admin) {
	n, err := h.Apps.SignOut(r.Context(), r.PathValue("id"))
	if h.missing(w, r, a, "console apps: sign out", err) {
		return
	}
	id := r.PathValue("id")
	h.changed(r, a, "application signed out", "", id, fmt.Sprintf("%d tokens revoked", n))
	// The security event the CLI's app logout-all records too (a metric counts it).
	h.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditLogoutAll, ClientID: id, IP: audit.ClientIP(r),
		Detail: fmt.Sprintf("console, by %s: %d tokens revoked", a.User.ID, n)})
	done(w, r, appsPath+"/"+id, "app_signed_out")
}
