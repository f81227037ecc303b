package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// idpsWeb stands in for the OpenID Connect connector: discovery answers
// err.
type idpsWeb struct{ err error }

func (w idpsWeb) AuthCodeURL(context.Context, *model.ExtIdpConn, string, string, string, string) (string, error) {
	return "https://upstream.example/authorize", w.err
}

func (idpsWeb) Exchange(context.Context, *model.ExtIdpConn, string, string, string, string, string) (*model.UpstreamProfile, *model.UpstreamTokens, error) {
	return nil, nil, errors.New("not in these tests")
}

// idpsDirectory stands in for the LDAP connector: the service bind answers
// err and keeps the bind password it was given.
type idpsDirectory struct {
	err          error
	bindPassword string
}

func (d *idpsDirectory) Authenticate(context.Context, *model.ExtIdpConn, string, string, string) (*model.UpstreamProfile, error) {
	return nil, errors.New("not in these tests")
}

func (d *idpsDirectory) Check(_ context.Context, _ *model.ExtIdpConn, bindPassword string) error {
	d.bindPassword = bindPassword
	return d.err
}

// idpsConn makes a provider with one connection through the service.
func (hs *harness) idpsConn(typ, name string, f model.ConnFields, secret string) (*model.ExtIdp, *model.ExtIdpConn) {
	hs.t.Helper()
	ctx := context.Background()
	p, err := hs.upstream.CreateExtIdp(ctx, name, typ, "")
	if err != nil {
		hs.t.Fatal(err)
	}
	params := idp.ConnParams{ExtIdpID: p.ID, DisplayName: name, Fields: f}
	if secret != "" {
		params.Secret = &secret
	}
	c, err := hs.upstream.CreateConn(ctx, params)
	if err != nil {
		hs.t.Fatal(err)
	}
	return p, c
}

func (hs *harness) oidcConn(name string) (*model.ExtIdp, *model.ExtIdpConn) {
	return hs.idpsConn(model.IdPOIDC, name, model.ConnFields{Issuer: "https://sso.example.com", ClientID: "genauth"}, "s3cret")
}

func (hs *harness) ldapConn(name string) (*model.ExtIdp, *model.ExtIdpConn) {
	return hs.idpsConn(model.IdPLDAP, name, model.ConnFields{URL: "ldap://127.0.0.1:1", BaseDN: "ou=people,dc=example,dc=com",
		BindDN: "cn=reader,dc=example,dc=com"}, "bind-pass")
}

// wantChange checks that the last console change was what, by the admin.
func wantChange(t *testing.T, hs *harness, admin *model.User, what, clientID string) {
	t.Helper()
	ev := hs.events(model.AuditConsoleChange)
	if len(ev) == 0 {
		t.Fatalf("no console.change event for %q", what)
	}
	last := ev[len(ev)-1]
	if !strings.HasPrefix(last.Detail, what+" by "+admin.ID) || last.ClientID != clientID {
		t.Errorf("event %+v; want %q by %s for %q", last, what, admin.ID, clientID)
	}
}

func TestIdpsCreateEachKind(t *testing.T) {
	for _, tc := range []struct {
		kind, typ string
		form      url.Values
		secret    string
		check     func(f model.ConnFields) bool
	}{
		{"oidc", model.IdPOIDC, url.Values{"display_name": {"Corp SSO"}, "issuer": {"https://sso.example.com"},
			"client_id": {"genauth"}, "client_secret": {"oidc-secret"}, "scopes": {"openid email"}}, "oidc-secret",
			func(f model.ConnFields) bool {
				return f.Issuer == "https://sso.example.com" && slices.Equal(f.Scopes, []string{"openid", "email"})
			}},
		{"oauth2", model.IdPOAuth2, url.Values{"display_name": {"Forge"}, "authorization_url": {"https://forge.example/authorize"},
			"token_url": {"https://forge.example/token"}, "userinfo_url": {"https://forge.example/user"}, "client_id": {"c"},
			"client_secret": {"oauth-secret"}, "mapping": {"sub=id\r\nusername = login\n"}, "trust_email": {"on"}}, "oauth-secret",
			func(f model.ConnFields) bool {
				return f.UserInfoURL == "https://forge.example/user" && f.TrustEmail &&
					f.Mapping["sub"] == "id" && f.Mapping["username"] == "login"
			}},
		{"ldap", model.IdPLDAP, url.Values{"display_name": {"Corp Directory"}, "url": {"ldap://ldap.example.com:389"},
			"start_tls": {"on"}, "bind_dn": {"cn=reader,dc=example,dc=com"}, "bind_password": {"bind-secret"},
			"base_dn": {"ou=people,dc=example,dc=com"}, "user_filter": {"(uid=%s)"}, "timeout": {"5"}}, "bind-secret",
			func(f model.ConnFields) bool {
				return f.StartTLS && f.TimeoutSeconds == 5 && f.UserFilter == "(uid=%s)" && f.BindDN == "cn=reader,dc=example,dc=com"
			}},
		{"ad", model.IdPAD, url.Values{"display_name": {"Domain"}, "url": {"ldaps://dc.example.com:636"},
			"base_dn": {"dc=example,dc=com"}}, "",
			func(f model.ConnFields) bool { return f.UserFilter == "(sAMAccountName=%s)" && f.BindDN == "" }},
		{"github", model.IdPOAuth2, url.Values{"display_name": {"GitHub"}, "client_id": {"Iv1.0123"},
			"client_secret": {"gh-secret"}}, "gh-secret",
			func(f model.ConnFields) bool {
				return f.Preset == "github" && f.UserInfoURL == "https://api.github.com/user" && f.Mapping["username"] == "login"
			}},
		{"google", model.IdPOIDC, url.Values{"display_name": {"Google"}, "client_id": {"g.apps"},
			"client_secret": {"g-secret"}}, "g-secret",
			func(f model.ConnFields) bool {
				return f.Preset == "google" && f.Issuer == "https://accounts.google.com"
			}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			hs := newHarness(t)
			root, b := hs.admin("root")
			for _, lang := range []string{"", "&lang=zh-CN"} {
				resp := hs.get(idpsPath+"/new?kind="+tc.kind+lang, b)
				page := body(t, resp)
				if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="kind" value="`+tc.kind+`"`) {
					t.Fatalf("form: %d\n%s", resp.StatusCode, page)
				}
				if tc.kind == "github" && !strings.Contains(page, `name="display_name" value="GitHub"`) {
					t.Errorf("the GitHub form does not offer GitHub as the name")
				}
			}
			form := tc.form
			form.Set("kind", tc.kind)
			resp := hs.post(idpsPath+"/new", form, b)
			list, err := hs.upstream.ExtIdps(t.Context())
			if err != nil || len(list) != 1 {
				t.Fatalf("providers %v, %v (status %d: %s)", list, err, resp.StatusCode, body(t, resp))
			}
			p := list[0]
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != idpsPath+"/"+p.ID+"?done=idps.created" {
				t.Fatalf("%d %s", resp.StatusCode, loc)
			}
			_, conns, err := hs.upstream.ExtIdp(t.Context(), p.ID)
			if err != nil || len(conns) != 1 {
				t.Fatalf("connections %v, %v", conns, err)
			}
			c := conns[0]
			if p.Type != tc.typ || p.Name != form.Get("display_name") || c.DisplayName != p.Name || !tc.check(c.Fields) {
				t.Errorf("provider %+v, connection %+v", p, c)
			}
			if (len(c.SealedSecret) != 0) != (tc.secret != "") || tc.secret != "" && bytes.Contains(c.SealedSecret, []byte(tc.secret)) {
				t.Errorf("secret: sealed %q", c.SealedSecret)
			}
			wantChange(t, hs, root, "identity provider created", "")
			page := body(t, hs.get(idpsPath+"/"+p.ID+"?done=idps.created", b))
			if !strings.Contains(page, "Provider created.") || !strings.Contains(page, c.Identifier) ||
				tc.secret != "" && strings.Contains(page, tc.secret) {
				t.Errorf("provider page:\n%s", page)
			}
			if redirect := publicURL + "/connections/" + c.Identifier + "/callback"; model.IdPWeb(tc.typ) != strings.Contains(page, redirect) {
				t.Errorf("redirect URI %s shown: %v; want it for web kinds only", redirect, !model.IdPWeb(tc.typ))
			}
			edit := body(t, hs.get(idpsPath+"/"+p.ID+"/conns/"+c.ID, b))
			if tc.secret != "" && strings.Contains(edit, tc.secret) {
				t.Errorf("the edit form shows the secret")
			}
		})
	}
}

func TestIdpsCreateRefused(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	_, taken := hs.oidcConn("Taken")
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"required fields", url.Values{"kind": {"oidc"}, "display_name": {"Corp"}}, http.StatusBadRequest,
			[]string{`id="f-issuer" name="issuer" value="" autocomplete="off" required aria-invalid="true" aria-describedby="f-issuer-hint f-issuer-error"`,
				`id="f-client_id-error">Required.`, `value="Corp"`}},
		{"refused by the service", url.Values{"kind": {"oidc"}, "display_name": {"Corp"}, "issuer": {"ftp://sso.example.com"},
			"client_id": {"c"}}, http.StatusBadRequest, []string{"The provider refused this setting:", "the issuer must be a https:// or http:// URL"}},
		{"bad timeout", url.Values{"kind": {"ldap"}, "display_name": {"Dir"}, "url": {"ldap://h:389"}, "base_dn": {"dc=x"},
			"timeout": {"forever"}}, http.StatusBadRequest, []string{`id="f-timeout-error"`, `value="forever"`}},
		{"bad mapping", url.Values{"kind": {"oauth2"}, "display_name": {"X"}, "authorization_url": {"https://x/a"},
			"token_url": {"https://x/t"}, "userinfo_url": {"https://x/u"}, "client_id": {"c"}, "mapping": {"sub"}},
			http.StatusBadRequest, []string{`id="f-mapping-error"`}},
		{"bind DN without a password", url.Values{"kind": {"ldap"}, "display_name": {"Dir"}, "url": {"ldap://h:389"},
			"base_dn": {"dc=x"}, "bind_dn": {"cn=r"}}, http.StatusBadRequest, []string{"a bind DN needs its bind password"}},
		{"identifier taken", url.Values{"kind": {"oidc"}, "display_name": {"Corp"}, "issuer": {"https://sso.example.com"},
			"client_id": {"c"}, "identifier": {taken.Identifier}}, http.StatusConflict,
			[]string{`id="f-identifier-error">Another connection has this identifier.`}},
		{"unknown kind", url.Values{"kind": {"saml"}, "display_name": {"X"}}, http.StatusNotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := hs.post(idpsPath+"/new", tc.form, b)
			page := body(t, resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d; want %d\n%s", resp.StatusCode, tc.status, page)
			}
			for _, want := range tc.want {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %s\n%s", want, page)
				}
			}
			if list, _ := hs.upstream.ExtIdps(t.Context()); len(list) != 1 {
				t.Errorf("%d providers; a refused form leaves none behind", len(list))
			}
		})
	}
	if resp := hs.get(idpsPath+"/new?kind=saml", b); resp.StatusCode != http.StatusNotFound {
		t.Errorf("form of an unknown kind: %d", resp.StatusCode)
	}
}

func TestIdpsEditConnection(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	p, c := hs.ldapConn("Corp Directory")
	path := idpsPath + "/" + p.ID + "/conns/" + c.ID
	page := body(t, hs.get(path, b))
	for _, want := range []string{`value="ldap://127.0.0.1:1"`, `name="bind_password" value=""`, `name="clear_secret"`} {
		if !strings.Contains(page, want) {
			t.Errorf("edit form lacks %s", want)
		}
	}
	if strings.Contains(page, "bind-pass") {
		t.Fatal("the edit form shows the bind password")
	}
	form := url.Values{"display_name": {"Directory"}, "identifier": {"corp-dir"}, "url": {"ldaps://ldap.example.com:636"},
		"bind_dn": {c.Fields.BindDN}, "bind_password": {""}, "base_dn": {c.Fields.BaseDN}, "user_filter": {"(mail=%s)"}}
	resp := hs.post(path, form, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != idpsPath+"/"+p.ID+"?done=idps.conn_saved" {
		t.Fatalf("save: %d %s", resp.StatusCode, body(t, resp))
	}
	got, _ := hs.upstream.Conn(t.Context(), c.ID)
	if got.DisplayName != "Directory" || got.Identifier != "corp-dir" || got.Fields.URL != "ldaps://ldap.example.com:636" ||
		got.Fields.UserFilter != "(mail=%s)" || !bytes.Equal(got.SealedSecret, c.SealedSecret) {
		t.Fatalf("after an edit with no password: %+v", got)
	}
	wantChange(t, hs, root, "identity provider connection changed", "")

	dir := &idpsDirectory{}
	hs.upstream.LDAP = dir
	form.Set("bind_password", "new-pass")
	if resp := hs.post(path, form, b); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new password: %d", resp.StatusCode)
	}
	hs.post(path+"/check", nil, b)
	if dir.bindPassword != "new-pass" {
		t.Errorf("the check bound with %q; want the new password", dir.bindPassword)
	}

	form.Set("bind_password", "")
	form.Set("clear_secret", "on")
	if resp := hs.post(path, form, b); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("clearing the password but keeping the bind DN: %d", resp.StatusCode)
	}
	form.Del("bind_dn")
	if resp := hs.post(path, form, b); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("anonymous search: %d", resp.StatusCode)
	}
	if got, _ := hs.upstream.Conn(t.Context(), c.ID); len(got.SealedSecret) != 0 || got.Fields.BindDN != "" {
		t.Errorf("after clearing the secret: %+v", got)
	}

	form.Set("display_name", "")
	resp = hs.post(path, form, b)
	if page := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="f-display_name-error"`) {
		t.Errorf("no name: %d", resp.StatusCode)
	}
}

func TestIdpsAddConnectionAndRename(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	p, _ := hs.oidcConn("Corp SSO")
	hs.now = hs.now.Add(time.Millisecond)
	if resp := hs.get(idpsPath+"/"+p.ID+"/conns/new", b); resp.StatusCode != http.StatusOK {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	resp := hs.post(idpsPath+"/"+p.ID+"/conns/new", url.Values{"display_name": {"Corp SSO (staff)"},
		"issuer": {"https://sso.example.com"}, "client_id": {"staff"}, "login_only": {"on"}}, b)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d %s", resp.StatusCode, body(t, resp))
	}
	_, conns, _ := hs.upstream.ExtIdp(t.Context(), p.ID)
	if len(conns) != 2 || conns[1].Identifier != "corp-sso-staff" || !conns[1].LoginOnly || len(conns[1].SealedSecret) != 0 {
		t.Fatalf("connections: %+v", conns)
	}
	wantChange(t, hs, root, "identity provider connection created", "")

	resp = hs.post(idpsPath+"/"+p.ID, url.Values{"name": {"Corporate SSO"}, "logo": {"https://sso.example.com/logo.png"}}, b)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename: %d", resp.StatusCode)
	}
	if got, _, _ := hs.upstream.ExtIdp(t.Context(), p.ID); got.Name != "Corporate SSO" || got.Logo != "https://sso.example.com/logo.png" {
		t.Errorf("renamed: %+v", got)
	}
	wantChange(t, hs, root, "identity provider changed", "")
	for form, status := range map[string]int{"name=&logo=": http.StatusBadRequest, "name=X&logo=ftp://x": http.StatusBadRequest} {
		v, _ := url.ParseQuery(form)
		if resp := hs.post(idpsPath+"/"+p.ID, v, b); resp.StatusCode != status {
			t.Errorf("%s: %d; want %d", form, resp.StatusCode, status)
		}
	}
}

func TestIdpsEnableForApplications(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	p, c := hs.oidcConn("Corp SSO")
	var ids []string
	for _, name := range []string{"Wiki", "Notes"} {
		app, _, err := hs.apps.Create(t.Context(), apps.CreateParams{Name: name, RedirectURIs: []string{"https://app.example/cb"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, app.ID)
	}
	path := idpsPath + "/" + p.ID + "/conns/" + c.ID + "/apps"
	page := body(t, hs.get(path, b))
	if !strings.Contains(page, `name="app" value="`+ids[0]+`">`) || strings.Contains(page, " checked>") {
		t.Fatalf("form:\n%s", page)
	}
	resp := hs.post(path, url.Values{"shown": ids, "app": {ids[1]}}, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != idpsPath+"/"+p.ID+"?done=idps.apps_saved" {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	if got, _ := hs.upstream.ConnApps(t.Context(), c.ID); !slices.Equal(got, []string{ids[1]}) {
		t.Fatalf("enabled for %v", got)
	}
	wantChange(t, hs, root, "identity provider connection enabled", ids[1])
	if page := body(t, hs.get(path, b)); !strings.Contains(page, `value="`+ids[1]+`" checked>`) {
		t.Errorf("the form does not show the enabled application checked")
	}
	if page := body(t, hs.get(idpsPath+"/"+p.ID, b)); !strings.Contains(page, ">Notes</a>") {
		t.Errorf("the provider page does not list the application")
	}
	// An application the form did not show stays as it is.
	resp = hs.post(path, url.Values{"shown": {ids[0]}, "app": {ids[0]}}, b)
	if got, _ := hs.upstream.ConnApps(t.Context(), c.ID); resp.StatusCode != http.StatusSeeOther || len(got) != 2 {
		t.Fatalf("enabled for %v", got)
	}
	before := len(hs.events(model.AuditConsoleChange))
	hs.post(path, url.Values{"shown": ids, "app": {ids[0]}}, b)
	if got, _ := hs.upstream.ConnApps(t.Context(), c.ID); len(got) != 1 || got[0] != ids[0] {
		t.Fatalf("after unchecking: %v", got)
	}
	if n := len(hs.events(model.AuditConsoleChange)); n != before+1 {
		t.Errorf("%d events for one change", n-before)
	}
	wantChange(t, hs, root, "identity provider connection disabled", ids[1])
	// An application deleted meanwhile is skipped.
	if resp := hs.post(path, url.Values{"shown": {"gone"}, "app": {"gone"}}, b); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("unknown application: %d", resp.StatusCode)
	}
}

func TestIdpsCheck(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	dir := &idpsDirectory{err: fmt.Errorf("%w: dial tcp 127.0.0.1:1: connect: connection refused", model.ErrUpstreamUnavailable)}
	hs.upstream.LDAP = dir
	hs.upstream.Web = idpsWeb{}
	sso, ssoConn := hs.oidcConn("Corp SSO")
	ldap, ldapConn := hs.ldapConn("Corp Directory")
	gh, ghConn := hs.idpsConn(model.IdPOAuth2, "GitHub", model.ConnFields{ClientID: "c", AuthorizationURL: "https://x/a",
		TokenURL: "https://x/t", UserInfoURL: "https://x/u"}, "")
	for _, tc := range []struct {
		p    *model.ExtIdp
		c    *model.ExtIdpConn
		want []string
	}{
		{sso, ssoConn, []string{`class="notice" role="status">The provider answered`}},
		{ldap, ldapConn, []string{`class="alert" role="status">The provider could not be reached`,
			"dial tcp 127.0.0.1:1: connect: connection refused"}},
		{gh, ghConn, []string{`class="idps-info" role="status">An OAuth 2.0 provider cannot be asked`}},
	} {
		resp := hs.post(idpsPath+"/"+tc.p.ID+"/conns/"+tc.c.ID+"/check", nil, b)
		page := body(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", tc.c.Identifier, resp.StatusCode)
		}
		for _, want := range tc.want {
			if !strings.Contains(page, want) {
				t.Errorf("%s: page lacks %s\n%s", tc.c.Identifier, want, page)
			}
		}
	}
	if dir.bindPassword != "bind-pass" {
		t.Errorf("the check bound with %q", dir.bindPassword)
	}
	hs.upstream.Web = idpsWeb{err: fmt.Errorf("%w: discovery: 404", model.ErrUpstreamRefused)}
	page := body(t, hs.post(idpsPath+"/"+sso.ID+"/conns/"+ssoConn.ID+"/check", nil, b))
	if !strings.Contains(page, "The provider refused.") || !strings.Contains(page, "discovery: 404") {
		t.Errorf("refused discovery:\n%s", page)
	}
}

func TestIdpsDelete(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	p, c := hs.oidcConn("Corp SSO")
	connPath := idpsPath + "/" + p.ID + "/conns/" + c.ID + "/delete"
	if page := body(t, hs.get(connPath, b)); !strings.Contains(page, "Applications stop offering it at once.") {
		t.Errorf("connection confirmation:\n%s", page)
	}
	if _, err := hs.upstream.Conn(t.Context(), c.ID); err != nil {
		t.Fatal("the confirmation page deleted the connection")
	}
	resp := hs.post(connPath, nil, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != idpsPath+"/"+p.ID+"?done=idps.conn_deleted" {
		t.Fatalf("delete connection: %d", resp.StatusCode)
	}
	if _, err := hs.upstream.Conn(t.Context(), c.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the connection is still there: %v", err)
	}
	wantChange(t, hs, root, "identity provider connection deleted", "")
	if resp := hs.post(connPath, nil, b); resp.StatusCode != http.StatusNotFound {
		t.Errorf("again: %d", resp.StatusCode)
	}

	provPath := idpsPath + "/" + p.ID + "/delete"
	if page := body(t, hs.get(provPath, b)); !strings.Contains(page, "Its 0 connections go with it") {
		t.Errorf("provider confirmation:\n%s", page)
	}
	resp = hs.post(provPath, nil, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != idpsPath+"?done=idps.deleted" {
		t.Fatalf("delete provider: %d", resp.StatusCode)
	}
	if list, _ := hs.upstream.ExtIdps(t.Context()); len(list) != 0 {
		t.Errorf("providers left: %v", list)
	}
	wantChange(t, hs, root, "identity provider deleted", "")
	if page := body(t, hs.get(idpsPath+"?done=idps.deleted", b)); !strings.Contains(page, "Provider deleted.") ||
		!strings.Contains(page, "No identity provider yet.") {
		t.Errorf("list after deleting:\n%s", page)
	}
}

func TestIdpsNotFound(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	p, _ := hs.oidcConn("One")
	_, other := hs.oidcConn("Two")
	for _, path := range []string{
		idpsPath + "/nope", idpsPath + "/nope/delete", idpsPath + "/nope/conns/new", idpsPath + "/%00", idpsPath + "/%ff/delete",
		idpsPath + "/" + p.ID + "/conns/" + other.ID,
		idpsPath + "/" + p.ID + "/conns/" + other.ID + "/apps",
		idpsPath + "/" + p.ID + "/conns/" + other.ID + "/delete",
		idpsPath + "/" + p.ID + "/conns/nope",
	} {
		if resp := hs.get(path, b); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	for _, path := range []string{
		idpsPath + "/nope", idpsPath + "/nope/delete", idpsPath + "/nope/conns/new",
		idpsPath + "/" + p.ID + "/conns/" + other.ID, idpsPath + "/" + p.ID + "/conns/" + other.ID + "/apps",
		idpsPath + "/" + p.ID + "/conns/" + other.ID + "/check", idpsPath + "/" + p.ID + "/conns/" + other.ID + "/delete",
	} {
		if resp := hs.post(path, url.Values{"name": {"x"}, "display_name": {"x"}}, b); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d", path, resp.StatusCode)
		}
	}
	if _, err := hs.upstream.Conn(t.Context(), other.ID); err != nil {
		t.Errorf("a connection of another provider was deleted through this one: %v", err)
	}
}

// Every POST route refuses a form without the session's token and a
// browser whose administrator lost the role.
func TestIdpsAndKeysRefuseForms(t *testing.T) {
	hs := newHarness(t)
	p, c := hs.oidcConn("Corp SSO")
	conn := idpsPath + "/" + p.ID + "/conns/" + c.ID
	routes := []string{idpsPath + "/new", idpsPath + "/" + p.ID, idpsPath + "/" + p.ID + "/delete",
		idpsPath + "/" + p.ID + "/conns/new", conn, conn + "/apps", conn + "/check", conn + "/delete", keysPath + "/rotate"}
	_, b := hs.admin("root")
	for _, path := range routes {
		if resp := hs.post(path, url.Values{"csrf": {""}}, b); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s without the form token: %d", path, resp.StatusCode)
		}
	}
	for _, path := range routes {
		u, b := hs.admin("former" + fmt.Sprint(slices.Index(routes, path)))
		delete(hs.roles.admins, u.ID)
		if resp := hs.post(path, nil, b); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s by a former administrator: %d", path, resp.StatusCode)
		}
	}
	if list, _ := hs.upstream.ExtIdps(t.Context()); len(list) != 1 {
		t.Errorf("providers: %v", list)
	}
	if _, err := hs.upstream.Conn(t.Context(), c.ID); err != nil {
		t.Errorf("connection: %v", err)
	}
	if ev := hs.events(model.AuditConsoleChange); len(ev) != 0 {
		t.Errorf("refused forms changed something: %+v", ev)
	}
}

func TestIdpsListPages(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	var first *model.ExtIdp
	for i := range idpsPageSize + 1 {
		p, err := hs.upstream.CreateExtIdp(t.Context(), fmt.Sprintf("Provider %02d", i), model.IdPLDAP, "")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = p
		}
		hs.now = hs.now.Add(time.Millisecond)
	}
	page := body(t, hs.get(idpsPath, b))
	if !strings.Contains(page, "Provider 00") || strings.Contains(page, fmt.Sprintf("Provider %02d", idpsPageSize)) ||
		!strings.Contains(page, `rel="next"`) || !strings.Contains(page, `href="/console/idps/`+first.ID+`"`) {
		t.Fatalf("first page:\n%s", page)
	}
	list, _ := hs.upstream.ExtIdps(t.Context())
	page = body(t, hs.get(idpsPath+"?after="+list[idpsPageSize-1].ID, b))
	if !strings.Contains(page, fmt.Sprintf("Provider %02d", idpsPageSize)) || strings.Contains(page, "Provider 00") ||
		strings.Contains(page, `rel="next"`) || !strings.Contains(page, "First page") {
		t.Errorf("second page:\n%s", page)
	}
}

// The keys the pages build at run time are in both catalogs.
func TestIdpsCatalog(t *testing.T) {
	var keys []string
	for name := range idpsTextFields {
		keys = append(keys, "idps.field."+name)
	}
	for _, name := range append(idpsChecks, "client_secret", "bind_password") {
		keys = append(keys, "idps.field."+name)
	}
	for _, kind := range idpsKinds() {
		keys = append(keys, "idps.kind."+kind, "idps.new.title."+kind)
	}
	for _, typ := range []string{model.IdPOIDC, model.IdPOAuth2, model.IdPLDAP, model.IdPAD} {
		keys = append(keys, "idps.type."+typ)
	}
	for _, preset := range idp.Presets() {
		keys = append(keys, "idps.preset."+preset)
	}
	for _, o := range []string{idpsCheckOK, idpsCheckNothing, idpsCheckUnavailable, idpsCheckRefused, idpsCheckFailed} {
		keys = append(keys, "idps.check."+o)
	}
	for _, lang := range i18n.Supported {
		for _, k := range keys {
			if !hasKey(lang, k) {
				t.Errorf("%s: no %s", lang, k)
			}
		}
	}
}
