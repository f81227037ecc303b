package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// openDB opens the data directory's database for a test to look into.
func openDB(t *testing.T, dir string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestUserMFA lists a user's factors, then resets them: the factors and
// recovery codes go, the user is signed out, and the audit trail names the CLI.
func TestUserMFA(t *testing.T) {
	dir := newDataDir(t)
	var u userJSON
	decodeJSON(t, mustRun(t, "long enough pw\n", "user", "create", "--data-dir", dir, "--username", "ada", "--password-stdin", "--json"), &u)

	var empty userMFAJSON
	decodeJSON(t, mustRun(t, "", "user", "mfa", "list", "--data-dir", dir, "--user", u.ID, "--json"), &empty)
	if empty.UserID != u.ID || empty.Factors == nil || len(empty.Factors) != 0 || empty.RecoveryCodesLeft != 0 {
		t.Errorf("before enrollment: %+v", empty)
	}

	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	st := openDB(t, dir)
	for _, f := range []*model.Factor{
		{ID: "f-totp", UserID: u.ID, Type: model.FactorTOTP, Sealed: []byte("SEALED-TOTP"), CreatedAt: now, LastUsedAt: now},
		{ID: "f-key", UserID: u.ID, Type: model.FactorWebAuthn, Name: "YubiKey", CredentialID: "Y3JlZA", Sealed: []byte("SEALED-KEY"), CreatedAt: now.Add(time.Second)},
	} {
		if err := st.CreateFactor(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.ReplaceRecoveryCodes(ctx, u.ID, []string{"h1", "h2"}, now); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSession(ctx, &model.Session{IDHash: "s1", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	var listed userMFAJSON
	out := mustRun(t, "", "user", "mfa", "list", "--data-dir", dir, "--user", u.ID, "--json")
	decodeJSON(t, out, &listed)
	if len(listed.Factors) != 2 || listed.Factors[0].ID != "f-totp" || listed.Factors[0].LastUsedAt == nil ||
		listed.Factors[1].Name != "YubiKey" || listed.Factors[1].LastUsedAt != nil || listed.RecoveryCodesLeft != 2 {
		t.Errorf("user mfa list --json = %s", out)
	}
	text := mustRun(t, "", "user", "mfa", "list", "--data-dir", dir, "--user", u.ID)
	if !strings.HasPrefix(text, "ID ") || !strings.Contains(text, "f-key") || !strings.Contains(text, "YubiKey") ||
		!strings.HasSuffix(text, "Recovery codes left: 2\n") {
		t.Errorf("user mfa list:\n%s", text)
	}
	for _, s := range []string{out, text} {
		if strings.Contains(s, "SEALED") || strings.Contains(s, "Y3JlZA") {
			t.Errorf("a secret is printed: %s", s)
		}
	}

	if out := mustRun(t, "", "user", "mfa", "reset", "--data-dir", dir, "--user", u.ID); out !=
		"Reset MFA of user "+u.ID+": 2 factors and the recovery codes removed, sessions ended, tokens revoked.\n" {
		t.Errorf("user mfa reset printed %q", out)
	}
	if list, err := st.ListFactors(ctx, u.ID); err != nil || len(list) != 0 {
		t.Errorf("factors after reset: %v %v", list, err)
	}
	if n, err := st.CountRecoveryCodes(ctx, u.ID); err != nil || n != 0 {
		t.Errorf("recovery codes after reset: %d %v", n, err)
	}
	if _, err := st.GetSession(ctx, "s1", now); err == nil {
		t.Error("the user's session survived the MFA reset")
	}
	var events []auditJSON
	decodeJSON(t, mustRun(t, "", "audit", "list", "--data-dir", dir, "--type", model.AuditMFAReset, "--json"), &events)
	if len(events) != 1 || events[0].UserID != u.ID || events[0].Detail != "genauth user mfa reset: 2 factors removed, sessions ended" {
		t.Errorf("audit list = %+v", events)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"list"}, "genauth: --user is required"},
		{[]string{"reset"}, "genauth: --user is required"},
		{[]string{"list", "--user", "nobody"}, `genauth: no user has the id "nobody"`},
		{[]string{"reset", "--user", "nobody"}, `genauth: no user has the id "nobody"`},
		{[]string{"wipe"}, `genauth: unknown command "wipe" for "genauth user mfa"`},
	} {
		_, errOut, code := cliRun(t, "", append([]string{"user", "mfa", "--data-dir", dir}, tt.args...)...)
		if code == 0 || strings.TrimSpace(errOut) != tt.want || strings.Count(errOut, "\n") != 1 {
			t.Errorf("user mfa %v: exit %d, stderr %q; want %q", tt.args, code, errOut, tt.want)
		}
	}
}

// TestMFAPolicyCommands sets the pool's policy and an application's, on
// creation and by update, and refuses anything but a policy.
func TestMFAPolicyCommands(t *testing.T) {
	dir := newDataDir(t)
	for _, tt := range []struct{ args, want string }{
		{"", "off\n"},
		{"required", "MFA policy of the user pool: required.\n"},
		{"", "required\n"},
		{"optional", "MFA policy of the user pool: optional.\n"},
		{"", "optional\n"},
	} {
		args := []string{"mfa", "policy", "--data-dir", dir}
		if tt.args != "" {
			args = append(args, tt.args)
		}
		if out := mustRun(t, "", args...); out != tt.want {
			t.Errorf("mfa policy %s printed %q; want %q", tt.args, out, tt.want)
		}
	}

	var app appJSON
	decodeJSON(t, mustRun(t, "", "app", "create", "--data-dir", dir, "--name", "Shop", "--redirect-uri", "https://shop.example/cb",
		"--mfa-policy", "required", "--json"), &app)
	if app.MFAPolicy != model.MFARequired {
		t.Errorf("app create --mfa-policy required: %q", app.MFAPolicy)
	}
	var plain appJSON
	decodeJSON(t, mustRun(t, "", "app", "create", "--data-dir", dir, "--name", "Blog", "--redirect-uri", "https://blog.example/cb", "--json"), &plain)
	if plain.MFAPolicy != model.MFAOff {
		t.Errorf("app create without --mfa-policy: %q", plain.MFAPolicy)
	}
	if out := mustRun(t, "", "app", "update", "--data-dir", dir, "--app", app.AppID, "--mfa-policy", "optional"); !strings.HasSuffix(out, ", MFA optional.\n") {
		t.Errorf("app update --mfa-policy printed %q", out)
	}
	// Only the flags given change.
	var updated appJSON
	decodeJSON(t, mustRun(t, "", "app", "update", "--data-dir", dir, "--app", app.AppID, "--registration-closed", "--json"), &updated)
	if updated.MFAPolicy != model.MFAOptional || !updated.RegistrationClosed {
		t.Errorf("after updates: %+v", updated)
	}
	// Every change of a policy is in the audit trail, newest first; the
	// update that left the policy alone is not.
	var events []auditJSON
	decodeJSON(t, mustRun(t, "", "audit", "list", "--data-dir", dir, "--type", model.AuditMFAPolicy, "--json"), &events)
	var got []string
	for _, e := range events {
		got = append(got, e.ClientID+": "+e.Detail)
	}
	if want := []string{
		app.AppID + ": required -> optional (genauth app update)",
		": required -> optional (genauth mfa policy)",
		": off -> required (genauth mfa policy)",
	}; !slices.Equal(got, want) {
		t.Errorf("mfa.policy events:\n got %q\nwant %q", got, want)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"mfa", "policy", "always"}, `genauth: the MFA policy must be off, optional or required, not "always"`},
		{[]string{"mfa", "policy", "off", "on"}, "genauth: accepts at most 1 arg(s), received 2"},
		{[]string{"app", "update", "--app", app.AppID, "--mfa-policy", "REQUIRED"}, `genauth: --mfa-policy must be off, optional or required, not "REQUIRED"`},
		{[]string{"app", "update", "--app", app.AppID, "--mfa-policy", ""}, `genauth: --mfa-policy must be off, optional or required, not ""`},
		{[]string{"app", "update", "--app", "nope", "--mfa-policy", "off"}, `genauth: no application "nope"`},
		{[]string{"app", "create", "--name", "X", "--redirect-uri", "https://x.example/cb", "--mfa-policy", "sometimes"},
			`genauth: --mfa-policy must be off, optional or required, not "sometimes"`},
	} {
		_, errOut, code := cliRun(t, "", append(tt.args, "--data-dir", dir)...)
		if code == 0 || strings.TrimSpace(errOut) != tt.want || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want %q", tt.args, code, errOut, tt.want)
		}
	}
	// Nothing refused was stored.
	if out := mustRun(t, "", "mfa", "policy", "--data-dir", dir); out != "optional\n" {
		t.Errorf("pool policy after refusals: %q", out)
	}
	var apps []appJSON
	decodeJSON(t, mustRun(t, "", "app", "list", "--data-dir", dir, "--json"), &apps)
	if len(apps) != 2 {
		t.Fatalf("apps = %+v", apps)
	}
	for _, a := range apps {
		if a.AppID == app.AppID && a.MFAPolicy != model.MFAOptional {
			t.Errorf("app policy after refusals: %q", a.MFAPolicy)
		}
	}
}
