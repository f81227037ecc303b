package authn

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
)

// mfaTokenState is the answer of POST /mfa/token/introspection (contract
// 6.3): RFC 7662's shape, without GenAuth's envelope.
type mfaTokenState struct {
	Active bool   `json:"active"`
	UserID string `json:"userId,omitempty"`
	IAT    int64  `json:"iat,omitempty"`
	Exp    int64  `json:"exp,omitempty"`
}

// MFATokenIntrospection serves POST /mfa/token/introspection: whether the
// form's token is a live mfaToken (a sign-in waiting for its second
// factor), and whose. It needs no credentials: only the holder of the
// token, the user mid sign-in, learns anything, and only their own id. A
// body that is not a form is refused with refuse, the protocol
// endpoints' invalid_request, since the answer has RFC 7662's shape.
func (h *Handler) MFATokenIntrospection(refuse edge.Refuse) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			refuse(w, r, "the body must be a form with the field token")
			return
		}
		h.introspectMFAToken(w, r)
	})
}

func (h *Handler) introspectMFAToken(w http.ResponseWriter, r *http.Request) {
	var out mfaTokenState
	tok := strings.TrimSpace(r.PostForm.Get("token"))
	if tok != "" {
		p, err := h.cfg.MFA.Held(r.Context(), tok)
		switch {
		case errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired):
		case err != nil:
			h.wr.Write(w, nil, h.wr.Internal(r, "introspecting an mfaToken", err))
			return
		default:
			out = mfaTokenState{Active: true, UserID: p.UserID}
			if p.Issued > 0 {
				out.IAT, out.Exp = p.Issued, p.Issued+int64(mfa.PendingLifetime.Seconds())
			}
		}
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}
