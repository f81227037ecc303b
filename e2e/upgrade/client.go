package upgrade

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Client talks to one server as applications, browsers and administrators
// do. It never follows redirects by itself, and sends addresses under
// PublicURL to the server.
type Client struct {
	base *url.URL
	http *http.Client
}

// NewClient returns a client without cookies, as an application's back end.
func NewClient(base string) *Client {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	return &Client{base: u, http: &http.Client{
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// NewBrowser returns a client that keeps cookies, as a browser.
func NewBrowser(base string) *Client {
	c := NewClient(base)
	c.http.Jar, _ = cookiejar.New(nil) // never fails without options
	return c
}

// Cookie returns the value of the cookie name that the server set, or "".
func (c *Client) Cookie(name string) string {
	for _, k := range c.http.Jar.Cookies(c.base) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}

// SetCookie gives the browser a cookie for the server.
func (c *Client) SetCookie(name, value string) {
	c.http.Jar.SetCookies(c.base, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// Response is an answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Location is the redirect target resolved against PublicURL, or nil.
	Location *url.URL
}

func (r *Response) String() string {
	body := string(r.Body)
	if len(body) > 2000 {
		body = body[:2000] + "..."
	}
	return fmt.Sprintf("%d %s", r.Status, body)
}

var public, _ = url.Parse(PublicURL)

// OnServer reports whether u (resolved against PublicURL) is the server's.
func OnServer(u *url.URL) bool { return u.Scheme == public.Scheme && u.Host == public.Host }

// Do sends req after pointing a PublicURL address at the server.
func (c *Client) Do(req *http.Request) (*Response, error) {
	u := public.ResolveReference(req.URL)
	if OnServer(u) {
		u.Scheme, u.Host = c.base.Scheme, c.base.Host
	}
	req.URL, req.Host = u, ""
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if loc := resp.Header.Get("Location"); loc != "" {
		if r.Location, err = public.Parse(loc); err != nil {
			return nil, fmt.Errorf("%s %s: Location %q: %v", req.Method, req.URL.Path, loc, err)
		}
	}
	return r, nil
}

// Get sends a GET to u (a path, or an absolute URL).
func (c *Client) Get(u string) (*Response, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// PostForm posts form to u; with user set, it also sends HTTP Basic
// credentials.
func (c *Client) PostForm(u string, form url.Values, user, password string) (*Response, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(password))
	}
	return c.Do(req)
}

// SignIn posts the hosted login form. Success is a 303 to returnTo.
func (c *Client) SignIn(login, password, returnTo string) (*Response, error) {
	return c.PostForm("/login", url.Values{"username": {login}, "password": {password}, "return_to": {returnTo}}, "", "")
}

// Authorization is where an authorization request ended.
type Authorization struct {
	// Callback is the redirect to the application (code, tokens or error).
	Callback *url.URL
	// Consent is the consent page, when the server showed it instead.
	Consent *Response
	// SignedIn says that the server asked for the login page, and got it.
	SignedIn bool
}

// Code returns the authorization code of the callback, or "".
func (a *Authorization) Code() string {
	if a.Callback == nil {
		return ""
	}
	return a.Callback.Query().Get("code")
}

// Authorize follows an authorization request (such as
// /oidc/auth?client_id=...) as a browser does, signing in with login and
// password when the server sends it to the login page (an empty login makes
// that an error), up to the consent page or the redirect to the application.
func (c *Client) Authorize(authURL, login, password string) (*Authorization, error) {
	res, err := c.Get(authURL)
	if err != nil {
		return nil, err
	}
	return c.Follow(res, login, password)
}

// Decide answers the consent page with "approve" or "deny" and follows on.
func (c *Client) Decide(page *Response, decision string) (*Authorization, error) {
	action, fields, err := consentForm(string(page.Body))
	if err != nil {
		return nil, err
	}
	fields.Set("consent", decision)
	res, err := c.PostForm(action, fields, "", "")
	if err != nil {
		return nil, err
	}
	return c.Follow(res, "", "")
}

// Follow goes on from res as Authorize does.
func (c *Client) Follow(res *Response, login, password string) (*Authorization, error) {
	a := &Authorization{}
	for range 10 {
		var err error
		switch {
		case res.Location != nil && !OnServer(res.Location):
			a.Callback = res.Location
			return a, nil
		case res.Location != nil && res.Location.Path == "/login":
			if login == "" || a.SignedIn {
				return nil, fmt.Errorf("the server asks for a login: %s", res.Location)
			}
			if res, err = c.SignIn(login, password, res.Location.Query().Get("return_to")); err != nil {
				return nil, err
			}
			if res.Status != http.StatusSeeOther {
				return nil, fmt.Errorf("signing in as %s: %s", login, res)
			}
			a.SignedIn = true
		case res.Location != nil:
			if res, err = c.Get(res.Location.String()); err != nil {
				return nil, err
			}
		case res.Status == http.StatusOK && consentFormRE.Match(res.Body):
			a.Consent = res
			return a, nil
		default:
			return nil, fmt.Errorf("neither a redirect nor the consent page: %s", res)
		}
	}
	return nil, errors.New("more than 10 redirects")
}

var (
	consentFormRE = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*/auth/consent)"[^>]*>(.*?)</form>`)
	inputRE       = regexp.MustCompile(`<input[^>]*>`)
	attrRE        = regexp.MustCompile(`([a-z_-]+)="([^"]*)"`)
)

// consentForm reads the consent page's form: where it posts, and its hidden
// fields (the authorization request).
func consentForm(page string) (action string, fields url.Values, err error) {
	m := consentFormRE.FindStringSubmatch(page)
	if m == nil {
		return "", nil, fmt.Errorf("no consent form in the page:\n%s", page)
	}
	fields = url.Values{}
	for _, in := range inputRE.FindAllString(m[2], -1) {
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(in, -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		if attrs["type"] == "hidden" {
			fields.Add(attrs["name"], attrs["value"])
		}
	}
	return html.UnescapeString(m[1]), fields, nil
}

// AuthURL is the authorization request of app under prefix ("oauth" or
// "oidc") for scope, with the extra parameters given.
func AuthURL(prefix string, app App, scope string, extra url.Values) string {
	q := url.Values{"client_id": {app.ID}, "redirect_uri": {app.RedirectURI}, "response_type": {"code"},
		"scope": {scope}, "state": {"st-" + rand.Text()[:8]}}
	for k, v := range extra {
		q[k] = v
	}
	return "/" + prefix + "/auth?" + q.Encode()
}

// PKCE returns a code verifier and its S256 challenge.
func PKCE() (verifier, challenge string) {
	verifier = rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// TokenResponse is the token endpoint's answer, success or error.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	IDToken      string `json:"id_token"`
	Error        string `json:"error"`
}

// authPost posts form to path with app's client authentication.
func (c *Client) authPost(path string, app App, form url.Values) (*Response, error) {
	switch app.AuthMethod {
	case "client_secret_basic":
		return c.PostForm(path, form, app.ID, app.Secret)
	case "none":
		form.Set("client_id", app.ID)
	default:
		form.Set("client_id", app.ID)
		form.Set("client_secret", app.Secret)
	}
	return c.PostForm(path, form, "", "")
}

// Token calls the token endpoint under prefix as app.
func (c *Client) Token(prefix string, app App, form url.Values) (*TokenResponse, *Response, error) {
	res, err := c.authPost("/"+prefix+"/token", app, form)
	if err != nil {
		return nil, nil, err
	}
	var tr TokenResponse
	if err := json.Unmarshal(res.Body, &tr); err != nil {
		return nil, res, fmt.Errorf("token endpoint: %s: %v", res, err)
	}
	return &tr, res, nil
}

// Introspect introspects tok as app; the answer's body is the JSON.
func (c *Client) Introspect(app App, tok string) (*Response, error) {
	return c.authPost("/oauth/token/introspection", app, url.Values{"token": {tok}})
}

// Revoke revokes tok as app.
func (c *Client) Revoke(app App, tok string) (*Response, error) {
	return c.authPost("/oauth/token/revocation", app, url.Values{"token": {tok}})
}

// Envelope is the management API's answer.
type Envelope struct {
	StatusCode int             `json:"statusCode"`
	Message    string          `json:"message"`
	APICode    int             `json:"apiCode"`
	Data       json.RawMessage `json:"data"`
}

func (c *Client) envelope(req *http.Request) (*Envelope, error) {
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	var e Envelope
	if err := json.Unmarshal(res.Body, &e); err != nil || res.Status != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s (%v)", req.Method, req.URL.Path, res, err)
	}
	return &e, nil
}

func managementRequest(method, call string, query url.Values, body any) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	u := "/api/v3/" + call
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// ManagementToken exchanges the access key for a management token.
func (c *Client) ManagementToken(k AccessKey) (string, error) {
	e, err := c.Management("", http.MethodPost, "get-management-token", nil,
		map[string]string{"accessKeyId": k.ID, "accessKeySecret": k.Secret})
	if err != nil {
		return "", err
	}
	var d struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil || d.AccessToken == "" {
		return "", fmt.Errorf("get-management-token: %+v", e)
	}
	return d.AccessToken, nil
}

// Management calls the management API with a management token (none when
// token is "").
func (c *Client) Management(token, method, call string, query url.Values, body any) (*Envelope, error) {
	req, err := managementRequest(method, call, query, body)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.envelope(req)
}

// SignedGet calls a GET of the management API signed with the access key
// (the scheme of GenAuth's Node SDK): HMAC-SHA1 over the method, the date and
// nonce headers, the path and the sorted, unescaped parameters.
func (c *Client) SignedGet(k AccessKey, call string, query url.Values) (*Envelope, error) {
	req, err := managementRequest(http.MethodGet, call, query, nil)
	if err != nil {
		return nil, err
	}
	date, nonce := time.Now().UTC().Format(http.TimeFormat), rand.Text()
	req.Header.Set("Date", date)
	req.Header.Set("X-Authing-Signature-Nonce", nonce)
	keys := make([]string, 0, len(query))
	for name := range query {
		keys = append(keys, name)
	}
	sort.Strings(keys)
	resource := req.URL.Path
	for i, name := range keys {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		resource += sep + name + "=" + query.Get(name)
	}
	m := hmac.New(sha1.New, []byte(k.Secret))
	m.Write([]byte("GET\ndate:" + date + "\nx-authing-signature-nonce:" + nonce + "\n" + resource))
	req.Header.Set("Authorization", "authing "+k.ID+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	return c.envelope(req)
}

// JWTParts decodes a JWT's header and claims without checking anything.
func JWTParts(tok string) (header, claims map[string]any, err error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("not a JWT: %q", tok)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, nil, fmt.Errorf("JWT part %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			return nil, nil, fmt.Errorf("JWT part %d: %v", i, err)
		}
	}
	return header, claims, nil
}
