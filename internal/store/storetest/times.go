package storetest

import (
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// testTimes checks times finer than a millisecond: they may be truncated or
// rounded, but by less than a millisecond, and they come back in UTC.
func testTimes(t *testing.T, open Opener) {
	s := open(t)
	fine := t0.Add(123_456_789 * time.Nanosecond).In(east)
	tok := token("h-1", "jti-1", model.TokenAccess, "g", "")
	tok.IssuedAt, tok.ExpiresAt = fine, fine.Add(tokenTTL)
	must(t, "CreateTokens", s.CreateTokens(t.Context(), tok))
	_, err := s.RevokeToken(t.Context(), "h-1", fine.Add(time.Minute))
	must(t, "RevokeToken", err)
	got, err := s.GetToken(t.Context(), "h-1")
	must(t, "GetToken", err)
	for _, c := range []struct {
		name      string
		want, got time.Time
	}{
		{"IssuedAt", tok.IssuedAt, got.IssuedAt},
		{"ExpiresAt", tok.ExpiresAt, got.ExpiresAt},
		{"RevokedAt", fine.Add(time.Minute), got.RevokedAt},
	} {
		if d := c.got.Sub(c.want).Abs(); d >= time.Millisecond {
			t.Errorf("%s = %v, want %v within a millisecond", c.name, c.got, c.want)
		}
		checkUTC(t, c.name, c.got)
	}
}
