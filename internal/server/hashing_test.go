package server_test

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/users"
	v3 "github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/api/management"
	"github.com/opengenauth/genauth/internal/platform/password"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/server"
)

// TestHashingLimit runs the server with one password hashing slot and a
// queue of one. With the slot taken, a sign-in waits in the queue; the next
// sign-in, a registration and the management API's create-user are refused
// at once with 503 and Retry-After (a readable page in the reader's
// language, or the envelope's statusCode), nothing logged as an error, and
// the refusals count as no failed attempt; when the slot frees, the waiting
// sign-in succeeds.
func TestHashingLimit(t *testing.T) {
	ctx := t.Context()
	st := openSQLite(t)
	limiter := password.NewLimiter(1, 1, time.Hour)
	var logs logLines
	base := serveConfig(t, server.Config{Store: st, Hashing: limiter, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	tokens := token.NewSource(rand.Reader)
	if _, err := (&users.Service{Store: st, Tokens: tokens, Rand: rand.Reader, Now: time.Now}).Create(ctx,
		users.CreateParams{Username: "ada", Password: "the right password"}); err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(testSecretKey, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := (&management.Keys{Store: st, Sealer: sealer, Tokens: tokens, Now: time.Now}).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	mgmt := "Bearer " + managementAPI(t, client, base, "get-management-token", "",
		`{"accessKeyId":"`+creds.ID+`","accessKeySecret":"`+creds.Secret+`"}`).Data.AccessToken
	signIn := url.Values{"username": {"ada"}, "password": {"the right password"}}

	release, err := limiter.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan int, 1)
	go func() {
		resp, err := client.PostForm(base+"/login", signIn)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	deadline := time.Now().Add(30 * time.Second)
	for limiter.Queued() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the first sign-in never queued")
		}
		time.Sleep(time.Millisecond)
	}
	busyPage := func(name string, a answer, text string) {
		t.Helper()
		if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") != "1" || !strings.Contains(a.body, text) {
			t.Errorf("%s while hashing is full: %d, Retry-After %q, page %.200q; want 503, Retry-After 1 and %q",
				name, a.status, a.header.Get("Retry-After"), a.body, text)
		}
	}
	// More refusals than a lockout takes: a refusal judged no password.
	for range 6 {
		busyPage("sign-in", do(t, client, http.MethodPost, base+"/login", signIn), "The server is busy checking other passwords.")
	}
	busyPage("sign-in (zh-CN)", do(t, client, http.MethodPost, base+"/login", signIn, "Accept-Language", "zh-CN"), "服务器正忙于校验其他密码")
	busyPage("registration", do(t, client, http.MethodPost, base+"/register", url.Values{"username": {"bob"},
		"password": {"bob's password"}, "password_confirm": {"bob's password"}}), "The server is busy checking other passwords.")
	if env := managementAPI(t, client, base, "create-user", mgmt, `{"username":"carol","password":"carol's password"}`); env.StatusCode != http.StatusServiceUnavailable || env.retryAfter != "1" {
		t.Errorf("create-user while hashing is full: statusCode %d, Retry-After %q; want 503, Retry-After 1", env.StatusCode, env.retryAfter)
	}

	release()
	if status := <-first; status != http.StatusSeeOther {
		t.Errorf("the queued sign-in: %d, want 303", status)
	}
	if got := do(t, client, http.MethodPost, base+"/login", signIn); got.status != http.StatusSeeOther {
		t.Errorf("a sign-in after: %d, want 303", got.status)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("refusals were logged as errors:\n%s", logs.String())
	}
}

// envelope is a management API answer, with its Retry-After header.
type envelope struct {
	StatusCode int `json:"statusCode"`
	Data       struct {
		AccessToken string `json:"access_token"`
	} `json:"data"`
	retryAfter string
}

// managementAPI posts the JSON body to the endpoint with the Authorization
// header auth (none when empty) and decodes the envelope.
func managementAPI(t *testing.T, c *http.Client, base, endpoint, auth, body string) envelope {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+v3.Prefix+endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("%s: %q: %v", endpoint, b, err)
	}
	env.retryAfter = resp.Header.Get("Retry-After")
	return env
}
