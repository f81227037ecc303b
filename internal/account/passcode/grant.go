package passcode

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// GrantLifetime is how long a grant lives (contract 4.4, 4.6: 60 s).
const GrantLifetime = 60 * time.Second

// grantSealPurpose is the secret.Sealer purpose of a grant's content.
const grantSealPurpose = "account grant"

// The purposes of grants: what a proven step lets the user do next.
const (
	GrantUpdateEmail   = "UPDATE_EMAIL"
	GrantUpdatePhone   = "UPDATE_PHONE"
	GrantDeleteAccount = "DELETE_ACCOUNT"
)

// grant is what a grant token carries, sealed.
type grant struct {
	User    string `json:"u"`
	Address string `json:"a,omitempty"`
	Nonce   []byte `json:"n"`
}

// Grant returns an opaque token that lets userID do purpose once within
// GrantLifetime, bound to address (the new email or phone; "" for none). It
// replaces the user's earlier grant of purpose. The token is sealed, so
// that it carries the address unseen, and stored only as a keyed hash, so
// that it is used up once.
func (s *Service) Grant(ctx context.Context, purpose, userID, address string) (string, error) {
	return s.GrantFor(ctx, purpose, userID, address, GrantLifetime)
}

// GrantFor is Grant with its own lifetime.
func (s *Service) GrantFor(ctx context.Context, purpose, userID, address string, lifetime time.Duration) (string, error) {
	nonce := make([]byte, 16)
	if _, err := io.ReadFull(s.Rand, nonce); err != nil {
		return "", fmt.Errorf("passcode: drawing a grant: %w", err)
	}
	plain, err := json.Marshal(grant{User: userID, Address: address, Nonce: nonce})
	if err != nil {
		return "", err
	}
	sealed, err := s.Sealer.Seal(grantSealPurpose, plain)
	if err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(sealed)
	now := s.Now().UTC().Truncate(time.Millisecond)
	channel, dest := grantChannel(purpose), s.mac("grant", userID)
	p := &model.Passcode{Channel: channel, Destination: dest, Hash: s.hash(channel, dest, tok),
		CreatedAt: now, ExpiresAt: now.Add(lifetime)}
	return tok, s.Store.SavePasscode(ctx, p, nil)
}

// Peek returns the user and the address of tok, a live grant of purpose,
// without using it up: for a grant that names its user itself, which a
// later Redeem uses up. Errors as Redeem's.
func (s *Service) Peek(ctx context.Context, purpose, tok string) (userID, address string, err error) {
	g, err := s.open(tok)
	if err != nil {
		return "", "", err
	}
	if err := s.judgeGrant(ctx, purpose, g.User, tok, false); err != nil {
		return "", "", err
	}
	return g.User, g.Address, nil
}

// Redeem uses up userID's grant tok for purpose and returns the address it
// is bound to. Errors: model.ErrWrongCode for a token that is not userID's
// live grant of purpose (unknown, used, replaced, another user's),
// model.ErrCodeExpired for one past its lifetime, or the store's.
func (s *Service) Redeem(ctx context.Context, purpose, userID, tok string) (string, error) {
	g, err := s.open(tok)
	if err != nil || g.User != userID {
		return "", model.ErrWrongCode
	}
	if err := s.judgeGrant(ctx, purpose, userID, tok, true); err != nil {
		return "", err
	}
	return g.Address, nil
}

// Take uses up tok, a live grant of purpose, and returns the user and the
// address it was made for: for a grant whose holder the caller learns from
// it. Errors as Redeem's.
func (s *Service) Take(ctx context.Context, purpose, tok string) (userID, address string, err error) {
	g, err := s.open(tok)
	if err != nil {
		return "", "", err
	}
	if err := s.judgeGrant(ctx, purpose, g.User, tok, true); err != nil {
		return "", "", err
	}
	return g.User, g.Address, nil
}

// open reads a grant token; anything but a grant this server sealed is
// model.ErrWrongCode.
func (s *Service) open(tok string) (*grant, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(tok))
	if err != nil {
		return nil, model.ErrWrongCode
	}
	plain, err := s.Sealer.Open(grantSealPurpose, sealed)
	if err != nil {
		return nil, model.ErrWrongCode
	}
	var g grant
	if err := json.Unmarshal(plain, &g); err != nil {
		return nil, model.ErrWrongCode
	}
	return &g, nil
}

// judgeGrant checks that tok is userID's live grant of purpose, and with
// consume uses it up.
func (s *Service) judgeGrant(ctx context.Context, purpose, userID, tok string, consume bool) error {
	channel, dest := grantChannel(purpose), s.mac("grant", userID)
	return s.Store.UsePasscode(ctx, channel, dest, s.hash(channel, dest, strings.TrimSpace(tok)), s.Now().UTC(), MaxTries, consume)
}

// grantChannel keeps grants apart from codes, whose channels are the
// contract's CHANNEL_* names.
func grantChannel(purpose string) string { return "GRANT_" + purpose }
