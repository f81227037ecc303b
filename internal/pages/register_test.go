package pages

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
)

func TestRegister(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	hs.createUser("taken", "taken@example.com", "", "correct horse")
	authorize := "/oauth/auth?client_id=abc&state=s"
	tests := []struct {
		name                               string
		username, email, password, confirm string
		returnTo                           string
		wantStatus                         int
		wantField                          string // input whose message it is; "form" for the whole form
		wantText                           string // the message, when the form comes back
		wantLocation                       string
	}{
		{"username only", "bob", "", "long enough", "long enough", authorize, http.StatusSeeOther, "", "", authorize},
		{"email only", "", "carol@example.com", "long enough", "long enough", "", http.StatusSeeOther, "", "", "/"},
		{"both", "dave", "dave@example.com", "long enough", "long enough", "//evil.com", http.StatusSeeOther, "", "", "/"},
		{"mismatch", "erin", "", "long enough", "long enougH", authorize, http.StatusBadRequest, "password_confirm", "The two passwords do not match.", ""},
		{"short password", "frank", "", "short", "short", authorize, http.StatusBadRequest, "password", "The password must have at least 8 characters.", ""},
		{"long password", "frank", "", strings.Repeat("x", 257), strings.Repeat("x", 257), authorize, http.StatusBadRequest, "password", "at most 256 bytes", ""},
		{"common password", "frank", "", "12345678", "12345678", authorize, http.StatusBadRequest, "password", "This password is too common or too easy to guess.", ""},
		{"common password in capitals", "frank", "", "PASSWORD", "PASSWORD", authorize, http.StatusBadRequest, "password", "This password is too common", ""},
		{"eight spaces", "frank", "", "        ", "        ", authorize, http.StatusBadRequest, "password", "This password is too common", ""},
		{"one character repeated", "frank", "", "zzzzzzzzzzzz", "zzzzzzzzzzzz", authorize, http.StatusBadRequest, "password", "This password is too common", ""},
		{"no username or email", "", "", "long enough", "long enough", authorize, http.StatusBadRequest, "username", "Enter a username, an email address, or both.", ""},
		{"blank username and email", " ", " ", "long enough", "long enough", authorize, http.StatusBadRequest, "username", "Enter a username, an email address, or both.", ""},
		{"bad email", "", "not-an-email", "long enough", "long enough", authorize, http.StatusBadRequest, "email", "Enter an email address such as name@example.com.", ""},
		{"bad username", "has space", "", "long enough", "long enough", authorize, http.StatusBadRequest, "username", "may contain only letters", ""},
		{"digits-only username", "12345", "", "long enough", "long enough", authorize, http.StatusBadRequest, "username", "must contain a letter", ""},
		{"long username", strings.Repeat("u", 65), "", "long enough", "long enough", authorize, http.StatusBadRequest, "username", "at most 64 characters", ""},
		{"taken username", "taken", "", "long enough", "long enough", authorize, http.StatusConflict, "username", "This username is taken.", ""},
		{"taken email", "", "TAKEN@example.com", "long enough", "long enough", authorize, http.StatusConflict, "email", "An account with this email address already exists.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := hs.post("/register", url.Values{
				"username": {tt.username}, "email": {tt.email},
				"password": {tt.password}, "password_confirm": {tt.confirm},
				"return_to": {tt.returnTo},
			})
			page := body(t, resp)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.wantStatus, page)
			}
			c := sessionCookie(resp)
			if tt.wantLocation == "" {
				if got := fieldError(page, tt.wantField); !strings.Contains(got, html.EscapeString(tt.wantText)) {
					t.Errorf("message at %s = %q, want %q:\n%s", tt.wantField, got, tt.wantText, page)
				}
				if !strings.Contains(page, `id="`+tt.wantField+`"`) || !strings.Contains(page, `aria-describedby="`) {
					t.Errorf("field %s not linked to its message:\n%s", tt.wantField, page)
				}
				if c != nil {
					t.Error("failed registration set a cookie")
				}
				if !strings.Contains(page, `name="username" type="text" value="`+tt.username+`"`) ||
					!strings.Contains(page, `name="email" type="email" value="`+tt.email+`"`) {
					t.Errorf("entered username or email not kept:\n%s", page)
				}
				if strings.Contains(page, tt.password) {
					t.Error("the password is echoed")
				}
				if !strings.Contains(page, `name="return_to" value="`+strings.ReplaceAll(tt.returnTo, "&", "&amp;")+`"`) {
					t.Errorf("return_to not kept:\n%s", page)
				}
				return
			}
			if got := resp.Header.Get("Location"); got != tt.wantLocation {
				t.Errorf("Location = %q, want %q", got, tt.wantLocation)
			}
			login := tt.username
			if login == "" {
				login = tt.email
			}
			u, err := hs.store.FindUserByLogin(context.Background(), login)
			if err != nil {
				t.Fatalf("new user not stored: %v", err)
			}
			if c == nil || hs.sessionUser(c) != u.ID {
				t.Errorf("no session for the new user")
			}
		})
	}
}

func TestRegisterFieldErrors(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	resp := hs.post("/register", url.Values{"username": {"zed"}, "password": {"short"}, "password_confirm": {"other"}})
	page := body(t, resp)
	for _, want := range []string{
		`id="password" name="password" type="password" autocomplete="new-password" required autofocus aria-invalid="true" aria-describedby="password-hint password-error">`,
		`id="password-error">The password must have at least 8 characters.`,
		`id="password_confirm" name="password_confirm" type="password" autocomplete="new-password" required aria-invalid="true" aria-describedby="password_confirm-error">`,
		`id="password_confirm-error">The two passwords do not match.`,
		`id="username" name="username" type="text" value="zed" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	// A missing username and email is about both fields.
	page = body(t, hs.post("/register", url.Values{"password": {"long enough"}, "password_confirm": {"long enough"}}))
	for _, want := range []string{
		`id="username" name="username" type="text" value="" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64" autofocus aria-invalid="true" aria-describedby="username-error">`,
		`id="email" name="email" type="email" value="" autocomplete="email" autocapitalize="none" spellcheck="false" aria-invalid="true" aria-describedby="username-error">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
}

// TestRegisterChinese checks that every validation message of internal/account/users
// reaches a zh-CN reader translated, at its field.
func TestRegisterChinese(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	hs.createUser("taken", "taken@example.com", "", "correct horse")
	tests := []struct {
		username, email, password, confirm string
		field, want                        string
	}{
		{"a", "", "short", "short", "password", "密码至少需要 8 个字符。"},
		{"a", "", strings.Repeat("x", 257), strings.Repeat("x", 257), "password", "密码过长：最多 256 个字节。"},
		{"a", "", "long enough", "other", "password_confirm", "两次输入的密码不一致。"},
		{"a", "", "12345678", "12345678", "password", "该密码过于常见或太容易被猜到，请换一个。"},
		{"", "", "long enough", "long enough", "username", "请填写用户名或邮箱，也可以两者都填。"},
		{"a b", "", "long enough", "long enough", "username", "用户名只能包含字母、数字、“.”、“_”和“-”。"},
		{"123", "", "long enough", "long enough", "username", "用户名必须包含至少一个字母。"},
		{strings.Repeat("u", 65), "", "long enough", "long enough", "username", "用户名最多 64 个字符。"},
		{"", "x@", "long enough", "long enough", "email", "请输入有效的邮箱地址，例如 name@example.com。"},
		{"", strings.Repeat("e", 250) + "@example.com", "long enough", "long enough", "email", "邮箱地址过长。"},
		{"taken", "", "long enough", "long enough", "username", "该用户名已被使用。请直接登录，或换一个用户名。"},
		{"", "taken@example.com", "long enough", "long enough", "email", "该邮箱已注册。请直接登录，或使用其他邮箱。"},
	}
	for _, tt := range tests {
		form := url.Values{"username": {tt.username}, "email": {tt.email}, "password": {tt.password}, "password_confirm": {tt.confirm}}
		page := body(t, hs.post("/register?lang=zh-CN", form))
		if got := fieldError(page, tt.field); got != html.EscapeString(tt.want) {
			t.Errorf("%v: message at %s = %q, want %q", form, tt.field, got, tt.want)
		}
		if !strings.Contains(page, `<html lang="zh-CN">`) {
			t.Errorf("page not in zh-CN")
		}
	}
}

func TestInputErrorFallback(t *testing.T) {
	field, x := inputError(fmt.Errorf("%w: something new", model.ErrInvalidInput))
	if field != "" || x.Key != "register.error.invalid" {
		t.Errorf("inputError = %q, %+v; want the form-level message", field, x)
	}
}

// TestRegistrationSettings checks that the page follows the application's
// sign-up settings and, when no application is named, closes only when
// every application does.
func TestRegistrationSettings(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	open := hs.createApp("open")
	closed := hs.createApp("closed")
	verify := hs.createApp("verify")
	change := func(id string, fn func(*apps.CreateParams)) {
		t.Helper()
		if _, err := hs.apps.Update(context.Background(), id, func(p *apps.CreateParams) error { fn(p); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	change(closed.ID, func(p *apps.CreateParams) { p.RegistrationClosed = true })
	change(verify.ID, func(p *apps.CreateParams) { p.RegistrationEmailVerify = true })
	via := func(app *model.Application) string { return "/oauth/auth?client_id=" + app.ID + "&state=s" }
	closeAll := func() {
		for _, id := range []string{open.ID, verify.ID} {
			change(id, func(p *apps.CreateParams) { p.RegistrationClosed = true })
		}
	}
	tests := []struct {
		name, returnTo, username, email string
		before                          func()
		wantGet, wantPost               int
		wantText                        string
	}{
		{"open", via(open), "olga", "olga@example.com", nil, http.StatusOK, http.StatusSeeOther, ""},
		{"closed", via(closed), "cleo", "", nil, http.StatusForbidden, http.StatusForbidden, "does not accept new accounts"},
		{"no app named, some open", "", "nina", "nina@example.com", nil, http.StatusOK, http.StatusSeeOther, ""},
		{"email to verify", via(verify), "vera", "vera@example.com", nil, http.StatusOK, http.StatusForbidden, "must verify your email address first"},
		{"username only where email is verified", via(verify), "vick", "", nil, http.StatusOK, http.StatusSeeOther, ""},
		{"no app named, every one closed", "", "nora", "", closeAll, http.StatusForbidden, http.StatusForbidden, "does not accept new accounts"},
	}
	for _, tt := range tests {
		if tt.before != nil {
			tt.before()
		}
		t.Run(tt.name, func(t *testing.T) {
			get := hs.get("/register?return_to=" + url.QueryEscape(tt.returnTo))
			if page := body(t, get); get.StatusCode != tt.wantGet {
				t.Fatalf("GET: status %d, want %d:\n%s", get.StatusCode, tt.wantGet, page)
			}
			resp := hs.post("/register", url.Values{"username": {tt.username}, "email": {tt.email},
				"password": {"long enough"}, "password_confirm": {"long enough"}, "return_to": {tt.returnTo}})
			page := body(t, resp)
			if resp.StatusCode != tt.wantPost || !strings.Contains(page, tt.wantText) {
				t.Fatalf("POST: status %d, want %d with %q:\n%s", resp.StatusCode, tt.wantPost, tt.wantText, page)
			}
			_, err := hs.store.FindUserByLogin(context.Background(), tt.username)
			if created := err == nil; created != (tt.wantPost == http.StatusSeeOther) {
				t.Errorf("user created: %t (%v)", created, err)
			}
		})
	}
}
