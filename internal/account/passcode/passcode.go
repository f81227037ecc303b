package passcode

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
)

// The rules of a code (contract 3.1).
const (
	Lifetime = 5 * time.Minute
	MaxTries = 5
	Digits   = 6
)

// KeyPurpose is what the server derives Service.Key for from its secret key.
const KeyPurpose = "verification code"

// Template is the message template that carries a code (internal/platform/mail).
const Template = "verification_code"

// Service issues and checks verification codes.
type Service struct {
	Store  Store
	Sealer outbox.Sealer
	// Key keys the hashes of codes and destinations (32 bytes from
	// secret.Sealer.DeriveKey(KeyPurpose)).
	Key []byte
	// Rand draws the codes; NewID names the messages (token.Source.ID).
	Rand  io.Reader
	NewID func() string
	Now   func() time.Time
}

// Target is where a code goes and what it is for.
type Target struct {
	Kind    string // model.MessageEmail or model.MessageSMS
	To      string // as Address returns it
	Channel string
}

// Address is the form a destination is sent to and bound in: an email
// trimmed and lower-cased; a phone number trimmed, with the country code in
// front when one is given and the number has none, so that the same digits
// under two country codes are two destinations.
func Address(kind, to, countryCode string) string {
	if kind == model.MessageEmail {
		return loginid.Email(to)
	}
	to, countryCode = loginid.Phone(to), loginid.Trim(countryCode)
	if countryCode == "" || strings.HasPrefix(to, "+") {
		return to
	}
	if !strings.HasPrefix(countryCode, "+") {
		countryCode = "+" + countryCode
	}
	return countryCode + to
}

// ErrTarget means a target without a kind, an address or a channel.
var ErrTarget = errors.New("passcode: a code needs a kind (email or sms), an address and a channel")

// Send draws a new code for t, replacing any code t had, and queues the
// message that carries it in lang ("en" or "zh"), in one transaction.
func (s *Service) Send(ctx context.Context, t Target, lang string) error {
	if (t.Kind != model.MessageEmail && t.Kind != model.MessageSMS) || t.To == "" || t.Channel == "" {
		return ErrTarget
	}
	code, err := s.draw()
	if err != nil {
		return err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	dest := s.destination(t)
	m := &model.Message{ID: s.NewID(), Kind: t.Kind, To: t.To, Template: Template, Lang: lang,
		Code: code, Channel: t.Channel, Lifetime: Lifetime, CreatedAt: now}
	om, err := outbox.Seal(s.Sealer, m)
	if err != nil {
		return err
	}
	p := &model.Passcode{Channel: t.Channel, Destination: dest, Hash: s.hash(t.Channel, dest, code),
		CreatedAt: now, ExpiresAt: now.Add(Lifetime)}
	return s.Store.SavePasscode(ctx, p, om)
}

// Check says whether code is t's live code without using it up; a wrong
// code counts a try. Errors: model.ErrWrongCode, model.ErrCodeExpired, or
// the store's.
func (s *Service) Check(ctx context.Context, t Target, code string) error {
	return s.judge(ctx, t, code, false)
}

// Use is Check that consumes a right code: of concurrent uses one succeeds.
func (s *Service) Use(ctx context.Context, t Target, code string) error {
	return s.judge(ctx, t, code, true)
}

// Proof is a code given to prove an address.
type Proof struct {
	Target Target
	Code   string
}

// UseAll judges every proof before it uses any up, so that one wrong code
// does not spend the others; it answers the first failure.
func (s *Service) UseAll(ctx context.Context, proofs ...Proof) error {
	for _, consume := range []bool{false, true} {
		for _, p := range proofs {
			if err := s.judge(ctx, p.Target, p.Code, consume); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) judge(ctx context.Context, t Target, code string, consume bool) error {
	dest := s.destination(t)
	return s.Store.UsePasscode(ctx, t.Channel, dest, s.hash(t.Channel, dest, strings.TrimSpace(code)),
		s.Now().UTC(), MaxTries, consume)
}

// draw returns Digits uniform random digits.
func (s *Service) draw() (string, error) {
	n, err := rand.Int(s.Rand, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("passcode: drawing a code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// destination is the keyed hash that names t's kind and address in storage.
func (s *Service) destination(t Target) string {
	return s.mac("destination", t.Kind, t.To)
}

// hash is the keyed hash of code, bound to its channel and destination.
func (s *Service) hash(channel, dest, code string) string {
	return s.mac("code", channel, dest, code)
}

func (s *Service) mac(parts ...string) string {
	h := hmac.New(sha256.New, s.Key)
	for _, p := range parts {
		// Length-prefixed, so that no two part lists give the same input.
		fmt.Fprintf(h, "%d:%s", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ResetLifetime is how long a password reset token lives (contract 4.5).
const ResetLifetime = 10 * time.Minute

// resetChannel keeps reset tokens apart from codes: no code channel is
// spelled so.
const resetChannel = "password reset token"

// IssueResetToken returns a new single-use token that lets its holder set
// userID's password once within ResetLifetime, replacing any token userID
// had. It is stored like a code, keyed hash only, under the user's row of
// the reset channel; it carries the user id so that the row can be found,
// and 256 random bits so that it cannot be guessed.
func (s *Service) IssueResetToken(ctx context.Context, userID string) (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(s.Rand, b[:]); err != nil {
		return "", fmt.Errorf("passcode: drawing a reset token: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.Now().UTC().Truncate(time.Millisecond)
	dest := s.mac("reset user", userID)
	p := &model.Passcode{Channel: resetChannel, Destination: dest, Hash: s.hash(resetChannel, dest, secret),
		CreatedAt: now, ExpiresAt: now.Add(ResetLifetime)}
	if err := s.Store.SavePasscode(ctx, p, nil); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString([]byte(userID)) + "." + secret, nil
}

// UseResetToken consumes token and returns the user it was issued for.
// Errors: model.ErrWrongCode for a token not issued, used, replaced or
// malformed, model.ErrCodeExpired, or the store's.
func (s *Service) UseResetToken(ctx context.Context, token string) (string, error) {
	enc, secret, ok := strings.Cut(strings.TrimSpace(token), ".")
	id, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || len(id) == 0 || secret == "" {
		return "", model.ErrWrongCode
	}
	dest := s.mac("reset user", string(id))
	if err := s.Store.UsePasscode(ctx, resetChannel, dest, s.hash(resetChannel, dest, secret),
		s.Now().UTC(), MaxTries, true); err != nil {
		return "", err
	}
	return string(id), nil
}

// ValidPhone reports whether number (5 to 20 digits after an optional "+")
// and countryCode (empty, or 1 to 4 digits after an optional "+") can name
// a phone that codes are sent to; the API and the hosted pages accept the
// same numbers.
func ValidPhone(number, countryCode string) bool {
	return digits(strings.TrimPrefix(number, "+"), 5, 20) &&
		(countryCode == "" || digits(strings.TrimPrefix(countryCode, "+"), 1, 4))
}

// digits reports whether s is min to max ASCII digits.
func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
