package console

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/health"
)

// view is what a handler gives render: catalog keys, never sentences, and
// its page's own data.
type view struct {
	Title     string   // catalog key of the page's title
	TitleArgs []string // its arguments
	Section   string   // the navigation entry this page belongs to
	Error     string   // catalog key of a problem with the whole form
	Detail    string   // an untranslated detail of Error (a service's English message)
	Data      any
}

// pageData is what every template gets.
type pageData struct {
	view
	Lang     i18n.Lang
	Langs    []langLink
	CSSHref  string
	IconHref string
	// Admin is nil on the pages of someone not signed in to the console.
	Admin *model.User
	CSRF  string
	Nav   []navItem
	// Done is the catalog key of the notice of a change just made.
	Done string
}

type langLink struct {
	Tag     i18n.Lang
	Name    string
	Href    string
	Current bool
}

type navItem struct {
	Key, Href string
	Current   bool
}

// sections are the console's navigation, in order.
var sections = []struct{ name, path string }{
	{"overview", Path + "/"},
	{"apps", Path + "/apps"},
	{"users", Path + "/users"},
	{"idps", Path + "/idps"},
	{"audit", Path + "/audit"},
	{"keys", Path + "/keys"},
	{"settings", Path + "/settings"},
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, a *admin, v view) {
	lang, source := i18n.Choose(r)
	p := pageData{view: v, Lang: lang, Langs: languageLinks(r, lang),
		CSSHref: h.assets[cssPath].Href, IconHref: h.assets[iconPath].Href}
	if a != nil {
		p.Admin, p.CSRF = a.User, a.CSRF
		for _, s := range sections {
			p.Nav = append(p.Nav, navItem{Key: "nav." + s.name, Href: s.path, Current: s.name == v.Section})
		}
		if d := r.URL.Query().Get("done"); d != "" && r.Method == http.MethodGet && hasKey(lang, "done."+d) {
			p.Done = "done." + d
		}
	}
	var buf bytes.Buffer
	if err := h.pages[lang][name].ExecuteTemplate(&buf, "layout", p); err != nil {
		h.Logger.ErrorContext(r.Context(), "console: render page", "page", name, "err", err)
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	if source == i18n.FromQuery {
		i18n.SetCookie(w, lang, h.Sessions.Secure)
	}
	edge.WriteHTML(w, r, status, string(lang), contentSecurityPolicy, buf.Bytes())
}

// contentSecurityPolicy: the console's own stylesheet, images and script,
// nothing inline, no framing; forms post only here.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// languageLinks points at this page again (a GET) or the overview, with lang set.
func languageLinks(r *http.Request, cur i18n.Lang) []langLink {
	u := &url.URL{Path: Path + "/"}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		u = &url.URL{Path: r.URL.Path, RawQuery: r.URL.RawQuery}
	}
	q := u.Query()
	q.Del("done")
	links := make([]langLink, 0, len(i18n.Supported))
	for _, l := range i18n.Supported {
		q.Set(i18n.QueryParam, string(l))
		u.RawQuery = q.Encode()
		links = append(links, langLink{Tag: l, Name: l.Name(), Href: u.String(), Current: l == cur})
	}
	return links
}

// done ends a change: the browser goes to path, which shows the notice
// "done."+key (post, redirect, get: a reload does not post again).
func done(w http.ResponseWriter, r *http.Request, path, key string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(w, r, path+sep+"done="+url.QueryEscape(key), http.StatusSeeOther)
}

// refuse shows an error page outside the console (no navigation): the
// request has no administrator.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, key string) {
	h.render(w, r, status, "error", nil, view{Title: key + ".title", Data: key + ".message"})
}

// fail shows an error page inside the console.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, a *admin, status int, key string) {
	h.render(w, r, status, "error", a, view{Title: key + ".title", Data: key + ".message"})
}

// internal logs err and shows a page without detail; a temporary failure
// (the database unavailable, hashing at its limit) is 503 with Retry-After.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, a *admin, what string, err error) {
	if h.Health.Failed(r.Context(), err) {
		w.Header().Set("Retry-After", health.RetryAfter(err))
		h.fail(w, r, a, http.StatusServiceUnavailable, "error.unavailable")
		return
	}
	h.Logger.ErrorContext(r.Context(), what, "err", err)
	h.fail(w, r, a, http.StatusInternalServerError, "error.internal")
}

// missing answers for an id that names nothing: 404 for model.ErrNotFound,
// else as internal. It returns whether it answered.
func (h *Handler) missing(w http.ResponseWriter, r *http.Request, a *admin, what string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, model.ErrNotFound):
		h.fail(w, r, a, http.StatusNotFound, "error.not_found")
	default:
		h.internal(w, r, a, what, err)
	}
	return true
}

// changed records a change an administrator made: every console change is
// an audit event whose detail names the administrator first.
func (h *Handler) changed(r *http.Request, a *admin, what, userID, clientID, detail string) {
	d := fmt.Sprintf("%s by %s", what, a.User.ID)
	if detail != "" {
		d += ": " + detail
	}
	h.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditConsoleChange, UserID: userID, ClientID: clientID,
		IP: audit.ClientIP(r), Detail: d})
}

func clientIP(r *http.Request) string { return audit.ClientIP(r) }
