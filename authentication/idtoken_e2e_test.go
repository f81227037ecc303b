package authentication_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// jwksCounter counts the JWKS requests a client sends.
type jwksCounter struct{ n atomic.Int32 }

func (c *jwksCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/jwks.json") {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestE2EVerifyIDToken signs in over OpenID Connect with the SDK against the
// real server, for an RS256 and an ES256 application, verifies the id token,
// then rotates the server's keys twice: tokens signed before still verify,
// tokens signed after too, and the second rotation (a key the cached JWKS
// has never seen) costs exactly one JWKS refetch.
func TestE2EVerifyIDToken(t *testing.T) {
	for _, alg := range []string{authentication.AlgRS256, authentication.AlgES256} {
		t.Run(alg, func(t *testing.T) {
			srv := testserver.Start(t)
			app, secret := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{e2eCallback}, IDTokenAlg: alg})
			counter := &jwksCounter{}
			client, err := authentication.NewClient(authentication.Options{
				AppID: app.ID, AppSecret: secret, AppHost: srv.URL, RedirectURI: e2eCallback,
				Protocol: authentication.ProtocolOIDC, IDTokenAlg: alg,
				HTTPClient: &http.Client{Transport: counter}, Now: srv.Clock.Now,
			})
			if err != nil {
				t.Fatal(err)
			}
			e := &e2e{srv: srv, app: app, secret: secret, user: srv.CreateUser(t, e2eUser, e2ePassword), client: client}
			browser := testserver.Browser(t)
			ctx := context.Background()

			// signIn runs the code flow with PKCE and a nonce and verifies the id token.
			signIn := func(step string) (string, *authentication.IDToken) {
				t.Helper()
				nonce, err := authentication.GenerateNonce()
				if err != nil {
					t.Fatal(err)
				}
				verifier, challenge := pkcePair(t, authentication.ChallengeS256)
				code, _ := e.loginWith(t, browser, authentication.AuthorizeParams{
					Nonce: nonce, CodeChallenge: challenge, CodeChallengeMethod: authentication.ChallengeS256,
				})
				ts, err := client.GetAccessTokenByCode(ctx, code, authentication.WithCodeVerifier(verifier))
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				tok, err := client.VerifyIDToken(ctx, ts.IDToken, authentication.WithNonce(nonce), authentication.WithAccessToken(ts.AccessToken))
				if err != nil {
					t.Fatalf("%s: VerifyIDToken: %v", step, err)
				}
				if tok.Issuer != srv.URL+"/oidc" || tok.Subject != e.user.ID || len(tok.Audience) != 1 || tok.Audience[0] != app.ID ||
					tok.Nonce != nonce || tok.SessionID == "" || tok.AuthTime.IsZero() || !slices.Equal(tok.AMR, []string{"pwd"}) || tok.ACR != "urn:genauth:loa:1" || tok.Algorithm != alg ||
					tok.User.PreferredUsername == nil || *tok.User.PreferredUsername != e2eUser {
					t.Fatalf("%s: id token = %+v", step, tok)
				}
				if _, err := client.VerifyIDToken(ctx, ts.IDToken, authentication.WithNonce(nonce+"x")); !errors.Is(err, authentication.ErrNonceMismatch) {
					t.Fatalf("%s: another nonce: %v; want ErrNonceMismatch", step, err)
				}
				return ts.IDToken, tok
			}

			first, firstTok := signIn("before rotation")
			if n := counter.n.Load(); n != 1 {
				t.Fatalf("%d JWKS fetches for the first token; want 1", n)
			}

			// A client pinned to the other algorithm refuses the token.
			other := authentication.AlgES256
			if alg == other {
				other = authentication.AlgRS256
			}
			pinned, err := authentication.NewClient(authentication.Options{
				AppID: app.ID, AppSecret: secret, AppHost: srv.URL, IDTokenAlg: other, Now: srv.Clock.Now,
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pinned.VerifyIDToken(ctx, first); !errors.Is(err, authentication.ErrWrongAlgorithm) {
				t.Fatalf("client pinned to %s: %v; want ErrWrongAlgorithm", other, err)
			}

			// rotate forces a rotation as `genauth keys rotate` does, then lets
			// the server's clock pass its key reload interval (a minute).
			rotate := func() {
				t.Helper()
				if err := srv.Keys.Rotate(ctx); err != nil {
					t.Fatal(err)
				}
				srv.Clock.Advance(time.Minute + time.Second)
			}

			// The first rotation promotes the key the cached JWKS already holds
			// as the next one: no refetch.
			rotate()
			second, secondTok := signIn("after one rotation")
			if secondTok.KeyID == firstTok.KeyID {
				t.Fatalf("the server still signs with %s after a rotation", firstTok.KeyID)
			}
			if n := counter.n.Load(); n != 1 {
				t.Fatalf("%d JWKS fetches after the first rotation; want still 1", n)
			}

			// The second promotes a key made after the JWKS was cached: one refetch.
			rotate()
			_, thirdTok := signIn("after two rotations")
			if thirdTok.KeyID == secondTok.KeyID {
				t.Fatalf("the server still signs with %s after the second rotation", secondTok.KeyID)
			}
			if n := counter.n.Load(); n != 2 {
				t.Fatalf("%d JWKS fetches after the second rotation; want 2", n)
			}
			for name, raw := range map[string]string{"first": first, "second": second} {
				if _, err := client.VerifyIDToken(ctx, raw); err != nil {
					t.Errorf("%s token after rotations: %v", name, err)
				}
			}
			if n := counter.n.Load(); n != 2 {
				t.Fatalf("%d JWKS fetches in all; want 2", n)
			}

			// An hour later (the id token lifetime) the first token has expired.
			srv.Clock.Advance(time.Hour)
			if _, err := client.VerifyIDToken(ctx, first); !errors.Is(err, authentication.ErrTokenExpired) {
				t.Fatalf("first token an hour later: %v; want ErrTokenExpired", err)
			}
		})
	}
}
