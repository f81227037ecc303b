package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Update is the -update flag of every test binary that uses this package.
var Update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Scrub replaces the values a test cannot pin with placeholders, keeping
// every key, its order and the JSON type of each value: a known string
// becomes "{{name}}", a known integer "{{int:name}}" (so a number sent as a
// string, or a wrong value, stays as it is and the comparison fails).
type Scrub struct {
	Strs map[string]string // exact string value -> placeholder
	Ints map[int64]string  // exact integer value -> placeholder
	// Keys maps a key whose string value only has a known shape to that
	// shape's pattern; a match becomes "{{key}}".
	Keys map[string]string
	URLs map[string]string // URL prefix of string values -> placeholder
	// Indent stores the body indented (for long documents) instead of as sent.
	Indent bool
}

// Apply returns body with the placeholders in.
func (s Scrub) Apply(body []byte) []byte {
	out := body
	for v, name := range s.Strs {
		out = bytes.ReplaceAll(out, []byte(strconv.Quote(v)), []byte(`"{{`+name+`}}"`))
	}
	for v, name := range s.Ints {
		re := regexp.MustCompile(`([:,\[])` + strconv.FormatInt(v, 10) + `([,}\]])`)
		out = re.ReplaceAll(out, []byte(`${1}"{{int:`+name+`}}"${2}`))
	}
	for prefix, name := range s.URLs {
		out = bytes.ReplaceAll(out, []byte(`"`+prefix), []byte(`"{{`+name+`}}`))
	}
	for key, pattern := range s.Keys {
		re := regexp.MustCompile(`("` + regexp.QuoteMeta(key) + `":)"` + pattern + `"`)
		out = re.ReplaceAll(out, []byte(`${1}"{{`+key+`}}"`))
	}
	return out
}

// Render is body scrubbed, and indented when s.Indent, as the golden file holds it.
func (s Scrub) Render(body []byte) ([]byte, error) {
	out := s.Apply(body)
	if !s.Indent {
		return out, nil
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(out), "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Path is the golden file of name.
func Path(name string) string { return filepath.Join("testdata", "golden", name+".json") }

// Diff is the difference between got and the golden file name, or "".
func Diff(t testing.TB, name string, got []byte) string {
	t.Helper()
	want, err := os.ReadFile(Path(name))
	if err != nil {
		t.Fatalf("%v (run the package's tests with -update to create it)", err)
	}
	if bytes.Equal(want, got) {
		return ""
	}
	return cmp.Diff(string(want), string(got))
}

// Check compares body, scrubbed by s, with testdata/golden/<name>.json;
// with -update it rewrites the file.
func Check(t testing.TB, name string, body []byte, s Scrub) {
	t.Helper()
	got, err := s.Render(body)
	if err != nil {
		t.Fatalf("%s: %v in %s", name, err, body)
	}
	if *Update {
		if err := os.MkdirAll(filepath.Dir(Path(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(Path(name), got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if d := Diff(t, name, got); d != "" {
		t.Errorf("%s differs from its golden file (-want +got):\n%s", name, d)
	}
}
