package webasset

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestServe(t *testing.T) {
	set, err := Load(fstest.MapFS{"a/site.css": {Data: []byte("body{}")}}, map[string]string{"/x/site.css": "text/css"},
		func(path string) string { return "a/" + strings.TrimPrefix(path, "/x/") })
	if err != nil {
		t.Fatal(err)
	}
	a := set["/x/site.css"]
	if !strings.HasPrefix(a.Href, "/x/site.css?v=") {
		t.Fatalf("Href = %q", a.Href)
	}
	rec := httptest.NewRecorder()
	set.Handler("default-src 'none'")(rec, httptest.NewRequest(http.MethodGet, "/x/site.css", nil))
	if rec.Code != 200 || rec.Body.String() != "body{}" || rec.Header().Get("Content-Type") != "text/css" ||
		rec.Header().Get("Content-Security-Policy") != "default-src 'none'" {
		t.Fatalf("%d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
	req := httptest.NewRequest(http.MethodGet, "/x/site.css", nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec = httptest.NewRecorder()
	set.Handler("")(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("revalidation: %d", rec.Code)
	}
	if _, err := Load(fstest.MapFS{}, map[string]string{"/x/none.css": "text/css"}, func(p string) string { return p }); err == nil {
		t.Error("a missing file loaded")
	}
}
