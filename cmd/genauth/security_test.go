package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// TestLogoutAll: the admin's backend logout for one user and for one
// application revokes what they hold and is written to the audit trail.
func TestLogoutAll(t *testing.T) {
	dir := newDataDir(t)
	mustRun(t, "", "app", "create", "--data-dir", dir, "--name", "x", "--redirect-uri", "https://example.com/cb")
	var listed []appJSON
	decodeJSON(t, mustRun(t, "", "app", "list", "--json", "--data-dir", dir), &listed)
	appID := listed[0].AppID
	var u userJSON
	decodeJSON(t, mustRun(t, "long enough pw\n", "user", "create", "--data-dir", dir, "--username", "ada", "--password-stdin", "--json"), &u)

	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().UTC()
	tok := func(hash, user, client string) *model.Token {
		return &model.Token{Hash: hash, ID: "j" + hash, Kind: model.TokenAccess, GrantID: "g" + hash, ClientID: client,
			UserID: user, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	if err := st.CreateTokens(ctx, tok("h1", u.ID, "other-app"), tok("h2", "someone", appID), tok("h3", "someone", "other-app")); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSession(ctx, &model.Session{IDHash: "s1", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	if out := mustRun(t, "", "user", "logout-all", "--data-dir", dir, "--user", u.ID); !strings.Contains(out, "Signed user") {
		t.Errorf("user logout-all printed %q", out)
	}
	if out := mustRun(t, "", "app", "logout-all", "--data-dir", dir, "--app", appID); !strings.Contains(out, "Revoked 1 tokens") {
		t.Errorf("app logout-all printed %q", out)
	}

	st, err = sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for hash, revoked := range map[string]bool{"h1": true, "h2": true, "h3": false} {
		got, err := st.GetToken(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		if got.RevokedAt.IsZero() == revoked {
			t.Errorf("token %s revoked = %v; want %v", hash, !got.RevokedAt.IsZero(), revoked)
		}
	}
	if _, err := st.GetSession(ctx, "s1", now); err == nil {
		t.Error("the user's session survived logout-all")
	}

	var events []auditJSON
	decodeJSON(t, mustRun(t, "", "audit", "list", "--data-dir", dir, "--type", model.AuditLogoutAll, "--json"), &events)
	if len(events) != 2 || events[0].ClientID != appID || events[1].UserID != u.ID {
		t.Errorf("audit list = %+v; want the app's then the user's logout-all", events)
	}
	text := mustRun(t, "", "audit", "list", "--data-dir", dir, "--since", "1h")
	if !strings.Contains(text, "user.logout_all") || !strings.HasPrefix(text, "TIME") {
		t.Errorf("audit list text:\n%s", text)
	}
	var none []auditJSON
	if err := json.Unmarshal([]byte(mustRun(t, "", "audit", "list", "--data-dir", dir, "--user", "nobody", "--json")), &none); err != nil || len(none) != 0 {
		t.Errorf("audit list for nobody: %v %v", none, err)
	}
}
