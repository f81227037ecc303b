package authentication_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/opengenauth/genauth/authentication"
)

const (
	appID     = "5f17a529f64fb009b794a2ff"
	appSecret = "0123456789abcdef0123456789abcdef"
)

// captured is one request as the fake server saw it.
type captured struct {
	Method, Path, ContentType, Authorization string
	Form                                     url.Values // parsed body
}

// fakeServer answers every request with status and body and records it.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	body   string
	got    []captured
}

func newFakeServer(t *testing.T, status int, body string) *fakeServer {
	t.Helper()
	f := &fakeServer{status: status, body: body}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			t.Errorf("body %q is not form-encoded: %v", raw, err)
		}
		f.mu.Lock()
		f.got = append(f.got, captured{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), form})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		io.WriteString(w, f.body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) last(t *testing.T) captured {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.got) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(f.got))
	}
	return f.got[0]
}

func newClient(t *testing.T, host string, mod func(*authentication.Options)) *authentication.Client {
	t.Helper()
	o := authentication.Options{
		AppID: appID, AppSecret: appSecret, AppHost: host,
		RedirectURI: "https://app.example.com/callback", Protocol: authentication.ProtocolOAuth,
	}
	if mod != nil {
		mod(&o)
	}
	c, err := authentication.NewClient(o)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func TestNewClientValidation(t *testing.T) {
	ok := authentication.Options{AppID: appID, AppSecret: appSecret, AppHost: "https://genauth.example.com"}
	tests := []struct {
		name    string
		mod     func(*authentication.Options)
		wantErr string // substring; empty means success
	}{
		{"defaults", func(*authentication.Options) {}, ""},
		{"trailing slash", func(o *authentication.Options) { o.AppHost += "/" }, ""},
		{"public client", func(o *authentication.Options) {
			o.AppSecret = ""
			o.TokenEndpointAuthMethod, o.IntrospectionEndpointAuthMethod, o.RevocationEndpointAuthMethod = "none", "none", "none"
		}, ""},
		{"no app id", func(o *authentication.Options) { o.AppID = "" }, "AppID is required"},
		{"no host", func(o *authentication.Options) { o.AppHost = "" }, "AppHost is required"},
		{"relative host", func(o *authentication.Options) { o.AppHost = "genauth.example.com" }, "not an http or https URL"},
		{"host with query", func(o *authentication.Options) { o.AppHost = "https://x.example?a=b" }, "query or fragment"},
		{"bad protocol", func(o *authentication.Options) { o.Protocol = "saml" }, `Protocol "saml"`},
		{"bad token method", func(o *authentication.Options) { o.TokenEndpointAuthMethod = "private_key_jwt" }, `TokenEndpointAuthMethod "private_key_jwt"`},
		{"bad introspection method", func(o *authentication.Options) { o.IntrospectionEndpointAuthMethod = "basic" }, `IntrospectionEndpointAuthMethod "basic"`},
		{"bad revocation method", func(o *authentication.Options) { o.RevocationEndpointAuthMethod = "post" }, `RevocationEndpointAuthMethod "post"`},
		{"secret missing for default post", func(o *authentication.Options) { o.AppSecret = "" }, "AppSecret is required when TokenEndpointAuthMethod"},
		{"secret missing for basic", func(o *authentication.Options) {
			o.AppSecret = ""
			o.TokenEndpointAuthMethod, o.IntrospectionEndpointAuthMethod = "none", "none"
			o.RevocationEndpointAuthMethod = authentication.AuthClientSecretBasic
		}, "AppSecret is required when RevocationEndpointAuthMethod"},
		{"colon in id with basic", func(o *authentication.Options) {
			o.AppID = "a:b"
			o.TokenEndpointAuthMethod = authentication.AuthClientSecretBasic
		}, "contains a colon"},
		{"rsa passwords", func(o *authentication.Options) { o.PasswordEncryptType = authentication.PasswordEncryptRSA }, ""},
		{"plain passwords", func(o *authentication.Options) { o.PasswordEncryptType = authentication.PasswordEncryptNone }, ""},
		{"sm2 passwords", func(o *authentication.Options) { o.PasswordEncryptType = "sm2" }, "sm2 is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.mod(&o)
			c, err := authentication.NewClient(o)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("NewClient = %v, %v; want a client", c, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewClient error = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefaultProtocolIsOIDC(t *testing.T) {
	c := newClient(t, "https://genauth.example.com", func(o *authentication.Options) { o.Protocol = "" })
	if c.Protocol() != authentication.ProtocolOIDC {
		t.Fatalf("Protocol() = %q, want oidc", c.Protocol())
	}
}

// call runs one SDK method against host.
type call func(context.Context, *authentication.Client) error

var (
	exchangeCode = func(ctx context.Context, c *authentication.Client) error {
		_, err := c.GetAccessTokenByCode(ctx, "thecode")
		return err
	}
	refresh = func(ctx context.Context, c *authentication.Client) error {
		_, err := c.GetNewAccessTokenByRefreshToken(ctx, "therefresh")
		return err
	}
	introspect = func(ctx context.Context, c *authentication.Client) error {
		_, err := c.IntrospectToken(ctx, "thetoken")
		return err
	}
	revoke = func(ctx context.Context, c *authentication.Client) error {
		_, err := c.RevokeToken(ctx, "thetoken")
		return err
	}
)

const tokenBody = `{"access_token":"fa9d2bdd914ea01aa4e434c12d4f919d749fc75c","token_type":"Bearer","expires_in":1209599,"refresh_token":"b5e0e1afe793c6634495434afc262b88ddee9af3","scope":"user"}`

// TestClientAuthentication checks the exact request of every form endpoint
// under every client auth method and both protocols.
func TestClientAuthentication(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(appID+":"+appSecret))
	endpoints := []struct {
		name   string
		path   string
		body   string
		setM   func(*authentication.Options, string)
		call   call
		fields url.Values // besides the client credentials
	}{
		{"code", "/token", tokenBody, func(o *authentication.Options, m string) { o.TokenEndpointAuthMethod = m }, exchangeCode,
			url.Values{"grant_type": {"authorization_code"}, "code": {"thecode"}, "redirect_uri": {"https://app.example.com/callback"}}},
		{"refresh", "/token", tokenBody, func(o *authentication.Options, m string) { o.TokenEndpointAuthMethod = m }, refresh,
			url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"therefresh"}}},
		{"introspect", "/token/introspection", `{"active":false}`, func(o *authentication.Options, m string) { o.IntrospectionEndpointAuthMethod = m }, introspect,
			url.Values{"token": {"thetoken"}}},
		{"revoke", "/token/revocation", `true`, func(o *authentication.Options, m string) { o.RevocationEndpointAuthMethod = m }, revoke,
			url.Values{"token": {"thetoken"}}},
	}
	methods := []struct {
		method     string
		authHeader string
		creds      url.Values
	}{
		{authentication.AuthClientSecretPost, "", url.Values{"client_id": {appID}, "client_secret": {appSecret}}},
		{authentication.AuthClientSecretBasic, basic, url.Values{"client_id": {appID}}},
		{authentication.AuthNone, "", url.Values{"client_id": {appID}}},
	}
	for _, proto := range []string{authentication.ProtocolOAuth, authentication.ProtocolOIDC} {
		for _, ep := range endpoints {
			for _, m := range methods {
				t.Run(proto+"/"+ep.name+"/"+m.method, func(t *testing.T) {
					srv := newFakeServer(t, http.StatusOK, ep.body)
					c := newClient(t, srv.URL, func(o *authentication.Options) {
						o.Protocol = proto
						ep.setM(o, m.method)
					})
					if err := ep.call(context.Background(), c); err != nil {
						t.Fatal(err)
					}
					form := url.Values{}
					for k, v := range ep.fields {
						form[k] = v
					}
					for k, v := range m.creds {
						form[k] = v
					}
					want := captured{http.MethodPost, "/" + proto + ep.path, "application/x-www-form-urlencoded", m.authHeader, form}
					if diff := cmp.Diff(want, srv.last(t)); diff != "" {
						t.Errorf("request (-want +got):\n%s", diff)
					}
				})
			}
		}
	}
}

func TestGetAccessTokenByCodeOptions(t *testing.T) {
	srv := newFakeServer(t, http.StatusOK, tokenBody)
	c := newClient(t, srv.URL, nil)
	ts, err := c.GetAccessTokenByCode(context.Background(), "thecode",
		authentication.WithCodeVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
		authentication.WithRedirectURI("https://app.example.com/other"))
	if err != nil {
		t.Fatal(err)
	}
	wantForm := url.Values{
		"grant_type": {"authorization_code"}, "code": {"thecode"}, "redirect_uri": {"https://app.example.com/other"},
		"code_verifier": {"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}, "client_id": {appID}, "client_secret": {appSecret},
	}
	if diff := cmp.Diff(wantForm, srv.last(t).Form); diff != "" {
		t.Errorf("form (-want +got):\n%s", diff)
	}
	want := &authentication.TokenSet{
		AccessToken: "fa9d2bdd914ea01aa4e434c12d4f919d749fc75c", TokenType: "Bearer", ExpiresIn: 1209599,
		RefreshToken: "b5e0e1afe793c6634495434afc262b88ddee9af3", Scope: "user", Raw: json.RawMessage(tokenBody),
	}
	if diff := cmp.Diff(want, ts); diff != "" {
		t.Errorf("token set (-want +got):\n%s", diff)
	}
}

func TestEmptyArgumentsSendNothing(t *testing.T) {
	srv := newFakeServer(t, http.StatusOK, tokenBody)
	c := newClient(t, srv.URL, nil)
	ctx := context.Background()
	calls := map[string]func() error{
		"code":     func() error { _, err := c.GetAccessTokenByCode(ctx, ""); return err },
		"refresh":  func() error { _, err := c.GetNewAccessTokenByRefreshToken(ctx, ""); return err },
		"userinfo": func() error { _, err := c.GetUserInfoByAccessToken(ctx, ""); return err },
		"introspect": func() error {
			_, err := c.IntrospectToken(ctx, "")
			return err
		},
		"revoke": func() error { _, err := c.RevokeToken(ctx, ""); return err },
	}
	for name, f := range calls {
		if err := f(); err == nil {
			t.Errorf("%s with an empty argument: no error", name)
		}
	}
	if len(srv.got) != 0 {
		t.Fatalf("server saw %d requests, want none", len(srv.got))
	}
}

func TestIntrospectToken(t *testing.T) {
	body := `{"active":true,"sub":"5f719946524ee1099229496b","client_id":"5f17a529f64fb009b794a2ff","exp":1619083024,"iat":1617873424,"iss":"https://core.example.com/oauth","jti":"qbovGK-HZL0O_20wY7uXj","scope":"user","token_type":"Bearer"}`
	srv := newFakeServer(t, http.StatusOK, body)
	in, err := newClient(t, srv.URL, nil).IntrospectToken(context.Background(), "thetoken")
	if err != nil {
		t.Fatal(err)
	}
	want := &authentication.Introspection{
		Active: true, Sub: "5f719946524ee1099229496b", ClientID: "5f17a529f64fb009b794a2ff", Exp: 1619083024, Iat: 1617873424,
		Iss: "https://core.example.com/oauth", JTI: "qbovGK-HZL0O_20wY7uXj", Scope: "user", TokenType: "Bearer", Raw: json.RawMessage(body),
	}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("introspection (-want +got):\n%s", diff)
	}
	if got := in.ExpiresAt().Unix(); got != 1619083024 {
		t.Errorf("ExpiresAt = %d", got)
	}
}

func TestGetUserInfoRequest(t *testing.T) {
	for _, proto := range []string{authentication.ProtocolOAuth, authentication.ProtocolOIDC} {
		t.Run(proto, func(t *testing.T) {
			srv := newFakeServer(t, http.StatusOK, `{"sub":"u1"}`)
			c := newClient(t, srv.URL, func(o *authentication.Options) { o.Protocol = proto })
			if _, err := c.GetUserInfoByAccessToken(context.Background(), "theaccess"); err != nil {
				t.Fatal(err)
			}
			want := captured{http.MethodGet, "/" + proto + "/me", "", "Bearer theaccess", url.Values{}}
			if diff := cmp.Diff(want, srv.last(t)); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUserInfoDecoding(t *testing.T) {
	// The contract's example: every key present, null where unknown.
	body := `{"address":{"country":null,"postal_code":null,"region":null,"formatted":""},"birthdate":null,"family_name":null,
"gender":"U","given_name":null,"locale":null,"middle_name":null,"name":"","nickname":null,
"picture":"https://files.example.com/avatar.png","preferred_username":null,"profile":null,
"updated_at":"2021-03-03T06:17:14.485Z","website":null,"zoneinfo":null,"email":"test1@genauth.ai",
"email_verified":false,"sub":"603f184cec4505e2868431fc","phone_number":null,"phone_number_verified":false,
"external_id":"ext-7"}`
	srv := newFakeServer(t, http.StatusOK, body)
	u, err := newClient(t, srv.URL, nil).GetUserInfoByAccessToken(context.Background(), "theaccess")
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	f := false
	updated := mustTime(t, "2021-03-03T06:17:14.485Z")
	want := &authentication.UserInfo{
		Sub: "603f184cec4505e2868431fc", Name: str(""), Gender: str("U"), Picture: str("https://files.example.com/avatar.png"),
		Email: str("test1@genauth.ai"), EmailVerified: &f, PhoneNumberVerified: &f,
		Address:   &authentication.Address{Formatted: str("")},
		UpdatedAt: &updated, Raw: json.RawMessage(body),
	}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("userinfo (-want +got):\n%s", diff)
	}
	var ext string
	if ok, err := u.Claim("external_id", &ext); !ok || err != nil || ext != "ext-7" {
		t.Errorf("Claim(external_id) = %v, %v, %q", ok, err, ext)
	}
	if ok, err := u.Claim("website", &ext); ok || err != nil {
		t.Errorf("Claim(website) on null = %v, %v; want absent", ok, err)
	}
}

func TestUserInfoUpdatedAtNumber(t *testing.T) {
	var u authentication.UserInfo
	if err := json.Unmarshal([]byte(`{"sub":"x","updated_at":1614752234}`), &u); err != nil {
		t.Fatal(err)
	}
	if u.UpdatedAt == nil || u.UpdatedAt.Unix() != 1614752234 {
		t.Fatalf("UpdatedAt = %v", u.UpdatedAt)
	}
	if err := json.Unmarshal([]byte(`{"sub":"x","updated_at":"yesterday"}`), &u); err == nil {
		t.Fatal("a malformed updated_at decoded without error")
	}
}

// A UserInfo kept as JSON (in a session, a cache) decodes back to itself,
// updated_at included.
func TestUserInfoJSONRoundTrip(t *testing.T) {
	var u, back authentication.UserInfo
	body := `{"sub":"u1","name":"Ada","email":null,"address":{"country":"UK"},"updated_at":"2021-03-03T06:17:14.485Z"}`
	if err := json.Unmarshal([]byte(body), &u); err != nil {
		t.Fatal(err)
	}
	stored, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(stored, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(u, back, cmpopts.IgnoreFields(authentication.UserInfo{}, "Raw")); diff != "" {
		t.Errorf("decoded from %s (-first +again):\n%s", stored, diff)
	}
}

func TestErrorResponses(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		call   call
		want   authentication.Error
	}{
		{"bad code", 400, `{"error":"invalid_grant","error_description":"the code is invalid or expired"}`, exchangeCode,
			authentication.Error{StatusCode: 400, Code: "invalid_grant", Description: "the code is invalid or expired"}},
		{"bad client on refresh", 401, `{"error":"invalid_client","error_description":"client authentication failed"}`, refresh,
			authentication.Error{StatusCode: 401, Code: "invalid_client", Description: "client authentication failed"}},
		{"bad client on introspect", 401, `{"error":"invalid_client"}`, introspect,
			authentication.Error{StatusCode: 401, Code: "invalid_client"}},
		{"not json on revoke", 502, `<html>bad gateway</html>`, revoke,
			authentication.Error{StatusCode: 502}},
		{"bad token on userinfo", 401, `{"error":"invalid_token","error_description":"expired"}`,
			func(ctx context.Context, c *authentication.Client) error {
				_, err := c.GetUserInfoByAccessToken(ctx, "x")
				return err
			},
			authentication.Error{StatusCode: 401, Code: "invalid_token", Description: "expired"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.status, tt.body)
			err := tt.call(context.Background(), newClient(t, srv.URL, nil))
			var e *authentication.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *authentication.Error", err, err)
			}
			tt.want.Body = []byte(tt.body)
			if diff := cmp.Diff(&tt.want, e); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if !strings.Contains(e.Error(), "authentication: ") {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
}

func TestRevokeTokenFalseOnError(t *testing.T) {
	srv := newFakeServer(t, 401, `{"error":"invalid_client"}`)
	ok, err := newClient(t, srv.URL, nil).RevokeToken(context.Background(), "t")
	if ok || err == nil {
		t.Fatalf("RevokeToken = %v, %v; want false and an error", ok, err)
	}
}

func TestRevokeTokenTrueOnAny2xx(t *testing.T) {
	srv := newFakeServer(t, http.StatusNoContent, "")
	ok, err := newClient(t, srv.URL, nil).RevokeToken(context.Background(), "t")
	if !ok || err != nil {
		t.Fatalf("RevokeToken = %v, %v; want true", ok, err)
	}
}

type failingTransport struct{ err error }

func (f failingTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

func TestTransportErrorsAreWrapped(t *testing.T) {
	cause := errors.New("connection refused by test")
	c := newClient(t, "https://genauth.example.com", func(o *authentication.Options) {
		o.HTTPClient = &http.Client{Transport: failingTransport{cause}}
	})
	ctx := context.Background()
	userinfo := func(ctx context.Context, c *authentication.Client) error {
		_, err := c.GetUserInfoByAccessToken(ctx, "x")
		return err
	}
	for name, f := range map[string]call{"code": exchangeCode, "refresh": refresh, "introspect": introspect, "revoke": revoke, "userinfo": userinfo} {
		err := f(ctx, c)
		if !errors.Is(err, cause) {
			t.Errorf("%s: error %v does not wrap the transport error", name, err)
		}
		var e *authentication.Error
		if errors.As(err, &e) {
			t.Errorf("%s: a transport error became an *Error", name)
		}
	}
}

func TestContextCancellation(t *testing.T) {
	srv := newFakeServer(t, http.StatusOK, tokenBody)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(t, srv.URL, nil).GetAccessTokenByCode(ctx, "code")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v does not wrap context.Canceled", err)
	}
}

func TestDecodeErrorsAreWrapped(t *testing.T) {
	for _, body := range []string{`not json`, `{"access_token":5}`} {
		srv := newFakeServer(t, http.StatusOK, body)
		_, err := newClient(t, srv.URL, nil).GetAccessTokenByCode(context.Background(), "code")
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if !errors.As(err, &syn) && !errors.As(err, &typ) {
			t.Errorf("body %q: error %v does not wrap the JSON error", body, err)
		}
	}
	srv := newFakeServer(t, http.StatusOK, `{"token_type":"Bearer"}`)
	if _, err := newClient(t, srv.URL, nil).GetAccessTokenByCode(context.Background(), "code"); err == nil {
		t.Error("a token response without access_token was accepted")
	}
}

func TestBuildAuthorizeURL(t *testing.T) {
	// Rand yields 0x01 bytes, so the generated state and nonce are known.
	gen := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 16))
	tests := []struct {
		name  string
		proto string
		p     authentication.AuthorizeParams
		want  url.Values
	}{
		{"oauth defaults", authentication.ProtocolOAuth, authentication.AuthorizeParams{},
			url.Values{"client_id": {appID}, "redirect_uri": {"https://app.example.com/callback"}, "response_type": {"code"}, "scope": {"user"}, "state": {gen}}},
		{"oidc defaults", authentication.ProtocolOIDC, authentication.AuthorizeParams{},
			url.Values{"client_id": {appID}, "redirect_uri": {"https://app.example.com/callback"}, "response_type": {"code"},
				"scope": {"openid profile email phone address"}, "state": {gen}, "nonce": {gen}}},
		{"oidc offline access asks consent", authentication.ProtocolOIDC, authentication.AuthorizeParams{State: "s", Nonce: "n", Scope: "openid offline_access"},
			url.Values{"client_id": {appID}, "redirect_uri": {"https://app.example.com/callback"}, "response_type": {"code"},
				"scope": {"openid offline_access"}, "state": {"s"}, "nonce": {"n"}, "prompt": {"consent"}}},
		{"everything given", authentication.ProtocolOAuth, authentication.AuthorizeParams{
			RedirectURI: "http://localhost:3000/cb?x=1&y=2", ResponseType: "token", ResponseMode: "fragment", State: "st", Nonce: "no",
			Scope: "user email", Prompt: "login", CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256"},
			url.Values{"client_id": {appID}, "redirect_uri": {"http://localhost:3000/cb?x=1&y=2"}, "response_type": {"token"}, "response_mode": {"fragment"},
				"scope": {"user email"}, "state": {"st"}, "nonce": {"no"}, "prompt": {"login"},
				"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, "https://genauth.example.com/", func(o *authentication.Options) {
				o.Protocol = tt.proto
				o.Rand = bytes.NewReader(bytes.Repeat([]byte{1}, 64))
			})
			raw, err := c.BuildAuthorizeURL(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := u.Scheme+"://"+u.Host+u.Path, "https://genauth.example.com/"+tt.proto+"/auth"; got != want {
				t.Errorf("endpoint = %s, want %s", got, want)
			}
			if diff := cmp.Diff(tt.want, u.Query()); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildAuthorizeURLErrors(t *testing.T) {
	c := newClient(t, "https://genauth.example.com", func(o *authentication.Options) { o.RedirectURI = "" })
	if _, err := c.BuildAuthorizeURL(authentication.AuthorizeParams{State: "s"}); err == nil {
		t.Error("no redirect URI: no error")
	}
	c = newClient(t, "https://genauth.example.com", func(o *authentication.Options) { o.Rand = bytes.NewReader(nil) })
	if _, err := c.BuildAuthorizeURL(authentication.AuthorizeParams{}); !errors.Is(err, io.EOF) {
		t.Errorf("failing random source: error %v, want it to wrap io.EOF", err)
	}
}

func TestGenerateState(t *testing.T) {
	a, errA := authentication.GenerateState()
	b, errB := authentication.GenerateState()
	if errA != nil || errB != nil || len(a) != 22 || a == b {
		t.Fatalf("GenerateState = %q, %q (%v, %v); want two different 22-character values", a, b, errA, errB)
	}
}

func TestBuildLogoutURL(t *testing.T) {
	tests := []struct {
		name  string
		proto string
		p     authentication.LogoutParams
		want  string
	}{
		{"oauth", authentication.ProtocolOAuth, authentication.LogoutParams{RedirectURI: "http://localhost:3000/bye?a=1&b=2"},
			"https://genauth.example.com/login/profile/logout?redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fbye%3Fa%3D1%26b%3D2"},
		{"oauth without redirect", authentication.ProtocolOAuth, authentication.LogoutParams{},
			"https://genauth.example.com/login/profile/logout"},
		{"oidc", authentication.ProtocolOIDC, authentication.LogoutParams{RedirectURI: "http://localhost:3000", IDTokenHint: "eyJ.a.b", State: "s 1"},
			"https://genauth.example.com/oidc/session/end?id_token_hint=eyJ.a.b&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A3000&state=s+1"},
		{"oidc only redirect", authentication.ProtocolOIDC, authentication.LogoutParams{RedirectURI: "http://localhost:3000"},
			"https://genauth.example.com/oidc/session/end?post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A3000&client_id=" + appID},
		{"oidc bare", authentication.ProtocolOIDC, authentication.LogoutParams{},
			"https://genauth.example.com/oidc/session/end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, "https://genauth.example.com", func(o *authentication.Options) { o.Protocol = tt.proto })
			if got := c.BuildLogoutURL(tt.p); got != tt.want {
				t.Errorf("BuildLogoutURL =\n %s\nwant\n %s", got, tt.want)
			}
		})
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
