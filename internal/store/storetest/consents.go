package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func testWithdrawConsent(t *testing.T, open Opener) {
	at := t0.Add(time.Minute)

	t.Run("EndsTheClientsGrantsOnly", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		must(t, "CreateSession", s.CreateSession(ctx, session("sess-1")))
		for _, client := range []string{"app-1", "app-2"} {
			must(t, "SaveConsent", s.SaveConsent(ctx, &model.Consent{UserID: "user-1", ClientID: client,
				Scopes: []string{"openid"}, CreatedAt: t0, UpdatedAt: t0}))
		}
		old := token("h-old", "jti-old", model.TokenAccess, "g0", "")
		old.RevokedAt = t0.Add(30 * time.Second)
		otherApp := token("h-other-app", "jti-other-app", model.TokenAccess, "g4", "")
		otherApp.ClientID = "app-2"
		otherUser := token("h-other-user", "jti-other-user", model.TokenAccess, "g5", "")
		otherUser.UserID = "user-2"
		must(t, "CreateTokens", s.CreateTokens(ctx,
			token("h-r", "jti-r", model.TokenRefresh, "g1", ""),
			token("h-a", "jti-a", model.TokenAccess, "g1", "jti-r"),
			old, otherApp, otherUser))
		unredeemed, used, app2 := authCode("code-open", "g2"), authCode("code-used", "g3"), authCode("code-app2", "g6")
		app2.ClientID = "app-2"
		for _, c := range []*model.AuthCode{unredeemed, used, app2} {
			must(t, "CreateAuthCode", s.CreateAuthCode(ctx, c))
		}
		must(t, "RedeemAuthCode", s.RedeemAuthCode(ctx, "code-used", t0, []*model.Token{
			token("h-g3", "jti-g3", model.TokenAccess, "g3", "")}))

		n, err := s.WithdrawConsent(ctx, "user-1", "app-1", at)
		must(t, "WithdrawConsent", err)
		if n != 3 {
			t.Errorf("WithdrawConsent revoked %d tokens, want 3", n)
		}
		checkRevokedAt(t, s, at, "h-r", "h-a", "h-g3")
		checkRevokedAt(t, s, t0.Add(30*time.Second), "h-old")
		checkRevokedAt(t, s, time.Time{}, "h-other-app", "h-other-user")
		_, err = s.GetAuthCode(ctx, "code-open", t0)
		wantErr(t, "GetAuthCode of the unredeemed code", err, model.ErrNotFound)
		// A redeemed code stays, so that a replay is still seen as one.
		_, err = s.GetAuthCode(ctx, "code-used", t0)
		wantErr(t, "GetAuthCode of the redeemed code", err, model.ErrCodeRedeemed)
		_, err = s.GetAuthCode(ctx, "code-app2", t0)
		must(t, "GetAuthCode of another client's code", err)
		_, err = s.GetConsent(ctx, "user-1", "app-1")
		wantErr(t, "GetConsent after withdrawal", err, model.ErrNotFound)
		_, err = s.GetConsent(ctx, "user-1", "app-2")
		must(t, "GetConsent of another client", err)
		_, err = s.GetSession(ctx, "sess-1", t0)
		must(t, "GetSession: withdrawing consent keeps the browser signed in", err)

		err = s.RotateRefreshToken(ctx, "jti-r", at.Add(time.Second), 10*time.Second, rotation("1", "jti-r", at.Add(time.Second)))
		wantErr(t, "RotateRefreshToken after withdrawal", err, model.ErrInactive)
		n, err = s.WithdrawConsent(ctx, "user-1", "app-1", at.Add(time.Hour))
		must(t, "WithdrawConsent again", err)
		if n != 0 {
			t.Errorf("a second WithdrawConsent revoked %d tokens, want 0", n)
		}
		checkRevokedAt(t, s, at, "h-r", "h-a", "h-g3")
	})

	t.Run("WithoutConsent", func(t *testing.T) {
		s := open(t)
		must(t, "CreateTokens", s.CreateTokens(t.Context(), token("h-a", "jti-a", model.TokenAccess, "g1", "")))
		n, err := s.WithdrawConsent(t.Context(), "user-1", "app-1", at)
		must(t, "WithdrawConsent without a consent", err)
		if n != 1 {
			t.Errorf("WithdrawConsent revoked %d tokens, want 1", n)
		}
		checkRevokedAt(t, s, at, "h-a")
	})

	// A rotation and a code redemption racing the withdrawal either finish
	// first, and what they issued is revoked with the rest, or find their
	// token revoked or their code gone.
	t.Run("ConcurrentWithRotationAndRedemption", func(t *testing.T) {
		s := open(t)
		const rounds = 6
		user := func(i int) string { return fmt.Sprint("racer-", i) }
		of := func(i int, tk *model.Token) *model.Token { tk.UserID = user(i); return tk }
		for i := range rounds {
			u := user(i)
			must(t, "CreateTokens", s.CreateTokens(t.Context(), of(i, token(u+"-h-r0", u+"-r0", model.TokenRefresh, u+"-g", ""))))
			c := authCode(u+"-code", u+"-gc")
			c.UserID = u
			must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), c))
		}
		withdrawErrs, rotateErrs, redeemErrs := make([]error, rounds), make([]error, rounds), make([]error, rounds)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range rounds {
			u := user(i)
			wg.Go(func() {
				<-start
				_, withdrawErrs[i] = s.WithdrawConsent(t.Context(), u, "app-1", at)
			})
			wg.Go(func() {
				<-start
				r := of(i, token(u+"-h-r1", u+"-r1", model.TokenRefresh, u+"-g", u+"-r0"))
				a := of(i, token(u+"-h-a1", u+"-a1", model.TokenAccess, u+"-g", u+"-r1"))
				rotateErrs[i] = s.RotateRefreshToken(t.Context(), u+"-r0", at, 10*time.Second, []*model.Token{a, r})
			})
			wg.Go(func() {
				<-start
				redeemErrs[i] = s.RedeemAuthCode(t.Context(), u+"-code", at, []*model.Token{
					of(i, token(u+"-h-c", u+"-c", model.TokenAccess, u+"-gc", ""))})
			})
		}
		close(start)
		wg.Wait()
		for i := range rounds {
			u := user(i)
			must(t, "WithdrawConsent", withdrawErrs[i])
			if err := rotateErrs[i]; err != nil && !errors.Is(err, model.ErrInactive) {
				t.Errorf("%s: RotateRefreshToken: %v", u, err)
			}
			if err := redeemErrs[i]; err != nil && !errors.Is(err, model.ErrNotFound) {
				t.Errorf("%s: RedeemAuthCode: %v", u, err)
			}
			for _, h := range []string{"-h-r0", "-h-r1", "-h-a1", "-h-c"} {
				if got, err := s.GetToken(t.Context(), u+h); err == nil && got.RevokedAt.IsZero() {
					t.Errorf("%s: token %s survived the withdrawal", u, h)
				}
			}
		}
	})
}

func testConsents(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	_, err := s.GetConsent(ctx, "u1", "app1")
	wantErr(t, "GetConsent before any", err, model.ErrNotFound)

	first := &model.Consent{UserID: "u1", ClientID: "app1", Scopes: []string{"openid", "email"}, CreatedAt: t0, UpdatedAt: t0}
	must(t, "SaveConsent", s.SaveConsent(ctx, first))
	must(t, "SaveConsent", s.SaveConsent(ctx, &model.Consent{UserID: "u1", ClientID: "app2", Scopes: []string{"openid"}, CreatedAt: t0.Add(time.Minute), UpdatedAt: t0.Add(time.Minute)}))
	must(t, "SaveConsent", s.SaveConsent(ctx, &model.Consent{UserID: "u2", ClientID: "app1", Scopes: []string{"profile"}, CreatedAt: t0, UpdatedAt: t0}))
	got, err := s.GetConsent(ctx, "u1", "app1")
	must(t, "GetConsent", err)
	diff(t, "consent", first, got)

	// Saving again replaces the scopes and keeps the creation time.
	must(t, "SaveConsent again", s.SaveConsent(ctx, &model.Consent{UserID: "u1", ClientID: "app1", Scopes: []string{"openid", "phone"}, CreatedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(time.Hour)}))
	got, err = s.GetConsent(ctx, "u1", "app1")
	must(t, "GetConsent", err)
	diff(t, "replaced consent", &model.Consent{UserID: "u1", ClientID: "app1", Scopes: []string{"openid", "phone"}, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour)}, got)

	list, err := s.ListConsents(ctx, "u1")
	must(t, "ListConsents", err)
	if len(list) != 2 || list[0].ClientID != "app1" || list[1].ClientID != "app2" {
		t.Fatalf("ListConsents(u1) = %+v; want app1 then app2", list)
	}
	_, err = s.WithdrawConsent(ctx, "u1", "app1", t0.Add(2*time.Hour))
	must(t, "WithdrawConsent", err)
	_, err = s.WithdrawConsent(ctx, "u1", "app1", t0.Add(2*time.Hour))
	must(t, "WithdrawConsent of a missing consent", err)
	_, err = s.GetConsent(ctx, "u1", "app1")
	wantErr(t, "GetConsent after withdrawal", err, model.ErrNotFound)
	if _, err := s.GetConsent(ctx, "u2", "app1"); err != nil {
		t.Fatalf("another user's consent was touched: %v", err)
	}
}
