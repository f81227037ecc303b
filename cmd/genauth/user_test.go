package main

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// checkPassword reports whether login and pw authenticate against the database in dir.
func checkPassword(t *testing.T, dir, login, pw string) bool {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := &users.Service{Store: st, Tokens: token.NewSource(rand.Reader), Rand: rand.Reader, Now: time.Now}
	_, err = svc.Authenticate(context.Background(), login, pw)
	return err == nil
}

func strp(s string) *string { return &s }

func TestUserCreate(t *testing.T) {
	dir := newDataDir(t)

	// Plain output: the id alone; the trailing newline is not part of the password.
	out := mustRun(t, "correct horse\n", "user", "create", "--data-dir", dir, "--username", "alice", "--password-stdin")
	aliceID := strings.TrimSpace(out)
	if aliceID == "" || strings.Count(out, "\n") != 1 {
		t.Fatalf("user create printed %q, want the id on one line", out)
	}
	if !checkPassword(t, dir, "alice", "correct horse") {
		t.Error("alice cannot sign in with the password given on stdin")
	}

	// JSON output; a CRLF line ending and anything after the first line are not read.
	out = mustRun(t, "battery staple\r\nignored\n", "user", "create", "--data-dir", dir, "--json",
		"--username", "bob", "--email", "Bob@Example.com", "--phone", "+15551234567", "--password-stdin")
	var bob userJSON
	decodeJSON(t, out, &bob)
	want := userJSON{ID: bob.ID, Username: strp("bob"), Email: strp("bob@example.com"), Phone: strp("+15551234567")}
	if diff := cmp.Diff(want, bob, cmpopts.IgnoreFields(userJSON{}, "CreatedAt")); diff != "" || bob.ID == "" {
		t.Errorf("user create --json (-want +got):\n%s", diff)
	}
	for _, login := range []string{"bob", "bob@example.com", "+15551234567"} {
		if !checkPassword(t, dir, login, "battery staple") {
			t.Errorf("bob cannot sign in as %q", login)
		}
	}

	// Email only, password without a trailing newline.
	out = mustRun(t, "no newline at end", "user", "create", "--data-dir", dir, "--email", "carol@example.com", "--password-stdin", "--json")
	var carol userJSON
	decodeJSON(t, out, &carol)
	if carol.Username != nil || carol.Phone != nil || *carol.Email != "carol@example.com" {
		t.Errorf("carol = %+v, want null username and phone", carol)
	}

	var listed []userJSON
	decodeJSON(t, mustRun(t, "", "user", "list", "--json", "--data-dir", dir), &listed)
	var ids []string
	for _, u := range listed {
		ids = append(ids, u.ID)
	}
	if diff := cmp.Diff([]string{aliceID, bob.ID, carol.ID}, ids); diff != "" {
		t.Errorf("user list --json ids, oldest first (-want +got):\n%s", diff)
	}
	text := mustRun(t, "", "user", "list", "--data-dir", dir)
	if !strings.Contains(text, "alice") || !strings.Contains(text, "bob@example.com") || strings.Contains(text, "argon2") {
		t.Errorf("user list printed %q", text)
	}
}

func TestReadPassword(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"secret\n", "secret", true},
		{"secret\r\n", "secret", true},
		{"secret", "secret", true},
		{" spaced secret \n", " spaced secret ", true},
		{"first\nsecond\n", "first", true},
		{"", "", false},
		{"\n", "", false},
	}
	for _, tt := range tests {
		got, err := readPassword(strings.NewReader(tt.in))
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("readPassword(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestInvalidInput checks that every refused command prints one line on
// stderr, nothing on stdout, exits 1 and leaves the database as it was.
func TestInvalidInput(t *testing.T) {
	dir := newDataDir(t)
	mustRun(t, "correct horse battery\n", "user", "create", "--data-dir", dir, "--username", "alice", "--email", "alice@example.com", "--password-stdin")
	mustRun(t, "", "app", "create", "--data-dir", dir, "--name", "Existing", "--redirect-uri", "https://example.com/cb")

	const cb = "https://example.com/cb"
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string // part of the message
	}{
		{"missing name", "", []string{"app", "create", "--redirect-uri", cb}, "needs a name"},
		{"blank name", "", []string{"app", "create", "--name", "   ", "--redirect-uri", cb}, "needs a name"},
		{"relative redirect URI", "", []string{"app", "create", "--name", "x", "--redirect-uri", "/cb"}, "not an absolute URL"},
		{"redirect URI with fragment", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb + "#frag"}, "fragment"},
		{"javascript redirect URI", "", []string{"app", "create", "--name", "x", "--redirect-uri", "javascript:alert(1)"}, "not allowed"},
		{"bad logout URI", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--logout-uri", "nope"}, "logout callback"},
		{"no redirect URI for the code grant", "", []string{"app", "create", "--name", "x"}, "login callback"},
		{"bad token auth method", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--token-auth-method", "private_key_jwt"}, "unknown client auth method"},
		{"bad revocation auth method", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--revocation-auth-method", "basic"}, "unknown client auth method"},
		{"bad grant", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--grant", "password"}, "unknown grant type"},
		{"bad id token algorithm", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--id-token-alg", "HS256"}, "signing algorithm"},
		{"classic refresh tokens with a bad grace", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--refresh-grace", "10m"}, "grace period"},
		{"bad claims format", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--claims-format", "oidc"}, "standard or genauth"},
		{"bad access token format", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--access-token-format", "paseto"}, "opaque or jwt"},
		{"update without a change", "", []string{"app", "update", "--app", "some-app"}, "nothing to change"},
		{"update of an unknown app", "", []string{"app", "update", "--app", "no-such-app", "--access-token-format", "jwt"}, `no application "no-such-app"`},
		{"web origin with a path", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--web-origin", "https://spa.example/app"}, "not an origin"},
		{"wildcard web origin", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--web-origin", "*"}, "not an origin"},
		{"bad allowed scope", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--allowed-scopes", `"read"`}, "allowed scope"},
		{"logout-all without a user", "", []string{"user", "logout-all"}, "--user is required"},
		{"logout-all of an unknown user", "", []string{"user", "logout-all", "--user", "nope"}, "no user has the id"},
		{"logout-all of an unknown app", "", []string{"app", "logout-all", "--app", "nope"}, "no application has the id"},
		{"audit list with a negative limit", "", []string{"audit", "list", "--limit", "-1"}, "must not be negative"},
		{"public client_credentials", "", []string{"app", "create", "--name", "x", "--grant", "client_credentials", "--token-auth-method", "none"}, "confidential"},
		{"bad ttl", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "--access-token-ttl", "forever"}, "access-token-ttl"},
		{"app create positional argument", "", []string{"app", "create", "--name", "x", "--redirect-uri", cb, "extra"}, "unknown command"},
		{"short password", "short\n", []string{"user", "create", "--username", "dave", "--password-stdin"}, "at least 8 characters"},
		{"long password", strings.Repeat("p", 300) + "\n", []string{"user", "create", "--username", "dave", "--password-stdin"}, "at most"},
		{"empty stdin", "", []string{"user", "create", "--username", "dave", "--password-stdin"}, "no password"},
		{"missing --password-stdin", "correct horse battery\n", []string{"user", "create", "--username", "dave"}, "--password-stdin is required"},
		{"password as argument", "", []string{"user", "create", "--username", "dave", "--password", "password1"}, "unknown flag"},
		{"no login", "correct horse battery\n", []string{"user", "create", "--password-stdin"}, "username, email or phone"},
		{"bad username", "correct horse battery\n", []string{"user", "create", "--username", "da ve", "--password-stdin"}, "username may contain"},
		{"bad email", "correct horse battery\n", []string{"user", "create", "--username", "dave", "--email", "not-an-email", "--password-stdin"}, "not an email address"},
		{"bad phone", "correct horse battery\n", []string{"user", "create", "--username", "dave", "--phone", "12ab5", "--password-stdin"}, "phone number"},
		{"common password", "qwertyuiop\n", []string{"user", "create", "--username", "dave", "--password-stdin"}, "too common"},
		{"eight spaces", "        \n", []string{"user", "create", "--username", "dave", "--password-stdin"}, "too common"},
		{"duplicate username", "correct horse battery\n", []string{"user", "create", "--username", "alice", "--password-stdin"}, "already exists"},
		{"duplicate username in another case and width", "correct horse battery\n", []string{"user", "create", "--username", "ＡＬＩＣＥ", "--password-stdin"}, "already exists"},
		{"duplicate email", "correct horse battery\n", []string{"user", "create", "--username", "alice2", "--email", "ALICE@example.com", "--password-stdin"}, "already exists"},
		{"bad public URL", "", []string{"serve", "--public-url", "ftp://example.com"}, "http:// or https://"},
		{"public URL with query", "", []string{"serve", "--public-url", "https://example.com/?a=b"}, "query"},
		{"empty data dir", "", []string{"app", "list", "--data-dir", ""}, "must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apps0, users0 := counts(t, dir)
			args := append([]string{"--data-dir", dir}, tt.args...)
			out, errOut, code := cliRun(t, tt.stdin, args...)
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !strings.HasPrefix(errOut, "genauth: ") || strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\n") {
				t.Errorf("stderr %q, want one line starting with \"genauth: \"", errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q does not mention %q", errOut, tt.want)
			}
			if strings.Contains(errOut, "invalid input:") {
				t.Errorf("stderr %q repeats the sentinel's text", errOut)
			}
			if apps1, users1 := counts(t, dir); apps1 != apps0 || users1 != users0 {
				t.Errorf("database changed: apps %d -> %d, users %d -> %d", apps0, apps1, users0, users1)
			}
		})
	}
}
