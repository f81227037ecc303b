package mfa

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"image/png"
	"io"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/opengenauth/genauth/internal/model"
)

// KeyPurpose is the secret.Sealer.DeriveKey purpose of the key that hashes
// recovery codes.
const KeyPurpose = "mfa recovery code"

// sealPurpose is the secret.Sealer purpose of factor secrets.
const sealPurpose = "mfa factor"

// TOTP parameters: what every authenticator app supports (contract 6.1).
const (
	Period = 30 * time.Second
	skew   = 1 // steps of drift accepted either way
)

// RecoveryCodeCount is how many recovery codes a user holds.
const RecoveryCodeCount = 10

// Sealer seals factor secrets under the server key (secret.Sealer).
type Sealer interface {
	Seal(purpose string, plaintext []byte) ([]byte, error)
	Open(purpose string, sealed []byte) ([]byte, error)
}

// Service enrolls and checks second factors.
type Service struct {
	Store  Store
	Sealer Sealer
	// Key keys the hashes of recovery codes (32 bytes from
	// secret.Sealer.DeriveKey(KeyPurpose)).
	Key []byte
	// Issuer names the installation in authenticator apps.
	Issuer string
	// Grants keeps the pending sign-ins (Hold) and passkey ceremonies.
	Grants Grants
	// WebAuthn is the relying party passkeys are registered with
	// (NewWebAuthn).
	WebAuthn *webauthn.WebAuthn
	Rand     io.Reader
	NewID    func() string
	Now      func() time.Time
}

// TOTPSetup is a new TOTP secret offered for enrollment: the base32 secret
// to type, the otpauth URI, and the URI as a QR code (PNG).
type TOTPSetup struct {
	Secret string
	URI    string
	QRCode []byte
}

// NewTOTP draws a TOTP secret for account (the user's name as the app will
// show it). Nothing is stored until EnrollTOTP.
func (s *Service) NewTOTP(account string) (*TOTPSetup, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.Issuer, AccountName: account, Period: uint(Period / time.Second),
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Rand: s.Rand})
	if err != nil {
		return nil, fmt.Errorf("mfa: drawing a TOTP secret: %w", err)
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return nil, fmt.Errorf("mfa: drawing the QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("mfa: encoding the QR code: %w", err)
	}
	return &TOTPSetup{Secret: key.Secret(), URI: key.URL(), QRCode: buf.Bytes()}, nil
}

// EnrollTOTP gives the user a TOTP factor with secret, once code proves
// that the user's app has it. Errors: model.ErrWrongCode, model.ErrConflict
// (the user has a TOTP factor already), or the store's.
func (s *Service) EnrollTOTP(ctx context.Context, userID, secret, code string) (*model.Factor, error) {
	now := s.Now().UTC()
	step, ok := matchStep(secret, code, now)
	if !ok {
		return nil, model.ErrWrongCode
	}
	sealed, err := s.Sealer.Seal(sealPurpose, []byte(secret))
	if err != nil {
		return nil, err
	}
	f := &model.Factor{ID: s.NewID(), UserID: userID, Type: model.FactorTOTP, Sealed: sealed, Counter: step,
		CreatedAt: now.Truncate(time.Millisecond), LastUsedAt: now.Truncate(time.Millisecond)}
	if err := s.Store.CreateFactor(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// VerifyTOTP checks code against the user's TOTP factor, accepting each
// time step once. Errors: model.ErrWrongCode (a wrong, stale or replayed
// code), model.ErrNotFound (the user has no TOTP factor), or the store's.
func (s *Service) VerifyTOTP(ctx context.Context, userID, code string) error {
	f, err := s.factor(ctx, userID, model.FactorTOTP)
	if err != nil {
		return err
	}
	secret, err := s.Sealer.Open(sealPurpose, f.Sealed)
	if err != nil {
		return fmt.Errorf("mfa: opening a TOTP secret: %w", err)
	}
	now := s.Now().UTC()
	step, ok := matchStep(string(secret), code, now)
	if !ok || step <= f.Counter {
		return model.ErrWrongCode
	}
	return s.Store.AdvanceFactor(ctx, f.ID, step, now.Truncate(time.Millisecond))
}

// EnrollCode gives the user a factor of kind (model.FactorEmail or
// model.FactorSMS) that sends its codes to address, whose control the
// caller has proven with a code. Errors: model.ErrConflict (the user has
// such a factor already), model.ErrInvalidInput, or the store's.
func (s *Service) EnrollCode(ctx context.Context, userID, kind, address string) (*model.Factor, error) {
	if kind != model.FactorEmail && kind != model.FactorSMS {
		return nil, fmt.Errorf("%w: codes go by EMAIL or SMS, not %q", model.ErrInvalidInput, kind)
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	f := &model.Factor{ID: s.NewID(), UserID: userID, Type: kind, Address: address, Sealed: []byte{}, CreatedAt: now, LastUsedAt: now}
	if err := s.Store.CreateFactor(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// factor returns the user's factor of kind, or model.ErrNotFound.
func (s *Service) factor(ctx context.Context, userID, kind string) (*model.Factor, error) {
	list, err := s.Store.ListFactors(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, f := range list {
		if f.Type == kind {
			return f, nil
		}
	}
	return nil, model.ErrNotFound
}

// matchStep finds the time step within the drift allowed around now whose
// code is code, comparing every candidate in constant time.
func matchStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: uint(Period / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	current := now.Unix() / int64(Period/time.Second)
	var (
		found int64
		ok    bool
	)
	for d := int64(-skew); d <= skew; d++ {
		step := current + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*int64(Period/time.Second), 0), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found, ok = step, true
		}
	}
	return found, ok
}

// NewRecoveryCodes draws RecoveryCodeCount recovery codes for the user,
// replacing the earlier ones, and returns them: the only time they are
// seen, since only their keyed hashes are kept. Each is six groups of four
// hex digits (96 bits), as GenAuth shows them.
func (s *Service) NewRecoveryCodes(ctx context.Context, userID string) ([]string, error) {
	codes := make([]string, RecoveryCodeCount)
	hashes := make([]string, RecoveryCodeCount)
	raw := make([]byte, 12)
	for i := range codes {
		if _, err := io.ReadFull(s.Rand, raw); err != nil {
			return nil, fmt.Errorf("mfa: drawing a recovery code: %w", err)
		}
		h := hex.EncodeToString(raw)
		codes[i] = strings.Join([]string{h[0:4], h[4:8], h[8:12], h[12:16], h[16:20], h[20:24]}, "-")
		hashes[i] = s.recoveryHash(userID, codes[i])
	}
	if err := s.Store.ReplaceRecoveryCodes(ctx, userID, hashes, s.Now().UTC().Truncate(time.Millisecond)); err != nil {
		return nil, err
	}
	return codes, nil
}

// UseRecoveryCode uses up one of the user's recovery codes; case, spaces
// and dashes do not matter. A wrong or used code is model.ErrWrongCode.
func (s *Service) UseRecoveryCode(ctx context.Context, userID, code string) error {
	if normalRecoveryCode(code) == "" {
		return model.ErrWrongCode
	}
	return s.Store.UseRecoveryCode(ctx, userID, s.recoveryHash(userID, code), s.Now().UTC().Truncate(time.Millisecond))
}

// recoveryHash is the keyed hash a recovery code is kept under, bound to
// its user.
func (s *Service) recoveryHash(userID, code string) string {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte(userID))
	m.Write([]byte{0})
	m.Write([]byte(normalRecoveryCode(code)))
	return hex.EncodeToString(m.Sum(nil))
}

// normalRecoveryCode is code's 24 hex digits in lower case, or "" when it
// is not a recovery code.
func normalRecoveryCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch {
		case r == '-' || r == ' ':
		case (r >= '0' && r <= '9') || (r >= 'a' && r <= 'f'):
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != 24 {
		return ""
	}
	return b.String()
}

// Reset removes every factor and recovery code of the user (an
// administrator's reset, or the user's own when leaving MFA) and says how
// many factors there were.
func (s *Service) Reset(ctx context.Context, userID string) (int, error) {
	return s.Store.ResetFactors(ctx, userID)
}

// Remove deletes one of the user's factors; model.ErrNotFound when the user
// has no such factor. Removing the last factor also removes the recovery
// codes, which would otherwise stand in for a second factor there is no
// longer.
func (s *Service) Remove(ctx context.Context, userID, factorID string) error {
	if err := s.Store.DeleteFactor(ctx, userID, factorID); err != nil {
		return err
	}
	left, err := s.Store.ListFactors(ctx, userID)
	if err != nil || len(left) > 0 {
		return err
	}
	return s.Store.ReplaceRecoveryCodes(ctx, userID, nil, s.Now().UTC())
}
