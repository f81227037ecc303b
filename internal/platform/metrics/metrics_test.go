package metrics

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// TestObserveAudit: each audit event moves the counters it stands for.
func TestObserveAudit(t *testing.T) {
	m := New("test")
	for _, e := range []model.AuditEvent{
		{Type: model.AuditTokenIssue, ClientID: "app1", Detail: model.GrantAuthorizationCode},
		{Type: model.AuditTokenIssue, ClientID: "app1", Detail: model.GrantRefreshToken},
		{Type: model.AuditTokenIssue, ClientID: "app2", Detail: model.GrantImplicit},
		{Type: model.AuditTokenRevoke, ClientID: "app1", Detail: model.TokenAccess},
		{Type: model.AuditCodeReuse, ClientID: "app1"},
		{Type: model.AuditRefreshReuse, ClientID: "app1"},
		{Type: model.AuditLoginSuccess, ClientID: "whatever-the-browser-sent"},
		{Type: model.AuditLoginFailure, Detail: "wrong credentials"},
		{Type: model.AuditLoginFailure, Detail: "locked"},
		{Type: model.AuditLoginLockout},
		{Type: model.AuditRegister},
		{Type: model.AuditRegisterRefuse},
		{Type: "made.up"},
	} {
		m.ObserveAudit(e)
	}
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"issued code app1", testutil.ToFloat64(m.issued.WithLabelValues("authorization_code", "app1")), 1},
		{"issued implicit app2", testutil.ToFloat64(m.issued.WithLabelValues("implicit", "app2")), 1},
		{"refreshed app1", testutil.ToFloat64(m.refreshed.WithLabelValues("app1")), 1},
		{"revoked access app1", testutil.ToFloat64(m.revoked.WithLabelValues("access", "app1")), 1},
		{"code reuse", testutil.ToFloat64(m.reuse.WithLabelValues("authorization_code")), 1},
		{"refresh reuse", testutil.ToFloat64(m.reuse.WithLabelValues("refresh_token")), 1},
		{"login success", testutil.ToFloat64(m.logins.WithLabelValues("success")), 1},
		{"login failure (wrong, lockout)", testutil.ToFloat64(m.logins.WithLabelValues("failure")), 2},
		{"login throttled", testutil.ToFloat64(m.logins.WithLabelValues("throttled")), 1},
		{"lockouts", testutil.ToFloat64(m.lockouts), 1},
		{"registered", testutil.ToFloat64(m.registrations.WithLabelValues("success")), 1},
		{"registration throttled", testutil.ToFloat64(m.registrations.WithLabelValues("throttled")), 1},
		{"unknown event type", testutil.ToFloat64(m.audit.WithLabelValues("other")), 1},
		{"issue events", testutil.ToFloat64(m.audit.WithLabelValues(model.AuditTokenIssue)), 3},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	// Sign-ins carry no client label: their client_id is whatever the URL said.
	if n := testutil.CollectAndCount(m.logins); n != 3 {
		t.Errorf("genauth_logins_total has %d series, want 3 (one per result)", n)
	}
}

// TestDatabaseCollector counts the active sessions of a real SQLite store:
// expired and idle ones are left out; the count is cached for MinInterval.
func TestDatabaseCollector(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for i, s := range []model.Session{
		{ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(-time.Minute)},     // active
		{ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(-5 * time.Minute)}, // active
		{ExpiresAt: now.Add(-time.Second), LastSeenAt: now},                    // expired
		{ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(-3 * time.Hour)},   // idle
	} {
		s.IDHash, s.UserID, s.CreatedAt, s.AuthTime = strings.Repeat(string(rune('a'+i)), 64), "u", now.Add(-4*time.Hour), now
		if err := st.CreateSession(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	clock := now
	m := New("test")
	if err := m.WatchDatabase(DBConfig{Store: st, Now: func() time.Time { return clock }, IdleTTL: time.Hour, MinInterval: time.Minute}); err != nil {
		t.Fatal(err)
	}
	readMax := -1
	for _, p := range st.PoolStats() {
		if p.Pool == "read" {
			readMax = p.MaxOpen
		}
	}
	want := fmt.Sprintf(`
# HELP genauth_active_sessions Browser sessions neither expired nor idle past the idle limit, counted in the database (shared by every node).
# TYPE genauth_active_sessions gauge
genauth_active_sessions 2
# HELP genauth_db_pool_max_connections Most connections the pool may open (0: unbounded).
# TYPE genauth_db_pool_max_connections gauge
genauth_db_pool_max_connections{pool="read"} %d
genauth_db_pool_max_connections{pool="write"} 1
# HELP genauth_db_up 1 when the database answered the last scrape's ping, else 0.
# TYPE genauth_db_up gauge
genauth_db_up 1
`, readMax)
	names := []string{"genauth_active_sessions", "genauth_db_pool_max_connections", "genauth_db_up"}
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// Within MinInterval the count is not read again; after it, it is.
	if err := st.DeleteSession(ctx, strings.Repeat("a", 64)); err != nil {
		t.Fatal(err)
	}
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), names...); err != nil {
		t.Errorf("within MinInterval: %v", err)
	}
	clock = clock.Add(2 * time.Minute)
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(strings.Replace(want, "genauth_active_sessions 2", "genauth_active_sessions 1", 1)), names...); err != nil {
		t.Errorf("after MinInterval: %v", err)
	}
}
