package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestOperationsDocListsEveryFlag keeps docs/operations.md's table in step
// with the commands: every persistent flag and every flag of serve has a
// row naming it and its environment variable.
func TestOperationsDocListsEveryFlag(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	root := newRootCmd(strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
	serve, _, err := root.Find([]string{"serve"})
	if err != nil {
		t.Fatal(err)
	}
	envRE := regexp.MustCompile(`\(env (GENAUTH_[A-Z_]+)\)`)
	check := func(f *pflag.Flag) {
		if f.Name == "help" {
			return
		}
		env := envRE.FindStringSubmatch(f.Usage)
		if env == nil {
			t.Errorf("--%s names no environment variable", f.Name)
			return
		}
		row := "| `--" + f.Name + "` | `" + env[1] + "` |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/operations.md has no row starting %s", row)
		}
	}
	root.PersistentFlags().VisitAll(check)
	serve.Flags().VisitAll(check)
}
