package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/api/management"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/metrics"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/tlsreload"
	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// Doctor's limits: how far clocks may disagree, and how soon a certificate
// expiry is worth a warning.
const (
	maxClockSkew = 5 * time.Second
	certWarnDays = 14
)

// checkup prints one line per finding and counts the problems.
type checkup struct {
	w                  io.Writer
	problems, warnings int
}

func (k *checkup) ok(format string, a ...any) { fmt.Fprintf(k.w, "ok    "+format+"\n", a...) }

// info reports what is neither right nor wrong, such as an optional
// feature left unconfigured.
func (k *checkup) info(format string, a ...any) { fmt.Fprintf(k.w, "info  "+format+"\n", a...) }

func (k *checkup) warn(format string, a ...any) {
	k.warnings++
	fmt.Fprintf(k.w, "WARN  "+format+"\n", a...)
}

func (k *checkup) fail(format string, a ...any) {
	k.problems++
	fmt.Fprintf(k.w, "FAIL  "+format+"\n", a...)
}

func (c *cli) doctorCmd() *cobra.Command {
	var publicURL string
	var files tlsFiles
	var mailFlags deliveryFlags
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check a configuration and say in plain words what is wrong",
		Long: `Check what "genauth serve" would run with, given the same flags or GENAUTH_*
environment: the database is reachable and migrated, the public URL uses
https (unless it is localhost) and has a host name, which passkeys need, the server secret key is present and opens the
signing keys and the management access key, the clock is sane (against the
database server's on PostgreSQL; on SQLite no stored time lies in the future),
the TLS files are readable, match and are valid, the SMTP server (when
configured) answers, authenticates and takes TLS as configured, the SMS webhook
settings are sound, how many messages wait in the outbox or were given up,
and every upstream identity provider connection answers (an OpenID Connect
issuer's discovery, a directory's service bind and base DN).
It changes nothing.
The exit status is 1 when it found a problem; warnings alone leave it 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
			defer cancel()
			k := &checkup{w: c.stdout}
			host := checkPublicURL(k, publicURL)
			checkTLS(k, files, host, time.Now())
			checkDelivery(ctx, k, mailFlags)
			c.checkDatabase(ctx, k)
			switch {
			case k.problems > 0:
				return fmt.Errorf("doctor found %d problem(s) and %d warning(s)", k.problems, k.warnings)
			case k.warnings > 0:
				fmt.Fprintf(c.stdout, "No problems; %d warning(s).\n", k.warnings)
			default:
				fmt.Fprintln(c.stdout, "No problems found.")
			}
			return nil
		},
	}
	envStringVar(cmd.Flags(), &publicURL, "public-url", "GENAUTH_PUBLIC_URL", "http://localhost:8080",
		"URL at which users and applications reach the server, as given to serve")
	addTLSFlags(cmd.Flags(), &files)
	addDeliveryFlags(cmd.Flags(), &mailFlags)
	return cmd
}

// smtpCheckTimeout bounds doctor's conversation with the SMTP server.
const smtpCheckTimeout = 10 * time.Second

// checkDelivery checks the email and SMS settings; the SMTP server is asked
// for real (EHLO, STARTTLS when offered, AUTH), nothing is sent.
func checkDelivery(ctx context.Context, k *checkup, f deliveryFlags) {
	del, err := f.parse()
	if err != nil {
		k.fail("%v", err)
		return
	}
	if del.smtp == nil {
		k.info("email is not configured (--smtp-url, --smtp-from): email codes are refused with \"email is not configured\"")
	} else {
		ctx, cancel := context.WithTimeout(ctx, smtpCheckTimeout)
		err := del.smtp.Check(ctx)
		cancel()
		if err != nil {
			k.fail("the SMTP server %s does not take mail: %v", del.smtpCfg, err)
		} else {
			k.ok("the SMTP server %s answers and accepts the login; mail comes from %s", del.smtpCfg, del.smtpCfg.From)
		}
	}
	if del.sms == nil {
		k.info("SMS is not configured (--sms-webhook-url, --sms-webhook-secret): SMS codes are refused")
	} else {
		k.ok("SMS goes to the webhook at %s, signed in X-GenAuth-Signature", del.webhookHost())
	}
}

// checkOutbox reports the messages waiting and those given up.
func checkOutbox(ctx context.Context, k *checkup, st doctorDB, now time.Time) {
	b, err := st.OutboxBacklog(ctx, now)
	switch {
	case err != nil:
		k.fail("cannot read the outbox: %v", err)
	case b.Failed > 0:
		k.warn("%d message(s) were given up after %d attempts (see `genauth audit list --type %s`); %d wait, %d of them due",
			b.Failed, outbox.MaxAttempts, model.AuditMessageFailed, b.Waiting, b.Due)
	default:
		k.ok("outbox: %d message(s) wait, %d of them due; none given up", b.Waiting, b.Due)
	}
}

// checkPublicURL returns the URL's host name ("" when unusable).
func checkPublicURL(k *checkup, raw string) string {
	pub, err := parsePublicURL(raw)
	if err != nil {
		k.fail("%v", err)
		return ""
	}
	u, _ := url.Parse(pub)
	host := u.Hostname()
	switch {
	case u.Scheme == "https":
		k.ok("public URL %s uses https", pub)
	case isLoopback(host):
		k.ok("public URL %s is plain http, which is fine on this machine only", pub)
	default:
		k.warn("public URL %s is plain http: passwords, session cookies and tokens cross the network unencrypted. "+
			"Use https (--tls-cert and --tls-key, or a TLS proxy in front with --trusted-proxies)", pub)
	}
	if _, err := mfa.NewWebAuthn(pub, "GenAuth"); err != nil {
		k.info("passkeys are off: %v", err)
	}
	return host
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkTLS checks the certificate files, when given, at now.
func checkTLS(k *checkup, files tlsFiles, host string, now time.Time) {
	if files.cert == "" && files.key == "" {
		return
	}
	if err := files.check(); err != nil {
		k.fail("%v", err)
		return
	}
	pair, err := tlsreload.ReadPair(files.cert, files.key)
	if err != nil {
		k.fail("cannot use the TLS files: %v", err)
		return
	}
	leaf := pair.Leaf
	switch left := leaf.NotAfter.Sub(now); {
	case left <= 0:
		k.fail("the TLS certificate %s expired on %s", files.cert, leaf.NotAfter.UTC().Format(time.DateOnly))
		return
	case leaf.NotBefore.After(now):
		k.fail("the TLS certificate %s is not valid before %s (or this machine's clock is behind)", files.cert, leaf.NotBefore.UTC().Format(time.RFC3339))
		return
	case left < certWarnDays*24*time.Hour:
		k.warn("the TLS certificate %s expires in %d day(s), on %s", files.cert, int(left.Hours()/24), leaf.NotAfter.UTC().Format(time.DateOnly))
	default:
		k.ok("TLS certificate %s and key %s match; valid until %s", files.cert, files.key, leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	if host != "" {
		if err := leaf.VerifyHostname(host); err != nil {
			k.warn("the TLS certificate does not name the public URL's host %s: browsers will refuse it", host)
		}
	}
}

// doctorDB is what the doctor reads of the database; a schemaReader tells
// its schema version too.
type doctorDB interface {
	Ping(ctx context.Context) error
	ListSigningKeys(ctx context.Context) ([]*model.SigningKey, error)
	GetAccessKey(ctx context.Context) (*model.AccessKey, error)
	// DuplicateUsernames returns the groups of users whose usernames are
	// equal as loginid.UsernameKey compares them, each group oldest first.
	// Only a database that held them before usernames were unique that way
	// has any: they are never merged or renamed, but reported here.
	DuplicateUsernames(ctx context.Context) ([][]*model.User, error)
	OutboxBacklog(ctx context.Context, now time.Time) (model.OutboxBacklog, error)
	// The upstream connections, which checkConnections asks.
	idp.Store
	io.Closer
}

// checkDatabase checks the database, then the key material and the clock,
// which need it.
func (c *cli) checkDatabase(ctx context.Context, k *checkup) {
	pg, err := c.usePostgres()
	if err != nil {
		k.fail("%v", err)
		return
	}
	var st doctorDB
	if pg {
		pst, err := postgres.Open(ctx, c.databaseURL, c.pg)
		if err != nil {
			k.fail("cannot reach the database: %v", err)
			return
		}
		st = pst
	} else {
		path, err := c.dbPath()
		if err != nil {
			k.fail("%v", err)
			return
		}
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			k.fail("no database at %s: run `genauth migrate` (or start `genauth serve` once), or fix --data-dir", path)
			return
		}
		sst, err := sqlite.Open(path)
		if err != nil {
			k.fail("cannot open the database: %v", err)
			return
		}
		st = sst
	}
	defer st.Close()
	if err := st.Ping(ctx); err != nil {
		k.fail("the database %s does not answer: %v", c.dbName(), err)
		return
	}
	if !checkSchema(ctx, k, st, c.dbName()) {
		return
	}
	c.checkKeys(ctx, k, st)
	checkClock(ctx, k, st, time.Now())
	checkUsernames(ctx, k, st)
	checkOutbox(ctx, k, st, time.Now())
	c.checkConnections(ctx, k, st)
}

// checkUsernames reports the users whose usernames are equal but for case,
// width or spacing, which a database from before usernames were unique that
// way may hold: the upgrade merged or renamed none of them, and a sign-in
// with a mere variant of such a username names none of them.
func checkUsernames(ctx context.Context, k *checkup, st doctorDB) {
	groups, err := st.DuplicateUsernames(ctx)
	if err != nil {
		k.fail("cannot read the usernames: %v", err)
		return
	}
	if len(groups) == 0 {
		k.ok("no two usernames differ only in case, width or spacing")
		return
	}
	for _, g := range groups {
		names := make([]string, len(g))
		for i, u := range g {
			names[i] = fmt.Sprintf("%q (user id %s)", u.Username, u.ID)
		}
		k.fail("the usernames %s differ only in case, width or spacing: each signs in only when typed exactly, and no variant works. "+
			"Rename or delete all but one (management API update-user or delete-users)", strings.Join(names, ", "))
	}
}

// schemaReader is what the doctor reads of a database's migrations; both
// backends implement it.
type schemaReader interface {
	// PendingMigrations lists the embedded migrations the database lacks, in
	// order, without applying them; a database never migrated lacks them all.
	PendingMigrations(ctx context.Context) ([]string, error)
	// UnknownMigrations lists applied migrations this binary does not know:
	// the database was upgraded by a newer GenAuth.
	UnknownMigrations(ctx context.Context) ([]string, error)
}

// Both backends tell the doctor their schema and the metrics their pools.
var (
	_ schemaReader     = (*sqlite.Store)(nil)
	_ schemaReader     = (*postgres.Store)(nil)
	_ metrics.Reporter = (*sqlite.Store)(nil)
	_ metrics.Reporter = (*postgres.Store)(nil)
)

// checkSchema reports whether the schema is usable for the checks after it.
func checkSchema(ctx context.Context, k *checkup, st doctorDB, name string) bool {
	op, ok := st.(schemaReader)
	if !ok {
		return true
	}
	unknown, err := op.UnknownMigrations(ctx)
	if err != nil {
		k.fail("cannot read the schema version of %s: %v", name, err)
		return false
	}
	if len(unknown) > 0 {
		k.fail("the database %s was upgraded by a newer GenAuth (migration %s is unknown here): run that version, or restore a backup made before the upgrade", name, unknown[len(unknown)-1])
		return false
	}
	pending, err := op.PendingMigrations(ctx)
	if err != nil {
		k.fail("cannot read the schema version of %s: %v", name, err)
		return false
	}
	if len(pending) > 0 {
		k.fail("the database %s lacks %d migration(s), up to %s: run `genauth migrate` (serve also applies them when it starts)", name, len(pending), pending[len(pending)-1])
		// An unmigrated database may lack the tables the next checks read.
		return false
	}
	k.ok("database %s answers and its schema is up to date", name)
	return true
}

// doctorSecret reads the server secret key as serve would, without creating
// the key file. found is false when there is no key yet.
func (c *cli) doctorSecret() (key []byte, where string, found bool, err error) {
	if c.secretKey != "" {
		key, err := secret.ParseKey(c.secretKey)
		if err != nil {
			return nil, "--secret-key", false, fmt.Errorf("--secret-key: %w", err)
		}
		return key, "--secret-key", true, nil
	}
	if c.databaseURL != "" {
		return nil, "", false, errors.New("--secret-key (GENAUTH_SECRET_KEY) is required with --database: every node must share it")
	}
	path := filepath.Join(c.dataDir, secretKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, path, false, nil
	}
	if err != nil {
		return nil, path, false, err
	}
	key, err = secret.ParseKey(string(b))
	if err != nil {
		return nil, path, false, fmt.Errorf("%s: %w", path, err)
	}
	return key, path, true, nil
}

func (c *cli) checkKeys(ctx context.Context, k *checkup, st doctorDB) {
	keys, err := st.ListSigningKeys(ctx)
	if err != nil {
		k.fail("cannot read the signing keys: %v", err)
		return
	}
	access, err := st.GetAccessKey(ctx)
	if errors.Is(err, model.ErrNotFound) {
		access = nil
	} else if err != nil {
		k.fail("cannot read the management access key: %v", err)
		return
	}
	key, where, found, err := c.doctorSecret()
	switch {
	case err != nil:
		k.fail("%v", err)
		return
	case !found && (len(keys) > 0 || access != nil):
		k.fail("the server secret key %s is missing, so the signing keys in the database cannot be opened: restore it from where you keep it", where)
		return
	case !found:
		k.warn("no server secret key yet (%s): serve makes it, and the signing keys, on first start", where)
		return
	}
	sealer, err := secret.NewSealer(key, rand.Reader)
	if err != nil {
		k.fail("server secret key %s: %v", where, err)
		return
	}
	bad, sealed, withAccess := 0, len(keys), ""
	if access != nil {
		sealed++
		withAccess = " and the management access key"
	}
	for _, sk := range keys {
		if _, err := sealer.Open(idtoken.SealPurpose, sk.EncryptedPrivate); err != nil {
			bad++
		}
	}
	if access != nil {
		if _, err := sealer.Open(management.SealPurpose, access.SealedSecret); err != nil {
			bad++
		}
	}
	switch {
	case bad > 0:
		k.fail("the server secret key (%s) does not open %d of the %d sealed keys in the database: it is not the key they were made under (wrong --secret-key, or secret.key from another installation)",
			where, bad, sealed)
	case len(keys) == 0:
		k.warn("no signing keys yet: serve makes them on first start")
	default:
		k.ok("the server secret key (%s) opens the %d signing key(s)%s", where, len(keys), withAccess)
	}
}

// checkClock compares now with the database: the database server's clock on
// PostgreSQL (every node must agree on expiry), the newest stored time on SQLite.
func checkClock(ctx context.Context, k *checkup, st doctorDB, now time.Time) {
	switch db := st.(type) {
	case *postgres.Store:
		theirs, err := db.ServerTime(ctx)
		if err != nil {
			k.fail("cannot read the database server's clock: %v", err)
			return
		}
		skew := now.Sub(theirs)
		if skew.Abs() > maxClockSkew {
			way := "behind"
			if skew > 0 {
				way = "ahead of"
			}
			k.fail("this machine's clock is %s %s the database server's: tokens and sessions would expire at different times on each node; synchronise the clocks (NTP)",
				skew.Abs().Round(time.Second), way)
			return
		}
		k.ok("this machine's clock agrees with the database server's (within %s)", maxClockSkew)
	case *sqlite.Store:
		newest, err := db.NewestTime(ctx)
		if err != nil {
			k.fail("cannot read the stored times: %v", err)
			return
		}
		if ahead := newest.Sub(now); ahead > time.Minute {
			k.fail("the database holds a time %s in the future (%s): this machine's clock is behind, or was set back; tokens and sessions would last too long",
				ahead.Round(time.Second), newest.Format(time.RFC3339))
			return
		}
		k.ok("no stored time is in the future of this machine's clock")
	}
}
