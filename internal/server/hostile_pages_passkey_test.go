package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// pagesPasskeyHostileCases are the hosted pages' passkey endpoints: the
// begin endpoints (JSON, same origin only) and the finish forms, the
// sign-in's enrollment among them (without a held sign-in, the page that
// says to sign in again). No ceremony is begun by them, so no grant is
// stored; a refused passkey counts as a failed sign-in (throttles, audit;
// after enough from the one address, 429), a refused registration is
// audited.
func pagesPasskeyHostileCases(cookie string) []hostileCase {
	var cs []hostileCase
	add := func(c hostileCase) {
		if c.method == "" {
			c.method = http.MethodPost
		}
		if carriesNonText(c) {
			c = refusedAtEdge(c)
		}
		cs = append(cs, c)
	}
	const login, second, register, enroll = "/passkey/login", "/login/mfa/passkey", "/passkey/register", "/login/mfa/passkey/register"
	signedIn := map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "same-origin"}
	for _, path := range []string{login, second, register, enroll} {
		for name, header := range map[string]map[string]string{
			"cross-site":     {"Sec-Fetch-Site": "cross-site", "Cookie": cookie},
			"foreign-origin": {"Origin": "http://evil.example", "Cookie": cookie},
			"no-origin":      {"Cookie": cookie},
		} {
			add(hostileCase{name: path + "/begin/" + name, target: path + "/begin", header: header, want: wantCeremonyRefusal, status: 403})
		}
		add(hostileCase{name: path + "/begin/method-GET", method: http.MethodGet, target: path + "/begin", want: wantMethodNotAllowed})
		add(hostileCase{name: path + "/finish/cross-site", ct: formCT, target: path + "/finish",
			header: map[string]string{"Sec-Fetch-Site": "cross-site", "Cookie": cookie}, body: form("ticket", "x"), want: wantHTMLError, status: 403})
		for _, b := range brokenForms {
			add(hostileCase{name: path + "/finish/" + b.name, ct: formCT, target: path + "/finish", body: "ticket=x&" + b.raw,
				want: wantHTMLError, status: 400})
		}
	}
	add(hostileCase{name: register + "/begin/signed-out", target: register + "/begin",
		header: map[string]string{"Sec-Fetch-Site": "same-origin"}, want: wantCeremonyRefusal, status: 401})
	for _, path := range []string{second, enroll} {
		add(hostileCase{name: path + "/begin/no-pending", target: path + "/begin",
			header: map[string]string{"Sec-Fetch-Site": "same-origin"}, want: wantCeremonyRefusal, status: 400})
	}
	assertion := func(v string) string {
		return mustJSON(map[string]any{"id": v, "rawId": v, "type": "public-key",
			"response": map[string]any{"clientDataJSON": v, "authenticatorData": v, "signature": v, "userHandle": v}})
	}
	for _, h := range hostilePayloads {
		add(hostileCase{name: login + "/finish/fields/" + h.name, ct: formCT, target: login + "/finish",
			body: form("ticket", h.value, "credential", h.value, "return_to", h.value), want: wantHTMLError,
			returnTo: true, mayChange: failedLoginTables})
		add(hostileCase{name: login + "/finish/credential/" + h.name, ct: formCT, target: login + "/finish",
			body: form("ticket", "x", "credential", assertion(h.value)), want: wantHTMLError, mayChange: failedLoginTables})
		add(hostileCase{name: second + "/finish/" + h.name, ct: formCT, target: second + "/finish",
			body: form("ticket", h.value, "credential", assertion(h.value)), want: wantHTMLError})
		if headerSafe(h.value) && !strings.ContainsAny(h.value, ";\"") {
			add(hostileCase{name: second + "/begin/pending-cookie/" + h.name, target: second + "/begin",
				header: map[string]string{"Cookie": "genauth_mfa=" + h.value, "Sec-Fetch-Site": "same-origin"}, want: wantCeremonyRefusal, status: 400})
		}
		add(hostileCase{name: enroll + "/finish/" + h.name, ct: formCT, target: enroll + "/finish",
			body: form("ticket", h.value, "credential", assertion(h.value), "passkey_name", h.value), want: wantHTMLError})
		add(hostileCase{name: register + "/finish/" + h.name, ct: formCT, target: register + "/finish", header: signedIn,
			body: form("ticket", h.value, "credential", assertion(h.value), "passkey_name", h.value), want: wantHTMLError,
			mayChange: []string{"audit_events"}})
	}
	return cs
}

// checkCeremonyRefusal checks a begin endpoint's refusal: a 4xx with
// {"error": a message} as JSON, never cached.
func checkCeremonyRefusal(t *testing.T, status int, header http.Header, body string) {
	t.Helper()
	var e map[string]any
	if status < 400 || status > 499 || !strings.HasPrefix(header.Get("Content-Type"), "application/json") ||
		header.Get("Cache-Control") != "no-store" || json.Unmarshal([]byte(body), &e) != nil {
		t.Fatalf("got %d %q %s, want a 4xx JSON refusal", status, header.Get("Content-Type"), truncate(body, 300))
	}
	if msg, _ := e["error"].(string); msg == "" || len(e) != 1 {
		t.Errorf("refusal %s, want only {\"error\": a message}", truncate(body, 300))
	}
}

// passkeyScript is the pages' own script tag, which pages offering
// passkeys carry: not one that came from the request.
var passkeyScript = regexp.MustCompile(`<script src="/assets/passkey\.js\?v=[0-9a-f]+" defer></script>`)
