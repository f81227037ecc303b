package server_test

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// passkeyHostileCases are the four passkey endpoints (contract 6.2) with
// hostile parameters: in the fields the handlers read, and inside the
// credential that go-webauthn parses. Nothing is registered and nobody
// signed in; a failed passkey sign-in counts as a failed sign-in.
func passkeyHostileCases(clientID, secret, userToken string) []hostileCase {
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
	const reg, authn = "/api/v3/webauthn/registration", "/api/v3/webauthn/authentication"
	user := map[string]string{"x-authing-app-id": clientID, "Authorization": userToken}
	app := map[string]string{"x-authing-app-id": clientID}
	client := map[string]any{"client_id": clientID, "client_secret": secret}
	body := func(kv map[string]any, extra map[string]any) string {
		for k, v := range extra {
			kv[k] = v
		}
		return mustJSON(kv)
	}
	attestation := func(v string) map[string]any {
		return map[string]any{"id": v, "rawId": v, "type": "public-key", "response": map[string]any{"clientDataJSON": v, "attestationObject": v}}
	}
	assertion := func(v string) map[string]any {
		return map[string]any{"id": v, "rawId": v, "type": "public-key",
			"response": map[string]any{"clientDataJSON": v, "authenticatorData": v, "signature": v, "userHandle": v}}
	}
	for _, h := range hostilePayloads {
		if headerSafe(h.value) {
			add(hostileCase{name: reg + "/GET/token/" + h.name, method: http.MethodGet, target: reg,
				header: map[string]string{"x-authing-app-id": clientID, "Authorization": h.value}, want: wantEnvelopeError, status: 401})
			add(hostileCase{name: authn + "/GET/app-id/" + h.name, method: http.MethodGet, target: authn,
				header: map[string]string{"x-authing-app-id": h.value}, want: wantEnvelopeError, status: 404})
		}
		add(hostileCase{name: reg + "/ticket/" + h.name, ct: "application/json", target: reg, header: user,
			body: body(map[string]any{"ticket": h.value, "registrationCredential": attestation("AAAA")}, nil),
			want: wantNotVerified, mayChange: failedLoginTables})
		add(hostileCase{name: reg + "/credential/" + h.name, ct: "application/json", target: reg, header: user,
			body: body(map[string]any{"ticket": "x", "registrationCredential": h.value}, nil), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: reg + "/credential-fields/" + h.name, ct: "application/json", target: reg, header: user,
			body: body(map[string]any{"ticket": "x", "registrationCredential": attestation(h.value)}, nil),
			want: wantNotVerified, mayChange: failedLoginTables})
		add(hostileCase{name: reg + "/authenticatorCode/" + h.name, ct: "application/json", target: reg, header: user,
			body: body(map[string]any{"ticket": "x", "registrationCredential": attestation("AAAA"), "authenticatorCode": h.value}, nil),
			want: wantEnvelopeError, status: 400})
		nameCase := hostileCase{name: reg + "/name/" + h.name, ct: "application/json", target: reg, header: user,
			body: body(map[string]any{"ticket": "x", "registrationCredential": attestation("AAAA"), "name": h.value}, nil),
			want: wantNotVerified, mayChange: failedLoginTables}
		if utf8.RuneCountInString(strings.Join(strings.Fields(h.value), " ")) > 64 {
			nameCase.want, nameCase.status, nameCase.mayChange = wantEnvelopeError, 400, nil
		}
		add(nameCase)

		add(hostileCase{name: authn + "/ticket/" + h.name, ct: "application/json", target: authn, header: app,
			body: body(map[string]any{"ticket": h.value, "authenticationCredential": assertion("AAAA")}, client),
			want: wantNotVerified, mayChange: failedLoginTables})
		add(hostileCase{name: authn + "/credential/" + h.name, ct: "application/json", target: authn, header: app,
			body: body(map[string]any{"ticket": "x", "authenticationCredential": h.value}, client), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: authn + "/credential-fields/" + h.name, ct: "application/json", target: authn, header: app,
			body: body(map[string]any{"ticket": "x", "authenticationCredential": assertion(h.value)}, client),
			want: wantNotVerified, mayChange: failedLoginTables})
		add(hostileCase{name: authn + "/scope/" + h.name, ct: "application/json", target: authn, header: app,
			body: body(map[string]any{"ticket": "x", "authenticationCredential": assertion("AAAA"), "options": map[string]any{"scope": h.value}}, client),
			want: wantEnvelopeError, status: 400})
		if headerSafe(h.value) {
			// Not an mfaToken: a passwordless sign-in like any other.
			add(hostileCase{name: authn + "/token/" + h.name, ct: "application/json", target: authn,
				header: map[string]string{"x-authing-app-id": clientID, "Authorization": h.value},
				body:   body(map[string]any{"ticket": "x", "authenticationCredential": assertion("AAAA")}, client),
				want:   wantNotVerified, mayChange: failedLoginTables})
		}
	}
	return cs
}
