package pages

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// TestPageLanguage checks the choice of language on a real page, and that
// only the lang parameter sets the cookie.
func TestPageLanguage(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	tests := []struct {
		name       string
		target     string
		cookie     string
		accept     string
		want       string
		wantCookie string // "" when none is set
		wantText   string
	}{
		{"default", "/login", "", "", "en", "", "Sign in"},
		{"query", "/login?lang=zh-CN", "", "", "zh-CN", "zh-CN", "用户名、邮箱或手机号"},
		{"query beats header", "/login?lang=en", "", "zh-CN", "en", "en", "Username, email or phone"},
		{"cookie", "/register", "zh-CN", "en", "zh-CN", "", "创建账号"},
		{"accept-language", "/", "", "fr;q=0.9, zh-Hans;q=0.8, en;q=0.1", "zh-CN", "", "欢迎使用 GenAuth"},
		{"unknown query ignored", "/?lang=xx", "", "", "en", "", "Welcome to GenAuth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: i18n.CookieName, Value: tt.cookie})
			}
			if tt.accept != "" {
				req.Header.Set("Accept-Language", tt.accept)
			}
			resp := hs.do(req)
			page := body(t, resp)
			if !strings.Contains(page, `<html lang="`+tt.want+`">`) || resp.Header.Get("Content-Language") != tt.want {
				t.Errorf("want %s, got Content-Language %q:\n%s", tt.want, resp.Header.Get("Content-Language"), page)
			}
			if !strings.Contains(page, tt.wantText) {
				t.Errorf("page lacks %q:\n%s", tt.wantText, page)
			}
			var got string
			for _, c := range resp.Cookies() {
				if c.Name == i18n.CookieName {
					got = c.Value
				}
			}
			if got != tt.wantCookie {
				t.Errorf("language cookie %q, want %q", got, tt.wantCookie)
			}
		})
	}
}

var langLinkRE = regexp.MustCompile(`<a href="([^"]*)" lang="([^"]*)" hreflang="[^"]*"( aria-current="true")?>`)

// languageSwitch returns the switch's links by language, and the current one.
func languageSwitch(t *testing.T, page string) (map[string]string, string) {
	t.Helper()
	links, current := map[string]string{}, ""
	for _, m := range langLinkRE.FindAllStringSubmatch(page, -1) {
		links[m[2]] = html.UnescapeString(m[1])
		if m[3] != "" {
			current = m[2]
		}
	}
	if len(links) != len(i18n.Supported) {
		t.Fatalf("language switch %v:\n%s", links, page)
	}
	return links, current
}

// TestLanguageSwitch checks that every page links to itself in each
// language, keeping where the person was going but never replaying a logout.
func TestLanguageSwitch(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	app := hs.createApp("Notes", "http://localhost:3000/")
	returnTo := "/oauth/auth?client_id=" + app.ID + "&state=s"
	errorPage := func(method, target string) *http.Response {
		rec := httptest.NewRecorder()
		hs.handler.RenderError(rec, httptest.NewRequest(method, target, nil), http.StatusBadRequest, "Invalid consent", "Choose whether to allow or deny access.")
		return rec.Result()
	}
	tests := []struct {
		name    string
		resp    func() *http.Response
		wantZh  string
		current string
	}{
		{"login", func() *http.Response { return hs.get("/login?return_to=" + url.QueryEscape(returnTo)) },
			"/login?lang=zh-CN&return_to=" + url.QueryEscape(returnTo), "en"},
		{"login after a failed post", func() *http.Response {
			return hs.post("/login", url.Values{"username": {"x"}, "password": {"y"}, "return_to": {returnTo}})
		}, "/login?lang=zh-CN&return_to=" + url.QueryEscape(returnTo), "en"},
		{"register in Chinese", func() *http.Response { return hs.get("/register?lang=zh-CN&return_to=" + url.QueryEscape(returnTo)) },
			"/register?lang=zh-CN&return_to=" + url.QueryEscape(returnTo), "zh-CN"},
		{"home", func() *http.Response { return hs.get("/?lang=en") }, "/?lang=zh-CN", "en"},
		{"signed out drops the redirect", func() *http.Response { return hs.get("/login/profile/logout?redirect_uri=https://evil.example/") },
			"/login/profile/logout?lang=zh-CN", "en"},
		{"error page after GET", func() *http.Response { return errorPage(http.MethodGet, "/oauth/auth?client_id=x&lang=en") },
			"/oauth/auth?client_id=x&lang=zh-CN", "en"},
		{"error page after POST", func() *http.Response { return errorPage(http.MethodPost, "/oauth/auth/consent") }, "/?lang=zh-CN", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links, current := languageSwitch(t, body(t, tt.resp()))
			if links["zh-CN"] != tt.wantZh {
				t.Errorf("zh-CN link %q, want %q", links["zh-CN"], tt.wantZh)
			}
			if want := strings.Replace(tt.wantZh, "lang=zh-CN", "lang=en", 1); links["en"] != want {
				t.Errorf("en link %q, want %q", links["en"], want)
			}
			if current != tt.current {
				t.Errorf("current language %q, want %q", current, tt.current)
			}
		})
	}
}

func TestRenderErrorTranslated(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	tests := []struct {
		name, lang, title, message string
		wantTitle, wantMessage     string
		wantDetail                 string // "" when none is shown
	}{
		{"known, English", "en", "Invalid logout request", "The logout request could not be read.",
			"Invalid logout request", "The logout request could not be read.", ""},
		{"known, Chinese", "zh-CN", "Invalid logout request", "The logout request could not be read.",
			"退出请求无效", "无法读取退出请求。", ""},
		{"unknown message, Chinese", "zh-CN", "Invalid authorization request", "unsupported response_type",
			"授权请求无效", "无法完成该请求。", "unsupported response_type"},
		{"unknown both, Chinese", "zh-CN", "Teapot", "I am a teapot.", "请求失败", "无法完成该请求。", "I am a teapot."},
		{"unknown both, English", "en", "Teapot", "I am a <teapot>.", "Teapot", "I am a &lt;teapot&gt;.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			hs.handler.RenderError(rec, httptest.NewRequest(http.MethodGet, "/oidc/session/end?lang="+tt.lang, nil),
				http.StatusBadRequest, tt.title, tt.message)
			page := body(t, rec.Result())
			if !strings.Contains(page, "<h1>"+tt.wantTitle+"</h1>") ||
				!strings.Contains(page, `<p class="alert" role="alert">`+tt.wantMessage+"</p>") {
				t.Errorf("page:\n%s", page)
			}
			hasDetail := strings.Contains(page, `<span lang="en">`+tt.wantDetail+"</span>")
			if tt.wantDetail != "" && !hasDetail || tt.wantDetail == "" && strings.Contains(page, `class="detail"`) {
				t.Errorf("detail: want %q:\n%s", tt.wantDetail, page)
			}
		})
	}
}

func TestConsentPage(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	alice := hs.createUser("alice", "", "", "correct horse")
	c := hs.startSession(alice.ID)
	req := httptest.NewRequest(http.MethodGet, "/oidc/auth?client_id=abc&lang=zh-CN", nil)
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	hs.handler.RenderConsent(rec, req, ConsentPage{
		AppName: "Photo <Printer>",
		Scopes:  []string{"openid", "email", "files:read", "other"},
		Action:  "/oidc/auth/consent",
		Fields:  map[string]string{"state": `"s"`, "client_id": "abc"},
	})
	page := body(t, rec.Result())
	for _, want := range []string{
		`<strong>Photo &lt;Printer&gt;</strong> 请求以下权限：`,
		"<li>确认你的身份</li>", "<li>查看你的邮箱地址</li>", "<li>使用权限“files:read”</li>", "<li>使用权限“other”</li>",
		"当前登录账号：<strong>alice</strong>。",
		`<form method="post" action="/oidc/auth/consent" class="decide">`,
		`<input type="hidden" name="client_id" value="abc">` + "\n" + `<input type="hidden" name="state" value="&#34;s&#34;">`,
		`<button type="submit" name="consent" value="approve">允许</button>`,
		`<button type="submit" name="consent" value="deny" class="secondary">拒绝</button>`,
		`<span class="app-mark">P</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s:\n%s", want, page)
		}
	}
}

func TestLogoutConfirmPage(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	alice := hs.createUser("alice", "", "", "correct horse")
	c := hs.startSession(alice.ID)
	fields := map[string]string{"client_id": "abc", "post_logout_redirect_uri": "http://app.example/bye?x=1", "state": `"s"`}
	for _, tc := range []struct {
		name, method, target string
		app                  string
		want                 []string
	}{
		{"zh-CN with an application", http.MethodGet, "/oidc/session/end?client_id=abc&lang=zh-CN", "Photo <Printer>", []string{
			`<html lang="zh-CN">`,
			"<title>退出登录 · GenAuth</title>",
			"<h1>退出 GenAuth？</h1>",
			`<strong>Photo &lt;Printer&gt;</strong> 请求在此设备上将你退出 GenAuth。`,
			"当前登录账号：<strong>alice</strong>。",
			`<form method="post" action="/oidc/session/end/confirm" class="decide">`,
			`<input type="hidden" name="client_id" value="abc">` + "\n" +
				`<input type="hidden" name="post_logout_redirect_uri" value="http://app.example/bye?x=1">` + "\n" +
				`<input type="hidden" name="state" value="&#34;s&#34;">`,
			`<button type="submit">退出登录</button>`,
			`<a class="button secondary" href="/">保持登录</a>`,
			// The language switch asks again with the same request.
			`href="/oidc/session/end?client_id=abc&amp;lang=en"`,
		}},
		{"en, posted, no application", http.MethodPost, "/oidc/session/end", "", []string{
			"<h1>Sign out of GenAuth?</h1>",
			"An application asks to sign you out of GenAuth on this device.",
			"You are signed in as <strong>alice</strong>.",
			`<button type="submit">Sign out</button>`,
			// A page shown for a POST switches language with a GET of the same request.
			`href="/oidc/session/end?client_id=abc&amp;lang=zh-CN&amp;post_logout_redirect_uri=http%3A%2F%2Fapp.example%2Fbye%3Fx%3D1&amp;state=%22s%22"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, nil)
			req.AddCookie(c)
			rec := httptest.NewRecorder()
			hs.handler.RenderLogoutConfirm(rec, req, LogoutPage{AppName: tc.app, Action: "/oidc/session/end/confirm", Fields: fields})
			resp := rec.Result()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("status %d, Cache-Control %q; want 200, no-store", resp.StatusCode, resp.Header.Get("Cache-Control"))
			}
			page := body(t, resp)
			for _, want := range tc.want {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %s:\n%s", want, page)
				}
			}
			if strings.Contains(page, "<script") {
				t.Error("the page has a script")
			}
		})
	}
}

func TestIcon(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	page := body(t, hs.get("/"))
	m := regexp.MustCompile(`<link rel="icon" type="image/svg\+xml" href="([^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no icon link:\n%s", page)
	}
	resp := hs.get(m[1])
	svg := body(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(svg, "<svg") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("GET %s: status %d, headers %v", m[1], resp.StatusCode, resp.Header)
	}
}
