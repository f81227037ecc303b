package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// Prefix is where the /api/v3 surfaces live.
const Prefix = "/api/v3/"

// MaxBodyBytes bounds a request body (a batch of users included).
const MaxBodyBytes = 1 << 20

// Error is a failure as the envelope reports it.
type Error struct {
	Status  int
	APICode int
	Message string
	// RetryAfter, when set, is sent as the Retry-After header (seconds).
	RetryAfter string
	// Data goes with the failure where a contract says so (an answer that
	// is data and a reason at once, such as check-app-id-secret's).
	Data any
}

func (e *Error) Error() string { return e.Message }

// BadRequest is a statusCode 400 failure with a formatted message.
func BadRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// body is every response body.
type body struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
	APICode    int    `json:"apiCode,omitempty"`
	RequestID  string `json:"requestId"`
	Data       any    `json:"data,omitempty"`
}

// Writer writes envelopes and maps unexpected failures to them.
type Writer struct {
	// IDs makes the requestId of every answer.
	IDs *token.Source
	// Logger logs unexpected failures, each prefixed with Name.
	Logger *slog.Logger
	Name   string
	// Health learns of an unavailable database; nil: none is tracked, but
	// temporary failures are still answered with statusCode 503.
	Health *health.Tracker
}

// Write sends data (e nil) or e in the envelope, always with HTTP 200.
func (wr Writer) Write(w http.ResponseWriter, data any, e *Error) {
	env := body{StatusCode: http.StatusOK, RequestID: wr.IDs.ID(), Data: data}
	if e != nil {
		env = body{StatusCode: e.Status, Message: e.Message, APICode: e.APICode, RequestID: env.RequestID, Data: e.Data}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(env); err != nil {
		wr.Logger.Error(wr.Name+": encoding a response", "err", err)
		b.Reset()
		fmt.Fprintf(&b, `{"statusCode":500,"message":"internal error","requestId":%q}`+"\n", env.RequestID)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if e != nil && e.RetryAfter != "" {
		w.Header().Set("Retry-After", e.RetryAfter)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// Internal logs an unexpected failure and returns an opaque 500; a
// temporary one (the database unavailable, password hashing at its limit)
// is a 503 with Retry-After, not logged (the tracker logs each outage once).
func (wr Writer) Internal(r *http.Request, what string, err error) *Error {
	if wr.Health.Failed(r.Context(), err) {
		after := health.RetryAfter(err)
		return &Error{Status: http.StatusServiceUnavailable, RetryAfter: after,
			Message: "temporarily unavailable; retry after " + after + " s"}
	}
	wr.Logger.ErrorContext(r.Context(), wr.Name+": "+what, "err", err)
	return &Error{Status: http.StatusInternalServerError, Message: "internal error"}
}

// ReadBody reads a request body of at most MaxBodyBytes.
func ReadBody(r *http.Request) ([]byte, *Error) {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("the request body is unreadable or larger than %d bytes", MaxBodyBytes)}
	}
	return b, nil
}

// ParseObject reads a body that must be a JSON object; an empty body is {}.
func ParseObject(b []byte) (Object, *Error) {
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil || fields == nil {
		return Object{}, BadRequest("the body must be a JSON object: %s", jsonProblem(err))
	}
	if key := repeatedKey(b); key != "" {
		return Object{}, BadRequest("the body gives the key %s more than once", key)
	}
	return Object{fields: fields}, nil
}

// repeatedKey returns a key that some object of the valid JSON document
// body holds twice, or "". Parsers disagree about which one counts (Go's
// takes the last, others the first, a signature may see either).
func repeatedKey(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		keys   map[string]bool
		object bool
		expect bool // the next token of an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expect {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			key := tok.(string)
			if top.keys[key] {
				return strconv.Quote(key)
			}
			top.keys[key] = true
			top.expect = false
			continue
		}
		if top != nil && top.object {
			top.expect = true // this token is a value; a key follows
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, object: true, expect: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

// jsonProblem describes a JSON syntax error without echoing the input.
func jsonProblem(err error) string {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	}
	if err == nil {
		return "null is not an object"
	}
	return "not a JSON object"
}
