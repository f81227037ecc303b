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

func TestAdminCommands(t *testing.T) {
	dir := newDataDir(t)
	db := []string{"--data-dir", dir}
	run := func(stdin string, args ...string) string {
		t.Helper()
		return mustRun(t, stdin, append(args, db...)...)
	}
	rootID := strings.TrimSpace(run("correct horse battery\n", "user", "create", "--username", "root", "--password-stdin", "--admin"))
	var alice userJSON
	decodeJSON(t, run("correct horse battery\n", "user", "create", "--username", "alice", "--email", "alice@example.com",
		"--password-stdin", "--json"), &alice)
	if out := run("", "admin", "grant", "Alice@Example.com"); out != "User "+alice.ID+" is an administrator.\n" {
		t.Errorf("admin grant printed %q", out)
	}
	run("", "admin", "grant", alice.ID) // again: nothing changes
	var listed []userJSON
	decodeJSON(t, run("", "admin", "list", "--json"), &listed)
	if len(listed) != 2 || listed[0].ID != rootID || listed[1].ID != alice.ID || *listed[1].Email != "alice@example.com" {
		t.Errorf("admin list --json = %+v; want root, then alice", listed)
	}
	if out := run("", "admin", "list"); !strings.Contains(out, "root") || !strings.Contains(out, "alice@example.com") {
		t.Errorf("admin list printed %q", out)
	}
	if out := run("", "admin", "revoke", "root"); out != "User "+rootID+" is no longer an administrator.\n" {
		t.Errorf("admin revoke printed %q", out)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"admin", "revoke", "alice"}, "is the last administrator"},
		{[]string{"admin", "revoke", rootID}, "is not an administrator"},
		{[]string{"admin", "grant", "nobody"}, `no user has the id, username, email or phone number "nobody"`},
		{[]string{"admin", "revoke", "nobody@example.com"}, "no user has the id"},
		{[]string{"admin", "grant"}, "accepts 1 arg"},
	} {
		args := append(tt.args, db...)
		out, errOut, code := cliRun(t, "", args...)
		wantOneLineError(t, args, out, errOut, code, tt.want)
	}
	decodeJSON(t, run("", "admin", "list", "--json"), &listed)
	if len(listed) != 1 || listed[0].ID != alice.ID {
		t.Errorf("administrators after the refused revocations: %+v; want alice", listed)
	}

	var events []auditJSON
	decodeJSON(t, run("", "audit", "list", "--type", "admin.grant", "--json"), &events)
	var grants []string
	for _, e := range events {
		grants = append(grants, e.UserID+" "+e.Detail)
	}
	if want := []string{alice.ID + " by cli", alice.ID + " by cli", rootID + " by cli"}; strings.Join(grants, ",") != strings.Join(want, ",") {
		t.Errorf("admin.grant events, newest first: %q; want %q", grants, want)
	}
	decodeJSON(t, run("", "audit", "list", "--type", "admin.revoke", "--json"), &events)
	if len(events) != 1 || events[0].UserID != rootID || events[0].Detail != "by cli" {
		t.Errorf("admin.revoke events %+v; want root's, by cli", events)
	}
}
