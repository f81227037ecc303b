package edge

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxCheckedBody is the largest body CheckText reads. A larger one is left
// to the handler, whose own limit (64 KiB for forms, 1 MiB for the
// management API) refuses it before reading a parameter.
const MaxCheckedBody = 1 << 20

// Refuse answers a request whose parameters are not text, in the format of
// the surface that owns the route (RFC 6749 error JSON, the readable HTML
// page, the management envelope). problem names the parameter in plain
// ASCII and never repeats its value.
type Refuse func(w http.ResponseWriter, r *http.Request, problem string)

// CheckText returns next behind a check that every parameter of a request is
// text that every backend can store: valid UTF-8 holding no NUL byte.
// PostgreSQL refuses anything else, and SQLite would store it. Parameters
// are the query and a form body (names and values, percent-decoded), every
// string and key of a JSON body, the raw text of any other body, and the
// credentials of an Authorization: Basic header (raw and, as RFC 6749
// section 2.3.1 form-encodes them, decoded). A malformed escape is left for
// the handler's parser to refuse; the raw text around it is still checked.
func CheckText(next http.Handler, refuse Refuse) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if problem := badText(r); problem != "" {
			refuse(w, r, problem)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// badText describes the first parameter of r that is not text, or returns "".
func badText(r *http.Request) string {
	if p := badForm(r.URL.RawQuery, "query parameter"); p != "" {
		return p
	}
	if p := badBasic(r.Header.Get("Authorization")); p != "" {
		return p
	}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength > MaxCheckedBody {
		return ""
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxCheckedBody+1))
	// The handler reads the body again, whole, and meets any read error itself.
	r.Body = replayed{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	if err != nil || len(body) > MaxCheckedBody {
		return ""
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		return badForm(string(body), "form field")
	}
	if !isText(string(body)) {
		return "the request body is not valid UTF-8 text or holds a NUL byte"
	}
	// Whatever its declared type, a body that is JSON is read as JSON by
	// the management API: its escapes (\u0000) are decoded and checked.
	if json.Valid(body) {
		return badJSON(body)
	}
	return ""
}

// replayed gives the handler the body CheckText read, then the rest.
type replayed struct {
	io.Reader
	io.Closer
}

// badForm checks each name and value of a query or form body, decoded as
// url.ParseQuery decodes it.
func badForm(raw, what string) string {
	for piece := range strings.SplitSeq(raw, "&") {
		name, value, _ := strings.Cut(piece, "=")
		decName, decValue := unescape(name), unescape(value)
		if !isText(decName) {
			return "a " + what + " name is not valid UTF-8 text or holds a NUL byte"
		}
		if !isText(decValue) {
			return fmt.Sprintf("%s %s is not valid UTF-8 text or holds a NUL byte", what, safeName(decName))
		}
	}
	return ""
}

// unescape decodes s as a form value, or returns it raw when an escape is
// malformed (a parser refuses that later; a lenient reader uses it raw).
func unescape(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// badBasic checks the credentials of a Basic Authorization header.
func badBasic(auth string) string {
	scheme, value, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return ""
	}
	id, secret, _ := strings.Cut(string(raw), ":")
	for _, s := range []string{id, secret} {
		if !isText(s) || !isText(unescape(s)) {
			return "the Basic authorization credentials are not valid UTF-8 text or hold a NUL byte"
		}
	}
	return ""
}

// badJSON checks every key and string of a valid JSON document.
func badJSON(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil { // io.EOF: the end
			return ""
		}
		if s, ok := tok.(string); ok && strings.IndexByte(s, 0) >= 0 {
			return "a string of the JSON body holds a NUL byte (\\u0000)"
		}
	}
}

// isText reports whether s is valid UTF-8 without a NUL byte.
func isText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// safeName quotes an attacker-chosen parameter name only when it is short
// and plain.
func safeName(name string) string {
	if name == "" || len(name) > 40 {
		return "(unnamed or long)"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x21 || c > 0x7e || c == '"' {
			return "(an unusual name)"
		}
	}
	return `"` + name + `"`
}

// Routes registers a surface's routes on a ServeMux, each behind CheckText
// with the surface's way of refusing. Routes without a refusal cannot be
// registered, so no route can skip the check.
type Routes struct {
	mux    *http.ServeMux
	refuse Refuse
}

// NewRoutes returns Routes for mux; each surface picks its refusal with Refusing.
func NewRoutes(mux *http.ServeMux) Routes { return Routes{mux: mux} }

// Refusing returns the same Routes with refuse as the way of refusing.
func (rt Routes) Refusing(refuse Refuse) Routes {
	rt.refuse = refuse
	return rt
}

// Handle registers h for pattern behind CheckText.
func (rt Routes) Handle(pattern string, h http.Handler) {
	if rt.refuse == nil {
		panic("edge: route " + pattern + " registered without a way of refusing bad text")
	}
	rt.mux.Handle(pattern, CheckText(h, rt.refuse))
}

// HandleFunc registers f for pattern behind CheckText.
func (rt Routes) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	rt.Handle(pattern, http.HandlerFunc(f))
}
