// Package pgtest gives tests a fresh PostgreSQL database of their own.
//
// The server comes from GENAUTH_TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). When it cannot be
// reached the test is skipped with one line, except under CI=true, where a
// missing PostgreSQL is a failure: CI must not pass by skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the server the tests use when GENAUTH_TEST_POSTGRES_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// ServerURL returns the URL of the administrative database tests connect to
// in order to create their own.
func ServerURL() string {
	if u := os.Getenv("GENAUTH_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// unreachable reports once per process whether the server could not be
// reached, so that a missing server costs one connect timeout, not one per test.
var unreachable struct {
	sync.Mutex
	err error
}

// NewDatabase creates an empty database named genauth_test_<random> and
// returns its URL; the database is dropped (its connections terminated) when
// the test ends. Only databases this function created are ever dropped.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := connect(t)
	defer admin.Close(context.Background())
	name := "genauth_test_" + strings.ToLower(rand.Text()[:16])
	if _, err := admin.Exec(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: CREATE DATABASE %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, ServerURL())
		if err != nil {
			t.Errorf("pgtest: dropping %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: DROP DATABASE %s: %v", name, err)
		}
	})
	u, err := url.Parse(ServerURL())
	if err != nil {
		t.Fatalf("pgtest: GENAUTH_TEST_POSTGRES_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// NewSchema creates an empty schema in the database at dbURL (one that
// NewDatabase made) and returns dbURL with search_path set to it, so that
// everything a store creates lands there. Much cheaper than a database per
// test; the schema is dropped when the test ends.
func NewSchema(t testing.TB, dbURL string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(context.Background())
	name := "s_" + strings.ToLower(rand.Text()[:16])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("pgtest: CREATE SCHEMA %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Errorf("pgtest: dropping schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("pgtest: DROP SCHEMA %s: %v", name, err)
		}
	})
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// connect opens a connection to the administrative database, or skips (fails
// under CI=true) when the server is unreachable.
func connect(t testing.TB) *pgx.Conn {
	t.Helper()
	unreachable.Lock()
	defer unreachable.Unlock()
	if unreachable.err == nil {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, ServerURL())
		if err == nil {
			return conn
		}
		unreachable.err = err
	}
	// pgx puts each address it tried on a line of its own.
	reason := strings.Join(strings.Fields(strings.ReplaceAll(unreachable.err.Error(), "\n", "; ")), " ")
	msg := fmt.Sprintf("PostgreSQL unreachable at %s (set GENAUTH_TEST_POSTGRES_URL): %s", redact(ServerURL()), reason)
	if os.Getenv("CI") == "true" {
		t.Fatalf("pgtest: %s; CI=true requires PostgreSQL", msg)
	}
	t.Skipf("pgtest: skipping: %s", msg)
	return nil
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
