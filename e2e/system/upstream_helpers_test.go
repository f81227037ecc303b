package system

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Helpers of upstream_test.go: servers at a chosen address, and a browser
// that is driven one request at a time.

// freeAddr returns host:port with a port free on host at the moment; the
// servers need their public URL, port included, before they start.
func freeAddr(host string) (string, error) {
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// serveAt starts `genauth serve` on the SQLite database in dir, listening
// on addr with the public URL http://addr. runNode's own --addr and
// --public-url come first, and a flag given again takes the later value.
func serveAt(t *testing.T, ctx context.Context, bin, name, dir, addr string) *node {
	t.Helper()
	n, err := runNode(t, ctx, bin, name, nil, "--data-dir", dir, "--sweep-interval", "0",
		"--addr", addr, "--public-url", "http://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	if n.url != "http://"+addr {
		t.Fatalf("%s listens on %s, want http://%s", name, n.url, addr)
	}
	return n
}

// browser is one user agent with its own cookies; it never follows a
// redirect by itself, so that each step of a sign-in can be checked.
type browser struct {
	t   *testing.T
	jar *cookiejar.Jar
	c   *http.Client
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, jar: jar, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is an answer the browser got.
type page struct {
	method, url string
	status      int
	loc         *url.URL // a redirect's Location, resolved; nil otherwise
	cookies     []*http.Cookie
	body        string
}

func (p page) String() string {
	if p.loc != nil {
		return p.method + " " + p.url + ": " + http.StatusText(p.status) + " to " + p.loc.String()
	}
	body := p.body
	if len(body) > 2000 {
		body = body[:2000] + "..."
	}
	return p.method + " " + p.url + ": " + http.StatusText(p.status) + " " + body
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: reading the answer: %v", req.Method, req.URL, err)
	}
	p := page{method: req.Method, url: req.URL.String(), status: resp.StatusCode, cookies: resp.Cookies(), body: string(body)}
	if resp.StatusCode/100 == 3 {
		if p.loc, err = resp.Location(); err != nil {
			b.t.Fatalf("%s %s: %d without a Location", req.Method, req.URL, resp.StatusCode)
		}
	}
	return p
}

func (b *browser) get(u string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits form as an HTML form of the page's own site does.
func (b *browser) post(u string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// submit posts the form of p whose action starts with prefix, as a browser
// does: the page's hidden fields and set, to the action resolved against
// p's URL.
func (b *browser) submit(p page, prefix string, set url.Values) page {
	b.t.Helper()
	for _, a := range formActions(p.body) {
		if !strings.HasPrefix(a, prefix) {
			continue
		}
		base, err := url.Parse(p.url)
		if err != nil {
			b.t.Fatal(err)
		}
		action, err := base.Parse(a)
		if err != nil {
			b.t.Fatalf("%s: the form's action %q: %v", p, a, err)
		}
		form := hiddenFields(p.body)
		for k, v := range set {
			form[k] = v
		}
		return b.post(action.String(), form)
	}
	b.t.Fatalf("%s; want a form posting to %s", p, prefix)
	return page{}
}

// redirect fails the test unless p redirects to a URL that starts with
// prefix; it returns the Location.
func (b *browser) redirect(p page, prefix string) *url.URL {
	b.t.Helper()
	if p.loc == nil || !strings.HasPrefix(p.loc.String(), prefix) {
		b.t.Fatalf("%s; want a redirect to %s...", p, prefix)
	}
	return p.loc
}

// expect fails the test unless p has status.
func (b *browser) expect(p page, status int) page {
	b.t.Helper()
	if p.status != status {
		b.t.Fatalf("%s; want %d", p, status)
	}
	return p
}

// cookie returns the value of the cookie name the browser would send to u.
func (b *browser) cookie(u, name string) string {
	b.t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.jar.Cookies(pu) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var (
	idpLinkRE = regexp.MustCompile(`<a class="idp" href="([^"]*)"`)
	hiddenRE  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	formRE    = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
)

// idpLinks are the hrefs of a login page's connection links, in order.
func idpLinks(body string) []string {
	var out []string
	for _, m := range idpLinkRE.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// hiddenFields are a page's hidden form inputs.
func hiddenFields(body string) url.Values {
	v := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(body, -1) {
		v.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// formActions are the actions of a page's POST forms, in order.
func formActions(body string) []string {
	var out []string
	for _, m := range formRE.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// auditEvent is an event as `genauth audit list --json` prints it.
type auditEvent struct {
	Type   string `json:"type"`
	UserID string `json:"user_id"`
	Detail string `json:"detail"`
}

// auditEvents lists the audit trail of the database in dir, newest first.
func auditEvents(t *testing.T, dir string) []auditEvent {
	t.Helper()
	var list []auditEvent
	if err := json.Unmarshal([]byte(mustRun(t, "", "audit", "list", "--json", "--limit", "1000", "--data-dir", dir)), &list); err != nil {
		t.Fatalf("genauth audit list: %v", err)
	}
	return list
}
