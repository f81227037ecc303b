package pages

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/webauthntest"
)

// begin posts to a passkey begin endpoint as passkey.js does, with header
// (Sec-Fetch-Site, Origin) set as given.
func (mh *mfaHarness) begin(path string, header map[string]string, cookies ...*http.Cookie) *http.Response {
	req := httptest.NewRequest(http.MethodPost, path, nil)
	req.Header.Set("Accept", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return mh.do(req)
}

var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin"}

// addPasskey gives userID a stored passkey factor named name; its
// credential record is not a real one, so only pages that list passkeys
// can use it.
func (mh *mfaHarness) addPasskey(userID, name string) *model.Factor {
	mh.t.Helper()
	f := &model.Factor{ID: "pk-" + name, UserID: userID, Type: model.FactorWebAuthn, Name: name,
		CredentialID: base64.RawURLEncoding.EncodeToString([]byte(name)), Sealed: []byte("x"), CreatedAt: testNow}
	if err := mh.store.CreateFactor(context.Background(), f); err != nil {
		mh.t.Fatal(err)
	}
	return f
}

func TestPasskeyLoginPage(t *testing.T) {
	mh := newMFAHarness(t)
	resp := mh.get("/login?return_to=%2Faccount")
	page := body(t, resp)
	for _, want := range []string{`autocomplete="username webauthn"`, `data-passkey="login"`, `data-begin="/passkey/login/begin"`,
		`action="/passkey/login/finish"`, `data-conditional`, `<script src="/assets/passkey.js?v=`, `name="return_to" value="/account"`} {
		if !strings.Contains(page, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
	// Without the script the passkey form stays hidden.
	if !strings.Contains(page, `class="passkey" data-passkey="login"`) || !strings.Contains(page, " hidden novalidate>") {
		t.Errorf("the passkey form is not rendered hidden:\n%s", page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	js := mh.get(jsPath)
	if js.StatusCode != http.StatusOK || js.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
		!strings.Contains(body(t, js), "parseRequestOptionsFromJSON") {
		t.Errorf("script: status %d, type %q", js.StatusCode, js.Header.Get("Content-Type"))
	}
	// Other pages carry no script.
	if page := body(t, mh.get("/register")); strings.Contains(page, "<script") {
		t.Error("the registration page loads a script")
	}
}

func TestPasskeysOff(t *testing.T) {
	mh := newMFAHarnessAt(t, "http://127.0.0.1:8080")
	alice := mh.createUser("alice", "", "", "correct horse")
	mh.addPasskey(alice.ID, "laptop")
	mh.enrollTOTP(alice.ID)
	pages := map[string]string{"/login": body(t, mh.get("/login")), "/account": body(t, mh.get("/account", mh.startSession(alice.ID)))}
	pages[mfaPath] = body(t, mh.get(mfaPath, mh.signInPassword("/")))
	for path, page := range pages {
		if strings.Contains(page, "data-passkey") || strings.Contains(page, "webauthn") || strings.Contains(page, "<script") {
			t.Errorf("%s shows passkeys though they are off:\n%s", path, page)
		}
	}
	for _, path := range []string{passkeyLoginPath, passkeySecondPath, passkeyRegisterPath} {
		if resp := mh.begin(path+"/begin", sameOrigin); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s/begin with passkeys off: status %d, want 404", path, resp.StatusCode)
		}
		if resp := mh.post(path+"/finish", url.Values{"ticket": {"x"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s/finish with passkeys off: status %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestPasskeyBegin(t *testing.T) {
	mh := newMFAHarness(t)
	for _, tt := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"same-origin", sameOrigin, http.StatusOK},
		{"origin", map[string]string{"Origin": "http://localhost:8080"}, http.StatusOK},
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"other origin", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		// Not a browser's fetch from the page: refused all the same.
		{"no headers", nil, http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := mh.begin(passkeyLoginPath+"/begin", tt.header)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			if ct, cc := resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"); ct != "application/json" || cc != "no-store" {
				t.Errorf("Content-Type %q, Cache-Control %q", ct, cc)
			}
			var got struct {
				Ticket    string
				PublicKey struct {
					Challenge        string
					RPID             string `json:"rpId"`
					AllowCredentials []any
					UserVerification string
				}
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if got.Ticket == "" || got.PublicKey.Challenge == "" || got.PublicKey.RPID != "localhost" ||
				len(got.PublicKey.AllowCredentials) != 0 || got.PublicKey.UserVerification != "preferred" {
				t.Errorf("answer %+v", got)
			}
		})
	}
}

// refusal is the error text of a begin endpoint's JSON refusal.
func refusal(t *testing.T, resp *http.Response) string {
	t.Helper()
	var e struct{ Error string }
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Error == "" {
		t.Fatalf("refusal is not {error}: %v", err)
	}
	return e.Error
}

func TestPasskeyLoginRefused(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")
	ticket := func() string {
		var got struct{ Ticket string }
		if err := json.NewDecoder(mh.begin(passkeyLoginPath+"/begin", sameOrigin).Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		return got.Ticket
	}
	// An assertion that claims alice by its user handle.
	claimsAlice := `{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AA",` +
		`"signature":"AA","userHandle":"` + base64.RawURLEncoding.EncodeToString([]byte(alice.ID)) + `"}}`
	for _, tt := range []struct {
		name, ticket, credential string
	}{
		{"bad JSON", ticket(), "{"},
		{"empty", ticket(), ""},
		{"wrong ticket", "not-a-ticket", claimsAlice},
		{"unknown passkey", ticket(), claimsAlice},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := mh.post(passkeyLoginPath+"/finish", url.Values{"ticket": {tt.ticket}, "credential": {tt.credential},
				"return_to": {"/account"}})
			page := body(t, resp)
			if resp.StatusCode != http.StatusUnauthorized || sessionCookie(resp) != nil {
				t.Fatalf("status %d, want 401 and no session", resp.StatusCode)
			}
			if !strings.Contains(fieldError(page, "form"), "passkey was not accepted") || !strings.Contains(page, `name="return_to" value="/account"`) {
				t.Errorf("no readable error on the login page:\n%s", page)
			}
		})
	}
	if !mh.audited(model.AuditLoginFailure, alice.ID) {
		t.Error("no login.failure event for alice")
	}
	// Used up: a ticket is single use even when the assertion failed.
	used := ticket()
	mh.post(passkeyLoginPath+"/finish", url.Values{"ticket": {used}, "credential": {"{"}})
	// Two of the cases above claimed alice: with the rest of her lockout
	// spent, her sign-ins pause, the password's too.
	status := 0
	for range throttle.DefaultPolicy.AccountLockAfter - 2 {
		status = mh.post(passkeyLoginPath+"/finish", url.Values{"ticket": {"x"}, "credential": {claimsAlice}}).StatusCode
	}
	if status != http.StatusTooManyRequests || !mh.audited(model.AuditLoginLockout, alice.ID) {
		t.Errorf("after %d refused passkeys: status %d, want 429 and login.lockout", throttle.DefaultPolicy.AccountLockAfter, status)
	}
	if resp := mh.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("password after the passkey lockout: status %d, want 429", resp.StatusCode)
	}
}

func TestPasskeyFinishCSRF(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")
	session := mh.startSession(alice.ID)
	for _, path := range []string{passkeyLoginPath, passkeySecondPath, passkeyRegisterPath} {
		req := httptest.NewRequest(http.MethodPost, path+"/finish", strings.NewReader("ticket=x&credential=%7B%7D"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.AddCookie(session)
		if resp := mh.do(req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site %s/finish: status %d, want 403", path, resp.StatusCode)
		}
		if resp := mh.begin(path+"/begin", map[string]string{"Sec-Fetch-Site": "cross-site"}, session); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site %s/begin: status %d, want 403", path, resp.StatusCode)
		}
	}
}

func TestPasskeySecondFactor(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")

	// No held sign-in.
	if resp := mh.begin(passkeySecondPath+"/begin", sameOrigin); resp.StatusCode != http.StatusBadRequest || refusal(t, resp) == "" {
		t.Errorf("begin without a held sign-in: status %d, want 400", resp.StatusCode)
	}
	if resp := mh.post(passkeySecondPath+"/finish", url.Values{"ticket": {"x"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("finish without a held sign-in: status %d, want 400", resp.StatusCode)
	}

	// A user with an authenticator app only: no passkey on the page, and
	// the endpoints refuse.
	mh.enrollTOTP(alice.ID)
	pending := mh.signInPassword("/")
	if page := body(t, mh.get(mfaPath, pending)); strings.Contains(page, "data-passkey") {
		t.Error("the challenge offers a passkey to a user without one")
	}
	if resp := mh.begin(passkeySecondPath+"/begin", sameOrigin, pending); resp.StatusCode != http.StatusConflict {
		t.Errorf("begin for a user without passkeys: status %d, want 409", resp.StatusCode)
	}
	if resp := mh.post(passkeySecondPath+"/finish", url.Values{"ticket": {"x"}}, pending); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("finish for a user without passkeys: status %d, want 303 back", resp.StatusCode)
	}

	// With a passkey it is one of the factors; a refused one counts as a
	// wrong code and is said on the page.
	mh.addPasskey(alice.ID, "laptop")
	pending = mh.signInPassword("/")
	page := body(t, mh.get(mfaPath+"?lang=zh-CN", pending))
	for _, want := range []string{`data-passkey="second"`, `data-begin="/login/mfa/passkey/begin"`, "使用通行密钥", `name="code"`} {
		if !strings.Contains(page, want) {
			t.Errorf("challenge page lacks %s", want)
		}
	}
	resp := mh.post(passkeySecondPath+"/finish", url.Values{"ticket": {"not-a-ticket"}, "credential": {"{"}}, pending)
	page = body(t, resp)
	if resp.StatusCode != http.StatusUnauthorized || sessionCookie(resp) != nil || !strings.Contains(fieldError(page, "form"), "passkey was not accepted") {
		t.Errorf("refused passkey: status %d, error %q", resp.StatusCode, fieldError(page, "form"))
	}
	if !mh.audited(model.AuditMFAFailure, alice.ID) {
		t.Error("no mfa.failure event")
	}
}

func TestPasskeyAccount(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "alice@example.com", "", "correct horse")

	if resp := mh.begin(passkeyRegisterPath+"/begin", sameOrigin); resp.StatusCode != http.StatusUnauthorized || refusal(t, resp) == "" {
		t.Errorf("begin signed out: status %d, want 401", resp.StatusCode)
	}
	session := mh.startSession(alice.ID)
	page := body(t, mh.get(accountPath, session))
	for _, want := range []string{`id="passkeys"`, `data-passkey="register"`, `name="passkey_name"`, "You have no passkeys."} {
		if !strings.Contains(page, want) {
			t.Errorf("account page lacks %s", want)
		}
	}
	resp := mh.begin(passkeyRegisterPath+"/begin", sameOrigin, session)
	var got struct {
		Ticket    string
		PublicKey struct {
			User                   struct{ ID, Name, DisplayName string }
			AuthenticatorSelection struct{ ResidentKey string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("begin: status %d, %v", resp.StatusCode, err)
	}
	if got.Ticket == "" || got.PublicKey.User.Name != "alice" || got.PublicKey.User.ID != base64.RawURLEncoding.EncodeToString([]byte(alice.ID)) ||
		got.PublicKey.AuthenticatorSelection.ResidentKey != "required" {
		t.Errorf("options %+v", got.PublicKey)
	}

	for _, tt := range []struct {
		name, ticket, credential, passkeyName, want string
	}{
		{"bad JSON", got.Ticket, "{", "Laptop", "was not added"},
		{"used ticket", got.Ticket, "{}", "Laptop", "was not added"},
		{"long name", "x", "{}", strings.Repeat("名", maxPasskeyName+1), "at most 64"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := mh.post(passkeyRegisterPath+"/finish", url.Values{"ticket": {tt.ticket}, "credential": {tt.credential},
				"passkey_name": {tt.passkeyName}}, session)
			page := body(t, resp)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(fieldError(page, "passkey_name"), tt.want) {
				t.Errorf("status %d, error %q", resp.StatusCode, fieldError(page, "passkey_name"))
			}
		})
	}

	// Listed with when it was used, and removed by a plain form.
	f := mh.addPasskey(alice.ID, "Work <laptop>")
	page = body(t, mh.get(accountPath+"?lang=zh-CN", session))
	for _, want := range []string{"Work &lt;laptop&gt;", "添加于 2026-03-01", "从未使用", `name="factor" value="pk-Work &lt;laptop&gt;"`} {
		if !strings.Contains(page, want) {
			t.Errorf("account page lacks %s", want)
		}
	}
	resp = mh.post(accountPath+"/mfa/remove", url.Values{"factor": {f.ID}, "kind": {"passkey"}}, session)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != accountPath+"?changed=passkey_removed#passkeys" {
		t.Errorf("remove: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !mh.audited(model.AuditMFARemove, alice.ID) {
		t.Error("no mfa.remove event")
	}

	// An old session may not add one.
	mh.clock.Advance(recentAuth)
	if resp := mh.begin(passkeyRegisterPath+"/begin", sameOrigin, session); resp.StatusCode != http.StatusForbidden {
		t.Errorf("begin with an old session: status %d, want 403", resp.StatusCode)
	}
	if page := body(t, mh.get(accountPath, session)); strings.Contains(page, `data-passkey="register"`) {
		t.Error("an old session is offered to add a passkey")
	}
	resp = mh.post(passkeyRegisterPath+"/finish", url.Values{"ticket": {"x"}, "credential": {"{}"}}, session)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "changed=stale") {
		t.Errorf("finish with an old session: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

const testOrigin = "http://localhost:8080"

// ceremony begins at path (as passkey.js does, with cookies) and returns
// the ticket and the raw options.
func (mh *mfaHarness) ceremony(path string, cookies ...*http.Cookie) (string, []byte) {
	mh.t.Helper()
	resp := mh.begin(path+"/begin", sameOrigin, cookies...)
	var got struct {
		Ticket    string
		PublicKey json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		mh.t.Fatalf("%s/begin: status %d, %v", path, resp.StatusCode, err)
	}
	return got.Ticket, got.PublicKey
}

// registerPasskey adds a passkey of auth for the user of session, through
// the account page's two requests, and returns the finish answer.
func (mh *mfaHarness) registerPasskey(auth *webauthntest.Authenticator, name string, session *http.Cookie) *http.Response {
	mh.t.Helper()
	ticket, opts := mh.ceremony(passkeyRegisterPath, session)
	cred, err := auth.Create(opts, testOrigin)
	if err != nil {
		mh.t.Fatal(err)
	}
	return mh.post(passkeyRegisterPath+"/finish", url.Values{"ticket": {ticket}, "credential": {string(cred)},
		"passkey_name": {name}}, session)
}

// passkeyLogin signs in without a password with auth, towards returnTo.
func (mh *mfaHarness) passkeyLogin(auth *webauthntest.Authenticator, returnTo string) *http.Response {
	mh.t.Helper()
	ticket, opts := mh.ceremony(passkeyLoginPath)
	cred, err := auth.Get(opts, testOrigin)
	if err != nil {
		mh.t.Fatal(err)
	}
	return mh.post(passkeyLoginPath+"/finish", url.Values{"ticket": {ticket}, "credential": {string(cred)}, "return_to": {returnTo}})
}

func TestPasskeyCeremonies(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")
	auth := webauthntest.New()

	// Added on the account page: a first factor, so recovery codes follow.
	resp := mh.registerPasskey(auth, "  Work   laptop ", mh.startSession(alice.ID))
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || len(recoveryRE.FindAllString(page, -1)) != 10 {
		t.Fatalf("registration: status %d, want 200 with ten recovery codes:\n%s", resp.StatusCode, page)
	}
	list, err := mh.store.ListFactors(context.Background(), alice.ID)
	if err != nil || len(list) != 1 || list[0].Type != model.FactorWebAuthn || list[0].Name != "Work laptop" {
		t.Fatalf("factors %+v, %v", list, err)
	}
	if !mh.audited(model.AuditMFAEnroll, alice.ID) {
		t.Error("no mfa.enroll event")
	}
	// A second one needs no new codes; an empty name gets the default.
	second := webauthntest.New()
	resp = mh.registerPasskey(second, "", mh.startSession(alice.ID))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != accountPath+"?changed=passkey#passkeys" {
		t.Fatalf("second registration: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	list, _ = mh.store.ListFactors(context.Background(), alice.ID)
	if len(list) != 2 || !slices.ContainsFunc(list, func(f *model.Factor) bool { return f.Name == "Passkey" }) {
		t.Errorf("factors %+v", list)
	}

	// Passwordless with user verification: both factors, the session starts.
	authorize := "/oauth/auth?client_id=abc&state=s"
	resp = mh.passkeyLogin(auth, authorize)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != authorize {
		t.Fatalf("passwordless: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	s := sessionCookie(resp)
	if s == nil || mh.sessionUser(s) != alice.ID {
		t.Fatal("no session for alice")
	}
	if got, want := mh.sessionAMR(s), []string{"hwk", "user", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("amr = %v, want %v", got, want)
	}
	mh.mu.Lock()
	passkeySuccess := slices.ContainsFunc(mh.events, func(e model.AuditEvent) bool {
		return e.Type == model.AuditLoginSuccess && e.UserID == alice.ID && e.Detail == "passkey"
	})
	mh.mu.Unlock()
	if !passkeySuccess {
		t.Error("no login.success event with detail passkey")
	}
	history, _, err := mh.store.ListLogins(context.Background(), store.LoginQuery{UserID: alice.ID, Limit: 10})
	if err != nil || len(history) != 1 || history[0].Method != "passkey" {
		t.Errorf("login history %+v, %v; want one passkey sign-in", history, err)
	}

	// Without user verification a passkey is one factor: the sign-in is
	// held for one of another kind (here the authenticator app), and a
	// passkey is not offered again.
	auth.UV = false
	resp = mh.passkeyLogin(auth, "/")
	if page := body(t, resp); resp.StatusCode != http.StatusUnauthorized || sessionCookie(resp) != nil ||
		!strings.Contains(page, "did not check that it is you") {
		t.Fatalf("passkey without UV and no other factor: status %d:\n%s", resp.StatusCode, page)
	}
	secret := mh.enrollTOTP(alice.ID)
	resp = mh.passkeyLogin(auth, "/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != mfaPath || sessionCookie(resp) != nil {
		t.Fatalf("passkey without UV: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	pending := cookieNamed(resp, pendingCookie)
	if page := body(t, mh.get(mfaPath, pending)); strings.Contains(page, "data-passkey") || !strings.Contains(page, `name="code"`) {
		t.Errorf("challenge after a passkey without UV:\n%s", page)
	}
	if resp := mh.begin(passkeySecondPath+"/begin", sameOrigin, pending); resp.StatusCode != http.StatusConflict {
		t.Errorf("passkey after a passkey: begin status %d, want 409", resp.StatusCode)
	}
	resp = mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {mh.code(secret)}}, pending)
	if got, want := mh.sessionAMR(sessionCookie(resp)), []string{"hwk", "otp", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("passkey without UV, then TOTP: amr = %v, want %v", got, want)
	}
	auth.UV = true

	// The passkey as the second factor after a password.
	pending = mh.signInPassword(authorize)
	ticket, opts := mh.ceremony(passkeySecondPath, pending)
	cred, err := auth.Get(opts, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	resp = mh.post(passkeySecondPath+"/finish", url.Values{"ticket": {ticket}, "credential": {string(cred)}}, pending)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != authorize {
		t.Fatalf("second factor: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got, want := mh.sessionAMR(sessionCookie(resp)), []string{"hwk", "pwd", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("amr = %v, want %v", got, want)
	}
	if !mh.audited(model.AuditMFAVerify, alice.ID) {
		t.Error("no mfa.verify event")
	}

	// Another user's passkey does not finish alice's sign-in.
	bob := mh.createUser("bob", "", "", "correct horse")
	bobs := webauthntest.New()
	mh.registerPasskey(bobs, "Bob's", mh.startSession(bob.ID))
	pending = mh.signInPassword("/")
	ticket, _ = mh.ceremony(passkeySecondPath, pending)
	_, discoverable := mh.ceremony(passkeyLoginPath)
	cred, err = bobs.Get(discoverable, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	resp = mh.post(passkeySecondPath+"/finish", url.Values{"ticket": {ticket}, "credential": {string(cred)}}, pending)
	if resp.StatusCode != http.StatusUnauthorized || sessionCookie(resp) != nil {
		t.Errorf("bob's passkey for alice: status %d, want 401 and no session", resp.StatusCode)
	}

	// A suspended user's passkey signs nobody in.
	suspended := model.UserSuspended
	if _, err := mh.users.Update(context.Background(), alice.ID, users.Patch{Status: &suspended}); err != nil {
		t.Fatal(err)
	}
	resp = mh.passkeyLogin(auth, "/")
	page = body(t, resp)
	if resp.StatusCode != http.StatusForbidden || sessionCookie(resp) != nil || !strings.Contains(fieldError(page, "form"), "suspended") {
		t.Errorf("suspended: status %d, error %q", resp.StatusCode, fieldError(page, "form"))
	}
}

// TestPasskeyEnrollAtSignIn: a sign-in whose policy requires a factor the
// user lacks may add a passkey, which then finishes it as the second factor.
func TestPasskeyEnrollAtSignIn(t *testing.T) {
	mh := newMFAHarness(t)
	ctx := context.Background()
	alice := mh.createUser("alice", "", "", "correct horse")
	if err := mh.factors.SetPoolPolicy(ctx, model.MFARequired); err != nil {
		t.Fatal(err)
	}
	pending := mh.signInPassword("/account")
	page := body(t, mh.get(mfaPath, pending))
	if !strings.Contains(page, `data-begin="`+passkeyEnrollPath+`/begin"`) || !strings.Contains(page, "/assets/") {
		t.Fatalf("the enrollment offers no passkey:\n%s", page)
	}
	if resp := mh.begin(passkeyEnrollPath+"/begin", sameOrigin); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("begin without the held sign-in: status %d, want 400", resp.StatusCode)
	}
	auth := webauthntest.New()
	ticket, opts := mh.ceremony(passkeyEnrollPath, pending)
	cred, err := auth.Create(opts, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"ticket": {ticket}, "credential": {string(cred)}, "passkey_name": {strings.Repeat("x", maxPasskeyName+1)}}
	if resp := mh.post(passkeyEnrollPath+"/finish", form, pending); resp.StatusCode != http.StatusBadRequest || sessionCookie(resp) != nil {
		t.Errorf("a name too long: status %d", resp.StatusCode)
	}
	form.Set("passkey_name", "Phone")
	resp := mh.post(passkeyEnrollPath+"/finish", form, pending)
	page = body(t, resp)
	s := sessionCookie(resp)
	if resp.StatusCode != http.StatusOK || s == nil || len(recoveryRE.FindAllString(page, -1)) != mfa.RecoveryCodeCount {
		t.Fatalf("enroll: status %d, session %v:\n%s", resp.StatusCode, s, page)
	}
	if got, want := mh.sessionAMR(s), []string{"hwk", "pwd", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("amr = %v, want %v", got, want)
	}
	if list, _ := mh.store.ListFactors(ctx, alice.ID); len(list) != 1 || list[0].Type != model.FactorWebAuthn || list[0].Name != "Phone" {
		t.Errorf("factors %+v", list)
	}
	if !mh.audited(model.AuditMFAEnroll, alice.ID) {
		t.Error("no mfa.enroll event")
	}
	// The held sign-in is over; a challenge (the user has a factor now) adds none.
	if resp := mh.begin(passkeyEnrollPath+"/begin", sameOrigin, pending); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("the used sign-in again: status %d, want 400", resp.StatusCode)
	}
	mh.clock.Advance(2 * time.Minute)
	pending = mh.signInPassword("/")
	if resp := mh.begin(passkeyEnrollPath+"/begin", sameOrigin, pending); resp.StatusCode != http.StatusConflict {
		t.Errorf("a challenge adding a passkey: status %d, want 409", resp.StatusCode)
	}
}

// TestPasskeyBeginLimit: one address may start only so many passwordless
// ceremonies an hour, since each stores a ticket; others still may.
func TestPasskeyBeginLimit(t *testing.T) {
	mh := newMFAHarness(t)
	for i := range throttle.DefaultPolicy.PasskeyBeginsPerAddress {
		if resp := mh.begin(passkeyLoginPath+"/begin", sameOrigin); resp.StatusCode != http.StatusOK {
			t.Fatalf("begin %d: status %d", i+1, resp.StatusCode)
		}
	}
	resp := mh.begin(passkeyLoginPath+"/begin", sameOrigin)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(refusal(t, resp), "Too many passkey sign-ins") {
		t.Fatalf("over the limit: status %d", resp.StatusCode)
	}
	mh.clock.Advance(throttle.DefaultPolicy.Window)
	if resp := mh.begin(passkeyLoginPath+"/begin", sameOrigin); resp.StatusCode != http.StatusOK {
		t.Errorf("an hour later: status %d", resp.StatusCode)
	}
}
