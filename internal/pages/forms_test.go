package pages

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestCrossOriginPosts(t *testing.T) {
	hs := newHarness(t, "https://id.example.com")
	hs.createUser("alice", "", "", "correct horse")
	login := url.Values{"username": {"alice"}, "password": {"correct horse"}}.Encode()
	register := url.Values{"username": {"bob"}, "password": {"long enough"}, "password_confirm": {"long enough"}}.Encode()
	tests := []struct {
		name       string
		path, form string
		host       string
		headers    map[string]string
		wantStatus int
	}{
		{"login cross-site", "/login", login, "", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"login same-site subdomain", "/login", login, "", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"login foreign Origin only", "/login", login, "", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"register cross-site", "/register", register, "", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"logout cross-site", "/logout", "", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"login same-origin", "/login", login, "", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"login matching Origin", "/login", login, "id.example.com", map[string]string{"Origin": "https://id.example.com"}, http.StatusSeeOther},
		{"login public origin behind a proxy", "/login", login, "10.0.0.5:8080", map[string]string{"Origin": "https://id.example.com"}, http.StatusSeeOther},
		{"login without browser headers", "/login", login, "", nil, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.host != "" {
				req.Host = tt.host
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp := hs.do(req)
			page := body(t, resp)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.wantStatus, page)
			}
			if tt.wantStatus == http.StatusForbidden {
				if sessionCookie(resp) != nil {
					t.Error("a refused request set a session cookie")
				}
				if !strings.Contains(page, "sent from another site") {
					t.Errorf("no readable refusal:\n%s", page)
				}
			}
		})
	}
}

func TestOversizedForm(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	hs.createUser("alice", "", "", "correct horse")
	big := strings.Repeat("a", MaxFormBytes)
	for _, path := range []string{"/login", "/register", "/logout"} {
		t.Run(path, func(t *testing.T) {
			form := url.Values{"username": {"alice"}, "password": {"correct horse"}, "padding": {big}}
			resp := hs.post(path, form)
			page := body(t, resp)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413:\n%s", resp.StatusCode, page)
			}
			if !strings.Contains(page, "larger than this server accepts") || sessionCookie(resp) != nil {
				t.Errorf("want a readable refusal and no cookie:\n%s", page)
			}
		})
	}
	// Just under the limit is still read.
	form := url.Values{"username": {"alice"}, "password": {"correct horse"}}
	pad := MaxFormBytes - len(form.Encode()) - len("&padding=")
	form.Set("padding", strings.Repeat("a", pad))
	if resp := hs.post("/login", form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("form of exactly %d bytes: status %d, want 303", len(form.Encode()), resp.StatusCode)
	}
}

var inputRE = regexp.MustCompile(`<input\s[^>]*>`)
var attrRE = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)

// TestFormsLabelled checks that every visible input has a label and an
// autocomplete hint, so that password managers and screen readers work.
func TestFormsLabelled(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	want := map[string]map[string]string{
		"/login":    {"username": "username", "password": "current-password"},
		"/register": {"username": "username", "email": "email", "password": "new-password", "password_confirm": "new-password"},
	}
	for path, fields := range want {
		page := body(t, hs.get(path))
		got := map[string]string{}
		for _, tag := range inputRE.FindAllString(page, -1) {
			attrs := map[string]string{}
			for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
				attrs[m[1]] = m[2]
			}
			if attrs["type"] == "hidden" {
				continue
			}
			if attrs["id"] == "" || !strings.Contains(page, `<label for="`+attrs["id"]+`"`) {
				t.Errorf("%s: input %s has no label", path, tag)
			}
			got[attrs["name"]] = attrs["autocomplete"]
		}
		for name, ac := range fields {
			if got[name] != ac {
				t.Errorf("%s: input %q autocomplete = %q, want %q", path, name, got[name], ac)
			}
		}
		if len(got) != len(fields) {
			t.Errorf("%s: inputs %v, want %v", path, got, fields)
		}
	}
}

func TestStylesheet(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	page := body(t, hs.get("/login"))
	m := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no stylesheet link:\n%s", page)
	}
	if strings.Contains(page, "style=") || strings.Contains(page, "<style") || strings.Contains(page, "<script") {
		t.Error("page has inline style or script")
	}
	resp := hs.get(m[1])
	css := body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, ".card") {
		t.Fatalf("GET %s: status %d, type %q", m[1], resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	req := httptest.NewRequest(http.MethodGet, m[1], nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if resp := hs.do(req); resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: status %d, want 304", resp.StatusCode)
	}
}

func TestRenderError(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	rec := httptest.NewRecorder()
	hs.handler.RenderError(rec, httptest.NewRequest(http.MethodGet, "/oauth/auth", nil), http.StatusBadRequest,
		"Unknown application", `No application has client_id "<script>x</script>".`)
	resp := rec.Result()
	page := body(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	if !strings.Contains(page, "<h1>Unknown application</h1>") || strings.Contains(page, "<script>") ||
		!strings.Contains(page, "&lt;script&gt;x&lt;/script&gt;") {
		t.Errorf("page:\n%s", page)
	}
}

// TestStoreFailure checks that a broken store gives a generic page and that
// the detail goes only to the log.
func TestStoreFailure(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	hs.createUser("alice", "", "", "correct horse")
	hs.store.Close()
	tests := []struct {
		name string
		req  func() *http.Response
	}{
		{"login page with client", func() *http.Response { return hs.get("/login?return_to=" + url.QueryEscape("/oauth/auth?client_id=x")) }},
		{"login", func() *http.Response {
			return hs.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}})
		}},
		{"logout allowlist", func() *http.Response { return hs.get("/login/profile/logout?redirect_uri=http://localhost:3000/") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs.logs.Reset()
			resp := tt.req()
			page := body(t, resp)
			if resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500:\n%s", resp.StatusCode, page)
			}
			if !strings.Contains(page, "could not complete your request") || strings.Contains(page, "closed") {
				t.Errorf("page is not generic:\n%s", page)
			}
			if !strings.Contains(hs.logs.String(), "closed") {
				t.Errorf("log lacks the detail: %s", hs.logs.String())
			}
		})
	}
}
