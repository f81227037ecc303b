package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// fullAppForm sets every input of the settings form to something other
// than its default.
func fullAppForm() url.Values {
	return url.Values{
		"name":                      {"Billing"},
		"identifier":                {"billing.v2"},
		"type":                      {model.AppTypeSPA},
		"protocol":                  {model.ProtocolOAuth},
		"description":               {"Invoices and payments"},
		"logo":                      {"https://billing.example/logo.png"},
		"init_login_uri":            {"https://billing.example/login"},
		"sso":                       {appChecked},
		"redirect_uris":             {"https://billing.example/cb\r\n\r\nhttps://billing.example/cb2\n"},
		"logout_uris":               {"https://billing.example/"},
		"web_origins":               {"https://Billing.example:443"},
		"grants":                    {model.GrantAuthorizationCode, model.GrantClientCredentials},
		"token_auth":                {model.AuthClientSecretBasic},
		"introspection_auth":        {model.AuthClientSecretPost},
		"revocation_auth":           {""},
		"allowed_scopes":            {"read write read"},
		"require_consent":           {appChecked},
		"reject_pkce_plain":         {appChecked},
		"access_ttl":                {"600"},
		"access_format":             {model.AccessTokenJWT},
		"id_ttl":                    {"300"},
		"id_alg":                    {model.SigningES256},
		"claims_format":             {model.ClaimsGenAuth},
		"refresh_ttl":               {"86400"},
		"rotate_refresh":            {appChecked},
		"refresh_grace":             {"30"},
		"refresh_idle":              {"3600"},
		"mfa_policy":                {model.MFARequired},
		"registration_closed":       {appChecked},
		"registration_email_verify": {appChecked},
	}
}

// secretOn is the secret the page shows once.
var secretOn = regexp.MustCompile(`id="app-secret">([^<]+)<`)

func TestAppCreate(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	resp := hs.get(appsPath+"/new", b)
	if page := body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="access_ttl" value="1209600"`) ||
		!strings.Contains(page, `value="refresh_token" checked`) {
		t.Fatalf("new: %d\n%s", resp.StatusCode, page)
	}
	resp = hs.post(appsPath, fullAppForm(), b)
	page := body(t, resp)
	m := secretOn.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d\n%s", resp.StatusCode, page)
	}
	list, _ := hs.apps.List(t.Context())
	if len(list) != 1 {
		t.Fatalf("%d applications", len(list))
	}
	app := list[0]
	if !apps.CheckSecret(app, m[1]) || !strings.Contains(page, app.ID) {
		t.Errorf("the page's secret is not the application's")
	}
	want := &model.Application{ID: app.ID, Name: "Billing", SecretHash: app.SecretHash,
		RedirectURIs: []string{"https://billing.example/cb", "https://billing.example/cb2"}, LogoutRedirectURIs: []string{"https://billing.example/"},
		TokenAuthMethod: model.AuthClientSecretBasic, IntrospectionAuthMethod: model.AuthClientSecretPost, RevocationAuthMethod: model.AuthClientSecretBasic,
		GrantTypes: []string{model.GrantAuthorizationCode, model.GrantClientCredentials}, AccessTokenTTL: 600 * time.Second,
		RefreshTokenTTL: 86400 * time.Second, IDTokenTTL: 300 * time.Second, IDTokenAlg: model.SigningES256, RequireConsent: true,
		RotateRefreshTokens: true, RefreshGracePeriod: 30 * time.Second, RefreshIdleTTL: time.Hour, RejectPKCEPlain: true,
		AllowedScopes: "read write", ClaimsFormat: model.ClaimsGenAuth, AccessTokenFormat: model.AccessTokenJWT,
		WebOrigins: []string{"https://billing.example"}, CreatedAt: testNow, UpdatedAt: testNow, AppIdentifier: "billing.v2",
		Logo: "https://billing.example/logo.png", Description: "Invoices and payments", AppType: model.AppTypeSPA,
		DefaultProtocol: model.ProtocolOAuth, InitLoginURI: "https://billing.example/login", SSOEnabled: true,
		RegistrationClosed: true, MFAPolicy: model.MFARequired, RegistrationEmailVerify: true}
	if d := cmp.Diff(want, app); d != "" {
		t.Errorf("stored application (-want +got):\n%s", d)
	}
	ev := hs.events(model.AuditConsoleChange)
	if len(ev) != 1 || ev[0].ClientID != app.ID || ev[0].Detail != `application created by `+root.ID+`: "Billing"` {
		t.Errorf("events: %+v", ev)
	}
	if strings.Contains(hs.logs.String(), m[1]) {
		t.Error("the secret was logged")
	}

	// A public client gets no secret: the browser goes to its page.
	form := fullAppForm()
	form.Set("identifier", "")
	form.Set("grants", model.GrantAuthorizationCode)
	for _, f := range []string{"token_auth", "introspection_auth", "revocation_auth"} {
		form.Set(f, model.AuthNone)
	}
	resp = hs.post(appsPath, form, b)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, appsPath+"/") || !strings.HasSuffix(loc, "?done=app_created") {
		t.Fatalf("public: %d %s", resp.StatusCode, loc)
	}
	if page := body(t, hs.get(loc, b)); !strings.Contains(page, "The application was created.") ||
		strings.Contains(page, "/secret") {
		t.Errorf("public application's page:\n%s", page)
	}
}

// A refused form comes back with what was sent, the problem by its input,
// and nothing stored.
func TestAppFormRefused(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	if _, _, err := hs.apps.Create(t.Context(), apps.CreateParams{Name: "Taken", AppIdentifier: "billing.v2",
		RedirectURIs: []string{"https://a.example/cb"}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(url.Values)
		status int
		field  string // the input marked invalid ("": the form only)
		text   string
	}{
		{"no name", func(v url.Values) { v.Set("name", " ") }, 400, "name", "Give the application a name."},
		{"callback with a fragment", func(v url.Values) { v.Set("redirect_uris", "https://a.example/cb#x") }, 400, "redirect_uris", "without a fragment"},
		{"relative logout callback", func(v url.Values) { v.Set("logout_uris", "/bye") }, 400, "logout_uris", "absolute URL"},
		{"origin with a path", func(v url.Values) { v.Set("web_origins", "https://a.example/app") }, 400, "web_origins", "with nothing after it"},
		{"no grant", func(v url.Values) { v.Del("grants") }, 400, "grants", "at least one grant"},
		{"lifetime not a number", func(v url.Values) { v.Set("access_ttl", "1h") }, 400, "access_ttl", "at least 1"},
		{"lifetime zero", func(v url.Values) { v.Set("id_ttl", "0") }, 400, "id_ttl", "at least 1"},
		{"grace too long", func(v url.Values) { v.Set("refresh_grace", "301") }, 400, "refresh_grace", "from 0 to 300"},
		{"negative idle", func(v url.Values) { v.Set("refresh_idle", "-1") }, 400, "refresh_idle", "0 or more"},
		{"service rule", func(v url.Values) {
			v.Set("token_auth", model.AuthNone)
			v.Set("introspection_auth", model.AuthNone)
		}, 400, "", "client_credentials needs a confidential client"},
		{"unknown type", func(v url.Values) { v.Set("type", "mainframe") }, 400, "", "unknown application type"},
		{"identifier taken", func(v url.Values) {}, 409, "identifier", "Another application has this identifier."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := fullAppForm()
			tc.change(form)
			resp := hs.post(appsPath, form, b)
			page := body(t, resp)
			if resp.StatusCode != tc.status || !strings.Contains(page, tc.text) || !strings.Contains(page, `role="alert"`) {
				t.Fatalf("%d\n%s", resp.StatusCode, page)
			}
			if tc.field != "" && !regexp.MustCompile(`name="`+tc.field+`"[^>]*aria-describedby="[^"]*f-`+tc.field+`-error"[^>]*aria-invalid="true"|<fieldset class="field" aria-describedby="[^"]*f-`+tc.field+`-error"`).MatchString(page) {
				t.Errorf("%s not marked invalid\n%s", tc.field, page)
			}
			if !strings.Contains(page, `value="https://billing.example/logo.png"`) || !strings.Contains(page, "Invoices and payments") {
				t.Errorf("the values sent were not kept")
			}
			if list, _ := hs.apps.List(t.Context()); len(list) != 1 {
				t.Errorf("%d applications", len(list))
			}
		})
	}
	if ev := hs.events(model.AuditConsoleChange); len(ev) != 0 {
		t.Errorf("events: %+v", ev)
	}
}

func TestAppUpdate(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	app, secret, err := hs.apps.Create(t.Context(), apps.CreateParams{Name: "Shop", RedirectURIs: []string{"https://shop.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	resp := hs.get(appsPath+"/"+app.ID, b)
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<h1>Shop</h1>") || !strings.Contains(page, "https://shop.example/cb</textarea>") ||
		!strings.Contains(page, `<option value="jwt" selected>JWT</option>`) {
		t.Fatalf("show: %d\n%s", resp.StatusCode, page)
	}
	// The page's own form, sent back unchanged, changes nothing.
	form := appValues(app)
	hs.now = hs.now.Add(time.Minute)
	resp = hs.post(appsPath+"/"+app.ID, form, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != appsPath+"/"+app.ID+"?done=app_updated" {
		t.Fatalf("unchanged: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	same, _ := hs.apps.Get(t.Context(), app.ID)
	if d := cmp.Diff(app, same, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "UpdatedAt" }, cmp.Ignore())); d != "" {
		t.Errorf("the unchanged form changed (-before +after):\n%s", d)
	}

	form = fullAppForm()
	form.Set("identifier", "")
	resp = hs.post(appsPath+"/"+app.ID, form, b)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", resp.StatusCode, body(t, resp))
	}
	got, _ := hs.apps.Get(t.Context(), app.ID)
	if got.Name != "Billing" || got.MFAPolicy != model.MFARequired || got.AccessTokenTTL != 600*time.Second || got.RotateRefreshTokens != true ||
		!got.RegistrationClosed || got.TokenAuthMethod != model.AuthClientSecretBasic || !apps.CheckSecret(got, secret) {
		t.Errorf("updated: %+v", got)
	}
	// Unticked boxes are off: the form holds every setting.
	form.Del("rotate_refresh")
	form.Del("sso")
	if resp := hs.post(appsPath+"/"+app.ID, form, b); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("untick: %d", resp.StatusCode)
	}
	if got, _ := hs.apps.Get(t.Context(), app.ID); got.RotateRefreshTokens || got.SSOEnabled {
		t.Errorf("boxes left ticked: %+v", got)
	}
	ev := hs.events(model.AuditConsoleChange)
	if len(ev) != 3 || ev[0].Detail != "application updated by "+root.ID+": nothing changed" || ev[0].ClientID != app.ID ||
		!strings.HasPrefix(ev[1].Detail, "application updated by "+root.ID+": changed name, type, protocol,") ||
		ev[2].Detail != "application updated by "+root.ID+": changed sso, rotate_refresh" {
		t.Errorf("events: %+v", ev)
	}
	if ev := hs.events(model.AuditMFAPolicy); len(ev) != 1 || ev[0].ClientID != app.ID || !strings.Contains(ev[0].Detail, root.ID) {
		t.Errorf("policy events: %+v", ev)
	}
	if page := body(t, hs.get(appsPath+"/"+app.ID+"?done=app_updated&lang=zh-CN", b)); !strings.Contains(page, "设置已保存。") {
		t.Errorf("no notice:\n%s", page)
	}

	// Refused: the form again with the application's details.
	form.Set("access_ttl", "x")
	resp = hs.post(appsPath+"/"+app.ID, form, b)
	if page := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, app.ID) {
		t.Errorf("refused: %d\n%s", resp.StatusCode, page)
	}
}

// Each confirmation names the application; its post makes the change,
// records it and tells the administrator.
func TestAppActions(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	ctx := t.Context()
	app, secret, err := hs.apps.Create(ctx, apps.CreateParams{Name: "Shop", RedirectURIs: []string{"https://shop.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range appActions {
		resp := hs.get(appsPath+"/"+app.ID+"/"+action, b)
		if page := body(t, resp); resp.StatusCode != http.StatusOK || !regexp.MustCompile(`<p>[^<]*Shop[^<]*\?</p>`).MatchString(page) ||
			!strings.Contains(page, `action="/console/apps/`+app.ID+`/`+action+`"`) {
			t.Errorf("%s: %d\n%s", action, resp.StatusCode, page)
		}
	}

	resp := hs.post(appsPath+"/"+app.ID+"/secret", nil, b)
	page := body(t, resp)
	m := secretOn.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("rotate: %d\n%s", resp.StatusCode, page)
	}
	got, _ := hs.apps.Get(ctx, app.ID)
	if apps.CheckSecret(got, secret) || !apps.CheckSecret(got, m[1]) {
		t.Error("the secret did not change to the page's")
	}

	hs.now = hs.now.Add(time.Minute)
	tok := &model.Token{Hash: token.Hash("t1"), ID: "t1", Kind: model.TokenAccess, GrantID: "g", ClientID: app.ID, UserID: root.ID,
		IssuedAt: hs.now, ExpiresAt: hs.now.Add(time.Hour)}
	if err := hs.store.CreateTokens(ctx, tok); err != nil {
		t.Fatal(err)
	}
	resp = hs.post(appsPath+"/"+app.ID+"/signout", nil, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != appsPath+"/"+app.ID+"?done=app_signed_out" {
		t.Fatalf("sign out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n, _ := hs.apps.SignOut(ctx, app.ID); n != 0 {
		t.Errorf("%d tokens left", n)
	}
	if ev := hs.events(model.AuditLogoutAll); len(ev) != 1 || ev[0].ClientID != app.ID ||
		ev[0].Detail != "console, by "+root.ID+": 1 tokens revoked" {
		t.Errorf("logout events: %+v", ev)
	}

	resp = hs.post(appsPath+"/"+app.ID+"/delete", nil, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != appsPath+"?done=app_deleted" {
		t.Fatalf("delete: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := hs.apps.Get(ctx, app.ID); err == nil {
		t.Error("not deleted")
	}
	var details []string
	for _, e := range hs.events(model.AuditConsoleChange) {
		if e.ClientID != app.ID {
			t.Errorf("event of %q", e.ClientID)
		}
		details = append(details, e.Detail)
	}
	by := " by " + root.ID
	if d := cmp.Diff([]string{"application secret rotated" + by, "application signed out" + by + ": 1 tokens revoked",
		`application deleted` + by + `: "Shop"`}, details); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}

	// Each page and post of an application that is not there is 404.
	for _, path := range []string{"", "/secret", "/delete", "/signout"} {
		if resp := hs.get(appsPath+"/"+app.ID+path, b); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		if resp := hs.post(appsPath+"/"+app.ID+path, fullAppForm(), b); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d", path, resp.StatusCode)
		}
	}
}

func TestAppRotatePublic(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	app, _, err := hs.apps.Create(t.Context(), apps.CreateParams{Name: "SPA", RedirectURIs: []string{"https://spa.example/cb"},
		TokenAuthMethod: model.AuthNone})
	if err != nil {
		t.Fatal(err)
	}
	if page := body(t, hs.get(appsPath+"/"+app.ID+"/secret", b)); strings.Contains(page, "<form method=\"post\" action=\"/console/apps/") ||
		!strings.Contains(page, "public client") {
		t.Errorf("confirmation:\n%s", page)
	}
	resp := hs.post(appsPath+"/"+app.ID+"/secret", nil, b)
	if page := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "no secret to rotate") {
		t.Errorf("%d\n%s", resp.StatusCode, page)
	}
}

func TestAppList(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	ctx := t.Context()
	for i := range appsPage + 5 {
		hs.now = testNow.Add(time.Duration(i%7) * time.Second) // ties broken by id
		if _, _, err := hs.apps.Create(ctx, apps.CreateParams{Name: fmt.Sprintf("App %02d", i), RedirectURIs: []string{"https://a.example/cb"},
			AppIdentifier: fmt.Sprintf("ident-%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	rows := regexp.MustCompile(`<th scope="row"><a href="/console/apps/([^"]+)">`)
	next := regexp.MustCompile(`href="(/console/apps\?after=[^"]+)" rel="next"`)
	seen := map[string]bool{}
	page := body(t, hs.get(appsPath, b))
	first := rows.FindAllStringSubmatch(page, -1)
	m := next.FindStringSubmatch(page)
	if len(first) != appsPage || m == nil || strings.Contains(page, "First page") {
		t.Fatalf("first page: %d rows, next %v", len(first), m)
	}
	// An application created meanwhile (later than all) moves nothing.
	hs.now = testNow.Add(time.Minute)
	if _, _, err := hs.apps.Create(ctx, apps.CreateParams{Name: "Late", RedirectURIs: []string{"https://a.example/cb"}}); err != nil {
		t.Fatal(err)
	}
	page = body(t, hs.get(strings.ReplaceAll(m[1], "&amp;", "&"), b))
	second := rows.FindAllStringSubmatch(page, -1)
	if len(second) != 6 || next.MatchString(page) || !strings.Contains(page, `<a href="/console/apps">First page</a>`) {
		t.Fatalf("second page: %d rows\n%s", len(second), page)
	}
	for _, r := range append(first, second...) {
		if seen[r[1]] {
			t.Errorf("%s listed twice", r[1])
		}
		seen[r[1]] = true
	}

	all, _ := hs.apps.List(ctx)
	for q, want := range map[string]int{"app 1": 10, "IDENT-2": 10, all[3].ID: 1, "nothing": 0} {
		page := body(t, hs.get(appsPath+"?q="+url.QueryEscape(q), b))
		if got := len(rows.FindAllStringSubmatch(page, -1)); got != want {
			t.Errorf("search %q: %d rows, want %d", q, got, want)
		}
		if want == 0 && !strings.Contains(page, "No application matches") {
			t.Errorf("search %q: no empty notice", q)
		}
	}
	for _, bad := range []string{"x", "12", ".id", "x.id"} {
		if resp := hs.get(appsPath+"?after="+bad, b); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("after=%s: %d", bad, resp.StatusCode)
		}
	}
}

// Every post refuses a form without the session's token and a browser
// whose administrator lost the role, and changes nothing.
func TestAppPostsRefused(t *testing.T) {
	hs := newHarness(t)
	u, b := hs.admin("root")
	app, _, err := hs.apps.Create(t.Context(), apps.CreateParams{Name: "Shop", RedirectURIs: []string{"https://shop.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	posts := []string{appsPath, appsPath + "/" + app.ID, appsPath + "/" + app.ID + "/secret",
		appsPath + "/" + app.ID + "/signout", appsPath + "/" + app.ID + "/delete"}
	for _, path := range posts {
		form := fullAppForm()
		form.Set("csrf", "")
		if resp := hs.post(path, form, b); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s without the form token: %d", path, resp.StatusCode)
		}
	}
	delete(hs.roles.admins, u.ID)
	for _, path := range posts {
		if resp := hs.post(path, fullAppForm(), b); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s of a former administrator: %d", path, resp.StatusCode)
		}
	}
	if got, err := hs.apps.Get(context.Background(), app.ID); err != nil || got.Name != "Shop" || !got.UpdatedAt.Equal(app.UpdatedAt) {
		t.Errorf("changed: %+v %v", got, err)
	}
	if list, _ := hs.apps.List(t.Context()); len(list) != 1 {
		t.Errorf("%d applications", len(list))
	}
	if ev := hs.events(model.AuditConsoleChange); len(ev) != 0 {
		t.Errorf("events: %+v", ev)
	}
}

// The keys the form builds at run time are in both catalogs.
func TestAppFormCatalog(t *testing.T) {
	errs := map[string]string{}
	for _, k := range []string{"name", "redirect_uris", "web_origins", "grants", "access_ttl", "refresh_grace", "refresh_idle", "identifier"} {
		errs[k] = "x"
	}
	_, got := appParams(url.Values{"redirect_uris": {"x"}, "web_origins": {"x"}, "refresh_grace": {"-1"}, "refresh_idle": {"-1"}})
	got["identifier"] = "apps.error.identifier_taken"
	if len(got) != len(errs)+2 { // also refresh_ttl and id_ttl
		t.Errorf("field errors: %v", got)
	}
	for _, s := range appSections(url.Values{}, got) {
		keys := []string{s.Legend}
		for _, f := range s.Fields {
			keys = append(keys, f.Label, f.Hint, f.Error)
			for _, o := range f.Options {
				keys = append(keys, o.Label)
			}
		}
		for _, k := range keys {
			for _, lang := range i18n.Supported {
				if k != "" && !hasKey(lang, k) {
					t.Errorf("%s: no %q", lang, k)
				}
			}
		}
	}
	for _, typ := range []string{model.AppTypeWeb, model.AppTypeSPA, model.AppTypeNative, model.AppTypeAPI} {
		if !hasKey(i18n.Chinese, "apps.o.type."+typ) {
			t.Errorf("no type %s", typ)
		}
	}
}
