package pages

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/opengenauth/genauth/internal/model"
)

// logoutTarget is one reading of a logout request: where to go back to and
// which application's allowlist decides ("" means any application's).
type logoutTarget struct {
	uri   string
	appID string
}

// logoutTargets lists the readings of a /login/profile/logout query, most
// literal first. SDKs append redirect_uri unencoded, so its value is
// everything after "redirect_uri=", own "?" and "&" included; other clients
// percent-encode it, and app_id may come before or after it. Trying several
// readings is safe because a target is only used when it is exactly on an
// allowlist.
func logoutTargets(rawQuery string) []logoutTarget {
	const key = "redirect_uri="
	var before, tail string
	found := false
	for i := 0; ; {
		j := strings.Index(rawQuery[i:], key)
		if j < 0 {
			break
		}
		j += i
		if j == 0 || rawQuery[j-1] == '&' {
			before, tail, found = rawQuery[:j], rawQuery[j+len(key):], true
			break
		}
		i = j + len(key)
	}
	var out []logoutTarget
	add := func(uri, appID string) {
		t := logoutTarget{uri, appID}
		if uri != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	addBoth := func(raw, appID string) {
		add(raw, appID)
		if dec, err := url.QueryUnescape(raw); err == nil {
			add(dec, appID)
		}
	}
	if found {
		appBefore := queryValue(before, "app_id")
		addBoth(tail, appBefore)
		// A raw URL followed by the SDK's own app_id parameter.
		if i := strings.LastIndex(tail, "&app_id="); i >= 0 && appBefore == "" {
			if id, err := url.QueryUnescape(tail[i+len("&app_id="):]); err == nil && id != "" {
				addBoth(tail[:i], id)
			}
		}
	}
	q, _ := url.ParseQuery(rawQuery)
	add(q.Get("redirect_uri"), q.Get("app_id"))
	return out
}

// queryValue is the first value of key in a raw query, decoded.
func queryValue(rawQuery, key string) string {
	q, _ := url.ParseQuery(rawQuery)
	return q.Get(key)
}

// allowedLogoutURI returns the first target that is on its application's
// logout callback list, or "" when none is.
func (h *Handler) allowedLogoutURI(ctx context.Context, targets []logoutTarget) (string, error) {
	var all []*model.Application
	loaded := false
	for _, t := range targets {
		if t.appID != "" {
			app, err := h.store.GetApplication(ctx, t.appID)
			if errors.Is(err, model.ErrNotFound) {
				continue
			}
			if err != nil {
				return "", err
			}
			if slices.Contains(app.LogoutRedirectURIs, t.uri) {
				return t.uri, nil
			}
			continue
		}
		if !loaded {
			var err error
			if all, err = h.store.ListApplications(ctx); err != nil {
				return "", err
			}
			loaded = true
		}
		for _, app := range all {
			if slices.Contains(app.LogoutRedirectURIs, t.uri) {
				return t.uri, nil
			}
		}
	}
	return "", nil
}

// frontChannelLogout is GET /login/profile/logout: it always ends the session,
// then goes back to the application only if the address is on its logout
// callback list; otherwise it shows the signed-out page and says why it did
// not redirect (400), so it can never be used as an open redirect.
func (h *Handler) frontChannelLogout(w http.ResponseWriter, r *http.Request) {
	if err := h.endSession(w, r, "/login/profile/logout"); err != nil {
		h.internalError(w, r, "front-channel logout", err)
		return
	}
	targets := logoutTargets(r.URL.RawQuery)
	if len(targets) == 0 {
		h.RenderSignedOut(w, r, http.StatusOK, false)
		return
	}
	uri, err := h.allowedLogoutURI(r.Context(), targets)
	if err != nil {
		h.internalError(w, r, "front-channel logout: applications", err)
		return
	}
	if uri == "" {
		h.RenderSignedOut(w, r, http.StatusBadRequest, true)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", uri)
	w.WriteHeader(http.StatusFound)
}

// RenderSignedOut shows the signed-out page; refused says that a requested
// redirect back to the application was not allowed. RP-initiated logout
// (/oidc/session/end) uses it.
func (h *Handler) RenderSignedOut(w http.ResponseWriter, r *http.Request, status int, refused bool) {
	// The language links lead to this page without the logout parameters,
	// so switching does not replay a redirect.
	h.render(w, r, status, "signedout", page{
		Title:      m("signedout.page_title"),
		LoginHref:  "/login",
		Refused:    refused,
		switchBase: r.URL.EscapedPath(),
	})
}

// LogoutPage is what the sign-out confirmation page shows: the application
// asking ("" when unknown) and the form that posts the confirmation back to
// Action with Fields.
type LogoutPage struct {
	AppName string
	Action  string
	Fields  map[string]string
}

// RenderLogoutConfirm asks the signed-in user whether to sign out, for an
// RP-initiated logout that does not prove who asks (/oidc/session/end).
// Staying signed in is a link home; only the form's same-origin post signs out.
func (h *Handler) RenderLogoutConfirm(w http.ResponseWriter, r *http.Request, l LogoutPage) {
	p := page{
		Title:   m("logout.page_title"),
		AppName: l.AppName,
		Action:  l.Action,
		Hidden:  sortedFields(l.Fields),
		User:    h.signedInName(r, "logout"),
	}
	// A page shown for a POST switches language by asking again with GET.
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		q := url.Values{}
		for _, f := range p.Hidden {
			q.Set(f.Name, f.Value)
		}
		p.switchBase = r.URL.EscapedPath() + "?" + q.Encode()
	}
	h.render(w, r, http.StatusOK, "logout", p)
}
