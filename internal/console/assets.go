package console

import (
	"strings"

	"github.com/opengenauth/genauth/internal/platform/webasset"
)

// Where the console's assets are served.
const (
	cssPath  = Path + "/assets/console.css"
	iconPath = Path + "/assets/console.svg"
)

func loadAssets() (webasset.Set, error) {
	return webasset.Load(assetFS, map[string]string{cssPath: "text/css; charset=utf-8", iconPath: "image/svg+xml"},
		func(path string) string { return strings.TrimPrefix(path, Path+"/") })
}
