package authentication

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/opengenauth/genauth/internal/wire"
)

// Error is a non-2xx answer from the server. Match it with errors.As:
//
//	var e *authentication.Error
//	if errors.As(err, &e) && e.Code == "invalid_grant" { ... }
type Error struct {
	// StatusCode is the HTTP status, such as 400 or 401.
	StatusCode int
	// Code is the OAuth "error" field, such as invalid_grant or
	// invalid_client; empty when the body was not a protocol error.
	Code string
	// Description is the "error_description" field, when present.
	Description string
	// Body is the response body as received (at most 1 MiB).
	Body []byte
}

// Error formats the status, code and description.
func (e *Error) Error() string {
	switch {
	case e.Code != "" && e.Description != "":
		return fmt.Sprintf("authentication: %d %s: %s", e.StatusCode, e.Code, e.Description)
	case e.Code != "":
		return fmt.Sprintf("authentication: %d %s", e.StatusCode, e.Code)
	default:
		return fmt.Sprintf("authentication: HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
}

// newError builds an *Error from a non-2xx answer. A body that is not the
// RFC 6749 error object still yields an Error, with Code empty.
func newError(status int, body []byte) *Error {
	e := &Error{StatusCode: status, Body: body}
	var answer wire.ErrorResponse
	if json.Unmarshal(body, &answer) == nil {
		e.Code, e.Description = answer.Code, answer.Description
	}
	return e
}
