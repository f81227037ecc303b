package management_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
)

type routeRef struct{ method, name string }

// routesInOpenAPI lists the operations of the checked-in description.
func routesInOpenAPI(t *testing.T) []routeRef {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	var out []routeRef
	for path, ops := range doc.Paths {
		for method := range ops {
			out = append(out, routeRef{strings.ToUpper(method), strings.TrimPrefix(path, "/api/v3/")})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name+out[i].method < out[j].name+out[j].method })
	return out
}

// TestOpenAPIServed checks that the server serves the checked-in description.
func TestOpenAPIServed(t *testing.T) {
	e := start(t, t0)
	resp, err := http.Get(e.url + "/api/v3/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || string(got) != string(want) {
		t.Fatalf("GET /api/v3/openapi.json: %d, %d bytes; want the checked-in file", resp.StatusCode, len(got))
	}
}
