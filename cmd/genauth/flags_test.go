package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestDurationFlagsReadAlike: every duration flag of every command takes the
// same spellings, so that `--session-ttl 5` is not refused where
// `--refresh-grace 5` is accepted: a bare number counts seconds, a Go
// duration works too, a negative value or a word is refused.
func TestDurationFlagsReadAlike(t *testing.T) {
	var walk func(cmd *cobra.Command)
	n := 0
	walk = func(cmd *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{cmd.LocalNonPersistentFlags(), cmd.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				if f.Value.Type() != "duration" {
					return
				}
				n++
				name := cmd.CommandPath() + " --" + f.Name
				set := func(v string) (string, error) {
					// A fresh command tree per value: Set changes the flag.
					root := newRootCmd(strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
					c, _, err := root.Find(strings.Fields(strings.TrimPrefix(cmd.CommandPath(), "genauth")))
					if err != nil {
						t.Fatal(err)
					}
					flag := c.Flags().Lookup(f.Name)
					if flag == nil {
						flag = c.PersistentFlags().Lookup(f.Name)
					}
					err = flag.Value.Set(v)
					return flag.Value.String(), err
				}
				bare, err1 := set("300")
				unit, err2 := set("5m")
				if err1 != nil || err2 != nil || bare != unit {
					t.Errorf("%s: 300 gives %q (%v), 5m gives %q (%v); want the same five minutes", name, bare, err1, unit, err2)
				}
				for _, bad := range []string{"-5", "-5m", "soon"} {
					if _, err := set(bad); err == nil {
						t.Errorf("%s %s was accepted", name, bad)
					}
				}
			})
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}))
	if n < 10 {
		t.Errorf("found only %d duration flags; the walk misses commands", n)
	}
}
