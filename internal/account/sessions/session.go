package sessions

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// CookieName is the name of the session cookie.
const CookieName = "genauth_session"

// Default lifetimes: a session ends DefaultTTL after login (absolute) or
// DefaultIdleTTL after it was last used, whichever comes first.
const (
	DefaultTTL     = 24 * time.Hour
	DefaultIdleTTL = 4 * time.Hour
	// touchEvery bounds how often a used session's last-seen time is written.
	touchEvery = time.Minute
)

// Manager starts, finds and ends browser sessions.
type Manager struct {
	Store  Store
	Tokens *token.Source
	Now    func() time.Time
	// Secure marks the cookie Secure; set when the public URL is https. A
	// request that came over TLS, or whose URL.Scheme a trusted proxy's
	// X-Forwarded-Proto set to https (see package edge), gets it too.
	Secure  bool
	TTL     time.Duration
	IdleTTL time.Duration
	// Cookie names the cookie and so the kind of session; "" is the hosted
	// pages' CookieName. Other kinds' ids are stored hashed together with
	// the name, so one kind's cookie never opens another kind's session.
	Cookie string
	// Path scopes the cookie; "" is "/".
	Path string
	// Strict sends the cookie only with same-site requests, even top-level
	// navigations from elsewhere (SameSite=Strict); otherwise Lax.
	Strict bool
}

func (m *Manager) name() string {
	if m.Cookie == "" {
		return CookieName
	}
	return m.Cookie
}

// hash is how a session id is stored.
func (m *Manager) hash(id string) string {
	if m.Cookie == "" {
		return token.Hash(id)
	}
	return token.Hash(m.Cookie + ":" + id)
}

// Start creates a session for userID, who signed in as amr says (RFC 8176
// values), and sets its cookie. Any session the request already carried is
// ended first, so a login always gets a new id.
func (m *Manager) Start(ctx context.Context, w http.ResponseWriter, r *http.Request, userID string, amr []string) (*model.Session, error) {
	if c, err := r.Cookie(m.name()); err == nil && c.Value != "" {
		if err := m.Store.DeleteSession(ctx, m.hash(c.Value)); err != nil {
			return nil, err
		}
	}
	id := m.Tokens.SessionID()
	now := m.Now().UTC()
	ttl := m.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	s := &model.Session{
		IDHash:     m.hash(id),
		UserID:     userID,
		AuthTime:   now,
		CreatedAt:  now,
		ExpiresAt:  now.Add(ttl),
		LastSeenAt: now,
		AMR:        amr,
	}
	if err := m.Store.CreateSession(ctx, s); err != nil {
		return nil, err
	}
	http.SetCookie(w, m.cookie(r, id, s.ExpiresAt))
	return s, nil
}

// Raise replaces s, the request's session, whose user has just proven a
// second factor (a step-up), with one whose amr is amr: a new id, as after
// any sign-in, but the same auth_time and absolute end, since the first
// factor was not proven again.
func (m *Manager) Raise(ctx context.Context, w http.ResponseWriter, r *http.Request, s *model.Session, amr []string) (*model.Session, error) {
	if err := m.Store.DeleteSession(ctx, s.IDHash); err != nil {
		return nil, err
	}
	id := m.Tokens.SessionID()
	now := m.Now().UTC()
	raised := &model.Session{IDHash: m.hash(id), UserID: s.UserID, AuthTime: s.AuthTime, CreatedAt: now,
		ExpiresAt: s.ExpiresAt, LastSeenAt: now, AMR: amr}
	if err := m.Store.CreateSession(ctx, raised); err != nil {
		return nil, err
	}
	http.SetCookie(w, m.cookie(r, id, raised.ExpiresAt))
	return raised, nil
}

// Current returns the request's live session, or model.ErrNotFound. A
// session idle for longer than IdleTTL is deleted; a used one has its
// last-seen time recorded, at most once a minute.
func (m *Manager) Current(r *http.Request) (*model.Session, error) {
	c, err := r.Cookie(m.name())
	if err != nil || c.Value == "" {
		return nil, model.ErrNotFound
	}
	ctx := r.Context()
	now := m.Now()
	s, err := m.Store.GetSession(ctx, m.hash(c.Value), now)
	if err != nil {
		return nil, err
	}
	idle := m.IdleTTL
	if idle == 0 {
		idle = DefaultIdleTTL
	}
	if now.Sub(s.LastSeenAt) > idle {
		if err := m.Store.DeleteSession(ctx, s.IDHash); err != nil {
			return nil, err
		}
		return nil, model.ErrNotFound
	}
	if now.Sub(s.LastSeenAt) >= touchEvery {
		if err := m.Store.TouchSession(ctx, s.IDHash, now); err != nil {
			return nil, err
		}
		s.LastSeenAt = now
	}
	return s, nil
}

// End deletes the request's session, if any, and clears the cookie.
func (m *Manager) End(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(m.name())
	if errors.Is(err, http.ErrNoCookie) || (err == nil && c.Value == "") {
		return nil
	}
	if err != nil {
		return err
	}
	expired := m.cookie(r, "", time.Unix(0, 0))
	expired.MaxAge = -1
	http.SetCookie(w, expired)
	return m.Store.DeleteSession(r.Context(), m.hash(c.Value))
}

func (m *Manager) cookie(r *http.Request, value string, expires time.Time) *http.Cookie {
	path, sameSite := m.Path, http.SameSiteLaxMode
	if path == "" {
		path = "/"
	}
	if m.Strict {
		sameSite = http.SameSiteStrictMode
	}
	return &http.Cookie{
		Name:     m.name(),
		Value:    value,
		Path:     path,
		Expires:  expires,
		HttpOnly: true,
		Secure:   m.Secure || r.TLS != nil || r.URL.Scheme == "https",
		SameSite: sameSite,
	}
}
