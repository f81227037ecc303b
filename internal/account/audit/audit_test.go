package audit

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

func open(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestRecordLogsAndStores(t *testing.T) {
	for _, tt := range []struct {
		name  string
		start func(Store, *slog.Logger) *Recorder
	}{
		{"sync", func(st Store, l *slog.Logger) *Recorder { return NewSync(st, l, func() time.Time { return t0 }) }},
		{"async", func(st Store, l *slog.Logger) *Recorder { return Start(st, l, func() time.Time { return t0 }) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			var logs bytes.Buffer
			r := tt.start(st, slog.New(slog.NewJSONHandler(&logs, nil)))
			for range 300 { // more than one batch
				r.Record(t.Context(), model.AuditEvent{Type: model.AuditLoginFailure, UserID: "u1", IP: "192.0.2.1", Detail: "ada"})
			}
			r.Record(t.Context(), model.AuditEvent{Type: model.AuditTokenIssue, ClientID: "app", Detail: "client_credentials"})
			r.Close()
			got, err := st.ListAuditEvents(t.Context(), store.AuditQuery{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 301 || got[0].Type != model.AuditTokenIssue || !got[0].Time.Equal(t0) {
				t.Fatalf("stored %d events, newest %+v; want 301, the token issue first at %v", len(got), got[0], t0)
			}
			line := strings.SplitN(logs.String(), "\n", 2)[0]
			for _, want := range []string{`"level":"WARN"`, `"msg":"audit"`, `"event":"login.failure"`, `"user_id":"u1"`, `"ip":"192.0.2.1"`, `"detail":"ada"`} {
				if !strings.Contains(line, want) {
					t.Errorf("log line %s lacks %s", line, want)
				}
			}
		})
	}
}
