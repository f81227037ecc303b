package wire

// ErrorResponse is the RFC 6749 section 5.2 error answer that every
// protocol endpoint sends with its 4xx or 5xx status.
type ErrorResponse struct {
	Code        string `json:"error"` // such as invalid_grant or invalid_client
	Description string `json:"error_description,omitempty"`
}
