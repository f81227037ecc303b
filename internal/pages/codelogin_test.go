package pages

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/model"
)

func TestCodeLoginOnlyWithDelivery(t *testing.T) {
	for _, tc := range []struct {
		name     string
		delivers []string
		label    string // the address input's label; "": no code sign-in
	}{
		{"none", nil, ""},
		{"email", []string{model.MessageEmail}, "Email"},
		{"sms", []string{model.MessageSMS}, "Phone number"},
		{"both", []string{model.MessageEmail, model.MessageSMS}, "Email or phone number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rh := newResetHarness(t, tc.delivers...)
			login := body(t, rh.get("/login?return_to=%2Fhome"))
			resp := rh.get("/login/code?return_to=%2Fhome")
			page := body(t, resp)
			if tc.label == "" {
				if strings.Contains(login, "/login/code") || resp.StatusCode != http.StatusNotFound {
					t.Fatalf("code sign-in offered (%d) without delivery:\n%s", resp.StatusCode, login)
				}
				return
			}
			if !strings.Contains(login, `href="/login/code?return_to=%2Fhome"`) {
				t.Errorf("no code sign-in link keeping return_to on the sign-in page:\n%s", login)
			}
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, ">"+tc.label+"</label>") {
				t.Errorf("GET /login/code: %d, want 200 with the label %q:\n%s", resp.StatusCode, tc.label, page)
			}
		})
	}
}

func TestCodeLoginPages(t *testing.T) {
	rh := newResetHarness(t, model.MessageEmail, model.MessageSMS)
	dora := rh.createUser("dora", "dora@example.com", "+8613800000000", "correct horse battery")
	app := rh.createApp("Shop")
	returnTo := "/authorize?client_id=" + app.ID
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	want := func(what string, resp *http.Response, status int, location string) string {
		t.Helper()
		b := body(t, resp)
		if resp.StatusCode != status || resp.Header.Get("Location") != location {
			t.Fatalf("%s: %d to %q, want %d to %q\n%s", what, resp.StatusCode, resp.Header.Get("Location"), status, location, b)
		}
		return b
	}
	verifyURL := func(address string) string {
		return "/login/code/verify?" + url.Values{"address": {address}, "return_to": {returnTo}}.Encode()
	}

	for _, bad := range []string{"", "dora", "dora@", "12ab", "+1234"} {
		b := want("bad address "+bad, rh.post("/login/code", form("address", bad)), http.StatusBadRequest, "")
		if fieldError(b, "address") == "" {
			t.Errorf("no error at the address for %q", bad)
		}
	}
	// An unknown address gets the same answer, and no code.
	want("unknown", rh.post("/login/code", form("address", "nobody@example.com", "return_to", returnTo)), http.StatusSeeOther,
		verifyURL("nobody@example.com"))
	if got := rh.codes(passcode.ChannelLogin); len(got) != 0 {
		t.Fatalf("a code sent to an unknown address: %v", got)
	}
	want("email", rh.post("/login/code", form("address", " Dora@Example.com", "return_to", returnTo)), http.StatusSeeOther,
		verifyURL("dora@example.com"))
	want("phone", rh.post("/login/code", form("address", "+8613800000000", "return_to", returnTo)), http.StatusSeeOther,
		verifyURL("+8613800000000"))
	codes := rh.codes(passcode.ChannelLogin)
	emailCode, smsCode := codes["dora@example.com"], codes["+8613800000000"]
	if emailCode == "" || smsCode == "" {
		t.Fatalf("codes sent: %v, want one to the email and one to the phone", codes)
	}
	want("again within the minute", rh.post("/login/code", form("address", "dora@example.com")), http.StatusTooManyRequests, "")

	b := want("code form", rh.get(verifyURL("dora@example.com")), http.StatusOK, "")
	for _, s := range []string{`action="/login/code/verify"`, `value="dora@example.com"`, `autocomplete="one-time-code"`, "<strong>Shop</strong>"} {
		if !strings.Contains(b, s) {
			t.Errorf("the code form lacks %s:\n%s", s, b)
		}
	}
	wrong := "000000"
	if emailCode == wrong {
		wrong = "111111"
	}
	verify := func(address, code string) *http.Response {
		return rh.post("/login/code/verify", form("address", address, "code", code, "return_to", returnTo))
	}
	b = want("no code", verify("dora@example.com", " "), http.StatusBadRequest, "")
	if fieldError(b, "code") == "" {
		t.Error("no error at the missing code")
	}
	want("wrong code", verify("dora@example.com", wrong), http.StatusUnauthorized, "")
	want("unknown address", verify("nobody@example.com", emailCode), http.StatusUnauthorized, "")
	resp := verify("dora@example.com", emailCode)
	want("email code", resp, http.StatusSeeOther, returnTo)
	if c := sessionCookie(resp); c == nil || rh.sessionUser(c) != dora.ID {
		t.Fatal("signing in with the email code started no session for dora")
	}
	want("the code again", verify("dora@example.com", emailCode), http.StatusUnauthorized, "")
	resp = verify("+8613800000000", smsCode)
	want("sms code", resp, http.StatusSeeOther, returnTo)
	if c := sessionCookie(resp); c == nil || rh.sessionUser(c) != dora.ID {
		t.Fatal("signing in with the SMS code started no session for dora")
	}

	// Cross-origin posts are refused before anything is read.
	req := httptest.NewRequest(http.MethodPost, "/login/code/verify", strings.NewReader(form("address", "dora@example.com", "code", smsCode).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	want("cross-site", rh.do(req), http.StatusForbidden, "")
}

// Wrong codes count as failed sign-ins against the account: enough of them
// pause sign-in, as the password form's do.
func TestCodeLoginLockout(t *testing.T) {
	rh := newResetHarness(t, model.MessageEmail)
	rh.createUser("dora", "dora@example.com", "", "correct horse battery")
	var last *http.Response
	for range 20 {
		last = rh.post("/login/code/verify", url.Values{"address": {"dora@example.com"}, "code": {"000000"}})
		if last.StatusCode != http.StatusUnauthorized {
			break
		}
	}
	if b := body(t, last); last.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "Sign-in to this account is paused") {
		t.Fatalf("after wrong codes: %d, want 429 and the lockout message\n%s", last.StatusCode, b)
	}
	resp := rh.post("/login", url.Values{"username": {"dora"}, "password": {"correct horse battery"}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the password form after the code lockout: %d, want 429", resp.StatusCode)
	}
}
