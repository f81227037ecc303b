package pages

import (
	"context"
	crand "crypto/rand"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// mfaHarness is the hosted pages with second factors, the sign-in lockout
// and an audit trail, on a clock the test moves.
type mfaHarness struct {
	*harness
	factors *mfa.Service
	sealer  *secret.Sealer
	clock   *clock.Fake
	mu      sync.Mutex
	events  []model.AuditEvent
	// cfg is the handler's configuration, for tests that add to it.
	cfg Config
}

func newMFAHarness(t *testing.T) *mfaHarness { return newMFAHarnessAt(t, "http://localhost:8080") }

func newMFAHarnessAt(t *testing.T, publicURL string) *mfaHarness {
	hs := newHarness(t, publicURL)
	sealer, err := secret.NewSealer(make([]byte, secret.KeyLen), crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := sealer.DeriveKey(passcode.KeyPurpose)
	if err != nil {
		t.Fatal(err)
	}
	mh := &mfaHarness{harness: hs, clock: clock.NewFake(testNow), sealer: sealer}
	hs.sessions.Now = mh.clock.Now
	ids := token.NewSource(crand.Reader)
	codes := &passcode.Service{Store: hs.store, Sealer: sealer, Key: key, Rand: crand.Reader, NewID: ids.ID, Now: mh.clock.Now}
	mh.factors = &mfa.Service{Store: hs.store, Sealer: sealer, Key: key, Issuer: "GenAuth", Grants: codes, Rand: crand.Reader,
		NewID: ids.ID, Now: mh.clock.Now}
	// As the server does: passkeys when the host is a name, none for an IP.
	if wa, err := mfa.NewWebAuthn(publicURL, "GenAuth"); err == nil {
		mh.factors.WebAuthn = wa
	}
	rec := audit.NewSync(hs.store, slog.New(slog.DiscardHandler), mh.clock.Now)
	rec.Observe(func(e model.AuditEvent) {
		mh.mu.Lock()
		defer mh.mu.Unlock()
		mh.events = append(mh.events, e)
	})
	limiter := &throttle.Limiter{Store: hs.store, Now: mh.clock.Now, Policy: throttle.DefaultPolicy, LoginKey: key}
	mh.cfg = Config{Store: hs.store, Users: hs.users, Sessions: hs.sessions, PublicURL: publicURL,
		Limiter: limiter, Audit: rec, Factors: mh.factors, Codes: codes,
		Delivers: map[string]bool{model.MessageEmail: true, model.MessageSMS: true}}
	hs.handler, err = New(mh.cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs.mux = http.NewServeMux()
	hs.handler.Register(edge.NewRoutes(hs.mux))
	return mh
}

// audited says whether an event of type typ was recorded for userID.
func (mh *mfaHarness) audited(typ, userID string) bool {
	mh.mu.Lock()
	defer mh.mu.Unlock()
	return slices.ContainsFunc(mh.events, func(e model.AuditEvent) bool { return e.Type == typ && e.UserID == userID })
}

// enrollTOTP gives userID an authenticator app directly and returns its secret.
func (mh *mfaHarness) enrollTOTP(userID string) string {
	mh.t.Helper()
	setup, err := mh.factors.NewTOTP("alice")
	if err != nil {
		mh.t.Fatal(err)
	}
	if _, err := mh.factors.EnrollTOTP(context.Background(), userID, setup.Secret, mh.code(setup.Secret)); err != nil {
		mh.t.Fatal(err)
	}
	// The enrollment used this step's code: sign-ins start at the next.
	mh.clock.Advance(mfa.Period)
	return setup.Secret
}

// sentCode is the code last queued for channel to address.
func (mh *mfaHarness) sentCode(channel, to string) string {
	mh.t.Helper()
	claimed, err := mh.store.ClaimMessages(context.Background(), mh.clock.Now(), time.Minute, 10)
	if err != nil {
		mh.t.Fatal(err)
	}
	code := ""
	for _, om := range claimed {
		m, err := outbox.Open(mh.sealer, om)
		if err != nil {
			mh.t.Fatal(err)
		}
		if m.Channel == channel && m.To == to {
			code = m.Code
		}
	}
	if code == "" {
		mh.t.Fatalf("no %s code sent to %s", channel, to)
	}
	return code
}

// code is secret's TOTP code now.
func (mh *mfaHarness) code(secret string) string {
	mh.t.Helper()
	c, err := totp.GenerateCode(secret, mh.clock.Now())
	if err != nil {
		mh.t.Fatal(err)
	}
	return c
}

// signInPassword posts the password form and returns the pending cookie
// the second step needs.
func (mh *mfaHarness) signInPassword(returnTo string) *http.Cookie {
	mh.t.Helper()
	resp := mh.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}, "return_to": {returnTo}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != mfaPath {
		mh.t.Fatalf("password sign-in: status %d to %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), mfaPath)
	}
	if sessionCookie(resp) != nil {
		mh.t.Fatal("a session started before the second factor")
	}
	c := cookieNamed(resp, pendingCookie)
	if c == nil {
		mh.t.Fatal("no pending cookie")
	}
	return c
}

// sessionAMR is the amr of the stored session behind c.
func (mh *mfaHarness) sessionAMR(c *http.Cookie) []string {
	mh.t.Helper()
	s, err := mh.store.GetSession(context.Background(), token.Hash(c.Value), mh.clock.Now())
	if err != nil {
		mh.t.Fatal(err)
	}
	return s.AMR
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var secretRE = regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`)

var recoveryRE = regexp.MustCompile(`<li><code>([0-9a-f-]{29})</code></li>`)

func TestMFAChallengeTOTP(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")
	secret := mh.enrollTOTP(alice.ID)
	authorize := "/oauth/auth?client_id=abc&state=s"
	pending := mh.signInPassword(authorize)
	if !pending.HttpOnly || pending.SameSite != http.SameSiteLaxMode || pending.Path != mfaPath || pending.Secure ||
		pending.MaxAge != int(mfa.PendingLifetime/time.Second) {
		t.Errorf("pending cookie HttpOnly=%v SameSite=%v Path=%q Secure=%v MaxAge=%d", pending.HttpOnly, pending.SameSite,
			pending.Path, pending.Secure, pending.MaxAge)
	}
	page := body(t, mh.get(mfaPath+"?lang=zh-CN", pending))
	if !strings.Contains(page, `name="code"`) || !strings.Contains(page, `name="recovery_code"`) || !strings.Contains(page, "身份验证器") {
		t.Errorf("challenge page lacks its inputs:\n%s", page)
	}

	resp := mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {"000000"}}, pending)
	page = body(t, resp)
	if resp.StatusCode != http.StatusUnauthorized || fieldError(page, "code") == "" || sessionCookie(resp) != nil {
		t.Fatalf("wrong code: status %d, error %q", resp.StatusCode, fieldError(page, "code"))
	}
	if !mh.audited(model.AuditMFAFailure, alice.ID) {
		t.Error("no mfa.failure event")
	}

	code := mh.code(secret)
	resp = mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {code}}, pending)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != authorize {
		t.Fatalf("right code: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	s := sessionCookie(resp)
	if s == nil || mh.sessionUser(s) != alice.ID {
		t.Fatal("no session for alice")
	}
	if got, want := mh.sessionAMR(s), []string{"otp", "pwd", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("amr = %v, want %v", got, want)
	}
	if c := cookieNamed(resp, pendingCookie); c == nil || c.MaxAge >= 0 {
		t.Error("the pending cookie is not cleared")
	}
	if !mh.audited(model.AuditMFAVerify, alice.ID) {
		t.Error("no mfa.verify event")
	}

	// The pending sign-in is used up.
	if resp := mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {code}}, pending); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("released pending sign-in again: status %d, want 400", resp.StatusCode)
	}
	// The same code in a new sign-in, within its step: refused.
	pending = mh.signInPassword("/")
	resp = mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {code}}, pending)
	if resp.StatusCode != http.StatusUnauthorized || sessionCookie(resp) != nil {
		t.Errorf("replayed code: status %d, want 401", resp.StatusCode)
	}
}

func TestMFAWrongCodesLock(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")
	secret := mh.enrollTOTP(alice.ID)
	pending := mh.signInPassword("/")
	status := 0
	for range throttle.DefaultPolicy.AccountLockAfter {
		status = mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {"000000"}}, pending).StatusCode
	}
	if status != http.StatusTooManyRequests {
		t.Fatalf("after %d wrong codes: status %d, want 429", throttle.DefaultPolicy.AccountLockAfter, status)
	}
	if !mh.audited(model.AuditLoginLockout, alice.ID) {
		t.Error("no login.lockout event")
	}
	// Locked: the right code is refused too, and so is the password.
	resp := mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {mh.code(secret)}}, pending)
	if resp.StatusCode != http.StatusTooManyRequests || sessionCookie(resp) != nil {
		t.Errorf("right code while locked: status %d, want 429", resp.StatusCode)
	}
	if resp := mh.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("password while locked: status %d, want 429", resp.StatusCode)
	}
}

func TestMFARecoveryCodeSingleUse(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")
	mh.enrollTOTP(alice.ID)
	codes, err := mh.factors.NewRecoveryCodes(context.Background(), alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	pending := mh.signInPassword("/")
	resp := mh.post(mfaPath, url.Values{"method": {"recovery"}, "recovery_code": {strings.ToUpper(codes[3])}}, pending)
	s := sessionCookie(resp)
	if resp.StatusCode != http.StatusSeeOther || s == nil {
		t.Fatalf("recovery code: status %d", resp.StatusCode)
	}
	if got, want := mh.sessionAMR(s), []string{"otp", "pwd", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("amr = %v, want %v", got, want)
	}
	pending = mh.signInPassword("/")
	resp = mh.post(mfaPath, url.Values{"method": {"recovery"}, "recovery_code": {codes[3]}}, pending)
	page := body(t, resp)
	if resp.StatusCode != http.StatusUnauthorized || fieldError(page, "recovery_code") == "" {
		t.Errorf("used recovery code: status %d, error %q", resp.StatusCode, fieldError(page, "recovery_code"))
	}
}

func TestMFAPendingCookie(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")
	secret := mh.enrollTOTP(alice.ID)
	tests := []struct {
		name   string
		cookie func(c *http.Cookie) *http.Cookie
		wait   time.Duration
	}{
		{"missing", func(*http.Cookie) *http.Cookie { return nil }, 0},
		{"tampered", func(c *http.Cookie) *http.Cookie {
			b := []byte(c.Value)
			b[len(b)/2] ^= 1
			return &http.Cookie{Name: pendingCookie, Value: string(b)}
		}, 0},
		{"garbage", func(*http.Cookie) *http.Cookie { return &http.Cookie{Name: pendingCookie, Value: "x"} }, 0},
		{"expired", func(c *http.Cookie) *http.Cookie { return c }, mfa.PendingLifetime + time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pending := mh.signInPassword("/")
			mh.clock.Advance(tt.wait)
			var cookies []*http.Cookie
			if c := tt.cookie(pending); c != nil {
				cookies = append(cookies, c)
			}
			if resp := mh.get(mfaPath, cookies...); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("GET: status %d, want 400", resp.StatusCode)
			}
			resp := mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {mh.code(secret)}}, cookies...)
			page := body(t, resp)
			if resp.StatusCode != http.StatusBadRequest || sessionCookie(resp) != nil || !strings.Contains(page, "Sign-in expired") {
				t.Errorf("POST: status %d, want 400 and the expired page:\n%s", resp.StatusCode, page)
			}
			mh.clock.Advance(mfa.Period)
		})
	}
}

func TestMFARequiredPolicyEnrolls(t *testing.T) {
	mh := newMFAHarness(t)
	ctx := context.Background()
	alice := mh.createUser("alice", "", "", "correct horse")
	app := mh.createApp("Demo")
	app.MFAPolicy = model.MFARequired
	if err := mh.store.UpdateApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	// No policy for a sign-in to no application: no second step.
	resp := mh.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || sessionCookie(resp) == nil {
		t.Fatalf("sign-in without a policy: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	authorize := "/oauth/auth?client_id=" + app.ID
	pending := mh.signInPassword(authorize)
	resp = mh.get(mfaPath, pending)
	page := body(t, resp)
	m := secretRE.FindStringSubmatch(page)
	enrolling := cookieNamed(resp, totpCookie)
	if resp.StatusCode != http.StatusOK || m == nil || enrolling == nil {
		t.Fatalf("enrollment page: status %d, secret %v, cookie %v:\n%s", resp.StatusCode, m, enrolling, page)
	}
	if !strings.Contains(page, `href="`+mfaPath+`?lang=zh-CN"`) {
		t.Errorf("the language switch does not lead back to the second step:\n%s", page)
	}
	if !strings.Contains(page, `<img class="qr" src="`+totpPath+`"`) {
		t.Errorf("no QR code image:\n%s", page)
	}
	img := mh.get(totpPath, enrolling)
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/png" {
		t.Errorf("QR code: status %d, type %q", img.StatusCode, img.Header.Get("Content-Type"))
	}
	if resp := mh.get(totpPath); resp.StatusCode != http.StatusNotFound {
		t.Errorf("QR code without the cookie: status %d, want 404", resp.StatusCode)
	}

	resp = mh.post(mfaPath+"/enroll", url.Values{"code": {"000000"}}, pending, enrolling)
	if resp.StatusCode != http.StatusUnauthorized || sessionCookie(resp) != nil {
		t.Fatalf("wrong enrollment code: status %d", resp.StatusCode)
	}
	resp = mh.post(mfaPath+"/enroll", url.Values{"code": {mh.code(m[1])}}, pending, enrolling)
	page = body(t, resp)
	s := sessionCookie(resp)
	if resp.StatusCode != http.StatusOK || s == nil {
		t.Fatalf("enrollment: status %d, session %v:\n%s", resp.StatusCode, s, page)
	}
	if got := len(recoveryRE.FindAllString(page, -1)); got != mfa.RecoveryCodeCount {
		t.Errorf("page shows %d recovery codes, want %d:\n%s", got, mfa.RecoveryCodeCount, page)
	}
	if !strings.Contains(page, `href="`+strings.ReplaceAll(authorize, "&", "&amp;")+`"`) {
		t.Errorf("no way on to the application:\n%s", page)
	}
	if got, want := mh.sessionAMR(s), []string{"otp", "pwd", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("amr = %v, want %v", got, want)
	}
	if !mh.audited(model.AuditMFAEnroll, alice.ID) {
		t.Error("no mfa.enroll event")
	}
	// From now on the application's sign-ins ask for the code.
	mh.clock.Advance(mfa.Period)
	mh.signInPassword(authorize)
}

func TestMFARegistrationUnderRequiredPolicy(t *testing.T) {
	mh := newMFAHarness(t)
	if err := mh.factors.SetPoolPolicy(context.Background(), model.MFARequired); err != nil {
		t.Fatal(err)
	}
	resp := mh.post("/register", url.Values{"username": {"bob"}, "password": {"correct horse"}, "password_confirm": {"correct horse"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != mfaPath || sessionCookie(resp) != nil {
		t.Fatalf("registration: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestMFAAccountPage(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")
	session := mh.startSession(alice.ID)
	page := body(t, mh.get(accountPath, session))
	if !strings.Contains(page, `href="`+accountTOTPPath+`"`) {
		t.Fatalf("account page offers no authenticator app:\n%s", page)
	}
	resp := mh.get(accountTOTPPath, session)
	page = body(t, resp)
	m := secretRE.FindStringSubmatch(page)
	enrolling := cookieNamed(resp, totpCookie)
	if m == nil || enrolling == nil {
		t.Fatalf("enrollment page: status %d:\n%s", resp.StatusCode, page)
	}
	resp = mh.post(accountTOTPPath, url.Values{"code": {mh.code(m[1])}}, session, enrolling)
	page = body(t, resp)
	codes := recoveryRE.FindAllStringSubmatch(page, -1)
	if resp.StatusCode != http.StatusOK || len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("enroll: status %d, %d codes:\n%s", resp.StatusCode, len(codes), page)
	}
	list, err := mh.store.ListFactors(context.Background(), alice.ID)
	if err != nil || len(list) != 1 || list[0].Type != model.FactorTOTP {
		t.Fatalf("factors %v, %v", list, err)
	}
	if !mh.audited(model.AuditMFAEnroll, alice.ID) {
		t.Error("no mfa.enroll event")
	}

	if resp := mh.get(accountTOTPPath, session); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a second authenticator app offered: status %d", resp.StatusCode)
	}

	// More than 15 minutes after signing in: the password first.
	mh.clock.Advance(recentAuth + time.Second)
	resp = mh.post(accountPath+"/mfa/remove", url.Values{"factor": {list[0].ID}}, session)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "changed=stale") {
		t.Fatalf("stale remove: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	page = body(t, mh.get(accountPath, session))
	if !strings.Contains(page, `name="mfa_password"`) || strings.Contains(page, "/account/mfa/remove") {
		t.Errorf("stale account page does not ask for the password:\n%s", page)
	}
	resp = mh.post(accountPath+"/mfa/confirm", url.Values{"mfa_password": {"wrong horse"}}, session)
	if page := body(t, resp); resp.StatusCode != http.StatusUnauthorized || fieldError(page, "mfa_password") == "" {
		t.Fatalf("wrong password: status %d", resp.StatusCode)
	}
	resp = mh.post(accountPath+"/mfa/confirm", url.Values{"mfa_password": {"correct horse"}}, session)
	fresh := sessionCookie(resp)
	if resp.StatusCode != http.StatusSeeOther || fresh == nil {
		t.Fatalf("confirm: status %d", resp.StatusCode)
	}

	resp = mh.post(accountPath+"/mfa/recovery", nil, fresh)
	if got := len(recoveryRE.FindAllString(body(t, resp), -1)); resp.StatusCode != http.StatusOK || got != mfa.RecoveryCodeCount {
		t.Errorf("regenerate: status %d, %d codes", resp.StatusCode, got)
	}
	if err := mh.factors.UseRecoveryCode(context.Background(), alice.ID, codes[0][1]); err == nil {
		t.Error("a recovery code from before the regeneration still works")
	}

	resp = mh.post(accountPath+"/mfa/remove", url.Values{"factor": {list[0].ID}}, fresh)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: status %d", resp.StatusCode)
	}
	if list, _ := mh.store.ListFactors(context.Background(), alice.ID); len(list) != 0 {
		t.Errorf("factor not removed: %v", list)
	}
	if !mh.audited(model.AuditMFARemove, alice.ID) {
		t.Error("no mfa.remove event")
	}
	// Without a factor, the password alone signs in again.
	resp = mh.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}})
	if resp.StatusCode != http.StatusSeeOther || sessionCookie(resp) == nil {
		t.Errorf("sign-in after removal: status %d", resp.StatusCode)
	}
}

func TestMFAPagesCSP(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")
	resp := mh.get(accountTOTPPath, mh.startSession(alice.ID))
	if got := resp.Header.Get("Content-Security-Policy"); got != contentSecurityPolicy || !strings.Contains(got, "img-src 'self';") {
		t.Errorf("CSP = %q", got)
	}
}

func TestMFAChallengeByEmail(t *testing.T) {
	mh := newMFAHarness(t)
	ctx := context.Background()
	alice := mh.createUser("alice", "alice@example.com", "", "correct horse")
	f := &model.Factor{ID: "f-email", UserID: alice.ID, Type: model.FactorEmail, Address: "alice@example.com", Sealed: []byte{}, CreatedAt: testNow}
	if err := mh.store.CreateFactor(ctx, f); err != nil {
		t.Fatal(err)
	}
	pending := mh.signInPassword("/")
	page := body(t, mh.get(mfaPath, pending))
	if !strings.Contains(page, "a***@example.com") || strings.Contains(page, "alice@example.com") {
		t.Errorf("the challenge does not show the masked address only:\n%s", page)
	}
	resp := mh.post(mfaPath+"/send", url.Values{"factor": {f.ID}}, pending)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != mfaPath+"?sent="+f.ID {
		t.Fatalf("send: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	code := mh.sentCode(passcode.ChannelVerifyMFA, "alice@example.com")
	page = body(t, mh.get(mfaPath+"?sent="+f.ID, pending))
	if !strings.Contains(page, `name="factor_code"`) || !strings.Contains(page, `autofocus`) {
		t.Fatalf("no code input for the sent code:\n%s", page)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	form := url.Values{"method": {"factor"}, "factor": {f.ID}, "factor_code": {wrong}}
	resp = mh.post(mfaPath, form, pending)
	if page := body(t, resp); resp.StatusCode != http.StatusUnauthorized || fieldError(page, "factor_code") == "" {
		t.Fatalf("wrong code: status %d", resp.StatusCode)
	}
	form.Set("factor_code", code)
	resp = mh.post(mfaPath, form, pending)
	s := sessionCookie(resp)
	if resp.StatusCode != http.StatusSeeOther || s == nil {
		t.Fatalf("right code: status %d", resp.StatusCode)
	}
	if got, want := mh.sessionAMR(s), []string{"otp", "pwd", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("amr = %v, want %v", got, want)
	}

	// A code sent to the same inbox is no second factor after an emailed
	// sign-in code: that sign-in ends at once.
	mh.clock.Advance(2 * time.Minute)
	if resp := mh.post("/login/code", url.Values{"address": {"alice@example.com"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send sign-in code: status %d", resp.StatusCode)
	}
	code = mh.sentCode(passcode.ChannelLogin, "alice@example.com")
	resp = mh.post("/login/code/verify", url.Values{"address": {"alice@example.com"}, "code": {code}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || sessionCookie(resp) == nil {
		t.Errorf("code sign-in with only an email factor: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestMFACodeSignInChallenged(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "alice@example.com", "", "correct horse")
	secret := mh.enrollTOTP(alice.ID)
	mh.post("/login/code", url.Values{"address": {"alice@example.com"}})
	code := mh.sentCode(passcode.ChannelLogin, "alice@example.com")
	resp := mh.post("/login/code/verify", url.Values{"address": {"alice@example.com"}, "code": {code}})
	pending := cookieNamed(resp, pendingCookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != mfaPath || pending == nil || sessionCookie(resp) != nil {
		t.Fatalf("code sign-in: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {mh.code(secret)}}, pending)
	s := sessionCookie(resp)
	if resp.StatusCode != http.StatusSeeOther || s == nil {
		t.Fatalf("TOTP: status %d", resp.StatusCode)
	}
	if got, want := mh.sessionAMR(s), []string{"otp", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("amr = %v, want %v", got, want)
	}
}

func TestMFAOptionalPolicyOffersOnce(t *testing.T) {
	mh := newMFAHarness(t)
	mh.createUser("alice", "", "", "correct horse")
	if err := mh.factors.SetPoolPolicy(context.Background(), model.MFAOptional); err != nil {
		t.Fatal(err)
	}
	authorize := "/oauth/auth?client_id=abc&state=s"
	resp := mh.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}, "return_to": {authorize}})
	s, offered := sessionCookie(resp), cookieNamed(resp, offeredCookie)
	want := accountPath + "?offer=" + url.QueryEscape(authorize) + "#mfa"
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want || s == nil || offered == nil {
		t.Fatalf("first sign-in: status %d to %q, want %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	page := body(t, mh.get(strings.TrimSuffix(want, "#mfa"), s))
	if !strings.Contains(page, `href="`+strings.ReplaceAll(authorize, "&", "&amp;")+`">Not now, continue`) ||
		!strings.Contains(page, `href="`+accountTOTPPath+`"`) {
		t.Errorf("the offer leads neither on nor to the setup:\n%s", page)
	}
	resp = mh.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}, "return_to": {authorize}}, offered)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != authorize {
		t.Errorf("second sign-in: status %d to %q, want %q", resp.StatusCode, resp.Header.Get("Location"), authorize)
	}
}

func TestMFACookiesSecureOnHTTPS(t *testing.T) {
	mh := newMFAHarnessAt(t, "https://id.example.com")
	alice := mh.createUser("alice", "", "", "correct horse")
	mh.enrollTOTP(alice.ID)
	resp := mh.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse"}})
	if c := cookieNamed(resp, pendingCookie); c == nil || !c.Secure || !c.HttpOnly || c.Path != mfaPath {
		t.Errorf("pending cookie %+v, want Secure, HttpOnly, Path %s", c, mfaPath)
	}
	bob := mh.createUser("bob", "", "", "correct horse")
	resp = mh.get(accountTOTPPath, mh.startSession(bob.ID))
	if c := cookieNamed(resp, totpCookie); c == nil || !c.Secure || !c.HttpOnly {
		t.Errorf("TOTP enrollment cookie %+v, want Secure, HttpOnly", c)
	}
}

// TestMFASuspendedBetweenFactors: a user suspended after the password is not
// signed in by the second factor.
func TestMFASuspendedBetweenFactors(t *testing.T) {
	mh := newMFAHarness(t)
	alice := mh.createUser("alice", "", "", "correct horse")
	secret := mh.enrollTOTP(alice.ID)
	pending := mh.signInPassword("/")
	suspended := model.UserSuspended
	if _, err := mh.users.Update(context.Background(), alice.ID, users.Patch{Status: &suspended}); err != nil {
		t.Fatal(err)
	}
	resp := mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {mh.code(secret)}}, pending)
	if resp.StatusCode != http.StatusForbidden || sessionCookie(resp) != nil {
		t.Fatalf("right code for a suspended user: status %d, session %v; want 403 and none", resp.StatusCode, sessionCookie(resp))
	}
}

// TestMFAAccountCodeFactors adds codes by text message and by email on the
// account page: the address, a code sent to it on the enrollment channel,
// recovery codes with the first factor only; then signs in with the factor.
func TestMFAAccountCodeFactors(t *testing.T) {
	mh := newMFAHarness(t)
	ctx := context.Background()
	alice := mh.createUser("alice", "alice@example.com", "", "correct horse")
	session := mh.startSession(alice.ID)
	page := body(t, mh.get(accountPath, session))
	for _, kind := range []string{"email", "sms"} {
		if !strings.Contains(page, `href="`+accountCodeFactorPath+`?kind=`+kind+`"`) {
			t.Fatalf("the account page does not offer %s codes:\n%s", kind, page)
		}
	}
	page = body(t, mh.get(accountCodeFactorPath+"?kind=email", session))
	if !strings.Contains(page, `value="alice@example.com"`) {
		t.Errorf("the email form does not offer the account's address:\n%s", page)
	}

	for _, tt := range []struct {
		name string
		form url.Values
		want int
	}{
		{"an unknown kind", url.Values{"kind": {"fax"}, "address": {"+8613800000000"}}, http.StatusSeeOther},
		{"a bad phone number", url.Values{"kind": {"sms"}, "address": {"call me"}}, http.StatusBadRequest},
		{"a bad email", url.Values{"kind": {"email"}, "address": {"not an address"}}, http.StatusBadRequest},
	} {
		if resp := mh.post(accountCodeFactorPath+"/send", tt.form, session); resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}

	form := url.Values{"kind": {"sms"}, "address": {"+8613800000000"}}
	resp := mh.post(accountCodeFactorPath+"/send", form, session)
	page = body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="code"`) {
		t.Fatalf("send: status %d:\n%s", resp.StatusCode, page)
	}
	phone := passcode.Address(model.MessageSMS, "+8613800000000", "")
	code := mh.sentCode(passcode.ChannelBindMFA, phone)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	enroll := url.Values{"kind": {"sms"}, "address": {phone}, "code": {wrong}}
	if resp := mh.post(accountCodeFactorPath, enroll, session); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong code: status %d, want 401", resp.StatusCode)
	}
	enroll.Set("code", code)
	resp = mh.post(accountCodeFactorPath, enroll, session)
	if got := len(recoveryRE.FindAllString(body(t, resp), -1)); resp.StatusCode != http.StatusOK || got != mfa.RecoveryCodeCount {
		t.Fatalf("enroll: status %d, %d recovery codes", resp.StatusCode, got)
	}
	if !mh.audited(model.AuditMFAEnroll, alice.ID) {
		t.Error("no mfa.enroll event")
	}
	// A used code adds nothing more.
	if resp := mh.post(accountCodeFactorPath, enroll, session); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the code again: status %d, want 401", resp.StatusCode)
	}

	mh.clock.Advance(2 * time.Minute)
	mh.post(accountCodeFactorPath+"/send", url.Values{"kind": {"email"}, "address": {"alice@example.com"}}, session)
	code = mh.sentCode(passcode.ChannelBindMFA, "alice@example.com")
	resp = mh.post(accountCodeFactorPath, url.Values{"kind": {"email"}, "address": {"alice@example.com"}, "code": {code}}, session)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "changed=mfa_added") {
		t.Fatalf("a second factor: status %d to %q; want the account page, no new recovery codes", resp.StatusCode, resp.Header.Get("Location"))
	}
	list, err := mh.store.ListFactors(ctx, alice.ID)
	if err != nil || len(list) != 2 || list[0].Type != model.FactorSMS || list[0].Address != phone || list[1].Type != model.FactorEmail {
		t.Fatalf("factors %+v, %v", list, err)
	}
	page = body(t, mh.get(accountPath, session))
	if strings.Contains(page, accountCodeFactorPath+"?kind=") {
		t.Errorf("the account page still offers a kind the user has")
	}

	// The factor works at sign-in.
	pending := mh.signInPassword("/")
	mh.post(mfaPath+"/send", url.Values{"factor": {list[0].ID}}, pending)
	code = mh.sentCode(passcode.ChannelVerifyMFA, phone)
	resp = mh.post(mfaPath, url.Values{"method": {"factor"}, "factor": {list[0].ID}, "factor_code": {code}}, pending)
	if s := sessionCookie(resp); resp.StatusCode != http.StatusSeeOther || s == nil || !slices.Contains(mh.sessionAMR(s), "sms") {
		t.Fatalf("sign-in with the SMS factor: status %d", resp.StatusCode)
	}

	// Stale sessions are sent to confirm the password first.
	mh.clock.Advance(recentAuth + time.Second)
	if resp := mh.get(accountCodeFactorPath+"?kind=email", session); resp.StatusCode != http.StatusSeeOther ||
		!strings.Contains(resp.Header.Get("Location"), "changed=stale") {
		t.Errorf("stale: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestMFARequiredPolicyEnrollsCodes: a sign-in that must enroll may add
// codes by text message instead of an authenticator app, and ends with it.
func TestMFARequiredPolicyEnrollsCodes(t *testing.T) {
	mh := newMFAHarness(t)
	ctx := context.Background()
	alice := mh.createUser("alice", "", "", "correct horse")
	if err := mh.factors.SetPoolPolicy(ctx, model.MFARequired); err != nil {
		t.Fatal(err)
	}
	pending := mh.signInPassword("/account")
	page := body(t, mh.get(mfaPath, pending))
	link := signInCodeFactorPath + "?kind=sms"
	if !strings.Contains(page, `href="`+link+`"`) {
		t.Fatalf("the enrollment offers no codes by text message:\n%s", page)
	}
	if resp := mh.get(link); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("without the held sign-in: status %d, want the expired page", resp.StatusCode)
	}
	page = body(t, mh.get(link, pending))
	if !strings.Contains(page, `action="`+signInCodeFactorPath+`/send"`) || !strings.Contains(page, `href="`+mfaPath+`"`) {
		t.Fatalf("the sign-in's form posts elsewhere or leads back elsewhere:\n%s", page)
	}
	resp := mh.post(signInCodeFactorPath+"/send", url.Values{"kind": {"sms"}, "address": {"+8613800000000"}}, pending)
	if resp.StatusCode != http.StatusOK || sessionCookie(resp) != nil {
		t.Fatalf("send: status %d", resp.StatusCode)
	}
	code := mh.sentCode(passcode.ChannelBindMFA, "+8613800000000")
	resp = mh.post(signInCodeFactorPath, url.Values{"kind": {"sms"}, "address": {"+8613800000000"}, "code": {code}}, pending)
	page = body(t, resp)
	s := sessionCookie(resp)
	if resp.StatusCode != http.StatusOK || s == nil || len(recoveryRE.FindAllString(page, -1)) != mfa.RecoveryCodeCount {
		t.Fatalf("enroll: status %d, session %v:\n%s", resp.StatusCode, s, page)
	}
	if got, want := mh.sessionAMR(s), []string{"pwd", "sms", "mfa"}; !slices.Equal(got, want) {
		t.Errorf("amr = %v, want %v", got, want)
	}
	if list, _ := mh.store.ListFactors(ctx, alice.ID); len(list) != 1 || list[0].Type != model.FactorSMS {
		t.Errorf("factors %+v", list)
	}
	// The held sign-in is over: its cookie adds nothing more.
	if resp := mh.post(signInCodeFactorPath+"/send", url.Values{"kind": {"sms"}, "address": {"+8613900000000"}}, pending); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("the used sign-in again: status %d, want the expired page", resp.StatusCode)
	}
	// A held sign-in that only needs its challenge cannot add a factor here.
	mh.clock.Advance(2 * time.Minute)
	pending = mh.signInPassword("/")
	if resp := mh.get(link, pending); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != mfaPath {
		t.Errorf("a challenge adding a factor: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestMFAStepUp(t *testing.T) {
	mh := newMFAHarness(t)
	ctx := context.Background()
	alice := mh.createUser("alice", "", "", "correct horse")
	secret := mh.enrollTOTP(alice.ID)
	authorize := "/oidc/auth?client_id=abc&acr_values=urn%3Agenauth%3Aloa%3A2"
	query := url.Values{"return_to": {authorize}}.Encode()
	stepUp := stepUpPath + "?" + query

	if resp := mh.get(stepUp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?"+query {
		t.Errorf("step-up without a session: status %d to %q, want the login page", resp.StatusCode, resp.Header.Get("Location"))
	}

	session := mh.startSession(alice.ID)
	before, err := mh.store.GetSession(ctx, token.Hash(session.Value), mh.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	mh.clock.Advance(time.Hour)
	resp := mh.get(stepUp, session)
	pending := cookieNamed(resp, pendingCookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != mfaPath || pending == nil || sessionCookie(resp) != nil {
		t.Fatalf("step-up: status %d to %q, pending cookie %v", resp.StatusCode, resp.Header.Get("Location"), pending)
	}
	if page := body(t, mh.get(mfaPath, pending)); !strings.Contains(page, `name="code"`) {
		t.Fatalf("the step-up does not ask for the authenticator's code:\n%s", page)
	}
	// The pending step-up alone, without the session it began from, signs no one in.
	if resp := mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {mh.code(secret)}}, pending); resp.StatusCode != http.StatusBadRequest || sessionCookie(resp) != nil {
		t.Fatalf("step-up without its session: status %d, session %v", resp.StatusCode, sessionCookie(resp))
	}

	mh.clock.Advance(mfa.Period)
	resp = mh.get(stepUp, session)
	pending = cookieNamed(resp, pendingCookie)
	resp = mh.post(mfaPath, url.Values{"method": {"totp"}, "code": {mh.code(secret)}}, pending, session)
	raised := sessionCookie(resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != authorize || raised == nil {
		t.Fatalf("step-up code: status %d to %q, session %v", resp.StatusCode, resp.Header.Get("Location"), raised)
	}
	after, err := mh.store.GetSession(ctx, token.Hash(raised.Value), mh.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"otp", "pwd", "mfa"}; !slices.Equal(after.AMR, want) || after.UserID != alice.ID {
		t.Errorf("raised session: user %s amr %v, want alice %v", after.UserID, after.AMR, want)
	}
	if !after.AuthTime.Equal(before.AuthTime) || !after.ExpiresAt.Equal(before.ExpiresAt) {
		t.Errorf("raised session: auth_time %v, end %v; want the first sign-in's %v, %v", after.AuthTime, after.ExpiresAt, before.AuthTime, before.ExpiresAt)
	}
	if mh.sessionUser(session) != "" {
		t.Error("the one-factor session still lives beside the raised one")
	}
	// Nothing more to prove.
	if resp := mh.get(stepUp, raised); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != authorize {
		t.Errorf("step-up of a two-factor session: status %d to %q, want straight back", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A user without a factor enrolls one, after a recent sign-in only.
	bob := mh.createUser("bob", "", "", "correct horse")
	fresh := mh.startSession(bob.ID)
	resp = mh.get(stepUp, fresh)
	page := body(t, mh.get(mfaPath, cookieNamed(resp, pendingCookie)))
	if !secretRE.MatchString(page) {
		t.Errorf("step-up of a user without a factor does not enroll:\n%s", page)
	}
	mh.clock.Advance(recentAuth)
	if resp := mh.get(stepUp, fresh); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") ||
		cookieNamed(resp, pendingCookie) != nil {
		t.Errorf("enrollment step-up of an old session: status %d to %q, want the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestFirstOf(t *testing.T) {
	for _, tt := range []struct {
		amr   []string
		first string
	}{
		{[]string{"pwd"}, mfa.FirstPassword},
		{nil, mfa.FirstPassword},
		{[]string{"otp"}, mfa.FirstEmail},
		{[]string{"sms"}, mfa.FirstSMS},
		{[]string{"fed"}, mfa.FirstUpstream},
		{[]string{"hwk"}, mfa.FirstKey},
	} {
		if got := mfa.FirstOf(tt.amr); got != tt.first {
			t.Errorf("FirstOf(%q) = %q, want %q", tt.amr, got, tt.first)
		}
		// A session's amr gives back its first factor.
		if got := mfa.FirstOf(mfa.AMR(tt.first, "")); got != tt.first {
			t.Errorf("FirstOf(AMR(%q)) = %q", tt.first, got)
		}
	}
}
