package upgrade_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"time"
)

// decode reads JSON keeping numbers as they were written.
func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// diff lists how got, the current release's JSON about some data, differs
// from want, the old release's JSON about the same data: an object must hold
// every key of want (and, when strict, no other), an array the same elements
// in the same order, and every other value must be equal, except times,
// which must have moved by shift and kept their format: RFC 3339 strings, and
// the exp and iat seconds of introspection answers.
func diff(want, got []byte, shift time.Duration, strict bool) []string {
	w, err := decode(want)
	if err != nil {
		return []string{fmt.Sprintf("the old release's JSON: %v", err)}
	}
	g, err := decode(got)
	if err != nil {
		return []string{fmt.Sprintf("not JSON: %v: %q", err, got)}
	}
	d := &differ{shift: shift, strict: strict}
	d.walk("$", "", w, g)
	return d.out
}

type differ struct {
	shift  time.Duration
	strict bool
	out    []string
}

func (d *differ) errorf(format string, args ...any) {
	d.out = append(d.out, fmt.Sprintf(format, args...))
}

func (d *differ) walk(path, key string, want, got any) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			d.errorf("%s: %v, want an object", path, got)
			return
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				d.errorf("%s.%s is missing (was %v)", path, k, w[k])
				continue
			}
			d.walk(path+"."+k, k, w[k], gv)
		}
		if d.strict {
			for k := range g {
				if _, ok := w[k]; !ok {
					d.errorf("%s.%s = %v is new", path, k, g[k])
				}
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			d.errorf("%s: %v, want %d elements: %v", path, got, len(w), w)
			return
		}
		for i := range w {
			d.walk(fmt.Sprintf("%s[%d]", path, i), "", w[i], g[i])
		}
	case string:
		wt, err := time.Parse(time.RFC3339Nano, w)
		if err != nil {
			if got != want {
				d.errorf("%s = %v, want %q", path, got, w)
			}
			return
		}
		g, _ := got.(string)
		gt, err := time.Parse(time.RFC3339Nano, g)
		if err != nil || !gt.Equal(wt.Add(d.shift)) || len(g) != len(w) {
			d.errorf("%s = %v, want %s (%q moved by %v, in the same format)", path, got, wt.Add(d.shift).Format(time.RFC3339Nano), w, d.shift)
		}
	case json.Number:
		want := w.String()
		if key == "exp" || key == "iat" {
			n, err := strconv.ParseInt(want, 10, 64)
			if err != nil {
				d.errorf("%s = %s is not whole seconds", path, want)
				return
			}
			want = strconv.FormatInt(n+int64(d.shift/time.Second), 10)
		}
		if g, ok := got.(json.Number); !ok || g.String() != want {
			d.errorf("%s = %v, want %s", path, got, want)
		}
	default:
		if !reflect.DeepEqual(want, got) {
			d.errorf("%s = %v, want %v", path, got, want)
		}
	}
}

// sameElements lists how the JSON arrays got and want differ as sets of
// elements compared by diff (in any order); with subset, got may hold more.
func sameElements(want, got []byte, shift time.Duration, subset bool) []string {
	var ws, gs []json.RawMessage
	if err := json.Unmarshal(want, &ws); err != nil {
		return []string{fmt.Sprintf("the old release's list: %v", err)}
	}
	if err := json.Unmarshal(got, &gs); err != nil {
		return []string{fmt.Sprintf("not a JSON array: %v: %q", err, got)}
	}
	var out []string
	if !subset && len(gs) != len(ws) {
		out = append(out, fmt.Sprintf("%d elements, want %d", len(gs), len(ws)))
	}
	used := make([]bool, len(gs))
next:
	for _, w := range ws {
		for i, g := range gs {
			if !used[i] && len(diff(w, g, shift, false)) == 0 {
				used[i] = true
				continue next
			}
		}
		var c bytes.Buffer
		json.Compact(&c, w) // valid: it came out of an array
		out = append(out, fmt.Sprintf("no element matches the old release's %s", c.String()))
	}
	return out
}
