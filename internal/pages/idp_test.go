package pages

import (
	crand "crypto/rand"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/idp/ldapconn"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/slapdtest"
)

// idpHarness is the hosted pages with upstream providers: an LDAP
// connection "corp" to a real slapd, enabled for app, and "down", one to
// a directory nobody answers at.
type idpHarness struct {
	*mfaHarness
	idp *idp.Service
	app *model.Application
}

func newIdPHarness(t *testing.T) *idpHarness {
	mh := newMFAHarness(t)
	dir := slapdtest.Start(t, slapdtest.Options{})
	ih := &idpHarness{mfaHarness: mh, app: mh.createApp("Intranet")}
	ih.idp = &idp.Service{Store: mh.store, Users: mh.users, Sealer: mh.sealer, Tokens: token.NewSource(crand.Reader),
		Rand: crand.Reader, Now: mh.clock.Now, Audit: mh.cfg.Audit, LDAP: &ldapconn.Directory{}, PublicURL: "http://localhost:8080"}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	for _, c := range []struct{ id, url string }{{"corp", dir.URL}, {"down", "ldap://" + closed}} {
		e, err := ih.idp.CreateExtIdp(t.Context(), "Directory "+c.id, model.IdPLDAP, "")
		if err != nil {
			t.Fatal(err)
		}
		conn, err := ih.idp.CreateConn(t.Context(), idp.ConnParams{ExtIdpID: e.ID, Identifier: c.id, DisplayName: "Corp <LDAP>",
			Fields: model.ConnFields{URL: c.url, BindDN: dir.BindDN, BaseDN: dir.BaseDN}, Secret: &dir.BindPassword})
		if err != nil {
			t.Fatal(err)
		}
		if err := ih.idp.SetEnabled(t.Context(), conn.ID, ih.app.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	mh.cfg.IdP = ih.idp
	if mh.handler, err = New(mh.cfg); err != nil {
		t.Fatal(err)
	}
	mh.mux = http.NewServeMux()
	mh.handler.Register(edge.NewRoutes(mh.mux))
	return ih
}

func (ih *idpHarness) ldap(id, login, password string) *http.Response {
	return ih.post("/connections/"+id+"/ldap", url.Values{"username": {login}, "password": {password},
		"return_to": {"/?client_id=" + ih.app.ID}})
}

func TestDirectoryForm(t *testing.T) {
	ih := newIdPHarness(t)
	r := "/?client_id=" + ih.app.ID
	login := body(t, ih.get("/login?"+url.Values{"return_to": {r}}.Encode()))
	href := `<a class="idp" href="/connections/corp/ldap?return_to=` + url.QueryEscape(r) + `">Sign in with Corp &lt;LDAP&gt;</a>`
	if !strings.Contains(login, href) {
		t.Errorf("the login page lacks %s:\n%s", href, login)
	}
	resp := ih.get("/connections/corp/ldap?" + url.Values{"return_to": {r}, "lang": {"zh-CN"}}.Encode())
	page := body(t, resp)
	for _, want := range []string{"<h1>使用 Corp &lt;LDAP&gt; 登录</h1>", `action="/connections/corp/ldap"`, `name="username"`,
		`name="password"`, `name="return_to" value="` + r + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %s:\n%s", want, page)
		}
	}
	if resp.StatusCode != http.StatusOK || strings.Contains(page, "<script") {
		t.Errorf("status %d", resp.StatusCode)
	}
	for _, target := range []string{"/connections/nope/ldap", "/connections/corp/start"} {
		if resp := ih.get(target); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, resp.StatusCode)
		}
	}
}

func TestDirectorySignIn(t *testing.T) {
	ih := newIdPHarness(t)
	alice := slapdtest.Alice
	resp := ih.ldap("corp", alice.UID, alice.Password)
	r := "/?client_id=" + ih.app.ID
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != r || sessionCookie(resp) == nil {
		t.Fatalf("sign-in: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	id := ih.sessionUser(sessionCookie(resp))
	u, err := ih.store.GetUser(t.Context(), id)
	if err != nil || u.Username != "alice" || u.Email != alice.Mail || u.SourceType != model.UserSourceExtIdp {
		t.Fatalf("the account created: %+v, %v", u, err)
	}
	recs, _, err := ih.users.LoginHistory(t.Context(), store.LoginQuery{UserID: id, Limit: 5})
	if err != nil || len(recs) != 1 || recs[0].Method != "idp:ldap" || recs[0].AppID != ih.app.ID {
		t.Fatalf("login history %+v, %v", recs, err)
	}
	if again := ih.ldap("corp", alice.UID, alice.Password); ih.sessionUser(sessionCookie(again)) != id {
		t.Fatal("the second sign-in found another account")
	}

	for _, tt := range []struct {
		name, conn, login, password string
		status                      int
	}{
		{"wrong password", "corp", "alice", "wrong", http.StatusUnauthorized},
		{"unknown user", "corp", "zed", "whatever", http.StatusUnauthorized},
		{"injection", "corp", "*)(uid=*))(|(uid=*", alice.Password, http.StatusUnauthorized},
		{"wildcard", "corp", "*", alice.Password, http.StatusUnauthorized},
		{"no password", "corp", "alice", "", http.StatusBadRequest},
		{"unreachable", "down", "alice", alice.Password, http.StatusBadGateway},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := ih.ldap(tt.conn, tt.login, tt.password)
			page := body(t, resp)
			if resp.StatusCode != tt.status || sessionCookie(resp) != nil {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if fieldError(page, "password") == "" && fieldError(page, "form") == "" {
				t.Errorf("no error shown:\n%s", page)
			}
		})
	}
}

// TestDirectoryRefusals: an account with the directory's (unverified)
// email is not taken over; failures lock the directory login out.
func TestDirectoryRefusals(t *testing.T) {
	ih := newIdPHarness(t)
	if _, err := ih.users.Create(t.Context(), users.CreateParams{Username: "robert", Email: slapdtest.Bob.Mail, Password: "robert password"}); err != nil {
		t.Fatal(err)
	}
	resp := ih.ldap("corp", "bob", slapdtest.Bob.Password)
	if page := body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(fieldError(page, "form"), "account page") {
		t.Fatalf("email taken: status %d\n%s", resp.StatusCode, page)
	}
	alice := slapdtest.Alice
	status := 0
	for range 5 {
		status = ih.ldap("corp", alice.UID, "wrong").StatusCode
	}
	if status != http.StatusTooManyRequests {
		t.Errorf("the fifth failure: status %d, want 429", status)
	}
	if resp := ih.ldap("corp", alice.UID, alice.Password); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("locked out: status %d, want 429", resp.StatusCode)
	}
}

// TestDirectoryLinkNeeded: a directory trusted for its emails meets an
// account with the same verified email: the user confirms the link, then
// the second factor follows the directory password as after a password.
func TestDirectoryLinkNeeded(t *testing.T) {
	ih := newIdPHarness(t)
	corp, err := ih.idp.ConnByIdentifier(t.Context(), "corp")
	if err != nil {
		t.Fatal(err)
	}
	f := corp.Fields
	f.TrustEmail = true
	if _, err := ih.idp.UpdateConn(t.Context(), corp.ID, idp.ConnParams{Fields: f}); err != nil {
		t.Fatal(err)
	}
	verified := true
	owner, err := ih.users.Create(t.Context(), users.CreateParams{Username: "liddell", Email: slapdtest.Alice.Mail,
		Password: "owner password", Profile: users.Patch{EmailVerified: &verified}})
	if err != nil {
		t.Fatal(err)
	}
	secret := ih.enrollTOTP(owner.ID)
	resp := ih.ldap("corp", "alice", slapdtest.Alice.Password)
	link := cookieNamed(resp, linkCookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != idpLinkPath || link == nil ||
		link.Path != connectionsPath || !link.HttpOnly || sessionCookie(resp) != nil {
		t.Fatalf("status %d to %q, link cookie %+v", resp.StatusCode, resp.Header.Get("Location"), link)
	}
	page := body(t, ih.get(idpLinkPath, link))
	if !strings.Contains(page, "a***@example.org") || !strings.Contains(page, "Corp &lt;LDAP&gt;") {
		t.Errorf("the confirmation:\n%s", page)
	}
	if resp := ih.post(idpLinkPath, url.Values{"confirm": {"maybe"}}, link); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an answer neither yes nor no: status %d", resp.StatusCode)
	}
	resp = ih.post(idpLinkPath, url.Values{"confirm": {"yes"}}, link)
	pending := cookieNamed(resp, pendingCookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != mfaPath || pending == nil {
		t.Fatalf("confirmed: status %d to %q; want the second factor", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = ih.post(mfaPath, url.Values{"method": {"totp"}, "code": {ih.code(secret)}}, pending)
	if resp.StatusCode != http.StatusSeeOther || ih.sessionUser(sessionCookie(resp)) != owner.ID {
		t.Fatalf("second factor: status %d", resp.StatusCode)
	}
	if amr := ih.sessionAMR(sessionCookie(resp)); !slices.Contains(amr, "pwd") || !slices.Contains(amr, "mfa") {
		t.Errorf("amr %v", amr)
	}
	recs, _, err := ih.users.LoginHistory(t.Context(), store.LoginQuery{UserID: owner.ID, Limit: 5})
	if err != nil || len(recs) != 1 || recs[0].Method != "idp:ldap" {
		t.Fatalf("login history %+v, %v", recs, err)
	}
	if list, err := ih.idp.Identities(t.Context(), owner.ID); err != nil || len(list) != 1 {
		t.Fatalf("identities %v, %v", list, err)
	}
}
