package oauth

import (
	"encoding/json"
	"net/http"

	"github.com/opengenauth/genauth/internal/wire"
)

// Error is an RFC 6749 protocol error: the answer's body and how it is
// sent. Status is the HTTP status it is sent with when it is not redirected.
type Error struct {
	wire.ErrorResponse
	Status int
	// challenge, when set, is sent as WWW-Authenticate.
	challenge string
	// allow, when set, is sent as Allow.
	allow string
	// retryAfter, when set, is sent as Retry-After (seconds).
	retryAfter string
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func newError(code, desc string, status int) *Error {
	return &Error{ErrorResponse: wire.ErrorResponse{Code: code, Description: desc}, Status: status}
}

func invalidRequest(desc string) *Error {
	return newError("invalid_request", desc, http.StatusBadRequest)
}

func invalidGrant(desc string) *Error {
	return newError("invalid_grant", desc, http.StatusBadRequest)
}

func invalidScope(desc string) *Error {
	return newError("invalid_scope", desc, http.StatusBadRequest)
}

func unauthorizedClient(desc string) *Error {
	return newError("unauthorized_client", desc, http.StatusBadRequest)
}

func unsupportedGrantType(desc string) *Error {
	return newError("unsupported_grant_type", desc, http.StatusBadRequest)
}

func unsupportedResponseType(desc string) *Error {
	return newError("unsupported_response_type", desc, http.StatusBadRequest)
}

func accessDenied(desc string) *Error {
	return newError("access_denied", desc, http.StatusForbidden)
}

func consentRequired(desc string) *Error {
	return newError("consent_required", desc, http.StatusBadRequest)
}

// requestNotSupported is OpenID Connect Core 6.1 and 6.2: an OP without
// request objects must refuse them rather than act on the plain parameters.
func requestNotSupported(code, desc string) *Error {
	return newError(code, desc, http.StatusBadRequest)
}

// interactionRequired is OpenID Connect Core 3.1.2.6: prompt=none, and the
// user must act (here: prove a second factor).
func interactionRequired(desc string) *Error {
	return newError("interaction_required", desc, http.StatusBadRequest)
}

func loginRequired(desc string) *Error {
	return newError("login_required", desc, http.StatusBadRequest)
}

// invalidClient is answered with 401; basic marks a client that tried HTTP
// Basic, which RFC 6749 section 5.2 says must get a Basic challenge.
func invalidClient(desc string, basic bool) *Error {
	e := newError("invalid_client", desc, http.StatusUnauthorized)
	if basic {
		e.challenge = `Basic realm="genauth"`
	}
	return e
}

func invalidToken(desc string) *Error {
	e := newError("invalid_token", desc, http.StatusUnauthorized)
	e.challenge = `Bearer realm="genauth", error="invalid_token"`
	return e
}

// noToken answers a request without an access token (or with another
// scheme): RFC 6750 section 3.1 gives its challenge no error code. The body
// keeps invalid_token, which GenAuth's SDKs read.
func noToken(desc string) *Error {
	e := newError("invalid_token", desc, http.StatusUnauthorized)
	e.challenge = `Bearer realm="genauth"`
	return e
}

func methodNotAllowed(allow string) *Error {
	e := newError("invalid_request", "method not allowed; use "+allow, http.StatusMethodNotAllowed)
	e.allow = allow
	return e
}

// serverError hides the cause; the caller logs it.
func serverError() *Error {
	return newError("server_error", "the server could not complete the request", http.StatusInternalServerError)
}

// temporarilyUnavailable is RFC 6749's temporarily_unavailable (section
// 4.1.2.1), answered with 503 and Retry-After by every endpoint when the
// database cannot serve for now.
func temporarilyUnavailable(retryAfter string) *Error {
	e := newError("temporarily_unavailable", "the server cannot answer now; retry after the Retry-After delay",
		http.StatusServiceUnavailable)
	e.retryAfter = retryAfter
	return e
}

// writeError is the one place a protocol error is serialised.
func writeError(w http.ResponseWriter, e *Error) {
	if e.challenge != "" {
		w.Header().Set("WWW-Authenticate", e.challenge)
	}
	if e.allow != "" {
		w.Header().Set("Allow", e.allow)
	}
	if e.retryAfter != "" {
		w.Header().Set("Retry-After", e.retryAfter)
	}
	writeJSON(w, e.Status, &e.ErrorResponse)
}

// writeJSON writes v as an uncacheable JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var body []byte
	var err error
	if m, ok := v.(json.Marshaler); ok {
		// json.Marshal would parse a Marshaler's output again to check and
		// compact it; userinfo's claims are compact and escaped already.
		body, err = m.MarshalJSON()
	} else {
		body, err = json.Marshal(v)
	}
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"error":"server_error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
