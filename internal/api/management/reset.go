package management

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/account/reset"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
)

// sendResetPasswordCode serves POST send-reset-password-code, GenAuth's own
// (the SDKs have no such call): a CHANNEL_RESET_PASSWORD code to the user's
// email (channel EMAIL, the default) or phone number (SMS), in lang (en or
// zh), which the user redeems on the hosted /reset page or through the
// authentication API's verify-reset-password-request. One code a minute
// goes to an address; each send is in the audit trail.
func (h *Handler) sendResetPasswordCode(r *request) (any, *envelope.Error) {
	channel, e := r.params.Text("channel")
	if e != nil {
		return nil, e
	}
	kind := map[string]string{"": model.MessageEmail, "EMAIL": model.MessageEmail, "SMS": model.MessageSMS}[strings.ToUpper(channel)]
	if kind == "" {
		return nil, envelope.BadRequest("channel must be EMAIL or SMS")
	}
	lang, e := r.params.Text("lang")
	if e != nil {
		return nil, e
	}
	if lang = strings.ToLower(lang); lang == "" {
		lang = "en"
	} else if lang != "en" && lang != "zh" {
		return nil, envelope.BadRequest("lang must be en or zh")
	}
	u, e := r.bodyUser()
	if e != nil {
		return nil, e
	}
	if h.cfg.Reset == nil || !h.cfg.Delivers[kind] {
		what := map[string]string{model.MessageEmail: "email", model.MessageSMS: "SMS"}[kind]
		return nil, &envelope.Error{Status: http.StatusNotImplemented, Message: what + " is not configured on this server"}
	}
	_, err := h.cfg.Reset.SendTo(r.ctx(), u, kind, lang, "management API send-reset-password-code")
	var locked *throttle.LockedError
	switch {
	case errors.Is(err, reset.ErrNoAddress):
		what := map[string]string{model.MessageEmail: "email address", model.MessageSMS: "phone number"}[kind]
		return nil, &envelope.Error{Status: http.StatusUnprocessableEntity, Message: "the user has no " + what}
	case errors.As(err, &locked):
		return nil, &envelope.Error{Status: http.StatusTooManyRequests, RetryAfter: throttle.RetryAfter(err),
			Message: "a reset code went to this address less than a minute ago: try again after " + locked.Until.UTC().Format(time.RFC3339)}
	case err != nil:
		return nil, r.fail("sending a reset code", err, codeUserNotFound)
	}
	return success{true}, nil
}
