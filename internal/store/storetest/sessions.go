package storetest

import (
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func session(idHash string) *model.Session {
	return &model.Session{
		IDHash:     idHash,
		UserID:     "user-1",
		AuthTime:   t0.Add(-time.Minute).In(east),
		AMR:        []string{"otp", "pwd", "mfa"},
		CreatedAt:  t0.In(east),
		ExpiresAt:  t0.Add(24 * time.Hour).In(east),
		LastSeenAt: t0.In(east),
	}
}

func testSessions(t *testing.T, open Opener) {
	t.Run("Expiry", func(t *testing.T) {
		s := open(t)
		want := session("sess-1")
		must(t, "CreateSession", s.CreateSession(t.Context(), want))
		tests := []struct {
			name  string
			now   time.Time
			alive bool
		}{
			{"at creation", want.CreatedAt, true},
			{"just before expiry", want.ExpiresAt.Add(-time.Millisecond), true},
			{"at expiry", want.ExpiresAt, false},
			{"after expiry", want.ExpiresAt.Add(time.Hour), false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.GetSession(t.Context(), want.IDHash, tt.now)
				if !tt.alive {
					wantErr(t, "GetSession", err, model.ErrNotFound)
					return
				}
				must(t, "GetSession", err)
				diff(t, "session", want, got)
				checkUTC(t, "session", got.AuthTime, got.CreatedAt, got.ExpiresAt)
			})
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		must(t, "CreateSession", s.CreateSession(t.Context(), session("sess-1")))
		_, err := s.GetSession(t.Context(), "sess-2", t0)
		wantErr(t, "GetSession of an unknown id", err, model.ErrNotFound)
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		must(t, "CreateSession", s.CreateSession(t.Context(), session("sess-1")))
		must(t, "CreateSession", s.CreateSession(t.Context(), session("sess-2")))
		must(t, "DeleteSession", s.DeleteSession(t.Context(), "sess-1"))
		_, err := s.GetSession(t.Context(), "sess-1", t0)
		wantErr(t, "GetSession after DeleteSession", err, model.ErrNotFound)
		_, err = s.GetSession(t.Context(), "sess-2", t0)
		must(t, "GetSession of the other session", err)
		must(t, "DeleteSession again", s.DeleteSession(t.Context(), "sess-1"))
		must(t, "DeleteSession of an unknown id", s.DeleteSession(t.Context(), "sess-3"))
	})

	t.Run("DuplicateID", func(t *testing.T) {
		s := open(t)
		must(t, "CreateSession", s.CreateSession(t.Context(), session("sess-1")))
		other := session("sess-1")
		other.UserID = "user-2"
		wantErr(t, "CreateSession with a taken id", s.CreateSession(t.Context(), other), model.ErrConflict)
		got, err := s.GetSession(t.Context(), "sess-1", t0)
		must(t, "GetSession", err)
		diff(t, "session after the conflict", session("sess-1"), got)
	})
}

func testTouchSession(t *testing.T, open Opener) {
	s := open(t)
	sess := session("sess-touch")
	sess.LastSeenAt = time.Time{} // unset: stored as CreatedAt
	must(t, "CreateSession", s.CreateSession(t.Context(), sess))
	got, err := s.GetSession(t.Context(), sess.IDHash, t0)
	must(t, "GetSession", err)
	if !got.LastSeenAt.Equal(t0) {
		t.Errorf("LastSeenAt of a new session = %v; want its CreatedAt %v", got.LastSeenAt, t0)
	}
	later := t0.Add(90 * time.Minute)
	must(t, "TouchSession", s.TouchSession(t.Context(), sess.IDHash, later))
	// An older touch (a slow request finishing late) does not move it back.
	must(t, "TouchSession", s.TouchSession(t.Context(), sess.IDHash, t0.Add(time.Minute)))
	must(t, "TouchSession of a missing session", s.TouchSession(t.Context(), "missing", later))
	got, err = s.GetSession(t.Context(), sess.IDHash, later)
	must(t, "GetSession", err)
	if !got.LastSeenAt.Equal(later) {
		t.Errorf("LastSeenAt after touches = %v; want %v", got.LastSeenAt, later)
	}
	checkUTC(t, "session", got.LastSeenAt)
}
