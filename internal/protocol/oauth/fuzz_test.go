package oauth

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
)

// FuzzBasicCredentials: any Authorization header either yields the id and
// secret it encodes or an invalid_client error; it never panics.
func FuzzBasicCredentials(f *testing.F) {
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte("app:secret")))
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte("a%3Ab:s%25")))
	f.Add("basic !!!")
	f.Add("Bearer x")
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte(":nosecret")))
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodPost, "/oauth/token", nil)
		r.Header.Set("Authorization", header)
		c, e := readCredentials(r, params{})
		if e != nil {
			if e.Code != "invalid_client" || e.Status != http.StatusUnauthorized || e.challenge == "" {
				t.Fatalf("header %q: error %+v; want invalid_client 401 with a Basic challenge", header, e)
			}
			return
		}
		scheme, value, _ := strings.Cut(header, " ")
		if !strings.EqualFold(scheme, "Basic") {
			if c.basic {
				t.Fatalf("header %q: taken as Basic", header)
			}
			return
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
		if err != nil {
			t.Fatalf("header %q: accepted undecodable base64", header)
		}
		id, secret, _ := strings.Cut(string(raw), ":")
		if len(c.basicIDs) == 0 || c.basicIDs[0] != id || c.basicSecrets[0] != secret || id == "" {
			t.Fatalf("header %q: got ids %q secrets %q; want %q %q first", header, c.basicIDs, c.basicSecrets, id, secret)
		}
	})
}

// FuzzParseBody: any body and content type give either parameters, each
// present once, or an invalid_request error; never a panic.
func FuzzParseBody(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "grant_type=authorization_code&code=abc")
	f.Add("application/x-www-form-urlencoded; charset=UTF-8", "a=1&a=2")
	f.Add("application/json", `{"a":1}`)
	f.Add("", "")
	f.Add("application/x-www-form-urlencoded", "%zz=1")
	f.Add("multipart/form-data; boundary=x", "--x--")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		p, e := parseBody(httptest.NewRecorder(), r)
		if e != nil {
			if p != nil || e.Code != "invalid_request" || e.Status != http.StatusBadRequest {
				t.Fatalf("params %v with error %+v", p, e)
			}
			return
		}
		v, err := url.ParseQuery(body)
		if err != nil && strings.TrimSpace(body) != "" {
			t.Fatalf("malformed body %q accepted as %v", body, p)
		}
		for name, val := range p {
			if len(v[name]) != 1 || v[name][0] != val {
				t.Fatalf("parameter %q = %q; body has %q", name, val, v[name])
			}
		}
	})
}

// FuzzPKCE: a valid verifier always answers its own S256 and plain
// challenges, and never another verifier's.
func FuzzPKCE(f *testing.F) {
	f.Add("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl")
	f.Add("short", "")
	f.Add(strings.Repeat("~", 128), strings.Repeat(".", 43))
	f.Fuzz(func(t *testing.T, verifier, other string) {
		if !validPKCEValue(verifier) {
			return
		}
		s256 := challengeS256(verifier)
		if !verifyPKCE(s256, pkceS256, verifier) || !verifyPKCE(verifier, pkcePlain, verifier) {
			t.Fatalf("verifier %q does not answer its own challenges", verifier)
		}
		if other != verifier && (verifyPKCE(s256, pkceS256, other) || verifyPKCE(verifier, pkcePlain, other)) {
			t.Fatalf("verifier %q answers the challenge of %q", other, verifier)
		}
		if !validPKCEValue(s256) {
			t.Fatalf("S256 challenge %q of %q is not itself well-formed", s256, verifier)
		}
	})
}

// FuzzAuthorizeParams: whatever the parameters, parsing either fails with a
// protocol error or yields a request whose fields are within their sets.
func FuzzAuthorizeParams(f *testing.F) {
	f.Add("oidc", "code id_token", "form_post", "openid profile", "consent", "60", "n", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "S256")
	f.Add("oauth", "token", "query", "", "", "", "", "", "")
	f.Add("oidc", "id_token", "", "user", "none login", "-1", "", "x", "plain")
	f.Add("oauth", "code", "fragment", "a\"b", "none", "99999999999", strings.Repeat("n", 600), "", "S256")
	f.Fuzz(func(t *testing.T, protocol, responseType, mode, scope, prompt, maxAge, nonce, challenge, method string) {
		if protocol != model.ProtocolOIDC {
			protocol = model.ProtocolOAuth
		}
		app := &model.Application{ID: "app", TokenAuthMethod: model.AuthNone,
			GrantTypes: []string{model.GrantAuthorizationCode, model.GrantImplicit}}
		ar := &authorizeRequest{app: app, protocol: protocol, mode: "query"}
		p := params{"response_type": responseType, "response_mode": mode, "scope": scope, "prompt": prompt,
			"nonce": nonce, "code_challenge": challenge, "code_challenge_method": method}
		if maxAge != "" {
			p["max_age"] = maxAge
		}
		if e := ar.parse(p); e != nil {
			if e.Code == "" || e.Description == "" || e.Status < 400 {
				t.Fatalf("malformed error %+v", e)
			}
			return
		}
		if !slices.Contains([]string{"code", "token", "id_token", "id_token token", "code id_token"}, ar.responseType) {
			t.Fatalf("accepted response_type %q", ar.responseType)
		}
		if ar.idTok && protocol != model.ProtocolOIDC {
			t.Fatalf("id_token response under /oauth")
		}
		if !slices.Contains([]string{"query", "fragment", "form_post"}, ar.mode) || (ar.mode == "query" && ar.responseType != "code") {
			t.Fatalf("response type %q in mode %q", ar.responseType, ar.mode)
		}
		if ar.scope == "" || len(ar.scope) > maxScopeLen {
			t.Fatalf("scope %q", ar.scope)
		}
		if ar.code && ar.codeChallenge == "" {
			t.Fatalf("a public client got through without PKCE")
		}
		if ar.codeChallenge != "" && (!validPKCEValue(ar.codeChallenge) || (ar.codeChallengeMethod != pkceS256 && ar.codeChallengeMethod != pkcePlain)) {
			t.Fatalf("challenge %q method %q", ar.codeChallenge, ar.codeChallengeMethod)
		}
		if ar.idTok && ar.nonce == "" {
			t.Fatalf("id_token without nonce")
		}
	})
}
