// Package upgrade proves that data made by an earlier GenAuth release still
// works with the current one: TestUpgrade takes a SQLite data directory and a
// PostgreSQL dump that the release named in testdata/*/fixture.json wrote,
// runs the current binary's `genauth migrate`, `genauth doctor` and
// `genauth serve` on each, and checks over HTTP and the CLI alone that every
// kind of stored data behaves as it did: users sign in with their passwords
// (a suspended one is refused), applications authenticate with their secrets,
// tokens introspect as the old release answered and a stored refresh token
// rotates, old id tokens verify and are accepted as logout hints, a consent
// and a browser session are remembered, the management API opens with the old
// access key, and the audit trail and login history read as before.
//
// The test never imports GenAuth's internal packages (they move between
// releases): it builds cmd/genauth and talks to the process. Before starting
// it, the test moves every stored time forward by one amount, so that the data
// looks as the old release left it ten minutes ago whatever the day the test
// runs (tokens, keys and sessions would otherwise expire in the fixture);
// nothing else in the fixture is touched.
//
// The fixture is made by hand, with the old release's binary, by
// makefixture, which drives that binary through its own CLI and HTTP
// endpoints only (see its package documentation):
//
//	git worktree add /tmp/old <release> && (cd /tmp/old && go build -o /tmp/genauth-old ./cmd/genauth)
//	go run ./e2e/upgrade/makefixture -genauth /tmp/genauth-old -release $(git -C /tmp/old rev-parse HEAD)
//
// The PostgreSQL half needs the tests' PostgreSQL (GENAUTH_TEST_POSTGRES_URL,
// default postgres://postgres@127.0.0.1:5432/test?sslmode=disable); without it
// that half is skipped with one line, except under CI=true, where it fails.
package upgrade
