package management

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// object is a JSON object of the request body, read field by field so that
// unknown fields are ignored and a wrong type names its field. null counts
// as absent.
type object struct {
	fields map[string]json.RawMessage
	path   string // "options.pagination." for nested objects
}

func (o object) raw(name string) (json.RawMessage, bool) {
	v, ok := o.fields[name]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

func (o object) wrongType(name, want string) *apiError {
	return badRequest("%s%s must be %s", o.path, name, want)
}

// str returns a string field; nil when absent.
func (o object) str(name string) (*string, *apiError) {
	v, ok := o.raw(name)
	if !ok {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, o.wrongType(name, "a string")
	}
	return &s, nil
}

// text returns a string field, "" when absent.
func (o object) text(name string) (string, *apiError) {
	s, e := o.str(name)
	if s == nil {
		return "", e
	}
	return *s, nil
}

// boolean returns a boolean field (true/false, or those words in a string).
func (o object) boolean(name string) (*bool, *apiError) {
	v, ok := o.raw(name)
	if !ok {
		return nil, nil
	}
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return &b, nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		if b, ok := parseBool(s); ok {
			return &b, nil
		}
	}
	return nil, o.wrongType(name, "true or false")
}

// integer returns a whole-number field, also given as 1.7e+12 or "10".
func (o object) integer(name string) (*int64, *apiError) {
	v, ok := o.raw(name)
	if !ok {
		return nil, nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		s = string(v)
	}
	n, ok := parseInt(s)
	if !ok {
		return nil, o.wrongType(name, "a whole number")
	}
	return &n, nil
}

// strings returns a list-of-strings field; a single string is a list of one.
func (o object) strings(name string) ([]string, *apiError) {
	v, ok := o.raw(name)
	if !ok {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(v, &list); err == nil {
		return list, nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return []string{s}, nil
	}
	return nil, o.wrongType(name, "a list of strings")
}

// obj returns a nested object field; an absent one is empty.
func (o object) obj(name string) (object, *apiError) {
	sub := object{fields: map[string]json.RawMessage{}, path: o.path + name + "."}
	v, ok := o.raw(name)
	if !ok {
		return sub, nil
	}
	if err := json.Unmarshal(v, &sub.fields); err != nil || sub.fields == nil {
		return sub, o.wrongType(name, "an object")
	}
	return sub, nil
}

// objects returns a list-of-objects field.
func (o object) objects(name string) ([]object, *apiError) {
	v, ok := o.raw(name)
	if !ok {
		return nil, nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(v, &list); err != nil {
		return nil, o.wrongType(name, "a list of objects")
	}
	out := make([]object, len(list))
	for i, f := range list {
		if f == nil {
			f = map[string]json.RawMessage{}
		}
		out[i] = object{fields: f, path: fmt.Sprintf("%s%s[%d].", o.path, name, i)}
	}
	return out, nil
}

// anyMap returns a free-form object field.
func (o object) anyMap(name string) (map[string]any, *apiError) {
	v, ok := o.raw(name)
	if !ok {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, o.wrongType(name, "an object")
	}
	return m, nil
}

// query is the query string of a GET call, read leniently as the SDKs write it.
type query struct{ url.Values }

func (q query) text(name string) string {
	if v := q.Values[name]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// boolean reads true/false in any case; absent or empty is nil.
func (q query) boolean(name string) (*bool, *apiError) {
	s := q.text(name)
	if s == "" {
		return nil, nil
	}
	b, ok := parseBool(s)
	if !ok {
		return nil, badRequest("%s must be true or false", name)
	}
	return &b, nil
}

// integer reads a whole number, also in exponent form (1.7e+12).
func (q query) integer(name string) (*int64, *apiError) {
	s := q.text(name)
	if s == "" {
		return nil, nil
	}
	n, ok := parseInt(s)
	if !ok {
		return nil, badRequest("%s must be a whole number", name)
	}
	return &n, nil
}

// list reads an array given as k[]=a&k[]=b, k=a&k=b, k=[a b], k=[a, b],
// k=["a","b"] or k=a,b.
func (q query) list(name string) []string {
	vals := append(append([]string(nil), q.Values[name+"[]"]...), q.Values[name]...)
	var out []string
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
			var arr []string
			if json.Unmarshal([]byte(v), &arr) == nil {
				out = append(out, arr...)
				continue
			}
			v = v[1 : len(v)-1]
		}
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if part = strings.Trim(part, `"'`); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// parseInt reads an integer, also written as a float with no fraction
// (1.7e+12, 10.0), as SDKs that pass numbers through doubles do.
func parseInt(s string) (int64, bool) {
	// An unencoded "+" of 1.7e+12 arrives in a query as a space.
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "+")
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// Pagination defaults and bounds.
const (
	defaultLimit = 10
	maxLimit     = 50
)

// page turns a 1-based page and a limit (nil: defaults) into an offset and
// a limit, capping the limit at maxLimit.
func page(pageNo, limit *int64) (offset, n int) {
	p, l := int64(1), int64(defaultLimit)
	if pageNo != nil && *pageNo > 0 {
		p = *pageNo
	}
	if limit != nil && *limit > 0 {
		l = min(*limit, maxLimit)
	}
	if p > math.MaxInt32 {
		p = math.MaxInt32
	}
	return int((p - 1) * l), int(l)
}

// msTime reads epoch milliseconds.
func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// isoTime writes a time as the SDKs expect: ISO 8601 in UTC with milliseconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// scalarText is a JSON scalar as text: a string as itself, anything else as written.
func scalarText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// scalarList reads a list of JSON scalars (or one scalar) as text.
func scalarList(o object, name string) ([]string, *apiError) {
	raw, ok := o.raw(name)
	if !ok {
		return nil, nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return []string{scalarText(raw)}, nil
	}
	out := make([]string, len(list))
	for i, v := range list {
		if len(v) > 0 && (v[0] == '{' || v[0] == '[') {
			return nil, o.wrongType(name, "a list of strings or numbers")
		}
		out[i] = scalarText(v)
	}
	return out, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
