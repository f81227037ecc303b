package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// consoleRoute is a route of the admin console: {app} and {user} in its
// path stand for a real application's and user's ids, {id} for the value
// under test (when valid, the user's in a user's route, else the
// application's); params are its query (GET) or form (POST) fields.
type consoleRoute struct {
	method, path string
	params       []string
}

// consoleRoutes are every route of the admin console but sign-in,
// sign-out and the first administrator's link (their cases are below).
var consoleRoutes = []consoleRoute{
	{"GET", "/console/", []string{"lang", "done"}},
	{"GET", "/console/apps", []string{"q", "after"}},
	{"GET", "/console/apps/new", nil},
	{"POST", "/console/apps", []string{"name", "redirect_uris", "grant_types", "access_token_ttl", "identifier"}},
	{"GET", "/console/apps/{id}", nil},
	{"POST", "/console/apps/{id}", []string{"name", "redirect_uris"}},
	{"GET", "/console/apps/{id}/secret", nil},
	{"POST", "/console/apps/{id}/secret", nil},
	{"GET", "/console/apps/{id}/delete", nil},
	{"POST", "/console/apps/{id}/delete", nil},
	{"GET", "/console/apps/{id}/signout", nil},
	{"POST", "/console/apps/{id}/signout", nil},
	{"GET", "/console/audit", []string{"type", "user", "app", "from", "to", "after"}},
	// A CSV, not a page: its filters are the trail's, tried above.
	{"GET", "/console/audit.csv", nil},
	{"GET", "/console/settings", nil},
	{"POST", "/console/settings/mfa", []string{"policy"}},
	{"POST", "/console/settings/test-email", []string{"email"}},
	{"POST", "/console/settings/test-sms", []string{"phone"}},
	{"GET", "/console/idps", []string{"after", "done"}},
	{"GET", "/console/idps/new", []string{"kind"}},
	{"POST", "/console/idps/new", []string{"kind", "display_name", "identifier", "issuer", "client_id", "client_secret",
		"url", "base_dn", "mapping", "timeout"}},
	{"GET", "/console/idps/{id}", nil},
	{"POST", "/console/idps/{id}", []string{"name", "logo"}},
	{"GET", "/console/idps/{id}/delete", nil},
	{"POST", "/console/idps/{id}/delete", nil},
	{"GET", "/console/idps/{id}/conns/new", nil},
	{"POST", "/console/idps/{id}/conns/new", []string{"display_name"}},
	{"GET", "/console/idps/{id}/conns/{id}", nil},
	{"POST", "/console/idps/{id}/conns/{id}", []string{"display_name", "bind_password"}},
	{"GET", "/console/idps/{id}/conns/{id}/apps", nil},
	{"POST", "/console/idps/{id}/conns/{id}/apps", []string{"shown", "app"}},
	{"POST", "/console/idps/{id}/conns/{id}/check", nil},
	{"GET", "/console/idps/{id}/conns/{id}/delete", nil},
	{"POST", "/console/idps/{id}/conns/{id}/delete", nil},
	{"GET", "/console/keys", nil},
	{"GET", "/console/keys/rotate", nil},
	{"POST", "/console/keys/rotate", nil},
	{"GET", "/console/users", []string{"q", "after"}},
	{"GET", "/console/users/new", nil},
	{"POST", "/console/users/new", []string{"username", "email", "phone", "password_mode", "password", "send_reset", "email_verified"}},
	{"GET", "/console/users/{id}", nil},
	{"GET", "/console/users/{id}/edit", nil},
	{"POST", "/console/users/{id}/edit", []string{"username", "email", "gender", "custom_data", "external_id"}},
	{"POST", "/console/users/{id}/restore", nil},
	{"GET", "/console/users/{id}/password", nil},
	{"POST", "/console/users/{id}/password", []string{"password"}},
	{"GET", "/console/users/{id}/send-reset", nil},
	{"POST", "/console/users/{id}/send-reset", []string{"channel", "lang"}},
	{"GET", "/console/users/{id}/suspend", nil},
	{"POST", "/console/users/{id}/suspend", nil},
	{"GET", "/console/users/{id}/mfa-reset", nil},
	{"POST", "/console/users/{id}/mfa-reset", nil},
	{"GET", "/console/users/{id}/signout", nil},
	{"POST", "/console/users/{id}/signout", nil},
	{"GET", "/console/users/{id}/admin-grant", nil},
	{"POST", "/console/users/{id}/admin-grant", nil},
	{"GET", "/console/users/{id}/admin-revoke", nil},
	{"POST", "/console/users/{id}/admin-revoke", nil},
	{"GET", "/console/users/{id}/delete", nil},
	{"POST", "/console/users/{id}/delete", nil},
	{"GET", "/console/users/{user}/identities/{id}/unlink", nil},
	{"POST", "/console/users/{user}/identities/{id}/unlink", nil},
}

// consoleHostileCases send hostile values to every console route as a
// signed-in administrator: in each query parameter of a page (the page, or
// a readable refusal of a filter or cursor it cannot use), as the id in a
// path (not found), and in each field of a form posted with the hostile
// value as its form token (refused); without a console session a page
// leads to sign-in and a form is refused. None changes the database.
func consoleHostileCases(t *testing.T, srv *testserver.Server, appID, userID string) []hostileCase {
	_, admin, csrf := srv.ConsoleAdmin(t, "hostile-admin")
	signedIn := map[string]string{"Cookie": admin, "Sec-Fetch-Site": "same-origin"}
	var cs []hostileCase
	add := func(c hostileCase) {
		if carriesNonText(c) {
			c = refusedAtEdge(c)
		}
		cs = append(cs, c)
	}
	real := strings.NewReplacer("{app}", appID, "{user}", userID)
	for _, r := range consoleRoutes {
		withID := strings.Contains(r.path, "{id}")
		valid := appID
		if strings.HasPrefix(r.path, "/console/users/{id}") {
			valid = userID
		}
		for _, p := range hostilePayloads {
			path := real.Replace(strings.ReplaceAll(r.path, "{id}", url.PathEscape(p.value)))
			name := r.method + " " + r.path + "/" + p.name
			switch {
			case r.method == http.MethodGet && withID:
				add(hostileCase{name: name + "/id", method: r.method, target: path, header: signedIn, want: wantHTMLError,
					status: http.StatusNotFound})
			case r.method == http.MethodPost && withID:
				add(hostileCase{name: name + "/id", method: r.method, target: path, ct: formCT, body: form("csrf", csrf),
					header: signedIn, want: wantHTMLError, status: http.StatusNotFound})
			}
			validPath := real.Replace(strings.ReplaceAll(r.path, "{id}", valid))
			for _, field := range r.params {
				if r.method == http.MethodGet {
					add(hostileCase{name: name + "/" + field, method: r.method, target: validPath + "?" + form(field, p.value),
						header: signedIn, want: wantPageOrError})
					continue
				}
				add(hostileCase{name: name + "/" + field, method: r.method, target: validPath, ct: formCT,
					body: form(field, p.value, "csrf", p.value), header: signedIn, want: wantHTMLError, status: http.StatusForbidden})
			}
		}
		path := real.Replace(strings.ReplaceAll(r.path, "{id}", valid))
		if r.method == http.MethodGet {
			add(hostileCase{name: r.method + " " + r.path + "/signed-out", method: r.method, target: path, want: wantLocalRedirect})
			continue
		}
		add(hostileCase{name: r.method + " " + r.path + "/signed-out", method: r.method, target: path, ct: formCT,
			body: form("csrf", csrf), header: map[string]string{"Sec-Fetch-Site": "same-origin"}, want: wantHTMLError,
			status: http.StatusUnauthorized})
		add(hostileCase{name: r.method + " " + r.path + "/cross-site", method: r.method, target: path, ct: formCT,
			body: form("csrf", csrf), header: map[string]string{"Cookie": admin, "Sec-Fetch-Site": "cross-site"},
			want: wantHTMLError, status: http.StatusForbidden})
		for _, b := range brokenForms {
			add(hostileCase{name: r.method + " " + r.path + "/" + b.name, method: r.method, target: path, ct: formCT,
				body: b.raw + "&" + form("csrf", csrf), header: signedIn, want: wantHTMLError})
		}
	}
	for _, p := range hostilePayloads {
		add(hostileCase{name: "GET /console/signin/" + p.name, method: http.MethodGet,
			target: "/console/signin?" + form("return_to", p.value), want: wantLocalRedirect})
		add(hostileCase{name: "GET /console/bootstrap/" + p.name, method: http.MethodGet,
			target: "/console/bootstrap?" + form("token", p.value), header: signedIn, want: wantPage})
		add(hostileCase{name: "POST /console/bootstrap/" + p.name, method: http.MethodPost, target: "/console/bootstrap",
			ct: formCT, body: form("token", p.value), header: signedIn, want: wantHTMLError, status: http.StatusBadRequest})
		add(hostileCase{name: "POST /console/signout/" + p.name, method: http.MethodPost, target: "/console/signout",
			ct: formCT, body: form("csrf", p.value), header: signedIn, want: wantHTMLError, status: http.StatusForbidden})
	}
	return cs
}
