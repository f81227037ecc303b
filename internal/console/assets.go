package console

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// The console's assets are served with a content hash in their links, so a
// new version is never read from a stale cache.
const (
	cssPath  = Path + "/assets/console.css"
	iconPath = Path + "/assets/console.svg"
)

type asset struct {
	body        []byte
	contentType string
	etag        string
	href        string
}

func loadAssets() (map[string]asset, error) {
	types := map[string]string{cssPath: "text/css; charset=utf-8", iconPath: "image/svg+xml"}
	out := make(map[string]asset, len(types))
	for path, ctype := range types {
		b, err := assetFS.ReadFile(strings.TrimPrefix(path, Path+"/"))
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
