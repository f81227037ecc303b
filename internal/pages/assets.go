package pages

import (
	"strings"

	"github.com/opengenauth/genauth/internal/platform/webasset"
)

// Where the embedded assets are served.
const (
	cssPath  = "/assets/genauth.css"
	iconPath = "/assets/genauth.svg"
	// jsPath is the pages' only script: the passkey ceremonies, which
	// need navigator.credentials. Every page works without it.
	jsPath = "/assets/passkey.js"
)

func loadAssets() (webasset.Set, error) {
	return webasset.Load(assetFS, map[string]string{cssPath: "text/css; charset=utf-8", iconPath: "image/svg+xml",
		jsPath: "text/javascript; charset=utf-8"}, func(path string) string { return strings.TrimPrefix(path, "/") })
}
