package server

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
)

// TestTimedStoreTimesEveryMethod calls every method of Store through Timed
// and checks that each is observed once, under its own name: a method that
// reaches the store untimed, or is timed under another's name, fails. The
// wrapped store is nil, so each call panics once it was timed.
func TestTimedStoreTimesEveryMethod(t *testing.T) {
	var got []string
	timed := reflect.ValueOf(Timed(nil, func(op string, _ time.Duration) { got = append(got, op) }))
	methods := reflect.TypeFor[Store]()
	for i := range methods.NumMethod() {
		name := methods.Method(i).Name
		got = nil
		callRecovering(timed.MethodByName(name))
		if want := snakeCase(name); len(got) != 1 || got[0] != want {
			t.Errorf("%s observed as %q; want once as %q", name, got, want)
		}
	}
}

// callRecovering calls m with zero arguments (and a real context).
func callRecovering(m reflect.Value) {
	defer func() { _ = recover() }()
	typ := m.Type()
	n := typ.NumIn()
	if typ.IsVariadic() {
		n--
	}
	args := make([]reflect.Value, n)
	for i := range n {
		args[i] = reflect.Zero(typ.In(i))
	}
	if n > 0 && typ.In(0) == reflect.TypeFor[context.Context]() {
		args[0] = reflect.ValueOf(context.Background())
	}
	m.Call(args)
}

func snakeCase(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
