package reset

import (
	"context"
	"errors"

	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
)

// Codes sends and checks codes and keeps reset tokens (passcode.Service).
type Codes interface {
	Send(ctx context.Context, t passcode.Target, lang string) error
	Use(ctx context.Context, t passcode.Target, code string) error
	IssueResetToken(ctx context.Context, userID string) (string, error)
	UseResetToken(ctx context.Context, token string) (string, error)
}

// Service resets passwords.
type Service struct {
	// SignIn finds the user at an address and holds the users, the
	// limiter and the audit recorder.
	SignIn *signin.Service
	Codes  Codes
}

// Verify consumes the CHANNEL_RESET_PASSWORD code sent to address (of kind
// model.MessageEmail or model.MessageSMS, passcode.Address's form) and
// returns a reset token for its user. Errors: model.ErrWrongCode for a
// wrong, used or unsent code and for an address that names no user alike,
// model.ErrCodeExpired, or the store's.
func (s *Service) Verify(ctx context.Context, kind, address, code string) (string, error) {
	u, err := s.SignIn.UserAt(ctx, kind, address)
	if err != nil {
		return "", err
	}
	if u == nil {
		return "", model.ErrWrongCode
	}
	if err := s.Codes.Use(ctx, passcode.Target{Kind: kind, To: address, Channel: passcode.ChannelResetPassword}, code); err != nil {
		return "", err
	}
	return s.Codes.IssueResetToken(ctx, u.ID)
}

// Reset sets the password of token's user to pw, consuming token, ends the
// user's sessions and tokens, clears their lockout and records it (ip is
// the client's). pw is checked against the policy first, so that a refused
// password leaves the token usable. Errors: model.ErrInvalidInput (the
// policy), model.ErrWrongCode for a bad, used or replaced token and for a
// user deleted since, model.ErrCodeExpired, or the store's.
func (s *Service) Reset(ctx context.Context, token, pw, ip string) error {
	if err := users.ValidatePassword(pw); err != nil {
		return err
	}
	id, err := s.Codes.UseResetToken(ctx, token)
	if err != nil {
		return err
	}
	err = s.SignIn.Users.SetPassword(ctx, id, pw, "")
	if errors.Is(err, model.ErrNotFound) {
		return model.ErrWrongCode
	}
	if err != nil {
		return err
	}
	if err := s.SignIn.Limiter.Clear(ctx, id); err != nil {
		return err
	}
	if s.SignIn.Audit != nil {
		s.SignIn.Audit.Record(ctx, model.AuditEvent{Type: model.AuditPasswordChange, UserID: id, IP: ip, Detail: "password reset"})
	}
	return nil
}
