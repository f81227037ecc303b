package envelope

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/store"
)

// Object is a JSON object of the request body, read field by field so that
// unknown fields are ignored and a wrong type names its field. null counts
// as absent.
type Object struct {
	fields map[string]json.RawMessage
	path   string // "options.pagination." for nested objects
}

// Raw returns a field as sent; null and absent are both absent.
func (o Object) Raw(name string) (json.RawMessage, bool) {
	v, ok := o.fields[name]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

// WrongType is the failure of field name, which is not want.
func (o Object) WrongType(name, want string) *Error {
	return BadRequest("%s%s must be %s", o.path, name, want)
}

// Str returns a string field; nil when absent.
func (o Object) Str(name string) (*string, *Error) {
	v, ok := o.Raw(name)
	if !ok {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, o.WrongType(name, "a string")
	}
	return &s, nil
}

// Text returns a string field, "" when absent.
func (o Object) Text(name string) (string, *Error) {
	s, e := o.Str(name)
	if s == nil {
		return "", e
	}
	return *s, nil
}

// Bool returns a boolean field (true/false, or those words in a string).
func (o Object) Bool(name string) (*bool, *Error) {
	v, ok := o.Raw(name)
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
	return nil, o.WrongType(name, "true or false")
}

// Int returns a whole-number field, also given as 1.7e+12 or "10".
func (o Object) Int(name string) (*int64, *Error) {
	v, ok := o.Raw(name)
	if !ok {
		return nil, nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		s = string(v)
	}
	n, ok := ParseInt(s)
	if !ok {
		return nil, o.WrongType(name, "a whole number")
	}
	return &n, nil
}

// Strings returns a list-of-strings field; a single string is a list of one.
func (o Object) Strings(name string) ([]string, *Error) {
	v, ok := o.Raw(name)
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
	return nil, o.WrongType(name, "a list of strings")
}

// Obj returns a nested object field; an absent one is empty.
func (o Object) Obj(name string) (Object, *Error) {
	sub := Object{fields: map[string]json.RawMessage{}, path: o.path + name + "."}
	v, ok := o.Raw(name)
	if !ok {
		return sub, nil
	}
	if err := json.Unmarshal(v, &sub.fields); err != nil || sub.fields == nil {
		return sub, o.WrongType(name, "an object")
	}
	return sub, nil
}

// Objects returns a list-of-objects field.
func (o Object) Objects(name string) ([]Object, *Error) {
	v, ok := o.Raw(name)
	if !ok {
		return nil, nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(v, &list); err != nil {
		return nil, o.WrongType(name, "a list of objects")
	}
	out := make([]Object, len(list))
	for i, f := range list {
		if f == nil {
			f = map[string]json.RawMessage{}
		}
		out[i] = Object{fields: f, path: fmt.Sprintf("%s%s[%d].", o.path, name, i)}
	}
	return out, nil
}

// AnyMap returns a free-form object field.
func (o Object) AnyMap(name string) (map[string]any, *Error) {
	v, ok := o.Raw(name)
	if !ok {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, o.WrongType(name, "an object")
	}
	return m, nil
}

// Path is where the object sits in the body ("options.pagination."), for messages.
func (o Object) Path() string { return o.path }

// Len is the number of fields, null ones included.
func (o Object) Len() int { return len(o.fields) }

// Default sets field name to v when the object has no such field.
func (o Object) Default(name string, v json.RawMessage) {
	if _, ok := o.fields[name]; !ok {
		o.fields[name] = v
	}
}

// Query is the query string of a GET call, read leniently as the SDKs write it.
type Query struct{ url.Values }

// Text returns the first value of a parameter, trimmed; "" when absent.
func (q Query) Text(name string) string {
	if v := q.Values[name]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// Bool reads true/false in any case; absent or empty is nil.
func (q Query) Bool(name string) (*bool, *Error) {
	s := q.Text(name)
	if s == "" {
		return nil, nil
	}
	b, ok := parseBool(s)
	if !ok {
		return nil, BadRequest("%s must be true or false", name)
	}
	return &b, nil
}

// Int reads a whole number, also in exponent form (1.7e+12).
func (q Query) Int(name string) (*int64, *Error) {
	s := q.Text(name)
	if s == "" {
		return nil, nil
	}
	n, ok := ParseInt(s)
	if !ok {
		return nil, BadRequest("%s must be a whole number", name)
	}
	return &n, nil
}

// List reads an array given as k[]=a&k[]=b, k=a&k=b, k=[a b], k=[a, b],
// k=["a","b"] or k=a,b.
func (q Query) List(name string) []string {
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

// ParseInt reads an integer, also written as a float with no fraction
// (1.7e+12, 10.0), as SDKs that pass numbers through doubles do.
func ParseInt(s string) (int64, bool) {
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

// Pagination defaults and bounds of every /api/v3 list.
const (
	DefaultLimit = 10
	MaxLimit     = 50
)

// Page turns a 1-based page and a limit (nil: defaults) into an offset and
// a limit, capping the limit at MaxLimit.
func Page(pageNo, limit *int64) (offset, n int) {
	p, l := int64(1), int64(DefaultLimit)
	if pageNo != nil && *pageNo > 0 {
		p = *pageNo
	}
	if limit != nil && *limit > 0 {
		l = min(*limit, MaxLimit)
	}
	if p > math.MaxInt32 {
		p = math.MaxInt32
	}
	return int((p - 1) * l), int(l)
}

// LoginQuery reads a login-history query of userID's records: appId,
// clientIp, start and end (epoch milliseconds), page and limit.
func (q Query) LoginQuery(userID string) (store.LoginQuery, *Error) {
	lq := store.LoginQuery{UserID: userID, AppID: q.Text("appId"), ClientIP: q.Text("clientIp")}
	for _, b := range []struct {
		name string
		dst  *time.Time
	}{{"start", &lq.Start}, {"end", &lq.End}} {
		ms, e := q.Int(b.name)
		if e != nil {
			return lq, e
		}
		if ms != nil && *ms > 0 {
			*b.dst = time.UnixMilli(*ms).UTC()
		}
	}
	pageNo, e := q.Int("page")
	if e != nil {
		return lq, e
	}
	limit, e := q.Int("limit")
	if e != nil {
		return lq, e
	}
	lq.Offset, lq.Limit = Page(pageNo, limit)
	return lq, nil
}
