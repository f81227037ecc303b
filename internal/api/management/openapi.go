package management

import (
	_ "embed"
	"net/http"
)

// openAPI describes the management API; a test checks it lists every route.
//
//go:embed openapi.json
var openAPI []byte

// serveOpenAPI serves the description, without credentials.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openAPI)
}
