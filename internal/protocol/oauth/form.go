package oauth

import (
	"bytes"
	"encoding/json"
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

// parseJSONBody reads a JSON object of string members of at most
// MaxBodyBytes, as GenAuth's iOS and Flutter SDKs send to revocation
// (contract 5.1). A null member is absent (contract 1.6); any other
// non-string member, a repeated member or trailing data is invalid_request.
func parseJSONBody(w http.ResponseWriter, r *http.Request) (params, *Error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, bodyError(err)
	}
	bad := invalidRequest("the JSON body must be one object whose members are strings")
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, bad
	}
	p := params{}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		name, ok := t.(string)
		if err != nil || !ok {
			return nil, bad
		}
		if seen[name] {
			return nil, invalidRequest("parameter " + safeName(name) + " is repeated")
		}
		seen[name] = true
		var v *string
		if err := dec.Decode(&v); err != nil {
			return nil, bad
		}
		if v != nil {
			p[name] = *v
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, bad
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad
	}
	return p, nil
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
