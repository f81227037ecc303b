package pages

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSafeReturnTo(t *testing.T) {
	authorize := "/oauth/auth?client_id=abc&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&response_type=code&state=xyz"
	tests := []struct {
		in, want string
	}{
		{"", "/"},
		{"/", "/"},
		{authorize, authorize},
		{"/oidc/auth?client_id=abc&scope=openid+profile", "/oidc/auth?client_id=abc&scope=openid+profile"},
		{"/a/%2F%2Fb", "/a/%2F%2Fb"},
		{"//evil.com", "/"},
		{"//evil.com/oauth/auth", "/"},
		{"///evil.com", "/"},
		{`/\evil.com`, "/"},
		{`/\/evil.com`, "/"},
		{"/%2F%2Fevil.com", "/"},
		{"/%5Cevil.com", "/"},
		{"https://evil.com", "/"},
		{"http://localhost:8080/oauth/auth", "/"},
		{"HTTPS://evil.com", "/"},
		{"javascript:alert(1)", "/"},
		{"JavaScript:alert(1)//", "/"},
		{"data:text/html,<script>alert(1)</script>", "/"},
		{"evil.com", "/"},
		{"oauth/auth", "/"},
		{" /oauth/auth", "/"},
		{"/\t/evil.com", "/"},
		{"/\n/evil.com", "/"},
		{"/ok\r\nSet-Cookie: x=1", "/"},
		{"/with space", "/"},
		{"/ünïcode", "/"},
		{"/" + strings.Repeat("a", maxReturnTo), "/"},
	}
	for _, tt := range tests {
		if got := safeReturnTo(tt.in); got != tt.want {
			t.Errorf("safeReturnTo(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoginForm(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	app := hs.createApp(`Demo <App> & Co`)
	tests := []struct {
		name, returnTo string
		wantHidden     string // value of the hidden return_to field, as HTML
		wantApp        string // "" when no application is named
	}{
		{"no return_to", "", "/", ""},
		{"known client", "/oauth/auth?client_id=" + app.ID + "&state=s", "/oauth/auth?client_id=" + app.ID + "&amp;state=s", "Demo &lt;App&gt; &amp; Co"},
		{"unknown client", "/oauth/auth?client_id=nope", "/oauth/auth?client_id=nope", ""},
		{"open redirect", "//evil.com", "/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := hs.get("/login?return_to=" + url.QueryEscape(tt.returnTo))
			page := body(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if !strings.Contains(page, `name="return_to" value="`+tt.wantHidden+`"`) {
				t.Errorf("hidden return_to is not %q:\n%s", tt.wantHidden, page)
			}
			hasApp := strings.Contains(page, "Sign in to continue to")
			if tt.wantApp == "" && hasApp {
				t.Errorf("page names an application:\n%s", page)
			}
			if tt.wantApp != "" && !strings.Contains(page, "Sign in to continue to <strong>"+tt.wantApp+"</strong>") {
				t.Errorf("page does not name %q:\n%s", tt.wantApp, page)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	alice := hs.createUser("alice", "Alice@Example.com", "+15551234567", "correct horse")
	authorize := "/oauth/auth?client_id=abc&response_type=code&state=s1"
	tests := []struct {
		name, username, password, returnTo string
		wantLocation                       string // "" for a failed login
		wantStatus                         int    // of a failed login
		wantField, wantText                string // its message
	}{
		{"username", "alice", "correct horse", authorize, authorize, 0, "", ""},
		{"email any case", "alice@example.COM", "correct horse", authorize, authorize, 0, "", ""},
		{"phone", "+15551234567", "correct horse", "/", "/", 0, "", ""},
		{"no return_to", "alice", "correct horse", "", "/", 0, "", ""},
		{"protocol-relative return_to", "alice", "correct horse", "//evil.com/x", "/", 0, "", ""},
		{"backslash return_to", "alice", "correct horse", `/\evil.com`, "/", 0, "", ""},
		{"absolute return_to", "alice", "correct horse", "https://evil.com/", "/", 0, "", ""},
		{"javascript return_to", "alice", "correct horse", "javascript:alert(1)", "/", 0, "", ""},
		{"wrong password", "alice", "wrong horse", authorize, "", http.StatusUnauthorized, "password", "Wrong username or password. Check both and try again."},
		{"unknown user", "mallory", "correct horse", authorize, "", http.StatusUnauthorized, "password", "Wrong username or password. Check both and try again."},
		{"markup in username", `<b>"x"</b>`, "correct horse", authorize, "", http.StatusUnauthorized, "password", "Wrong username or password. Check both and try again."},
		{"empty password", "alice", "", authorize, "", http.StatusBadRequest, "password", "Enter your password."},
		{"empty username", " ", "correct horse", authorize, "", http.StatusBadRequest, "username", "Enter your username, email or phone."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := hs.post("/login", url.Values{"username": {tt.username}, "password": {tt.password}, "return_to": {tt.returnTo}})
			page := body(t, resp)
			c := sessionCookie(resp)
			if tt.wantLocation == "" {
				if resp.StatusCode != tt.wantStatus {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
				}
				if c != nil {
					t.Errorf("failed login set a cookie")
				}
				// Unknown users and wrong passwords get the same message.
				if got := fieldError(page, tt.wantField); got != tt.wantText {
					t.Errorf("message at %s = %q, want %q:\n%s", tt.wantField, got, tt.wantText, page)
				}
				if !strings.Contains(page, `name="username" type="text" value="`+html.EscapeString(tt.username)+`"`) ||
					!strings.Contains(page, `aria-invalid="true" aria-describedby="`+tt.wantField+`-error"`) {
					t.Errorf("username %q not kept or field not marked:\n%s", tt.username, page)
				}
				if tt.password != "" && strings.Contains(page, tt.password) {
					t.Errorf("the password is echoed")
				}
				return
			}
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d, want 303:\n%s", resp.StatusCode, page)
			}
			if got := resp.Header.Get("Location"); got != tt.wantLocation {
				t.Errorf("Location = %q, want %q", got, tt.wantLocation)
			}
			if c == nil {
				t.Fatal("no session cookie")
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
				t.Errorf("cookie HttpOnly=%v SameSite=%v Secure=%v Path=%q, want HttpOnly, Lax, not Secure on http, /",
					c.HttpOnly, c.SameSite, c.Secure, c.Path)
			}
			if got := hs.sessionUser(c); got != alice.ID {
				t.Errorf("stored session belongs to %q, want %q", got, alice.ID)
			}
		})
	}
}

func TestLoginSecureCookie(t *testing.T) {
	hs := newHarness(t, "https://id.example.com")
	hs.createUser("alice", "", "", "correct horse")
	resp := hs.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}})
	c := sessionCookie(resp)
	if resp.StatusCode != http.StatusSeeOther || c == nil {
		t.Fatalf("status %d, cookie %v", resp.StatusCode, c)
	}
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie Secure=%v HttpOnly=%v SameSite=%v, want Secure, HttpOnly, Lax", c.Secure, c.HttpOnly, c.SameSite)
	}
}

func TestNewRefusesInsecureCookieOnHTTPS(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	tests := []struct {
		publicURL string
		secure    bool
		wantErr   bool
	}{
		{"https://id.example.com", false, true},
		{"https://id.example.com", true, false},
		{"http://localhost:8080", false, false},
		{"localhost:8080", false, true},
		{"", false, true},
	}
	for _, tt := range tests {
		hs.sessions.Secure = tt.secure
		_, err := New(Config{Store: hs.store, Users: hs.users, Sessions: hs.sessions, PublicURL: tt.publicURL})
		if (err != nil) != tt.wantErr {
			t.Errorf("New(%q, Secure=%v) error = %v, want error %v", tt.publicURL, tt.secure, err, tt.wantErr)
		}
	}
}

func TestLoginReplacesSession(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	alice := hs.createUser("alice", "", "", "correct horse")
	old := hs.startSession(alice.ID)
	resp := hs.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}}, old)
	c := sessionCookie(resp)
	if resp.StatusCode != http.StatusSeeOther || c == nil {
		t.Fatalf("status %d, cookie %v", resp.StatusCode, c)
	}
	if c.Value == old.Value {
		t.Error("login kept the previous session id")
	}
	if hs.sessionUser(old) != "" {
		t.Error("the previous session still exists")
	}
	if hs.sessionUser(c) != alice.ID {
		t.Error("the new session is not stored")
	}
}

// TestLoginErrorMarksBothFields checks that a wrong password describes both
// inputs by the one message and moves focus to the password.
func TestLoginErrorMarksBothFields(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	page := body(t, hs.post("/login?lang=zh-CN", url.Values{"username": {"alice"}, "password": {"nope"}}))
	for _, want := range []string{
		`<input id="username" name="username" type="text" value="alice" autocomplete="username" autocapitalize="none" spellcheck="false" required aria-invalid="true" aria-describedby="password-error">`,
		`<input id="password" name="password" type="password" autocomplete="current-password" required autofocus aria-invalid="true" aria-describedby="password-error">`,
		`<p class="field-error" id="password-error">用户名或密码错误，请检查后重试。</p>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s:\n%s", want, page)
		}
	}
}
