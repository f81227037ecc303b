package management

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/opengenauth/genauth/internal/api/envelope"
)

// msTime reads epoch milliseconds.
func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// scalarText is a JSON scalar as text: a string as itself, anything else as written.
func scalarText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// scalarList reads a list of JSON scalars (or one scalar) as text.
func scalarList(o envelope.Object, name string) ([]string, *envelope.Error) {
	raw, ok := o.Raw(name)
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
			return nil, o.WrongType(name, "a list of strings or numbers")
		}
		out[i] = scalarText(v)
	}
	return out, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
