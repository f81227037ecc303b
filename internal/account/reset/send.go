package reset

import (
	"context"
	"errors"

	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/model"
)

// ErrNoAddress means the user has no address of the kind asked for.
var ErrNoAddress = errors.New("the user has no address of that kind")

// SendTo queues, on an administrator's request (by names who asked, for the
// audit trail), a CHANNEL_RESET_PASSWORD code to u's email (kind
// model.MessageEmail) or phone number, in lang, and returns the address. As
// everywhere, one code a minute goes to an address: a second is refused
// with a *throttle.LockedError; the per-client and per-application limits,
// which are against anonymous callers, do not apply. Errors also:
// ErrNoAddress.
func (s *Service) SendTo(ctx context.Context, u *model.User, kind, lang, by string) (string, error) {
	to := u.Email
	if kind == model.MessageSMS {
		to = u.Phone
	}
	if to == "" {
		return "", ErrNoAddress
	}
	perAddress := *s.SignIn.Limiter
	perAddress.Policy = throttle.Policy{SendInterval: s.SignIn.Limiter.Policy.SendInterval}
	if err := perAddress.AllowSend(ctx, by, passcode.ChannelResetPassword, to, ""); err != nil {
		return "", err
	}
	if err := s.Codes.Send(ctx, passcode.Target{Kind: kind, To: to, Channel: passcode.ChannelResetPassword}, lang); err != nil {
		return "", err
	}
	if s.SignIn.Audit != nil {
		s.SignIn.Audit.Record(ctx, model.AuditEvent{Type: model.AuditResetCodeSend, UserID: u.ID, Detail: by})
	}
	return to, nil
}
