package main

import (
	"strings"
	"testing"
)

func TestAdminCredentials(t *testing.T) {
	dir := newDataDir(t)
	var first, again, rotated, after accessKeyJSON
	decodeJSON(t, mustRun(t, "", "admin", "credentials", "--data-dir", dir, "--json"), &first)
	if len(first.AccessKeyID) != 24 || len(first.AccessKeySecret) != 32 || first.UserPoolID != first.AccessKeyID {
		t.Fatalf("credentials = %+v", first)
	}
	decodeJSON(t, mustRun(t, "", "admin", "credentials", "--data-dir", dir, "--json"), &again)
	if again != first {
		t.Errorf("credentials changed between calls: %+v, then %+v", first, again)
	}
	decodeJSON(t, mustRun(t, "", "admin", "rotate-secret", "--data-dir", dir, "--json"), &rotated)
	if rotated.AccessKeyID != first.AccessKeyID || rotated.AccessKeySecret == first.AccessKeySecret {
		t.Errorf("rotate-secret = %+v; want the same id, a new secret", rotated)
	}
	decodeJSON(t, mustRun(t, "", "admin", "credentials", "--data-dir", dir, "--json"), &after)
	if after != rotated {
		t.Errorf("credentials after rotation = %+v, want %+v", after, rotated)
	}
	out := mustRun(t, "", "admin", "credentials", "--data-dir", dir)
	if !strings.Contains(out, "access_key_id:     "+first.AccessKeyID) || !strings.Contains(out, "access_key_secret: "+rotated.AccessKeySecret) {
		t.Errorf("plain output %q", out)
	}
	// A wrong server secret cannot open the sealed secret.
	_, stderr, code := cliRun(t, "", "admin", "credentials", "--data-dir", dir, "--secret-key", strings.Repeat("ab", 32))
	if code == 0 || !strings.Contains(stderr, "cannot decrypt") {
		t.Errorf("wrong --secret-key: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = cliRun(t, "", "admin", "credentials", "--data-dir", t.TempDir()+"/missing")
	if code == 0 || !strings.Contains(stderr, "no database") {
		t.Errorf("missing database: exit %d, stderr %q", code, stderr)
	}
}
