package envelope

import (
	"strings"
	"testing"
)

func TestParseObject(t *testing.T) {
	for _, tc := range []struct{ body, problem string }{
		{``, ""},
		{`{"a": {"b": 1, "c": [{"b": 2}]}}`, ""},
		{`{"a": 1, "a": 2}`, `the key "a" more than once`},
		{`{"o": {"k": 1, "k": 1}}`, `the key "k" more than once`},
		{`[1]`, "must be a JSON object"},
		{`null`, "null is not an object"},
		{`{"a":`, "malformed JSON"},
	} {
		_, e := ParseObject([]byte(tc.body))
		switch {
		case tc.problem == "" && e != nil:
			t.Errorf("%q: %v", tc.body, e)
		case tc.problem != "" && (e == nil || !strings.Contains(e.Message, tc.problem)):
			t.Errorf("%q: got %v, want %q", tc.body, e, tc.problem)
		}
	}
}
