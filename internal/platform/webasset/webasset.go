// Package webasset serves the embedded files pages link (stylesheets,
// icons, scripts): each linked with a hash of its content, so that a new
// version is never read from a stale cache, and cached for a day.
package webasset

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
)

// Asset is one file.
type Asset struct {
	body        []byte
	contentType string
	etag        string
	// Href is the path to link, with the content hash.
	Href string
}

// Set is the assets of a surface by the path they are served at.
type Set map[string]Asset

// Load reads each path's file, file(path) in fsys, served as types[path].
func Load(fsys fs.FS, types map[string]string, file func(path string) string) (Set, error) {
	out := make(Set, len(types))
	for path, ctype := range types {
		b, err := fs.ReadFile(fsys, file(path))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		v := hex.EncodeToString(sum[:8])
		out[path] = Asset{body: b, contentType: ctype, etag: `"` + v + `"`, Href: path + "?v=" + v}
	}
	return out, nil
}

// Handler serves the set's files; each answer carries csp (an SVG opened
// on its own is a document: it gets the pages' policy).
func (s Set) Handler(csp string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := s[r.URL.Path]
		hd := w.Header()
		hd.Set("Content-Type", a.contentType)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", csp)
		hd.Set("Cache-Control", "public, max-age=86400")
		hd.Set("ETag", a.etag)
		if r.Header.Get("If-None-Match") == a.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Method != http.MethodHead {
			_, _ = w.Write(a.body)
		}
	}
}
