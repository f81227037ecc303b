package pages

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"

	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// templateKeys returns the literal keys that the templates pass to t,
// tstrong and tlink, by file.
func templateKeys(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	stub := map[string]any{}
	for _, name := range strings.Fields("and call html index slice js len not or print printf println urlquery eq ge gt le lt ne") {
		stub[name] = true
	}
	for name := range funcs(i18n.English) {
		stub[name] = true
	}
	out := map[string][]string{}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		trees, err := parse.Parse(f, string(text), "{{", "}}", stub)
		if err != nil {
			t.Fatal(err)
		}
		for _, tree := range trees {
			walk(tree.Root, func(cmd *parse.CommandNode) {
				id, ok := cmd.Args[0].(*parse.IdentifierNode)
				if !ok {
					return
				}
				var keyArgs []int
				switch id.Ident {
				case "t", "tstrong":
					keyArgs = []int{1}
				case "tlink":
					keyArgs = []int{1, 3}
				}
				for _, i := range keyArgs {
					if i < len(cmd.Args) {
						if s, ok := cmd.Args[i].(*parse.StringNode); ok {
							out[f] = append(out[f], s.Text)
						}
					}
				}
			})
		}
	}
	return out
}

// walk calls fn for every command in the tree, nested pipelines included.
func walk(n parse.Node, fn func(*parse.CommandNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walk(c, fn)
			}
		}
	case *parse.ActionNode:
		walk(n.Pipe, fn)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walk(c, fn)
			}
		}
	case *parse.CommandNode:
		fn(n)
		for _, a := range n.Args {
			walk(a, fn)
		}
	case *parse.IfNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.RangeNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.WithNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.TemplateNode:
		walk(n.Pipe, fn)
	}
}

// TestTemplateKeysDefined checks that every key a template names exists in
// every language.
func TestTemplateKeysDefined(t *testing.T) {
	total := 0
	for file, keys := range templateKeys(t) {
		for _, k := range keys {
			total++
			for _, l := range i18n.Supported {
				if !i18n.Has(l, k) {
					t.Errorf("%s: key %q is missing in %s", file, k, l)
				}
			}
		}
	}
	if total < 30 {
		t.Errorf("found only %d keys in the templates; is the walk broken?", total)
	}
}

var (
	actionRE    = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tagRE       = regexp.MustCompile(`(?s)<[^>]*>`)
	readableRE  = regexp.MustCompile(`(?i)\b(aria-label|title|alt|placeholder)="([^"]*)"`)
	catalogKey  = regexp.MustCompile(`^[a-z]+(\.[a-z_]+)+$`)
	hasLetterFn = func(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }
)

// TestTemplatesHaveNoText checks that no user-visible words are baked into a
// template: with the actions removed, no letters are left outside tags or in
// attributes that are read out.
func TestTemplatesHaveNoText(t *testing.T) {
	files, _ := filepath.Glob("templates/*.html")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := actionRE.ReplaceAllString(string(b), "")
		for _, m := range readableRE.FindAllStringSubmatch(src, -1) {
			if hasLetterFn(m[2]) {
				t.Errorf("%s: %s=%q is not translated", f, m[1], m[2])
			}
		}
		if text := tagRE.ReplaceAllString(src, ""); hasLetterFn(text) {
			t.Errorf("%s: text outside the translation functions: %q", f, strings.Join(strings.Fields(text), " "))
		}
	}
}

// TestGoKeysDefined checks every catalog key written in this package's Go
// code (messages chosen by handlers) exists in every language.
func TestGoKeysDefined(t *testing.T) {
	// Strings that start like a key ("login.", "error.") are keys.
	prefixes := map[string]bool{}
	for _, k := range i18n.Keys(i18n.English) {
		prefixes[strings.SplitN(k, ".", 2)[0]] = true
	}
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(node ast.Node) bool {
			lit, ok := node.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !catalogKey.MatchString(s) || !prefixes[strings.SplitN(s, ".", 2)[0]] {
				return true
			}
			n++
			for _, l := range i18n.Supported {
				if !i18n.Has(l, s) {
					t.Errorf("%s: key %q is missing in %s", fset.Position(lit.Pos()), s, l)
				}
			}
			return true
		})
	}
	if n < 20 {
		t.Errorf("found only %d keys in the Go code; is the scan broken?", n)
	}
}

// TestProtocolErrorsTranslated checks that every literal title and message
// that internal/protocol/oauth and internal/protocol/oidc pass to ShowError is in the catalog,
// so that it reaches a zh-CN reader translated. A new message there needs an
// "error." entry in internal/pages/i18n with exactly its English.
func TestProtocolErrorsTranslated(t *testing.T) {
	fset := token.NewFileSet()
	calls := 0
	for _, dir := range []string{"../protocol/oauth", "../protocol/oidc"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(node ast.Node) bool {
				call, ok := node.(*ast.CallExpr)
				if !ok || len(call.Args) != 5 {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "ShowError" {
					return true
				}
				calls++
				for _, arg := range call.Args[3:] {
					lit, ok := arg.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					s, _ := strconv.Unquote(lit.Value)
					if _, ok := fromEnglish(s); !ok {
						t.Errorf("%s: %q has no translation", fset.Position(lit.Pos()), s)
					}
				}
				return true
			})
		}
	}
	if calls == 0 {
		t.Fatal("no ShowError calls found")
	}
}
