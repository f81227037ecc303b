package oauth_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store"
)

// refreshWith posts a refresh_token grant for c and returns the response.
func (e *env) refreshWith(t *testing.T, c client, rt string) *response {
	t.Helper()
	return post(t, e.url("oauth", "/token"), c.creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}), nil)
}

// rotated refreshes rt and returns the new access and refresh tokens.
func (e *env) rotated(t *testing.T, c client, rt string) (string, string) {
	t.Helper()
	r := e.refreshWith(t, c, rt)
	if r.status != http.StatusOK {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	m := decode(t, r)
	at, next := str(m, "access_token"), str(m, "refresh_token")
	if !opaqueRE.MatchString(next) || next == rt {
		t.Fatalf("refresh returned refresh_token %q; want a new one", next)
	}
	return at, next
}

// TestRefreshRotation covers RFC 9700 section 4.14.2 as new applications
// get it by default: a new refresh token each time, the old one retired.
func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	if !c.app.RotateRefreshTokens || c.app.RefreshGracePeriod != model.DefaultRefreshGracePeriod {
		t.Fatalf("a new application: rotation %v, grace %v; want on, %v", c.app.RotateRefreshTokens, c.app.RefreshGracePeriod, model.DefaultRefreshGracePeriod)
	}

	t.Run("x/oauth2 follows the rotation", func(t *testing.T) {
		tok := e.tokens(t, c, "oauth")
		tok.Expiry = time.Now().Add(-time.Minute) // the real clock is what x/oauth2 reads
		fresh, err := e.config(c, "oauth", oauth2.AuthStyleInParams).TokenSource(t.Context(), tok).Token()
		if err != nil {
			t.Fatal(err)
		}
		if fresh.RefreshToken == tok.RefreshToken || fresh.AccessToken == tok.AccessToken {
			t.Fatalf("refresh kept a token: %+v", fresh)
		}
		e.wantActive(t, c, "oauth", fresh.RefreshToken, true)
		wantInactive(t, e.introspect(t, c, "oauth", tok.RefreshToken))
		// The access token issued before the rotation keeps working.
		e.wantActive(t, c, "oauth", tok.AccessToken, true)
	})

	t.Run("reuse after the grace period revokes the grant", func(t *testing.T) {
		tok := e.tokens(t, c, "oauth")
		at1, rt1 := e.rotated(t, c, tok.RefreshToken)
		at2, rt2 := e.rotated(t, c, rt1)
		e.srv.Clock.Advance(model.DefaultRefreshGracePeriod + time.Second)
		r := e.refreshWith(t, c, tok.RefreshToken)
		wantError(t, r, http.StatusBadRequest, "invalid_grant")
		for _, v := range []string{tok.AccessToken, at1, at2, rt2} {
			wantInactive(t, e.introspect(t, c, "oauth", v))
		}
		wantError(t, e.refreshWith(t, c, rt2), http.StatusBadRequest, "invalid_grant")
	})

	t.Run("a retry within the grace period is answered anew", func(t *testing.T) {
		tok := e.tokens(t, c, "oauth")
		lostAT, lostRT := e.rotated(t, c, tok.RefreshToken)
		e.srv.Clock.Advance(model.DefaultRefreshGracePeriod - time.Second)
		at, rt := e.rotated(t, c, tok.RefreshToken)
		wantInactive(t, e.introspect(t, c, "oauth", lostAT))
		wantInactive(t, e.introspect(t, c, "oauth", lostRT))
		e.wantActive(t, c, "oauth", at, true)
		e.wantActive(t, c, "oauth", tok.AccessToken, true)
		if _, next := e.rotated(t, c, rt); next == "" {
			t.Fatal("the retry's refresh token does not refresh")
		}
	})

	// Issue 13: a stolen refresh token replayed within the grace period
	// must not take the grant over from the client that rotated it.
	for _, use := range []struct {
		name string
		use  func(t *testing.T, c client, at string)
	}{
		{"userinfo", func(t *testing.T, _ client, at string) { wantOK(t, e.me(t, "oauth", at)) }},
		{"introspection", func(t *testing.T, c client, at string) { e.wantActive(t, c, "oauth", at, true) }},
	} {
		t.Run("a replay after the successor's access token was used at "+use.name+" is reuse", func(t *testing.T) {
			c := e.newApp(t, apps.CreateParams{})
			tok := e.tokens(t, c, "oauth")
			at1, rt1 := e.rotated(t, c, tok.RefreshToken)
			use.use(t, c, at1)
			e.srv.Clock.Advance(time.Second)
			wantError(t, e.refreshWith(t, c, tok.RefreshToken), http.StatusBadRequest, "invalid_grant")
			for _, v := range []string{tok.AccessToken, at1, rt1} {
				wantInactive(t, e.introspect(t, c, "oauth", v))
			}
			e.wantReuseAudited(t, c)
		})
	}

	t.Run("the successor a retry gave up is reuse when it comes back", func(t *testing.T) {
		c := e.newApp(t, apps.CreateParams{})
		tok := e.tokens(t, c, "oauth")
		_, givenUp := e.rotated(t, c, tok.RefreshToken)
		e.srv.Clock.Advance(time.Second)
		at, rt := e.rotated(t, c, tok.RefreshToken) // the retry: whoever sent it holds the grant now
		wantError(t, e.refreshWith(t, c, givenUp), http.StatusBadRequest, "invalid_grant")
		for _, v := range []string{at, rt, tok.AccessToken} {
			wantInactive(t, e.introspect(t, c, "oauth", v))
		}
		e.wantReuseAudited(t, c)
	})

	t.Run("revoking the newest refresh token ends the grant", func(t *testing.T) {
		tok := e.tokens(t, c, "oauth")
		at1, rt1 := e.rotated(t, c, tok.RefreshToken)
		if r := e.revoke(t, c, "oauth", rt1); r.status != http.StatusOK {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		for _, v := range []string{tok.AccessToken, at1, rt1} {
			wantInactive(t, e.introspect(t, c, "oauth", v))
		}
	})
}

// wantReuseAudited checks that exactly one refresh_token.reuse event was
// recorded for c, the user's.
func (e *env) wantReuseAudited(t *testing.T, c client) {
	t.Helper()
	events, err := e.srv.Store.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditRefreshReuse, ClientID: c.id})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].UserID != e.user.ID {
		t.Fatalf("refresh_token.reuse events for the client: %+v; want one", events)
	}
}

// TestTokenUseRecordedOnlyWhenARetryCouldFollow: the use of an access token
// costs a write only while a retry of the refresh token rotated for it is
// possible: a token a rotation issued, within the grace period.
func TestTokenUseRecordedOnlyWhenARetryCouldFollow(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	usedAt := func(t *testing.T, at string) time.Time {
		t.Helper()
		got, err := e.srv.Store.GetToken(t.Context(), token.Hash(at))
		if err != nil {
			t.Fatal(err)
		}
		return got.UsedAt
	}
	tok := e.tokens(t, c, "oauth")
	wantOK(t, e.me(t, "oauth", tok.AccessToken))
	if got := usedAt(t, tok.AccessToken); !got.IsZero() {
		t.Errorf("the code exchange's access token was recorded as used at %v", got)
	}
	at1, rt1 := e.rotated(t, c, tok.RefreshToken)
	e.srv.Clock.Advance(model.DefaultRefreshGracePeriod + time.Second)
	wantOK(t, e.me(t, "oauth", at1))
	if got := usedAt(t, at1); !got.IsZero() {
		t.Errorf("an access token used after the grace period was recorded as used at %v", got)
	}
	at2, _ := e.rotated(t, c, rt1)
	e.srv.Clock.Advance(time.Second)
	used := e.srv.Clock.Now().UTC()
	wantOK(t, e.me(t, "oauth", at2))
	e.srv.Clock.Advance(time.Second)
	wantOK(t, e.me(t, "oauth", at2))
	if got := usedAt(t, at2); !got.Equal(used) {
		t.Errorf("UsedAt = %v; want the first use, %v", got, used)
	}
}

func TestRefreshLifetimes(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{RefreshTokenTTL: 10 * time.Hour, RefreshIdleTTL: 2 * time.Hour})

	// Idle: unused for longer than the idle lifetime ends it.
	tok := e.tokens(t, c, "oauth")
	e.srv.Clock.Advance(2*time.Hour + time.Second)
	wantError(t, e.refreshWith(t, c, tok.RefreshToken), http.StatusBadRequest, "invalid_grant")

	// Absolute: rotations within the idle lifetime do not extend the grant.
	tok = e.tokens(t, c, "oauth")
	rt := tok.RefreshToken
	for range 5 {
		e.srv.Clock.Advance(time.Hour + 50*time.Minute)
		_, rt = e.rotated(t, c, rt)
	}
	// 9h10m after the grant: still fine; at 10h it ends whatever the rotations.
	e.srv.Clock.Advance(time.Hour)
	wantError(t, e.refreshWith(t, c, rt), http.StatusBadRequest, "invalid_grant")
}

func TestRejectPKCEPlain(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{RejectPKCEPlain: true})
	verifier := oauth2.GenerateVerifier()
	q := e.authorize(t, e.config(c, "oauth", oauth2.AuthStyleInParams).AuthCodeURL("st",
		oauth2.SetAuthURLParam("code_challenge", verifier), oauth2.SetAuthURLParam("code_challenge_method", "plain")))
	if q.Get("error") != "invalid_request" || q.Has("code") {
		t.Fatalf("plain PKCE for an S256-only application: %v", q)
	}
	// S256 still works.
	e.tokens(t, c, "oauth")
}
