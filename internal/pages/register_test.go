package pages

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/passcode"
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
		{"email to verify", via(verify), "vera", "vera@example.com", nil, http.StatusOK, http.StatusForbidden, "email is not configured on this server"},
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

// codeHarness is the hosted pages able to send email, with one application
// that requires a verified email (verify) and one that does not (open).
type codeHarness struct {
	*resetHarness
	verify, open string // return_to through each application
}

func newCodeHarness(t *testing.T) *codeHarness {
	rh := newResetHarness(t, model.MessageEmail)
	rh.createUser("taken", "taken@example.com", "", "correct horse")
	verify, open := rh.createApp("verify"), rh.createApp("open")
	if _, err := rh.apps.Update(context.Background(), verify.ID, func(p *apps.CreateParams) error {
		p.RegistrationEmailVerify = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	via := func(app *model.Application) string { return "/oauth/auth?client_id=" + app.ID + "&state=s" }
	return &codeHarness{resetHarness: rh, verify: via(verify), open: via(open)}
}

// send presses "Send code" on a form with these entries.
func (ch *codeHarness) send(returnTo, username, email string) *http.Response {
	return ch.post("/register/code", url.Values{"username": {username}, "email": {email},
		"password": {"long enough"}, "password_confirm": {"long enough"}, "return_to": {returnTo}})
}

// sendCode presses "Send code" and returns the code the message carries.
func (ch *codeHarness) sendCode(returnTo, email string) string {
	ch.t.Helper()
	if resp := ch.send(returnTo, "", email); resp.StatusCode != http.StatusOK {
		ch.t.Fatalf("send a code: %d\n%s", resp.StatusCode, body(ch.t, resp))
	}
	code := ch.codes(passcode.ChannelCompleteEmail)[email]
	if code == "" {
		ch.t.Fatalf("no code queued for %s", email)
	}
	return code
}

// register submits the form with a password that passes.
func (ch *codeHarness) register(returnTo, username, email, code string) *http.Response {
	return ch.post("/register", url.Values{"username": {username}, "email": {email}, "code": {code},
		"password": {"long enough"}, "password_confirm": {"long enough"}, "return_to": {returnTo}})
}

// wrongCode is a code that is not code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// TestRegisterEmailCode follows a registration that proves its email with
// a CHANNEL_COMPLETE_EMAIL code, required by the application (verify) or
// offered (open).
func TestRegisterEmailCode(t *testing.T) {
	tests := []struct {
		name string
		// run submits the form (after sending codes as it needs) and
		// returns the answer and the login of the user it should create.
		run          func(ch *codeHarness) (*http.Response, string)
		wantStatus   int
		wantField    string // where the message is, when the form comes back
		wantText     string
		wantVerified bool // the created user's email
	}{
		{"required, no code", func(ch *codeHarness) (*http.Response, string) {
			return ch.register(ch.verify, "vera", "vera@example.com", ""), "vera"
		}, http.StatusBadRequest, "code", "Enter the code we sent to your email address", false},
		{"required, right code", func(ch *codeHarness) (*http.Response, string) {
			code := ch.sendCode(ch.verify, "vera@example.com")
			return ch.register(ch.verify, "vera", " Vera@Example.com", code), "vera"
		}, http.StatusSeeOther, "", "", true},
		{"required, email only, right code", func(ch *codeHarness) (*http.Response, string) {
			code := ch.sendCode(ch.verify, "vera@example.com")
			return ch.register(ch.verify, "", "vera@example.com", code), "vera@example.com"
		}, http.StatusSeeOther, "", "", true},
		{"required, wrong code", func(ch *codeHarness) (*http.Response, string) {
			code := ch.sendCode(ch.verify, "vera@example.com")
			return ch.register(ch.verify, "vera", "vera@example.com", wrongCode(code)), "vera"
		}, http.StatusForbidden, "code", "This code is wrong or was already used.", false},
		{"required, another address's code", func(ch *codeHarness) (*http.Response, string) {
			code := ch.sendCode(ch.verify, "vera@example.com")
			return ch.register(ch.verify, "vick", "vick@example.com", code), "vick"
		}, http.StatusForbidden, "code", "This code is wrong or was already used.", false},
		{"required, expired code", func(ch *codeHarness) (*http.Response, string) {
			code := ch.sendCode(ch.verify, "vera@example.com")
			ch.clock.Advance(passcode.Lifetime)
			return ch.register(ch.verify, "vera", "vera@example.com", code), "vera"
		}, http.StatusForbidden, "code", "This code has expired.", false},
		{"required, username only", func(ch *codeHarness) (*http.Response, string) {
			return ch.register(ch.verify, "vick", "", ""), "vick"
		}, http.StatusSeeOther, "", "", false},
		{"a code without an email", func(ch *codeHarness) (*http.Response, string) {
			return ch.register(ch.open, "olga", "", "123456"), "olga"
		}, http.StatusBadRequest, "email", "A code proves an email address", false},
		{"a code for a bad email", func(ch *codeHarness) (*http.Response, string) {
			return ch.register(ch.verify, "vera", "vera@", "123456"), "vera"
		}, http.StatusBadRequest, "email", "Enter an email address such as name@example.com.", false},
		{"offered, no code", func(ch *codeHarness) (*http.Response, string) {
			return ch.register(ch.open, "olga", "olga@example.com", ""), "olga"
		}, http.StatusSeeOther, "", "", false},
		{"offered, right code", func(ch *codeHarness) (*http.Response, string) {
			code := ch.sendCode(ch.open, "olga@example.com")
			return ch.register(ch.open, "olga", "olga@example.com", code), "olga"
		}, http.StatusSeeOther, "", "", true},
		{"offered, wrong code", func(ch *codeHarness) (*http.Response, string) {
			code := ch.sendCode(ch.open, "olga@example.com")
			return ch.register(ch.open, "olga", "olga@example.com", wrongCode(code)), "olga"
		}, http.StatusForbidden, "code", "This code is wrong or was already used.", false},
		{"a taken username keeps the code good", func(ch *codeHarness) (*http.Response, string) {
			code := ch.sendCode(ch.verify, "vera@example.com")
			resp := ch.register(ch.verify, "taken", "vera@example.com", code)
			if b := body(ch.t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(b, "This username is taken.") {
				ch.t.Fatalf("taken username: %d\n%s", resp.StatusCode, b)
			}
			return ch.register(ch.verify, "vera", "vera@example.com", code), "vera"
		}, http.StatusSeeOther, "", "", true},
		{"a code works once", func(ch *codeHarness) (*http.Response, string) {
			code := ch.sendCode(ch.open, "olga@example.com")
			if resp := ch.register(ch.open, "olga", "olga@example.com", code); resp.StatusCode != http.StatusSeeOther {
				ch.t.Fatalf("first use: %d", resp.StatusCode)
			}
			if err := ch.users.Delete(context.Background(), []string{ch.findUser("olga").ID}); err != nil {
				ch.t.Fatal(err)
			}
			return ch.register(ch.open, "olga", "olga@example.com", code), "olga"
		}, http.StatusForbidden, "code", "This code is wrong or was already used.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := newCodeHarness(t)
			resp, login := tt.run(ch)
			page := body(t, resp)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.wantStatus, page)
			}
			_, err := ch.store.FindUserByLogin(context.Background(), login)
			if tt.wantStatus != http.StatusSeeOther {
				if got := fieldError(page, tt.wantField); !strings.Contains(got, html.EscapeString(tt.wantText)) {
					t.Errorf("message at %s = %q, want %q:\n%s", tt.wantField, got, tt.wantText, page)
				}
				if !strings.Contains(page, `id="`+tt.wantField+`" name="`+tt.wantField+`"`) ||
					!strings.Contains(page, `autofocus aria-invalid="true" aria-describedby="`) {
					t.Errorf("the first error's field is not focused and described:\n%s", page)
				}
				if err == nil || sessionCookie(resp) != nil {
					t.Errorf("a refused registration created %s or signed in", login)
				}
				return
			}
			u := ch.findUser(login)
			if c := sessionCookie(resp); c == nil || ch.sessionUser(c) != u.ID {
				t.Error("the new user is not signed in")
			}
			if u.EmailVerified != tt.wantVerified {
				t.Errorf("email %q verified: %t, want %t", u.Email, u.EmailVerified, tt.wantVerified)
			}
		})
	}
}

func (hs *harness) findUser(login string) *model.User {
	hs.t.Helper()
	u, err := hs.store.FindUserByLogin(context.Background(), login)
	if err != nil {
		hs.t.Fatalf("user %s: %v", login, err)
	}
	return u
}

// TestRegisterSendCode checks the "Send code" step: the form comes back
// with the entries but the passwords and the code input focused, and a
// code is queued only where it can be of use.
func TestRegisterSendCode(t *testing.T) {
	ch := newCodeHarness(t)
	get := body(t, ch.get("/register?return_to="+url.QueryEscape(ch.verify)))
	for _, want := range []string{
		// Enter submits through the first submit button: it must create the account.
		`<input type="hidden" name="return_to" value="` + html.EscapeString(ch.verify) + `">` + "\n" + `<button type="submit" hidden>Create account</button>`,
		`<button type="submit" class="secondary send-code" formaction="/register/code">Send code</button>`,
		`<input id="code" name="code" type="text" value="" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" maxlength="6" aria-describedby="code-hint">`,
		`id="code-hint">This application needs your email address verified`,
	} {
		if !strings.Contains(get, want) {
			t.Errorf("the form lacks %q:\n%s", want, get)
		}
	}
	if b := body(t, ch.get("/register?return_to="+url.QueryEscape(ch.open))); !strings.Contains(b, `id="code-hint">Optional: to verify your email address`) {
		t.Errorf("where verification is optional, the code hint does not say so:\n%s", b)
	}

	resp := ch.send(ch.verify, "vera", " Vera@Example.com")
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("send: %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{
		`name="username" type="text" value="vera"`,
		`name="email" type="email" value=" Vera@Example.com"`,
		`maxlength="6" autofocus aria-describedby="code-hint">`,
		`id="code-hint">We sent a code to vera@example.com. It is valid for 5 minutes.`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("after sending, the form lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "long enough") {
		t.Error("the password is echoed")
	}
	if got := ch.codes(passcode.ChannelCompleteEmail); len(got) != 1 || got["vera@example.com"] == "" {
		t.Errorf("codes queued: %v, want one to vera@example.com", got)
	}

	for _, tt := range []struct {
		name, email string
		wantStatus  int
		wantField   string
		wantText    string
	}{
		{"again within the minute", "vera@example.com", http.StatusTooManyRequests, "form", "Too many codes were requested."},
		{"no email", " ", http.StatusBadRequest, "email", "Enter the email address to send a code to."},
		{"bad email", "vera@", http.StatusBadRequest, "email", "Enter an email address such as name@example.com."},
		// An account's address gets no mail: the registration would be refused.
		{"taken", "TAKEN@example.com", http.StatusConflict, "email", "An account with this email address already exists."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := ch.send(ch.verify, "vera", tt.email)
			page := body(t, resp)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(fieldError(page, tt.wantField), html.EscapeString(tt.wantText)) {
				t.Fatalf("%d with %q at %s, want %d with %q:\n%s", resp.StatusCode, fieldError(page, tt.wantField),
					tt.wantField, tt.wantStatus, tt.wantText, page)
			}
			if !strings.Contains(page, `name="email" type="email" value="`+tt.email+`"`) {
				t.Errorf("the email is not kept:\n%s", page)
			}
			if got := ch.codes(passcode.ChannelCompleteEmail); len(got) != 0 {
				t.Errorf("codes queued: %v, want none", got)
			}
		})
	}

	resp = ch.post("/register/code?lang=zh-CN", url.Values{"email": {"wei@example.com"}, "return_to": {ch.verify}})
	if page := body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="code-hint">验证码已发送至 wei@example.com，5 分钟内有效。`) ||
		!strings.Contains(page, `formaction="/register/code">发送验证码</button>`) {
		t.Errorf("send in Chinese: %d\n%s", resp.StatusCode, page)
	}
	if got := ch.codes(passcode.ChannelCompleteEmail); got["wei@example.com"] == "" {
		t.Errorf("codes queued: %v, want one to wei@example.com", got)
	}

	// Another site cannot make the page mail an address.
	req := httptest.NewRequest(http.MethodPost, "/register/code", strings.NewReader(url.Values{"email": {"zed@example.com"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp := ch.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site send: %d, want 403", resp.StatusCode)
	}
	if got := ch.codes(passcode.ChannelCompleteEmail); len(got) != 0 {
		t.Errorf("codes queued by a cross-site post: %v", got)
	}

	closed := newCodeHarness(t)
	closeApp := closed.createApp("closed")
	if _, err := closed.apps.Update(context.Background(), closeApp.ID, func(p *apps.CreateParams) error {
		p.RegistrationClosed = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if resp := closed.send("/oauth/auth?client_id="+closeApp.ID, "", "cleo@example.com"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("send where registration is closed: %d, want 403", resp.StatusCode)
	}
	if got := closed.codes(passcode.ChannelCompleteEmail); len(got) != 0 {
		t.Errorf("codes queued where registration is closed: %v", got)
	}
}

// TestRegisterWithoutEmailDelivery: without email, the form has no code
// step and an application that requires a verified email takes no email.
func TestRegisterWithoutEmailDelivery(t *testing.T) {
	rh := newResetHarness(t, model.MessageSMS)
	verify := rh.createApp("verify")
	if _, err := rh.apps.Update(context.Background(), verify.ID, func(p *apps.CreateParams) error {
		p.RegistrationEmailVerify = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	returnTo := "/oauth/auth?client_id=" + verify.ID
	if b := body(t, rh.get("/register?return_to="+url.QueryEscape(returnTo))); strings.Contains(b, `id="code"`) || strings.Contains(b, "/register/code") {
		t.Errorf("a code step without email:\n%s", b)
	}
	if resp := rh.post("/register/code", url.Values{"email": {"vera@example.com"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /register/code without email: %d, want 404", resp.StatusCode)
	}
	resp := rh.post("/register", url.Values{"username": {"vera"}, "email": {"vera@example.com"}, "code": {"123456"},
		"password": {"long enough"}, "password_confirm": {"long enough"}, "return_to": {returnTo}})
	page := body(t, resp)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(fieldError(page, "email"), "email is not configured on this server") {
		t.Fatalf("%d, want 403 and the message at the email:\n%s", resp.StatusCode, page)
	}
	if _, err := rh.store.FindUserByLogin(context.Background(), "vera"); err == nil {
		t.Error("the refused registration created a user")
	}
}
