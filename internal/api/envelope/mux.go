package envelope

import (
	"net/http"
	"strings"

	"github.com/opengenauth/genauth/internal/platform/edge"
)

// Mux owns the /api/v3/ prefix: every surface registers its endpoints into
// it, and it answers what none of them serves.
type Mux struct {
	routes edge.Routes
	wr     Writer
	known  map[string]string // name under Prefix -> its method
	notYet []string          // names (a trailing "/": every name under it) answered 501
}

// NewMux registers the catch-all under Prefix on routes. Bad text in a
// parameter (a NUL byte, invalid UTF-8) gets the envelope with 400.
func NewMux(routes edge.Routes, wr Writer) *Mux {
	m := &Mux{wr: wr, known: map[string]string{}}
	m.routes = routes.Refusing(func(w http.ResponseWriter, _ *http.Request, problem string) {
		wr.Write(w, nil, BadRequest("%s", problem))
	})
	m.routes.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		e := &Error{Status: http.StatusNotFound, Message: "no such endpoint: " + r.URL.Path}
		if method, ok := m.known[r.URL.Path]; ok {
			e = &Error{Status: http.StatusMethodNotAllowed, Message: r.Method + " is not allowed here (use " + method + ")"}
		} else if m.planned(strings.TrimPrefix(r.URL.Path, Prefix)) {
			e = &Error{Status: http.StatusNotImplemented, Message: "this GenAuth server does not support " + r.URL.Path + " yet"}
		}
		wr.Write(w, nil, e)
	})
	return m
}

// NotYet answers 501 for names the SDKs call that no surface serves yet, so
// that a client learns the feature is missing rather than a wrong address.
// A name ending in "/" covers every name under it.
func (m *Mux) NotYet(names ...string) {
	m.notYet = append(m.notYet, names...)
}

func (m *Mux) planned(name string) bool {
	for _, n := range m.notYet {
		if name == n || (strings.HasSuffix(n, "/") && strings.HasPrefix(name, n)) {
			return true
		}
	}
	return false
}

// Handle serves method Prefix+name with h. A name registered for two methods
// names either in the 405 answer.
func (m *Mux) Handle(method, name string, h http.Handler) {
	m.routes.Handle(method+" "+Prefix+name, h)
	m.known[Prefix+name] = method
}
