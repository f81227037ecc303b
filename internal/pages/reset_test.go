package pages

import (
	"context"
	crand "crypto/rand"
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
	"github.com/opengenauth/genauth/internal/account/reset"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store"
)

// resetHarness is the hosted pages with password reset and sign-in with a
// code sent to the kinds of address in delivers, and a way to read the codes
// they queue.
type resetHarness struct {
	*harness
	sealer *secret.Sealer
	clock  *clock.Fake // the codes' and the limits' time
}

func newResetHarness(t *testing.T, delivers ...string) *resetHarness {
	hs := newHarness(t, "http://localhost:8080")
	sealer, err := secret.NewSealer(make([]byte, secret.KeyLen), crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := sealer.DeriveKey(passcode.KeyPurpose)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(testNow)
	codes := &passcode.Service{Store: hs.store, Sealer: sealer, Key: key, Rand: crand.Reader, NewID: token.NewSource(crand.Reader).ID, Now: clk.Now}
	limiter := &throttle.Limiter{Store: hs.store, Now: clk.Now, Policy: throttle.DefaultPolicy, LoginKey: key}
	in := &signin.Service{Store: hs.store, Users: hs.users, Codes: codes, Limiter: limiter}
	kinds := map[string]bool{}
	for _, k := range delivers {
		kinds[k] = true
	}
	hs.handler, err = New(Config{Store: hs.store, Users: hs.users, Sessions: hs.sessions, PublicURL: "http://localhost:8080",
		Limiter: limiter, Reset: &reset.Service{SignIn: in, Codes: codes}, Codes: codes, Delivers: kinds,
		Audit: audit.NewSync(hs.store, slog.New(slog.DiscardHandler), clk.Now)})
	if err != nil {
		t.Fatal(err)
	}
	hs.mux = http.NewServeMux()
	hs.handler.Register(edge.NewRoutes(hs.mux))
	return &resetHarness{harness: hs, sealer: sealer, clock: clk}
}

// codes returns the codes queued since the last call, by address; each
// must be for channel.
func (rh *resetHarness) codes(channel string) map[string]string {
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
		if m.Channel != channel {
			rh.t.Fatalf("a code for %s, want %s", m.Channel, channel)
		}
		out[m.To] = m.Code
	}
	return out
}

func TestForgotLinkOnlyWithReset(t *testing.T) {
	plain := newHarness(t, "http://localhost:8080")
	if b := body(t, plain.get("/login")); strings.Contains(b, "/forgot") {
		t.Error("the sign-in page links to a password reset that is not served")
	}
	if resp := plain.get("/forgot"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /forgot without reset: %d, want 404", resp.StatusCode)
	}
	rh := newResetHarness(t)
	if b := body(t, rh.get("/login?return_to=%2Fhome")); !strings.Contains(b, `href="/forgot?return_to=%2Fhome"`) {
		t.Errorf("no forgot link keeping return_to on the sign-in page:\n%s", b)
	}
}

func TestPasswordResetPages(t *testing.T) {
	rh := newResetHarness(t)
	rh.createUser("dora", "dora@example.com", "", "correct horse battery")
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

	want("bad address", rh.post("/forgot", form("email", "dora")), http.StatusBadRequest, "")
	// An unknown address gets the same answer, and no code.
	want("unknown", rh.post("/forgot", form("email", "nobody@example.com")), http.StatusSeeOther, "/reset?email=nobody%40example.com")
	if got := rh.codes(passcode.ChannelResetPassword); len(got) != 0 {
		t.Fatalf("a code sent to an unknown address: %v", got)
	}
	want("known", rh.post("/forgot", form("email", " Dora@Example.com", "return_to", "/home")), http.StatusSeeOther,
		"/reset?email=dora%40example.com&return_to=%2Fhome")
	code := rh.codes(passcode.ChannelResetPassword)["dora@example.com"]
	if code == "" {
		t.Fatal("no code for dora@example.com")
	}
	want("again within the minute", rh.post("/forgot", form("email", "dora@example.com")), http.StatusTooManyRequests, "")
	// The one code sent, to dora, is audited.
	events, err := rh.store.ListAuditEvents(context.Background(), store.AuditQuery{Type: model.AuditResetCodeSend})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].UserID == "" || events[0].Detail != "hosted /forgot page" {
		t.Errorf("reset code sends audited: %+v, want one of dora's from the /forgot page", events)
	}

	b := want("reset form", rh.get("/reset?email=dora%40example.com&return_to=%2Fhome"), http.StatusOK, "")
	for _, s := range []string{`action="/reset"`, `value="dora@example.com"`, `autocomplete="one-time-code"`, `autocomplete="new-password"`} {
		if !strings.Contains(b, s) {
			t.Errorf("the reset form lacks %s", s)
		}
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	reset := func(code, pw, confirm string) *http.Response {
		return rh.post("/reset", form("email", "dora@example.com", "code", code, "password", pw, "password_confirm", confirm, "return_to", "/home"))
	}
	want("mismatch", reset(code, "a brand new secret", "another"), http.StatusBadRequest, "")
	want("weak", reset(code, "password", "password"), http.StatusBadRequest, "")
	want("wrong code", reset(wrong, "a brand new secret", "a brand new secret"), http.StatusForbidden, "")
	want("unknown address", rh.post("/reset", form("email", "nobody@example.com", "code", code, "password", "a brand new secret",
		"password_confirm", "a brand new secret")), http.StatusForbidden, "")
	b = want("reset", reset(code, "a brand new secret", "a brand new secret"), http.StatusOK, "")
	if !strings.Contains(b, `href="/login?return_to=%2Fhome"`) {
		t.Errorf("the done page does not lead to the sign-in page:\n%s", b)
	}
	want("the code again", reset(code, "a third new secret", "a third new secret"), http.StatusForbidden, "")

	want("old password", rh.post("/login", form("username", "dora", "password", "correct horse battery")), http.StatusUnauthorized, "")
	want("new password", rh.post("/login", form("username", "dora", "password", "a brand new secret")), http.StatusSeeOther, "/")

	// Cross-origin posts are refused before anything is read.
	req := httptest.NewRequest(http.MethodPost, "/reset", strings.NewReader(form("email", "dora@example.com").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	want("cross-site", rh.do(req), http.StatusForbidden, "")
}
