package pages

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// Where the embedded assets are served; pages link them with a content hash
// so that a new version is never read from a stale cache.
const (
	cssPath  = "/assets/genauth.css"
	iconPath = "/assets/genauth.svg"
	// jsPath is the pages' only script: the passkey ceremonies, which
	// need navigator.credentials. Every page works without it.
	jsPath = "/assets/passkey.js"
)

type asset struct {
	body        []byte
	contentType string
	etag        string
	href        string // path with the content hash
}

func loadAssets() (map[string]asset, error) {
	types := map[string]string{cssPath: "text/css; charset=utf-8", iconPath: "image/svg+xml",
		jsPath: "text/javascript; charset=utf-8"}
	out := make(map[string]asset, len(types))
	for path, ctype := range types {
		b, err := assetFS.ReadFile(strings.TrimPrefix(path, "/"))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		v := hex.EncodeToString(sum[:8])
		out[path] = asset{body: b, contentType: ctype, etag: `"` + v + `"`, href: path + "?v=" + v}
	}
	return out, nil
}

func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	a := h.assets[r.URL.Path]
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	// An SVG opened on its own is a document: it gets the pages' policy.
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
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
