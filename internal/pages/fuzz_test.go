package pages

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzLogoutTargets: the raw redirect_uri parser never panics, never yields
// an empty target, and reads an unencoded URL with its own ? and & whole.
func FuzzLogoutTargets(f *testing.F) {
	f.Add("redirect_uri=http://localhost:3000/?a=1&b=2")
	f.Add("app_id=abc&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2F")
	f.Add("redirect_uri=http://x/&app_id=abc")
	f.Add("xredirect_uri=http://evil/&redirect_uri=")
	f.Add("redirect_uri=%zz")
	f.Fuzz(func(t *testing.T, rawQuery string) {
		targets := logoutTargets(rawQuery)
		for _, tg := range targets {
			if tg.uri == "" {
				t.Fatalf("query %q gave an empty target", rawQuery)
			}
		}
		if rest, ok := strings.CutPrefix(rawQuery, "redirect_uri="); ok && rest != "" {
			if len(targets) == 0 || targets[0].uri != rest {
				t.Fatalf("query %q: first target %v; want the raw value %q", rawQuery, targets, rest)
			}
		}
		if q, err := url.ParseQuery(rawQuery); err == nil && q.Get("redirect_uri") != "" {
			found := false
			for _, tg := range targets {
				found = found || tg.uri == q.Get("redirect_uri")
			}
			if !found {
				t.Fatalf("query %q: targets %v lack the decoded value %q", rawQuery, targets, q.Get("redirect_uri"))
			}
		}
	})
}
