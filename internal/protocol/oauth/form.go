package oauth

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// MaxBodyBytes bounds every protocol request body.
const MaxBodyBytes = 64 << 10

// params is a request's parameters with each name present at most once
// (RFC 6749 section 3.1: parameters must not be repeated).
type params map[string]string

func (p params) get(name string) string { return p[name] }

// parseValues rejects repeated parameters and keeps the single values.
func parseValues(v url.Values) (params, *Error) {
	p := make(params, len(v))
	for name, vals := range v {
		if len(vals) > 1 {
			return nil, invalidRequest("parameter " + safeName(name) + " is repeated")
		}
		p[name] = vals[0]
	}
	return p, nil
}

// parseQuery parses the URL query strictly.
func parseQuery(r *http.Request) (params, *Error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, invalidRequest("the query string is malformed")
	}
	return parseValues(v)
}

// parseBody reads a form-urlencoded body of at most MaxBodyBytes. An empty
// body with no content type gives empty params (userinfo POSTs send that).
func parseBody(w http.ResponseWriter, r *http.Request) (params, *Error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" && r.ContentLength <= 0 {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			return nil, bodyError(err)
		}
		if len(strings.TrimSpace(string(body))) == 0 {
			return params{}, nil
		}
		return nil, invalidRequest("the body needs Content-Type application/x-www-form-urlencoded")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, invalidRequest("the body must be application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, bodyError(err)
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, invalidRequest("the form body is malformed")
	}
	return parseValues(v)
}

func bodyError(err error) *Error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return invalidRequest("the request body is larger than 64 KiB")
	}
	return invalidRequest("the request body could not be read")
}

// safeName keeps attacker-chosen parameter names out of error messages when
// they are long or odd.
func safeName(name string) string {
	if len(name) > 40 {
		return "(a long name)"
	}
	for _, r := range name {
		if r < 0x21 || r > 0x7e {
			return "(an unusual name)"
		}
	}
	return name
}
