package oauth_test

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/password"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// str returns m[key] when it is a non-empty string, so that a value of the
// wrong type is never turned into a placeholder.
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// known adds the non-empty values to a placeholder map.
func known(pairs ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] != "" {
			m[pairs[i]] = pairs[i+1]
		}
	}
	return m
}

func tokenScrub(r *response, t *testing.T) golden.Scrub {
	m := decode(t, r)
	// The id token's claims are pinned by the oidc package's golden files; here only its presence and type.
	return golden.Scrub{Strs: known(str(m, "access_token"), "access_token", str(m, "refresh_token"), "refresh_token", str(m, "id_token"), "id_token")}
}

func wantOK(t *testing.T, r *response) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	wantJSONHeaders(t, r)
}

func TestGoldenToken(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	var rt string
	for _, prefix := range prefixes {
		cfg := e.config(c, prefix, oauth2.AuthStyleInParams)
		r := post(t, e.url(prefix, "/token"),
			c.creds(url.Values{"grant_type": {"authorization_code"}, "code": {e.code(t, cfg)}, "redirect_uri": {callback}}), nil)
		wantOK(t, r)
		golden.Check(t, "token_authorization_code_"+prefix, r.body, tokenScrub(r, t))
		if prefix == model.ProtocolOAuth {
			rt = str(decode(t, r), "refresh_token")
		}
	}

	r := post(t, e.url("oauth", "/token"), c.creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}), nil)
	wantOK(t, r)
	golden.Check(t, "token_refresh", r.body, tokenScrub(r, t))

	m2m := e.newApp(t, apps.CreateParams{GrantTypes: []string{model.GrantClientCredentials}, RedirectURIs: []string{},
		AllowedScopes: "read write"})
	for name, scope := range map[string]string{"token_client_credentials": "", "token_client_credentials_scope": "read write"} {
		form := m2m.creds(url.Values{"grant_type": {"client_credentials"}})
		if scope != "" {
			form.Set("scope", scope)
		}
		r = post(t, e.url("oauth", "/token"), form, nil)
		wantOK(t, r)
		golden.Check(t, name, r.body, tokenScrub(r, t))
	}
}

func TestGoldenUserinfo(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	hash, err := password.Hash(rand.Reader, "ada's password")
	if err != nil {
		t.Fatal(err)
	}
	updated := e.srv.Clock.Now().Add(485 * time.Millisecond)
	full := &model.User{
		ID:                token.NewSource(rand.Reader).ID(),
		Username:          "ada",
		Email:             "ada@example.com",
		EmailVerified:     true,
		Phone:             "+441234567890",
		PhoneVerified:     true,
		PasswordHash:      hash,
		Name:              "Ada Lovelace",
		GivenName:         "Ada",
		FamilyName:        "Lovelace",
		MiddleName:        "Augusta",
		Nickname:          "Countess",
		PreferredUsername: "ada.l",
		Profile:           "https://example.com/ada",
		Picture:           "https://example.com/ada.png",
		Website:           "https://ada.example.com",
		Gender:            model.GenderFemale,
		Birthdate:         "1815-12-10",
		Zoneinfo:          "Europe/London",
		Locale:            "en-GB",
		Address: model.Address{
			Formatted:     "12 St James's Square, London SW1Y 4JH, UK",
			StreetAddress: "12 St James's Square",
			Locality:      "London",
			Region:        "Greater London",
			PostalCode:    "SW1Y 4JH",
			Country:       "UK",
		},
		CreatedAt: updated,
		UpdatedAt: updated,
	}
	if err := e.srv.Store.CreateUser(t.Context(), full); err != nil {
		t.Fatal(err)
	}
	adaBrowser := testserver.Browser(t)
	for _, tc := range []struct {
		name     string
		user     *model.User
		browser  *http.Client
		username string
		password string
	}{
		{"userinfo_full", full, adaBrowser, "ada", "ada's password"},
		{"userinfo_minimal", e.user, e.browser, userName, userPassword},
	} {
		cfg := e.config(c, "oauth", oauth2.AuthStyleInParams)
		loc := e.srv.Authorize(t, tc.browser, cfg.AuthCodeURL("s"), tc.username, tc.password)
		tok, err := cfg.Exchange(t.Context(), loc.Query().Get("code"))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		r := e.me(t, "oauth", tok.AccessToken)
		wantOK(t, r)
		golden.Check(t, tc.name, r.body, golden.Scrub{Strs: known(
			tc.user.ID, "sub",
			tc.user.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z"), "updated_at",
		)})
	}
}

func TestGoldenIntrospection(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	iat := e.srv.Clock.Now().Unix()
	tok := e.tokens(t, c, "oauth")
	s := golden.Scrub{
		Strs: known(e.user.ID, "sub", c.id, "client_id"),
		Ints: map[int64]string{
			iat: "iat",
			iat + int64(model.DefaultAccessTokenTTL/time.Second):  "exp",
			iat + int64(model.DefaultRefreshTokenTTL/time.Second): "exp_refresh",
		},
		Keys: map[string]string{"jti": `[A-Za-z0-9_-]{20}`},
		URLs: map[string]string{e.srv.URL: "public_url"},
	}
	for _, prefix := range prefixes {
		r := e.introspect(t, c, prefix, tok.AccessToken)
		wantOK(t, r)
		golden.Check(t, "introspection_active_"+prefix, r.body, s)
	}
	r := e.introspect(t, c, "oauth", tok.RefreshToken)
	wantOK(t, r)
	golden.Check(t, "introspection_active_refresh", r.body, s)

	m2m := e.newApp(t, apps.CreateParams{GrantTypes: []string{model.GrantClientCredentials}, RedirectURIs: []string{},
		AllowedScopes: "read write"})
	at := str(decode(t, post(t, e.url("oauth", "/token"), m2m.creds(url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}), nil)), "access_token")
	r = e.introspect(t, m2m, "oauth", at)
	wantOK(t, r)
	s.Strs = known(m2m.id, "client_id")
	golden.Check(t, "introspection_active_client_credentials", r.body, s)

	r = e.introspect(t, c, "oauth", "unknown")
	wantOK(t, r)
	golden.Check(t, "introspection_inactive", r.body, golden.Scrub{})
}

func TestGoldenRevocation(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	r := e.revoke(t, c, "oauth", e.tokens(t, c, "oauth").AccessToken)
	wantOK(t, r)
	golden.Check(t, "revocation", r.body, golden.Scrub{})

	other := e.newApp(t, apps.CreateParams{})
	r = e.revoke(t, other, "oauth", e.tokens(t, c, "oauth").AccessToken)
	if r.status != http.StatusBadRequest {
		t.Errorf("revoking another client's token: status %d, want 400", r.status)
	}
	wantJSONHeaders(t, r)
	golden.Check(t, "revocation_other_client", r.body, golden.Scrub{})
}

// TestGoldenErrors pins one response of every error shape the endpoints send.
func TestGoldenErrors(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	m2m := e.newApp(t, apps.CreateParams{GrantTypes: []string{model.GrantClientCredentials}, RedirectURIs: []string{}})
	tokenURL := e.url("oauth", "/token")
	for _, tc := range []struct {
		name   string
		req    request
		status int
	}{
		{"error_invalid_request", request{method: http.MethodPost, url: tokenURL, contentType: formType, body: c.creds(url.Values{}).Encode()}, http.StatusBadRequest},
		{"error_invalid_request_repeated", request{method: http.MethodPost, url: tokenURL, contentType: formType, body: "grant_type=authorization_code&code=a&code=b"}, http.StatusBadRequest},
		{"error_invalid_request_content_type", request{method: http.MethodPost, url: tokenURL, contentType: "application/json", body: `{"grant_type":"refresh_token"}`}, http.StatusBadRequest},
		{"error_invalid_request_too_large", request{method: http.MethodPost, url: tokenURL, contentType: formType, body: "grant_type=" + strings.Repeat("a", 70<<10)}, http.StatusBadRequest},
		{"error_method_not_allowed", request{method: http.MethodGet, url: tokenURL}, http.StatusMethodNotAllowed},
		{"error_invalid_client", request{method: http.MethodPost, url: tokenURL, contentType: formType, body: "grant_type=refresh_token&client_id=nobody"}, http.StatusUnauthorized},
		{"error_invalid_client_basic", request{method: http.MethodPost, url: tokenURL, contentType: formType, body: "grant_type=refresh_token", header: map[string]string{"Authorization": "Basic !!!"}}, http.StatusUnauthorized},
		{"error_invalid_grant", request{method: http.MethodPost, url: tokenURL, contentType: formType, body: c.creds(url.Values{"grant_type": {"authorization_code"}, "code": {"0000"}, "redirect_uri": {callback}}).Encode()}, http.StatusBadRequest},
		{"error_unsupported_grant_type", request{method: http.MethodPost, url: tokenURL, contentType: formType, body: c.creds(url.Values{"grant_type": {"password"}}).Encode()}, http.StatusBadRequest},
		{"error_unauthorized_client", request{method: http.MethodPost, url: tokenURL, contentType: formType, body: c.creds(url.Values{"grant_type": {"client_credentials"}}).Encode()}, http.StatusBadRequest},
		{"error_invalid_scope", request{method: http.MethodPost, url: tokenURL, contentType: formType, body: m2m.creds(url.Values{"grant_type": {"client_credentials"}, "scope": {`"quoted"`}}).Encode()}, http.StatusBadRequest},
		{"error_invalid_token", request{method: http.MethodGet, url: e.url("oauth", "/me"), header: map[string]string{"Authorization": "Bearer nope"}}, http.StatusUnauthorized},
		{"error_invalid_token_missing", request{method: http.MethodGet, url: e.url("oauth", "/me")}, http.StatusUnauthorized},
	} {
		r := do(t, tc.req)
		if r.status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, r.status, tc.status)
		}
		wantJSONHeaders(t, r)
		golden.Check(t, tc.name, r.body, golden.Scrub{})
	}
}

// TestGoldenDetectsDrift proves the comparison is strict: a key added,
// removed, renamed, reordered or of another type makes it fail, even where
// the value is a placeholder.
func TestGoldenDetectsDrift(t *testing.T) {
	if *golden.Update {
		t.Skip("golden files are being rewritten")
	}
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	iat := e.srv.Clock.Now().Unix()
	tok := e.tokens(t, c, "oauth")
	r := post(t, e.url("oauth", "/token"), c.creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}), nil)
	tokenBody, ts := string(r.body), tokenScrub(r, t)
	at := str(decode(t, r), "access_token")
	r = e.introspect(t, c, "oauth", at)
	introBody := string(r.body)
	is := golden.Scrub{
		Strs: known(e.user.ID, "sub", c.id, "client_id"),
		Ints: map[int64]string{iat: "iat", iat + int64(model.DefaultAccessTokenTTL/time.Second): "exp"},
		Keys: map[string]string{"jti": `[A-Za-z0-9_-]{20}`},
		URLs: map[string]string{e.srv.URL: "public_url"},
	}
	exp := strconv.FormatInt(iat+int64(model.DefaultAccessTokenTTL/time.Second), 10)
	cases := []struct {
		name, golden, body, old, new string
		s                            golden.Scrub
	}{
		{"unchanged", "token_refresh", tokenBody, "", "", ts},
		{"key added", "token_refresh", tokenBody, `"token_type"`, `"id_token":"x","token_type"`, ts},
		{"key removed", "token_refresh", tokenBody, `"token_type":"Bearer",`, ``, ts},
		{"key renamed", "token_refresh", tokenBody, `"token_type"`, `"tokenType"`, ts},
		{"keys reordered", "token_refresh", tokenBody, `"token_type":"Bearer","expires_in":1209600`, `"expires_in":1209600,"token_type":"Bearer"`, ts},
		{"integer as string", "token_refresh", tokenBody, `"expires_in":1209600`, `"expires_in":"1209600"`, ts},
		{"placeholder string as array", "token_refresh", tokenBody, `"access_token":"` + at + `"`, `"access_token":["` + at + `"]`, ts},
		{"unchanged", "introspection_active_oauth", introBody, "", "", is},
		{"placeholder integer as string", "introspection_active_oauth", introBody, `"exp":` + exp, `"exp":"` + exp + `"`, is},
		{"placeholder integer as float", "introspection_active_oauth", introBody, `"exp":` + exp, `"exp":` + exp + `.0`, is},
		{"placeholder string as number", "introspection_active_oauth", introBody, `"sub":"` + e.user.ID + `"`, `"sub":1`, is},
		{"jti of another shape", "introspection_active_oauth", introBody, `"jti":"`, `"jti":"x`, is},
		{"bool as string", "introspection_active_oauth", introBody, `"active":true`, `"active":"true"`, is},
	}
	for _, tc := range cases {
		body := tc.body
		if tc.old != "" {
			if !strings.Contains(body, tc.old) {
				t.Fatalf("%s: %q not in %s", tc.name, tc.old, body)
			}
			body = strings.Replace(body, tc.old, tc.new, 1)
		}
		d := golden.Diff(t, tc.golden, tc.s.Apply([]byte(body)))
		if tc.old == "" && d != "" {
			t.Errorf("%s %s: a real response differs from its golden file:\n%s", tc.golden, tc.name, d)
		}
		if tc.old != "" && d == "" {
			t.Errorf("%s %s: the golden comparison did not notice", tc.golden, tc.name)
		}
	}
}
