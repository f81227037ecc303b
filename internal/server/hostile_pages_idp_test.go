package server_test

import (
	"github.com/opengenauth/genauth/internal/account/apps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// hostileUpstream is the authorization endpoint of the hostile test's OAuth
// 2.0 connection: never reached, only redirected to.
const hostileUpstream = "http://upstream.invalid/authorize"

// seedConnections gives the hostile test's server an OAuth 2.0 connection
// ("hostile-oauth2", which starts without asking the provider anything)
// enabled for the application, and an LDAP one ("hostile-ldap", whose
// directory no case reaches) enabled for another, and returns a link
// ticket for userID at the OAuth 2.0 one.
func seedConnections(t *testing.T, srv *testserver.Server, appID, userID string) string {
	t.Helper()
	ctx := t.Context()
	secret := "upstream-secret"
	var web *model.ExtIdpConn
	for _, c := range []struct {
		typ, id string
		f       model.ConnFields
	}{
		{model.IdPOAuth2, "hostile-oauth2", model.ConnFields{ClientID: "down", AuthorizationURL: hostileUpstream,
			TokenURL: "http://upstream.invalid/token", UserInfoURL: "http://upstream.invalid/me"}},
		{model.IdPLDAP, "hostile-ldap", model.ConnFields{URL: "ldap://127.0.0.1:1", BindDN: "cn=reader,dc=example,dc=org",
			BaseDN: "dc=example,dc=org"}},
	} {
		e, err := srv.IdP.CreateExtIdp(ctx, c.id, c.typ, "")
		if err != nil {
			t.Fatal(err)
		}
		conn, err := srv.IdP.CreateConn(ctx, idp.ConnParams{ExtIdpID: e.ID, Identifier: c.id, DisplayName: c.id, Fields: c.f, Secret: &secret})
		if err != nil {
			t.Fatal(err)
		}
		// The directory is another application's: the authentication API's
		// cases sign in to appID, which enables none.
		enableFor := appID
		if c.typ == model.IdPLDAP {
			other, _ := srv.CreateApp(t, apps.CreateParams{Name: "Hostile directory", RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
			enableFor = other.ID
		}
		if err := srv.IdP.SetEnabled(ctx, conn.ID, enableFor, true); err != nil {
			t.Fatal(err)
		}
		if c.typ == model.IdPOAuth2 {
			web = conn
		}
	}
	ticket, err := srv.IdP.LinkTicket(userID, web.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ticket
}

// pagesIdPHostileCases are the hosted pages of upstream providers: start,
// callback, link confirmation, the LDAP form, linking and unlinking from
// the account page, the link ticket page. None changes the database: a
// refused callback signs no one in, an LDAP form without a password asks
// no directory, an unknown identity unlinks nothing.
func pagesIdPHostileCases(cookie, ticket string) []hostileCase {
	var cs []hostileCase
	add := func(c hostileCase) {
		if c.method == "" {
			c.method = http.MethodPost
		}
		if carriesNonText(c) {
			c = refusedAtEdge(c)
		}
		cs = append(cs, c)
	}
	const web, ldap = "/connections/hostile-oauth2", "/connections/hostile-ldap"
	signedIn := map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "same-origin"}
	get := http.MethodGet
	q := func(kv ...string) string { return "?" + form(kv...) }

	add(hostileCase{name: web + "/start", method: get, target: web + "/start", want: wantUpstreamRedirect})
	add(hostileCase{name: web + "/link/ticket", method: get, target: web + "/link" + q("ticket", ticket), want: wantPage})
	add(hostileCase{name: web + "/link/ticket-post", target: web + "/link", ct: formCT, body: form("ticket", ticket),
		header: sameOrigin, want: wantUpstreamRedirect})
	add(hostileCase{name: web + "/link-start/signed-in", target: web + "/link-start", ct: formCT, header: signedIn, want: wantUpstreamRedirect})
	add(hostileCase{name: ldap + "/start", method: get, target: ldap + "/start", want: wantHTMLError, status: 404})
	add(hostileCase{name: web + "/ldap", method: get, target: web + "/ldap", want: wantHTMLError, status: 404})
	for _, path := range []string{web + "/link", web + "/link-start", ldap + "/ldap", "/connections/link", "/account/identities/unlink"} {
		add(hostileCase{name: path + "/cross-site", target: path, ct: formCT, body: form("ticket", ticket, "confirm", "yes"),
			header: map[string]string{"Sec-Fetch-Site": "cross-site", "Cookie": cookie}, want: wantHTMLError, status: 403})
		for _, b := range brokenForms {
			add(hostileCase{name: path + "/" + b.name, target: path, ct: formCT, body: "confirm=yes&" + b.raw, header: signedIn,
				want: wantHTMLError, status: 400})
		}
	}
	for _, h := range hostilePayloads {
		add(hostileCase{name: web + "/start/return_to/" + h.name, method: get, target: web + "/start" + q("return_to", h.value),
			want: wantUpstreamRedirect})
		add(hostileCase{name: "/connections/start/identifier/" + h.name, method: get,
			target: "/connections/" + url.PathEscape(h.value) + "/start", want: wantHTMLError, status: 404})
		add(hostileCase{name: web + "/callback/" + h.name, method: get,
			target: web + "/callback" + q("code", h.value, "state", h.value), want: wantHTMLError, status: 403})
		add(hostileCase{name: web + "/callback/error/" + h.name, method: get,
			target: web + "/callback" + q("error", h.value, "error_description", h.value, "state", h.value), want: wantHTMLError, status: 403})
		add(hostileCase{name: "/connections/link/confirm/" + h.name, target: "/connections/link", ct: formCT,
			body: form("confirm", h.value), header: sameOrigin, want: wantHTMLError, status: 403})
		add(hostileCase{name: ldap + "/ldap/form/" + h.name, method: get, target: ldap + "/ldap" + q("return_to", h.value),
			want: wantPage, returnTo: true})
		add(hostileCase{name: ldap + "/ldap/post/" + h.name, target: ldap + "/ldap", ct: formCT,
			body: form("username", h.value, "password", "", "return_to", h.value), header: sameOrigin, want: wantHTMLError,
			status: 400, returnTo: true})
		add(hostileCase{name: "/account/identities/unlink/" + h.name, target: "/account/identities/unlink", ct: formCT,
			body: form("ext_idp_id", h.value), header: signedIn, want: wantLocalRedirect})
		add(hostileCase{name: "/account/identities/unlink/signed-out/" + h.name, target: "/account/identities/unlink", ct: formCT,
			body: form("ext_idp_id", h.value), header: sameOrigin, want: wantLocalRedirect})
		add(hostileCase{name: web + "/link/ticket/" + h.name, method: get, target: web + "/link" + q("ticket", h.value),
			want: wantHTMLError, status: 403})
		add(hostileCase{name: web + "/link/ticket-post/" + h.name, target: web + "/link", ct: formCT, body: form("ticket", h.value),
			header: sameOrigin, want: wantHTMLError, status: 403})
		if headerSafe(h.value) && !strings.ContainsAny(h.value, ";\"") {
			add(hostileCase{name: web + "/callback/flow-cookie/" + h.name, method: get, target: web + "/callback" + q("code", "c", "state", "s"),
				header: map[string]string{"Cookie": "genauth_idp_flow=" + h.value}, want: wantHTMLError, status: 403})
			add(hostileCase{name: "/connections/link/cookie/" + h.name, method: get, target: "/connections/link",
				header: map[string]string{"Cookie": "genauth_idp_link=" + h.value}, want: wantHTMLError, status: 403})
		}
	}
	return cs
}

// checkUpstreamRedirect checks a start of an upstream sign-in: 303 to the
// provider with the sealed flow cookie, nothing of the request in it.
func checkUpstreamRedirect(t *testing.T, status int, header http.Header) {
	t.Helper()
	loc := header.Get("Location")
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, hostileUpstream+"?") {
		t.Fatalf("got %d to %.200q, want 303 to %s", status, loc, hostileUpstream)
	}
	flow := false
	for _, c := range (&http.Response{Header: header}).Cookies() {
		flow = flow || c.Name == "genauth_idp_flow" && c.Path == "/connections/" && c.HttpOnly && c.Value != ""
	}
	if !flow {
		t.Errorf("no flow cookie set: %q", header.Values("Set-Cookie"))
	}
}
