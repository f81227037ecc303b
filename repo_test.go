package genauth_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCIRunCannotSkip: .ci/run sets CI=true itself before any test runs, so
// that a manual run of it cannot quietly skip PostgreSQL or the browser.
func TestCIRunCannotSkip(t *testing.T) {
	b, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	exported, tested := -1, -1
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "export CI=true" && exported < 0:
			exported = i
		case strings.HasPrefix(line, "go test") && tested < 0:
			tested = i
		}
	}
	if tested < 0 {
		t.Fatal(".ci/run runs no go test")
	}
	if exported < 0 || exported > tested {
		t.Errorf(".ci/run must `export CI=true` before its `go test` line (export at line %d, go test at line %d)", exported+1, tested+1)
	}
}

// layerOf ranks an internal package: a package may import only packages of
// its own rank or below (docs/architecture.md, "The layers").
func layerOf(pkg string) (int, bool) {
	for _, l := range []struct {
		prefix string
		rank   int
	}{
		{"internal/model", 0}, {"internal/wire", 0},
		{"internal/platform/", 1},
		{"internal/store", 2},
		{"internal/account/", 3},
		{"internal/protocol/", 4}, {"internal/pages", 4}, {"internal/api/", 4}, {"internal/console", 4},
		{"internal/server", 5},
		{"internal/loadtest", 6},
		{"internal/testkit/", 7},
	} {
		if pkg == strings.TrimSuffix(l.prefix, "/") || strings.HasPrefix(pkg, l.prefix) {
			return l.rank, true
		}
	}
	return 0, false
}

// layerExceptions are imports against the ranks, each with its reason.
var layerExceptions = map[[2]string]string{
	// The conformance suite tests the union of the consumers' interfaces,
	// which the server declares; only the backends' tests import it.
	{"internal/store/storetest", "internal/server"}: "test support",
}

// TestLayers checks every import of every package's non-test files against
// the layers: no package imports from a layer above its own, only the
// binary, the load tool and the test kits name a storage backend, the token
// endpoint does not import the OpenID Connect endpoints, and the public SDK
// imports nothing internal but the wire types.
func TestLayers(t *testing.T) {
	const module = "github.com/opengenauth/genauth/"
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		from := filepath.ToSlash(filepath.Dir(path))
		for _, imp := range f.Imports {
			to, _ := strconv.Unquote(imp.Path.Value)
			to, ok := strings.CutPrefix(to, module)
			if !ok {
				continue
			}
			checked++
			if why := layerViolation(from, to); why != "" && layerExceptions[[2]string{from, to}] == "" {
				t.Errorf("%s imports %s: %s", path, to, why)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("checked only %d imports; the walk misses packages", checked)
	}
}

// layerViolation says why package from may not import to, or returns "".
func layerViolation(from, to string) string {
	backend := to == "internal/store/sqlite" || to == "internal/store/postgres"
	switch {
	case from == "authentication":
		if to != "internal/wire" {
			return "the public SDK imports only internal/wire"
		}
		return ""
	case strings.HasPrefix(from, "cmd/"), strings.HasPrefix(from, "e2e/"), strings.HasPrefix(from, "examples/"):
		return ""
	case backend && from != "internal/loadtest" && !strings.HasPrefix(from, "internal/testkit/") && !strings.HasPrefix(from, "internal/store/"):
		return "only the binary, the load tool and the test kits choose a storage backend"
	case from == "internal/protocol/oauth" && to == "internal/protocol/oidc":
		return "the token endpoint signs id tokens through internal/protocol/idtoken, not the oidc endpoints"
	}
	fromRank, ok1 := layerOf(from)
	toRank, ok2 := layerOf(to)
	switch {
	case !ok1:
		return "package " + from + " is in no layer (docs/architecture.md)"
	case !ok2:
		return "package " + to + " is in no layer (docs/architecture.md)"
	case toRank > fromRank:
		return "a lower layer imports a higher one"
	}
	return ""
}
