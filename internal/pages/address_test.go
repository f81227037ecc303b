package pages

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
)

// sent returns the codes queued since the last read, by "channel address".
func (rh *resetHarness) sent() map[string]string {
	rh.t.Helper()
	claimed, err := rh.store.ClaimMessages(context.Background(), rh.clock.Now(), time.Minute, 10)
	if err != nil {
		rh.t.Fatal(err)
	}
	out := map[string]string{}
	for _, om := range claimed {
		m, err := outbox.Open(rh.sealer, om)
		if err != nil {
			rh.t.Fatal(err)
		}
		out[m.Channel+" "+m.To] = m.Code
	}
	return out
}

// audited makes the handler record audit events and returns them as they come.
func (rh *resetHarness) audited() *[]model.AuditEvent {
	var events []model.AuditEvent
	rec := audit.NewSync(rh.store, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return testNow })
	rec.Observe(func(e model.AuditEvent) { events = append(events, e) })
	rh.handler.audit = rec
	return &events
}

// verifiedUser creates a user whose email and phone (when given) are verified.
func (rh *resetHarness) verifiedUser(username, email, phone string) *model.User {
	rh.t.Helper()
	u := rh.createUser(username, email, phone, "correct horse battery")
	yes := true
	u, err := rh.users.Update(context.Background(), u.ID, users.Patch{EmailVerified: &yes, PhoneVerified: &yes})
	if err != nil {
		rh.t.Fatal(err)
	}
	return u
}

// another is a code that is not code.
func another(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// expect checks a response's status and redirect and returns its body.
func expect(t *testing.T, what string, resp *http.Response, status int, location string) string {
	t.Helper()
	b := body(t, resp)
	if resp.StatusCode != status || resp.Header.Get("Location") != location {
		t.Fatalf("%s: %d to %q, want %d to %q\n%s", what, resp.StatusCode, resp.Header.Get("Location"), status, location, b)
	}
	return b
}

func TestAccountAddressesReadOnlyWithoutDelivery(t *testing.T) {
	rh := newResetHarness(t)
	dora := rh.verifiedUser("dora", "dora@example.com", "")
	c := rh.startSession(dora.ID)
	b := expect(t, "account page", rh.get("/account", c), http.StatusOK, "")
	for _, s := range []string{"dora@example.com", `<span class="badge">Verified</span>`, "<dd>None</dd>"} {
		if !strings.Contains(b, s) {
			t.Errorf("the account page lacks %s:\n%s", s, b)
		}
	}
	for _, s := range []string{`action="/account/email"`, `action="/account/phone"`, `name="new_email"`} {
		if strings.Contains(b, s) {
			t.Errorf("an address change is offered without delivery (%s):\n%s", s, b)
		}
	}
	expect(t, "POST /account/email", rh.post("/account/email", url.Values{"new_email": {"new@example.com"}}, c), http.StatusNotFound, "")
	expect(t, "GET /account/phone/verify", rh.get("/account/phone/verify?new_phone=%2B8613800000001", c), http.StatusNotFound, "")
}

func TestAccountAddressFormsOnlyForDeliveredKinds(t *testing.T) {
	rh := newResetHarness(t, model.MessageSMS)
	dora := rh.createUser("dora", "dora@example.com", "+8613800000000", "correct horse battery")
	b := expect(t, "account page", rh.get("/account", rh.startSession(dora.ID)), http.StatusOK, "")
	for s, want := range map[string]bool{
		`action="/account/phone"`: true, `type="tel"`: true, `autocomplete="tel"`: true, "8613800000000": true,
		`<span class="badge unverified">Not verified</span>`: true, `action="/account/email"`: false, "autofocus": false,
	} {
		if strings.Contains(b, s) != want {
			t.Errorf("the account page has %s: %v, want %v\n%s", s, !want, want, b)
		}
	}
}

func TestAccountChangeEmailUnverified(t *testing.T) {
	rh := newResetHarness(t, model.MessageEmail)
	events := rh.audited()
	dora := rh.createUser("dora", "dora@example.com", "", "correct horse battery")
	c := rh.startSession(dora.ID)
	send := func(v string) *http.Response { return rh.post("/account/email", url.Values{"new_email": {v}}, c) }
	for _, tc := range []struct{ name, value, want string }{
		{"empty", "", "Enter an email address"},
		{"not an email", "dora@", "Enter an email address"},
		{"not storable", "a@b@example.com", "Enter an email address"},
		{"the same", " Dora@Example.com", "already your email"},
	} {
		b := expect(t, tc.name, send(tc.value), http.StatusBadRequest, "")
		if got := fieldError(b, "new_email"); !strings.Contains(got, tc.want) {
			t.Errorf("%s: error at new_email %q, want %q", tc.name, got, tc.want)
		}
		if !strings.Contains(b, `id="new_email"`) || !strings.Contains(b, "autofocus") || strings.Count(b, "autofocus") != 1 {
			t.Errorf("%s: the focus is not on the new email alone:\n%s", tc.name, b)
		}
	}
	if got := rh.sent(); len(got) != 0 {
		t.Fatalf("codes sent for bad input: %v", got)
	}

	verify := "/account/email/verify?new_email=new%40example.com"
	expect(t, "send", send(" New@Example.com "), http.StatusSeeOther, verify)
	codes := rh.sent()
	code := codes["CHANNEL_UPDATE_EMAIL new@example.com"]
	if len(codes) != 1 || code == "" {
		t.Fatalf("codes sent: %v, want one CHANNEL_UPDATE_EMAIL code to the new address only", codes)
	}
	b := expect(t, "code page", rh.get(verify, c), http.StatusOK, "")
	for _, s := range []string{`action="/account/email/verify"`, `name="new_email" value="new@example.com"`, `autocomplete="one-time-code"`,
		"<strong>new@example.com</strong>"} {
		if !strings.Contains(b, s) {
			t.Errorf("the code page lacks %s:\n%s", s, b)
		}
	}
	if strings.Contains(b, "old_code") {
		t.Errorf("a code from the unverified current address is asked:\n%s", b)
	}
	apply := func(code string) *http.Response {
		return rh.post("/account/email/verify", url.Values{"new_email": {"new@example.com"}, "code": {code}}, c)
	}
	if b := expect(t, "no code", apply(" "), http.StatusBadRequest, ""); fieldError(b, "code") == "" {
		t.Errorf("no error at the missing code:\n%s", b)
	}
	if b := expect(t, "wrong code", apply(another(code)), http.StatusForbidden, ""); !strings.Contains(fieldError(b, "code"), "wrong") {
		t.Errorf("no wrong-code error at the code:\n%s", b)
	}
	expect(t, "right code", apply(code), http.StatusSeeOther, "/account?changed=email")
	u, err := rh.store.GetUser(context.Background(), dora.ID)
	if err != nil || u.Email != "new@example.com" || !u.EmailVerified {
		t.Fatalf("after the change: %+v, %v; want new@example.com, verified", u, err)
	}
	if len(*events) != 1 || (*events)[0].Type != model.AuditAddressUpdate || (*events)[0].UserID != dora.ID ||
		(*events)[0].Detail != "email, hosted account page" {
		t.Errorf("audit events %+v, want one address update for dora from the account page", *events)
	}
	if b := body(t, rh.get("/account?changed=email", c)); !strings.Contains(b, `<p class="notice" role="status">Your email is changed.</p>`) {
		t.Errorf("no notice of the change:\n%s", b)
	}
	if b := expect(t, "the form again", apply(code), http.StatusBadRequest, ""); !strings.Contains(fieldError(b, "new_email"), "already your email") {
		t.Errorf("the form posted again is not answered at the account page:\n%s", b)
	}
	if hs := rh.sessionUser(c); hs != dora.ID {
		t.Error("the change signed this browser out")
	}
}

func TestAccountChangeEmailVerified(t *testing.T) {
	rh := newResetHarness(t, model.MessageEmail)
	dora := rh.verifiedUser("dora", "dora@example.com", "")
	c := rh.startSession(dora.ID)
	if b := body(t, rh.get("/account", c)); !strings.Contains(b, "and one to your current email") {
		t.Errorf("the form does not say the current email gets a code too:\n%s", b)
	}
	expect(t, "send", rh.post("/account/email", url.Values{"new_email": {"new@example.com"}}, c), http.StatusSeeOther,
		"/account/email/verify?new_email=new%40example.com")
	codes := rh.sent()
	newCode, oldCode := codes["CHANNEL_UPDATE_EMAIL new@example.com"], codes["CHANNEL_UPDATE_EMAIL dora@example.com"]
	if len(codes) != 2 || newCode == "" || oldCode == "" {
		t.Fatalf("codes sent: %v, want a CHANNEL_UPDATE_EMAIL code to each address", codes)
	}
	b := body(t, rh.get("/account/email/verify?new_email=new%40example.com", c))
	for _, s := range []string{`name="old_code"`, "<strong>dora@example.com</strong>"} {
		if !strings.Contains(b, s) {
			t.Errorf("the code page lacks %s:\n%s", s, b)
		}
	}
	apply := func(code, old string) *http.Response {
		return rh.post("/account/email/verify", url.Values{"new_email": {"new@example.com"}, "code": {code}, "old_code": {old}}, c)
	}
	for _, tc := range []struct {
		name, code, old string
		status          int
		field           string
	}{
		{"no old code", newCode, "", http.StatusBadRequest, "old_code"},
		{"wrong old code", newCode, another(oldCode), http.StatusForbidden, "old_code"},
		{"wrong new code", another(newCode), oldCode, http.StatusForbidden, "code"},
	} {
		b := expect(t, tc.name, apply(tc.code, tc.old), tc.status, "")
		if fieldError(b, tc.field) == "" || !strings.Contains(b, `id="`+tc.field+`" name="`+tc.field+`"`) {
			t.Errorf("%s: no error at %s:\n%s", tc.name, tc.field, b)
		}
		if !strings.Contains(b, `name="`+tc.field+`" type="text" value="" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" maxlength="6" required autofocus`) {
			t.Errorf("%s: the focus is not on %s:\n%s", tc.name, tc.field, b)
		}
	}
	// Neither wrong attempt spent the other, right code.
	expect(t, "both right", apply(newCode, oldCode), http.StatusSeeOther, "/account?changed=email")
	if u, err := rh.store.GetUser(context.Background(), dora.ID); err != nil || u.Email != "new@example.com" || !u.EmailVerified {
		t.Fatalf("after the change: %+v, %v", u, err)
	}
}

// Five wrong tries kill a code: the right one is refused after them, as
// it is once expired.
func TestAccountChangeEmailCodeDeadOrExpired(t *testing.T) {
	rh := newResetHarness(t, model.MessageEmail)
	dora := rh.createUser("dora", "", "", "correct horse battery")
	c := rh.startSession(dora.ID)
	expect(t, "send", rh.post("/account/email", url.Values{"new_email": {"dora@example.com"}}, c), http.StatusSeeOther,
		"/account/email/verify?new_email=dora%40example.com")
	code := rh.sent()["CHANNEL_UPDATE_EMAIL dora@example.com"]
	apply := func(code string) *http.Response {
		return rh.post("/account/email/verify", url.Values{"new_email": {"dora@example.com"}, "code": {code}}, c)
	}
	for range 5 {
		expect(t, "wrong code", apply(another(code)), http.StatusForbidden, "")
	}
	if b := expect(t, "right code after 5 wrong", apply(code), http.StatusForbidden, ""); !strings.Contains(fieldError(b, "code"), "send another") {
		t.Errorf("the dead code's error does not say to send another:\n%s", b)
	}

	expect(t, "send another", rh.post("/account/email", url.Values{"new_email": {"dora@example.com"}}, c), http.StatusTooManyRequests, "")
	rh.clock.Advance(time.Minute)
	expect(t, "send another after a minute", rh.post("/account/email", url.Values{"new_email": {"dora@example.com"}}, c), http.StatusSeeOther,
		"/account/email/verify?new_email=dora%40example.com")
	code = rh.sent()["CHANNEL_UPDATE_EMAIL dora@example.com"]
	rh.clock.Advance(passcode.Lifetime)
	if b := expect(t, "right code expired", apply(code), http.StatusForbidden, ""); !strings.Contains(fieldError(b, "code"), "expired") {
		t.Errorf("no expiry error at the code:\n%s", b)
	}
	if u, _ := rh.store.GetUser(context.Background(), dora.ID); u.Email != "" {
		t.Errorf("the email changed with a dead or expired code: %q", u.Email)
	}
}

func TestAccountChangePhone(t *testing.T) {
	rh := newResetHarness(t, model.MessageEmail, model.MessageSMS)
	events := rh.audited()
	dora := rh.verifiedUser("dora", "dora@example.com", "+8613800000000")
	c := rh.startSession(dora.ID)
	for _, bad := range []string{"", "12ab", "+1234", "+8613800000000"} {
		if b := expect(t, "bad phone "+bad, rh.post("/account/phone", url.Values{"new_phone": {bad}}, c), http.StatusBadRequest, ""); fieldError(b, "new_phone") == "" {
			t.Errorf("no error at new_phone for %q:\n%s", bad, b)
		}
	}
	expect(t, "send", rh.post("/account/phone", url.Values{"new_phone": {" +8613900000000 "}}, c), http.StatusSeeOther,
		"/account/phone/verify?new_phone=%2B8613900000000")
	codes := rh.sent()
	newCode, oldCode := codes["CHANNEL_BIND_PHONE +8613900000000"], codes["CHANNEL_UNBIND_PHONE +8613800000000"]
	if len(codes) != 2 || newCode == "" || oldCode == "" {
		t.Fatalf("codes sent: %v, want CHANNEL_BIND_PHONE to the new number and CHANNEL_UNBIND_PHONE to the current", codes)
	}
	b := expect(t, "code page", rh.get("/account/phone/verify?new_phone=%2B8613900000000", c), http.StatusOK, "")
	if !strings.Contains(b, `action="/account/phone/verify"`) || !strings.Contains(b, `name="old_code"`) {
		t.Errorf("the code page lacks the form or the current number's code:\n%s", b)
	}
	expect(t, "apply", rh.post("/account/phone/verify", url.Values{"new_phone": {"+8613900000000"}, "code": {newCode}, "old_code": {oldCode}}, c),
		http.StatusSeeOther, "/account?changed=phone")
	u, err := rh.store.GetUser(context.Background(), dora.ID)
	if err != nil || u.Phone != "+8613900000000" || !u.PhoneVerified || u.Email != "dora@example.com" {
		t.Fatalf("after the change: %+v, %v; want the new phone, verified, and the email kept", u, err)
	}
	if len(*events) != 1 || (*events)[0].Detail != "sms, hosted account page" {
		t.Errorf("audit events %+v, want one for the phone", *events)
	}
	if b := body(t, rh.get("/account?changed=phone", c)); !strings.Contains(b, "Your phone number is changed.") {
		t.Errorf("no notice of the change:\n%s", b)
	}
}

// An address another account has is refused as users.Update would refuse
// it, and nothing is sent to it; a second send within the minute is
// throttled.
func TestAccountChangeEmailTakenAndThrottled(t *testing.T) {
	rh := newResetHarness(t, model.MessageEmail)
	dora := rh.createUser("dora", "dora@example.com", "", "correct horse battery")
	rh.createUser("erin", "erin@example.com", "", "correct horse battery")
	c := rh.startSession(dora.ID)
	send := func(v string) *http.Response { return rh.post("/account/email", url.Values{"new_email": {v}}, c) }
	b := expect(t, "taken", send("Erin@example.com"), http.StatusConflict, "")
	if !strings.Contains(fieldError(b, "new_email"), "Another account already uses") || !strings.Contains(b, `value="Erin@example.com"`) {
		t.Errorf("the taken address is not refused at its field, kept:\n%s", b)
	}
	if got := rh.sent(); len(got) != 0 {
		t.Errorf("codes sent to a taken address: %v", got)
	}
	expect(t, "send", send("new@example.com"), http.StatusSeeOther, "/account/email/verify?new_email=new%40example.com")
	b = expect(t, "again within the minute", send("new@example.com"), http.StatusTooManyRequests, "")
	if !strings.Contains(fieldError(b, "new_email"), "Wait a minute") {
		t.Errorf("no throttle message at the field:\n%s", b)
	}
	// The "send new codes" form on the code page posts the same.
	if b := body(t, rh.get("/account/email/verify?new_email=new%40example.com", c)); !strings.Contains(b,
		`<form method="post" action="/account/email" class="again">`+"\n"+`<input type="hidden" name="new_email" value="new@example.com">`) {
		t.Errorf("the code page has no form to send new codes:\n%s", b)
	}
}

func TestAccountChangeAddressGuards(t *testing.T) {
	rh := newResetHarness(t, model.MessageEmail, model.MessageSMS)
	dora := rh.createUser("dora", "dora@example.com", "", "correct horse battery")
	c := rh.startSession(dora.ID)
	// Signed out: to sign in, and back to the account page.
	for what, resp := range map[string]*http.Response{
		"send":      rh.post("/account/email", url.Values{"new_email": {"new@example.com"}}),
		"code page": rh.get("/account/phone/verify?new_phone=%2B8613900000000"),
		"apply":     rh.post("/account/phone/verify", url.Values{"new_phone": {"+8613900000000"}, "code": {"123456"}}),
	} {
		expect(t, what+" signed out", resp, http.StatusSeeOther, "/login?return_to=%2Faccount")
	}
	// Nothing to confirm: back to the account page.
	expect(t, "code page without an address", rh.get("/account/email/verify", c), http.StatusSeeOther, "/account")
	if b := expect(t, "altered code form", rh.post("/account/email/verify", url.Values{"code": {"123456"}}, c), http.StatusBadRequest, ""); fieldError(b, "new_email") == "" {
		t.Errorf("a code form without its address is not answered at the account page's field:\n%s", b)
	}
	// Cross-origin posts are refused before anything is read or sent.
	for _, path := range []string{"/account/email", "/account/email/verify"} {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(url.Values{"new_email": {"evil@example.com"}, "code": {"123456"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.AddCookie(c)
		expect(t, "cross-site "+path, rh.do(req), http.StatusForbidden, "")
	}
	if got := rh.sent(); len(got) != 0 {
		t.Errorf("codes sent: %v", got)
	}
}
