package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/testkit/smtptest"
)

// TestDoctor runs `genauth doctor` on a configuration that a server has run
// on and on broken variants of it: each problem gives exit status 1 and a
// line saying what is wrong; warnings alone give 0.
func TestDoctor(t *testing.T) {
	root := t.TempDir()
	good := filepath.Join(root, "good")
	opsApp(t, good, "doctor test password")
	startOps(t, good).stop() // makes the signing keys and the management access key

	// variant copies the good data directory and lets change break it.
	variant := func(name string, change func(dir string)) string {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{dbFile, secretKeyFile} {
			replace(t, filepath.Join(good, f), filepath.Join(dir, f))
		}
		change(dir)
		return dir
	}
	noKey := variant("nokey", func(dir string) { os.Remove(filepath.Join(dir, secretKeyFile)) })
	future := variant("future", func(dir string) {
		st, err := sqlite.Open(filepath.Join(dir, dbFile))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.AppendAuditEvents(context.Background(), &model.AuditEvent{Time: time.Now().AddDate(1, 0, 0),
			Type: model.AuditLoginSuccess}); err != nil {
			t.Fatal(err)
		}
	})
	newer := variant("newer", func(dir string) {
		execSQL(t, filepath.Join(dir, dbFile), `INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_from_the_future.sql', 0)`)
	})
	behind := variant("behind", func(dir string) {
		execSQL(t, filepath.Join(dir, dbFile), `DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`)
	})
	// Users as the migration to case-insensitive usernames leaves those it
	// found differing only in case, width or spacing: the later ones marked.
	dupUsers := variant("dupusers", func(dir string) {
		for _, u := range []struct{ id, name, dup string }{{"u-old", "henry", ""}, {"u-new", "ＨＥＮＲＹ", "u-new"}} {
			execSQL(t, filepath.Join(dir, dbFile), `INSERT INTO users (id, username, username_key, username_dup,
				email_verified, phone_verified, password_hash, name, given_name, family_name, middle_name, nickname,
				preferred_username, profile, picture, website, gender, birthdate, zoneinfo, locale, address,
				created_at, updated_at) VALUES ('`+u.id+`', '`+u.name+`', 'henry', '`+u.dup+`',
				0, 0, '', '', '', '', '', '', '', '', '', '', 'U', '', '', '', '{}', 0, 0)`)
		}
	})
	gaveUp := variant("gaveup", func(dir string) {
		st, err := sqlite.Open(filepath.Join(dir, dbFile))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		ctx, now := context.Background(), time.Now()
		for i, id := range []string{"m-failed", "m-waiting"} { // m-failed is due first, so claimed first
			if err := st.EnqueueMessage(ctx, &model.OutboxMessage{ID: id, Kind: model.MessageSMS, Sealed: []byte("x"),
				NextAttemptAt: now.Add(time.Duration(i-2) * time.Minute), CreatedAt: now.Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.ClaimMessages(ctx, now, time.Minute, 1); err != nil {
			t.Fatal(err)
		}
		if err := st.FailMessage(ctx, "m-failed", 1, now, "connection refused"); err != nil {
			t.Fatal(err)
		}
	})
	mailSrv := smtptest.Start(t, smtptest.Options{})
	authSrv := smtptest.Start(t, smtptest.Options{User: "genauth", Password: "s3cret"})
	empty := filepath.Join(root, "empty")
	if err := os.MkdirAll(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	certFile, keyFile, _ := testCert(t, root, "ok", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	_, otherKey, _ := testCert(t, root, "other", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	expired, expiredKey, _ := testCert(t, root, "expired", now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	soon, soonKey, _ := testCert(t, root, "soon", now.Add(-time.Hour), now.Add(3*24*time.Hour))

	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"good", []string{"--data-dir", good}, 0, []string{"ok    database", "opens the 4 signing key(s) and the management access key",
			"ok    no two usernames differ only in case, width or spacing", "No problems found.",
			"info  email is not configured (--smtp-url, --smtp-from)", "info  SMS is not configured",
			"ok    outbox: 0 message(s) wait, 0 of them due; none given up"}},
		{"email and SMS configured", []string{"--data-dir", good, "--smtp-url", "smtp://" + mailSrv.Addr, "--smtp-from", "n@example.com",
			"--sms-webhook-url", "https://gw.example.com/sms?token=t", "--sms-webhook-secret", "0123456789abcdef"}, 0,
			[]string{"ok    the SMTP server smtp://" + mailSrv.Addr + " answers and accepts the login; mail comes from n@example.com",
				"ok    SMS goes to the webhook at https://gw.example.com, signed in X-GenAuth-Signature", "No problems found."}},
		{"SMTP server unreachable", []string{"--data-dir", good, "--smtp-url", "smtp://127.0.0.1:1", "--smtp-from", "n@example.com"}, 1,
			[]string{"FAIL  the SMTP server smtp://127.0.0.1:1 does not take mail: "}},
		{"SMTP password without TLS", []string{"--data-dir", good, "--smtp-url", "smtp://genauth:s3cret@" + authSrv.Addr, "--smtp-from", "n@example.com"}, 1,
			[]string{"FAIL  the SMTP server smtp://genauth@" + authSrv.Addr + " does not take mail: "}},
		{"SMTP settings incomplete", []string{"--data-dir", good, "--smtp-url", "smtp://genauth:s3cret@mail.example.com"}, 1,
			[]string{"FAIL  --smtp-from is needed with --smtp-url"}},
		{"messages given up", []string{"--data-dir", gaveUp}, 0,
			[]string{"WARN  1 message(s) were given up after 10 attempts (see `genauth audit list --type message.failed`); 1 wait, 1 of them due"}},
		{"plain http public URL", []string{"--data-dir", good, "--public-url", "http://auth.example.com"}, 0,
			[]string{"WARN  public URL http://auth.example.com is plain http", "No problems; 1 warning(s)."}},
		{"unusable public URL", []string{"--data-dir", good, "--public-url", "auth.example.com"}, 1, []string{"FAIL  --public-url"}},
		{"IP address as public host", []string{"--data-dir", good, "--public-url", "http://127.0.0.1:8080"}, 0,
			[]string{"info  passkeys are off: passkeys need a public URL whose host is a domain name", "No problems found."}},
		{"no database", []string{"--data-dir", empty}, 1, []string{"FAIL  no database at " + filepath.Join(empty, dbFile)}},
		{"wrong secret key", []string{"--data-dir", good, "--secret-key", strings.Repeat("ab", 32)}, 1,
			[]string{"FAIL  the server secret key (--secret-key) does not open 5 of the 5 sealed keys"}},
		{"missing key file", []string{"--data-dir", noKey}, 1, []string{"FAIL  the server secret key " + filepath.Join(noKey, secretKeyFile) + " is missing"}},
		{"stored time in the future", []string{"--data-dir", future}, 1, []string{"FAIL  the database holds a time", "in the future"}},
		{"schema from a newer version", []string{"--data-dir", newer}, 1, []string{"FAIL  the database", "was upgraded by a newer GenAuth (migration 9999_from_the_future.sql"}},
		{"usernames differing only in case or width", []string{"--data-dir", dupUsers}, 1,
			[]string{`FAIL  the usernames "henry" (user id u-old), "ＨＥＮＲＹ" (user id u-new) differ only in case, width or spacing`}},
		{"schema behind", []string{"--data-dir", behind}, 1, []string{"lacks 1 migration(s)", "genauth migrate"}},
		{"TLS good", []string{"--data-dir", good, "--public-url", "https://localhost", "--tls-cert", certFile, "--tls-key", keyFile}, 0,
			[]string{"ok    public URL https://localhost uses https", "ok    TLS certificate " + certFile + " and key " + keyFile + " match"}},
		{"TLS key of another certificate", []string{"--data-dir", good, "--tls-cert", certFile, "--tls-key", otherKey}, 1,
			[]string{"FAIL  cannot use the TLS files", "private key does not match public key"}},
		{"TLS expired", []string{"--data-dir", good, "--tls-cert", expired, "--tls-key", expiredKey}, 1, []string{"FAIL  the TLS certificate " + expired + " expired on"}},
		{"TLS expiring soon", []string{"--data-dir", good, "--tls-cert", soon, "--tls-key", soonKey}, 0, []string{"WARN  the TLS certificate " + soon + " expires in 2 day(s)"}},
		{"TLS for another host", []string{"--data-dir", good, "--public-url", "https://auth.example.com", "--tls-cert", certFile, "--tls-key", keyFile}, 0,
			[]string{"WARN  the TLS certificate does not name the public URL's host auth.example.com"}},
		{"TLS certificate without key", []string{"--data-dir", good, "--tls-cert", certFile}, 1, []string{"FAIL  --tls-cert and --tls-key go together"}},
		{"TLS file missing", []string{"--data-dir", good, "--tls-cert", certFile + ".gone", "--tls-key", keyFile}, 1, []string{"FAIL  cannot use the TLS files", "no such file"}},
		{"PostgreSQL unreachable", []string{"--database", "postgres://genauth@127.0.0.1:1/genauth", "--secret-key", strings.Repeat("ab", 32)}, 1,
			[]string{"FAIL  cannot reach the database"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := cliRun(t, "", append([]string{"doctor"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stdout:\n%s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			if strings.Contains(stdout, "s3cret") {
				t.Errorf("stdout shows the SMTP password:\n%s", stdout)
			}
			if code == 1 && !strings.Contains(stderr, "doctor found") {
				t.Errorf("stderr %q, want the problem count", stderr)
			}
		})
	}
}

// TestDoctorPostgres checks a PostgreSQL configuration a node has run on:
// good with the nodes' secret key (the clock compared with the database
// server's), a problem with another key, and with no key at all.
func TestDoctorPostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	key := strings.Repeat("cd", 32)
	startOps(t, t.TempDir(), "--database", url, "--secret-key", key, "--metrics-addr", "127.0.0.1:0").stop()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"good", []string{"--secret-key", key}, 0, "ok    this machine's clock agrees with the database server's"},
		{"another key", []string{"--secret-key", strings.Repeat("ef", 32)}, 1, "FAIL  the server secret key (--secret-key) does not open 5 of the 5 sealed keys"},
		{"no key", nil, 1, "FAIL  --secret-key (GENAUTH_SECRET_KEY) is required with --database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, code := cliRun(t, "", append([]string{"doctor", "--database", url}, tc.args...)...)
			if code != tc.code || !strings.Contains(stdout, tc.want) {
				t.Errorf("exit %d, want %d and %q in:\n%s", code, tc.code, tc.want, stdout)
			}
		})
	}
}
