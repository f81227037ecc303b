package idp

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Lifetimes of a web sign-in's flow and of a link ticket.
const (
	flowLifetime = 10 * time.Minute
	linkLifetime = 5 * time.Minute
)

// Flow is a web sign-in between Begin and Complete, kept by the pages in
// a cookie sealed by SealFlow.
type Flow struct {
	ConnID, State, Nonce, Verifier, ReturnTo, LinkUserID string
	Expires                                              time.Time
}

// Begin starts a web sign-in at c: the URL to send the browser to and the
// flow to keep until the callback. returnTo is where the sign-in goes on
// afterwards; linkUserID, when set, is the signed-in user the upstream
// account is to be linked to.
func (s *Service) Begin(ctx context.Context, c *model.ExtIdpConn, returnTo, linkUserID string) (string, *Flow, error) {
	if !model.IdPWeb(c.Type) {
		return "", nil, invalid("%s connections sign in with a directory password", c.Type)
	}
	f := &Flow{ConnID: c.ID, ReturnTo: returnTo, LinkUserID: linkUserID, Expires: s.now().Add(flowLifetime)}
	for _, v := range []*string{&f.State, &f.Nonce, &f.Verifier} {
		b := make([]byte, 32)
		if _, err := io.ReadFull(s.Rand, b); err != nil {
			return "", nil, fmt.Errorf("idp: drawing a flow: %w", err)
		}
		// 43 characters: also a PKCE verifier (RFC 7636: 43 to 128).
		*v = base64.RawURLEncoding.EncodeToString(b)
	}
	authURL, err := s.Web.AuthCodeURL(ctx, c, s.RedirectURI(c), f.State, f.Nonce, f.Verifier)
	if err != nil {
		return "", nil, err
	}
	return authURL, f, nil
}

// SealFlow is f sealed for a cookie.
func (s *Service) SealFlow(f *Flow) (string, error) {
	return s.seal(flowPurpose, f)
}

// OpenFlow returns the flow SealFlow sealed; one that is not this
// server's, was changed or has expired gives model.ErrUpstreamRefused.
func (s *Service) OpenFlow(sealed string) (*Flow, error) {
	var f Flow
	if err := s.open(flowPurpose, sealed, &f); err != nil || !s.now().Before(f.Expires) {
		return nil, fmt.Errorf("%w: the sign-in has expired or is not this server's", model.ErrUpstreamRefused)
	}
	return &f, nil
}

// Complete finishes the web sign-in f at c with what the upstream sent to
// the callback: state must be f's (compared in constant time) and f must be
// c's and live. The code is redeemed by the connector, whose errors wrap
// model.ErrUpstreamUnavailable or model.ErrUpstreamRefused.
func (s *Service) Complete(ctx context.Context, c *model.ExtIdpConn, f *Flow, state, code string) (*model.UpstreamProfile, *model.UpstreamTokens, error) {
	if f.State == "" || subtle.ConstantTimeCompare([]byte(state), []byte(f.State)) != 1 {
		return nil, nil, fmt.Errorf("%w: the state does not match the sign-in's", model.ErrUpstreamRefused)
	}
	if f.ConnID != c.ID || !s.now().Before(f.Expires) {
		return nil, nil, fmt.Errorf("%w: the sign-in has expired or was for another connection", model.ErrUpstreamRefused)
	}
	if code == "" {
		return nil, nil, fmt.Errorf("%w: no authorization code", model.ErrUpstreamRefused)
	}
	secret, err := s.openSecret(c)
	if err != nil {
		return nil, nil, err
	}
	return s.Web.Exchange(ctx, c, secret, s.RedirectURI(c), code, f.Verifier, f.Nonce)
}

// linkTicket is what a link ticket carries, sealed.
type linkTicket struct {
	User    string    `json:"u"`
	Conn    string    `json:"c"`
	Expires time.Time `json:"e"`
}

// LinkTicket is a ticket that lets its bearer link an upstream account at
// connection connID to the user userID within 5 minutes
// (generate-link-extidp-url).
func (s *Service) LinkTicket(userID, connID string) (string, error) {
	return s.seal(linkPurpose, linkTicket{User: userID, Conn: connID, Expires: s.now().Add(linkLifetime)})
}

// OpenLinkTicket returns the user and connection of a ticket LinkTicket
// made; one that is not this server's, was changed or has expired gives
// model.ErrInvalidInput.
func (s *Service) OpenLinkTicket(ticket string) (userID, connID string, err error) {
	var t linkTicket
	if err := s.open(linkPurpose, ticket, &t); err != nil || !s.now().Before(t.Expires) {
		return "", "", invalid("the link ticket has expired or is not this server's")
	}
	return t.User, t.Conn, nil
}

// seal is v as JSON sealed for purpose, base64url.
func (s *Service) seal(purpose string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sealed, err := s.Sealer.Seal(purpose, plain)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// open reads into v what seal sealed for purpose.
func (s *Service) open(purpose, sealed string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(sealed))
	if err != nil {
		return err
	}
	plain, err := s.Sealer.Open(purpose, b)
	if err != nil {
		return err
	}
	return json.Unmarshal(plain, v)
}

// Directory signs in at the LDAP or AD connection c with the directory's
// login and password. Errors: model.ErrBadCredentials (also for an empty
// login or password, refused before the directory is asked),
// model.ErrUpstreamUnavailable, model.ErrInvalidInput for a web connection.
func (s *Service) Directory(ctx context.Context, c *model.ExtIdpConn, login, password string) (*model.UpstreamProfile, error) {
	if model.IdPWeb(c.Type) {
		return nil, invalid("%s connections sign in through the browser", c.Type)
	}
	// An empty password would be an unauthenticated bind, which many
	// directories accept for any DN.
	if strings.TrimSpace(login) == "" || password == "" {
		return nil, model.ErrBadCredentials
	}
	bindPassword, err := s.openSecret(c)
	if err != nil {
		return nil, err
	}
	return s.LDAP.Authenticate(ctx, c, bindPassword, login, password)
}

// Check asks c's provider what a sign-in would, without one: an OpenID
// Connect issuer's discovery document, a directory's service bind and base
// DN. An OAuth 2.0 provider has nothing to ask without a user: ok is false
// then. Errors wrap model.ErrUpstreamUnavailable or ErrUpstreamRefused.
func (s *Service) Check(ctx context.Context, c *model.ExtIdpConn) (ok bool, err error) {
	switch c.Type {
	case model.IdPOIDC:
		_, err = s.Web.AuthCodeURL(ctx, c, s.RedirectURI(c), "check", "check", "check")
	case model.IdPLDAP, model.IdPAD:
		var bindPassword string
		if bindPassword, err = s.openSecret(c); err != nil {
			return false, err
		}
		err = s.LDAP.Check(ctx, c, bindPassword)
	default:
		return false, nil
	}
	return err == nil, err
}
