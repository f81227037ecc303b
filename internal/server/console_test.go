package server_test

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/admins"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// The first administrator, end to end on a real server: a user signed in on
// the hosted pages is refused by the console, claims the one-time link
// (the token serve would print), and is then sent to prove a second
// factor before the console opens; the link works once.
func TestConsoleFirstAdministrator(t *testing.T) {
	srv := testserver.Start(t)
	ctx := t.Context()
	link, err := (&admins.Service{Store: srv.Store, Tokens: token.NewSource(rand.Reader), Now: srv.Clock.Now}).Bootstrap(ctx)
	if err != nil || link == "" {
		t.Fatalf("Bootstrap = %q, %v", link, err)
	}
	u := srv.CreateUser(t, "first", "first-admin-password")
	browser := testserver.Browser(t)
	if l := srv.Follow(t, browser, srv.URL+"/console/", "first", "first-admin-password"); l.Status != http.StatusForbidden ||
		!strings.Contains(l.Body, "Not an administrator") {
		t.Fatalf("before the claim: %d", l.Status)
	}
	page := srv.Follow(t, browser, srv.URL+"/console/bootstrap?"+url.Values{"token": {link}}.Encode(), "", "")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "first") {
		t.Fatalf("the link's page: %d\n%s", page.Status, page.Body)
	}
	claim := func() *http.Response {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/console/bootstrap",
			strings.NewReader(url.Values{"token": {link}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := claim(); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/signin" {
		t.Fatalf("claim: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if ok, err := srv.Store.HasRole(ctx, u.ID, admins.Role); err != nil || !ok {
		t.Fatalf("HasRole = %v, %v", ok, err)
	}
	resp, err := browser.Get(srv.URL + "/console/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, _ := resp.Location(); resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Path != "/mfa/step-up" {
		t.Fatalf("an administrator signed in with a password only: %d %v", resp.StatusCode, loc)
	}
	if resp := claim(); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("the link used twice: %d", resp.StatusCode)
	}
	events, err := srv.Store.ListAuditEvents(ctx, store.AuditQuery{Type: model.AuditAdminGrant})
	if err != nil || len(events) != 1 || events[0].UserID != u.ID || events[0].Detail != "first administrator" {
		t.Errorf("admin.grant events: %+v, %v", events, err)
	}
}
