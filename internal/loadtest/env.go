package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/password"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// Seeding sizes. Users and applications are few: the scenarios measure
// token checks, and a real deployment has far more tokens than clients.
const (
	seedUsers = 100
	seedApps  = 10
	// seedBatch tokens go into the store per CreateTokens call (one transaction).
	seedBatch = 2000
	// seedChunk tokens are sorted by hash before they are stored (42 MB).
	seedChunk = 1 << 20
	// tokenTTL keeps seeded tokens live for any run length.
	tokenTTL = 24 * time.Hour
	// redirectURI is never contacted: the code flow reads the code from the 302.
	redirectURI = "http://127.0.0.1:9/callback"
	// baselinePath is the trivial handler, served by the bench's own mux only.
	baselinePath = "/bench/baseline"
	// benchPassword is every seeded user's password.
	benchPassword = "bench-password"
)

// Token kinds in the deterministic value derivation (see env.tokenValue).
const (
	kindAccess  = 'a'
	kindRefresh = 'r'
	kindRevoke  = 'v'
)

// env is a running GenAuth with seeded data and a client for it.
type env struct {
	base   string
	client *http.Client
	st     server.Store
	dbKind string

	appID, appSecret string
	users            []string // ids; access token i belongs to users[i%len(users)]
	usernames        []string // the users' usernames, in the same order
	// jwtAppID issues JWT access tokens; jwts holds one of them per worker,
	// of user userOf(i), for jwt_verify only.
	jwtAppID string
	jwts     []string
	// seed makes token values derivable from their index, so that a million
	// tokens need not be held in memory to be used.
	seed       [16]byte
	tokens     int      // live access tokens 0..tokens-1
	refresh    []string // one refresh token per worker
	sessions   []string // one browser session cookie value per worker
	revokePool int
	revokeNext atomic.Int64

	closers []func() error
}

// tokenValue derives the 40-hex-character value of token i of a kind.
func (e *env) tokenValue(kind byte, i int) string {
	var b [25]byte
	copy(b[:], e.seed[:])
	b[16] = kind
	binary.BigEndian.PutUint64(b[17:], uint64(i))
	sum := sha256.Sum256(b[:])
	return hex.EncodeToString(sum[:20])
}

func (e *env) userOf(i int) string { return e.users[i%len(e.users)] }

// close stops the server and removes the temporary database, last opened first.
func (e *env) close() error {
	var errs []error
	for i := len(e.closers) - 1; i >= 0; i-- {
		errs = append(errs, e.closers[i]())
	}
	return errors.Join(errs...)
}

// start opens a fresh database, seeds it and serves GenAuth on loopback.
func start(ctx context.Context, cfg Config, progress func(string, ...any)) (_ *env, err error) {
	e := &env{tokens: cfg.Tokens}
	if slices.Contains(cfg.Scenarios, "revoke") {
		e.revokePool = cfg.RevokePool
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.close())
		}
	}()
	if _, err := io.ReadFull(rand.Reader, e.seed[:]); err != nil {
		return nil, err
	}
	if cfg.DatabaseURL != "" {
		e.dbKind = "postgres"
		e.st, err = e.openPostgres(ctx, cfg)
	} else {
		e.dbKind = "sqlite"
		e.st, err = e.openSQLite(ctx)
	}
	if err != nil {
		return nil, err
	}
	if err := e.serve(cfg); err != nil {
		return nil, err
	}
	if err := e.seedData(ctx, cfg, progress); err != nil {
		return nil, fmt.Errorf("seeding: %w", err)
	}
	return e, nil
}

func (e *env) openSQLite(ctx context.Context) (server.Store, error) {
	dir, err := os.MkdirTemp("", "genauth-bench-")
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, func() error { return os.RemoveAll(dir) })
	st, err := sqlite.Open(filepath.Join(dir, "genauth.db"))
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, st.Close)
	return st, st.Migrate(ctx)
}

// openPostgres creates a database of its own on the server at cfg.DatabaseURL
// and drops it on close; nothing else on the server is touched.
func (e *env) openPostgres(ctx context.Context, cfg Config) (server.Store, error) {
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("%s is not a postgres:// URL", postgres.Redact(cfg.DatabaseURL))
	}
	name := "genauth_bench_" + strings.ToLower(rand.Text()[:16])
	if err := adminExec(ctx, cfg.DatabaseURL, "CREATE DATABASE "+name); err != nil {
		return nil, err
	}
	e.closers = append(e.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return adminExec(ctx, cfg.DatabaseURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u.Path = "/" + name
	st, err := postgres.Open(ctx, u.String(), postgres.Options{MaxConns: cfg.PGMaxConns, ConnectTimeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, st.Close)
	return st, st.Migrate(ctx)
}

func adminExec(ctx context.Context, serverURL, sql string) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, serverURL)
	if err != nil {
		return fmt.Errorf("postgres: connecting to %s: %w", postgres.Redact(serverURL), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("postgres: %s: %w", sql, err)
	}
	return nil
}

// serve runs cfg.Stack on 127.0.0.1 behind a mux that adds only the
// baseline handler, so the baseline pays for the same listener and server
// (and nothing of the stack: it is what GenAuth's work is compared with).
func (e *env) serve(cfg Config) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	e.base = "http://" + ln.Addr().String()
	key := make([]byte, secret.KeyLen)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		ln.Close()
		return err
	}
	h, stop, err := cfg.Stack(e.st, e.base, key)
	if err != nil {
		ln.Close()
		return err
	}
	e.closers = append(e.closers, func() error { stop(); return nil })
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+baselinePath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("/", h)
	srv := cfg.HTTPServer(mux)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	e.closers = append(e.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		if err != nil {
			srv.Close()
		}
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return err
	})
	conns := max(cfg.Concurrency, 1)
	transport := &http.Transport{
		Proxy:               nil, // loopback only, never through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: 2 * conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	e.closers = append(e.closers, func() error { transport.CloseIdleConnections(); return nil })
	e.client = &http.Client{
		Transport: transport,
		Timeout:   requestTimeout,
		// The code flow reads the authorization redirect itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return nil
}

// seedData creates the applications, users, sessions and tokens the scenarios use.
func (e *env) seedData(ctx context.Context, cfg Config, progress func(string, ...any)) error {
	now := time.Now().UTC()
	src := token.NewSource(rand.Reader)
	svc := &apps.Service{Store: e.st, Tokens: src, Now: time.Now}
	for i := range seedApps {
		app, sec, err := svc.Create(ctx, apps.CreateParams{
			Name:         fmt.Sprintf("bench app %d", i),
			RedirectURIs: []string{redirectURI},
			// Opaque, so that the figures compare with every earlier run.
			AccessTokenFormat: model.AccessTokenOpaque,
			GrantTypes: []string{model.GrantAuthorizationCode, model.GrantRefreshToken,
				model.GrantClientCredentials},
		})
		if err != nil {
			return err
		}
		if i == 0 {
			e.appID, e.appSecret = app.ID, sec
		}
	}
	// One argon2id hash (the server's parameters) for every user: seeding
	// does not pay for a hash each, and a sign-in verifies it in full anyway.
	pw, err := password.Hash(rand.Reader, benchPassword)
	if err != nil {
		return err
	}
	for i := range seedUsers {
		u := &model.User{
			ID:                src.ID(),
			Username:          fmt.Sprintf("bench%03d", i),
			Email:             fmt.Sprintf("bench%03d@example.com", i),
			EmailVerified:     true,
			PasswordHash:      pw,
			Name:              fmt.Sprintf("Bench User %d", i),
			GivenName:         "Bench",
			FamilyName:        fmt.Sprintf("User %d", i),
			PreferredUsername: fmt.Sprintf("bench%03d", i),
			Gender:            model.GenderUnknown,
			Status:            model.UserActivated,
			Locale:            "en",
			CreatedAt:         now,
			UpdatedAt:         now,
		}
		if err := e.st.CreateUser(ctx, u); err != nil {
			return err
		}
		e.users = append(e.users, u.ID)
		e.usernames = append(e.usernames, u.Username)
	}
	conns := max(cfg.Concurrency, 1)
	for i := range conns {
		id := src.SessionID()
		s := &model.Session{IDHash: token.Hash(id), UserID: e.userOf(i), AuthTime: now, CreatedAt: now,
			ExpiresAt: now.Add(tokenTTL)}
		if err := e.st.CreateSession(ctx, s); err != nil {
			return err
		}
		e.sessions = append(e.sessions, id)
	}
	if err := e.seedTokens(ctx, kindRefresh, conns, now); err != nil {
		return err
	}
	for i := range conns {
		e.refresh = append(e.refresh, e.tokenValue(kindRefresh, i))
	}
	progress("seeding %d live access tokens", e.tokens)
	if err := e.seedTokens(ctx, kindAccess, e.tokens, now); err != nil {
		return err
	}
	if e.revokePool > 0 {
		progress("seeding %d access tokens to revoke", e.revokePool)
		if err := e.seedTokens(ctx, kindRevoke, e.revokePool, now); err != nil {
			return err
		}
	}
	if slices.Contains(cfg.Scenarios, "jwt_verify") {
		return e.seedJWTs(ctx, svc, conns)
	}
	return nil
}

// seedJWTs makes an application that issues JWT access tokens and signs
// the user of each worker's session in to it at /oidc, so that the tokens
// are the server's own, signed with its current key.
func (e *env) seedJWTs(ctx context.Context, svc *apps.Service, conns int) error {
	app, sec, err := svc.Create(ctx, apps.CreateParams{
		Name:              "bench JWT app",
		RedirectURIs:      []string{redirectURI},
		AccessTokenFormat: model.AccessTokenJWT,
		GrantTypes:        []string{model.GrantAuthorizationCode},
	})
	if err != nil {
		return err
	}
	e.jwtAppID = app.ID
	for i := range conns {
		w := &worker{e: e, session: e.sessions[i]}
		r, err := w.authorizationCode(ctx, "/oidc", app.ID, sec, "openid")
		if err != nil {
			return err
		}
		var v tokenAnswer
		if r.status != http.StatusOK || json.Unmarshal(r.body, &v) != nil || strings.Count(v.AccessToken, ".") != 2 {
			return unexpected("JWT sign-in", r)
		}
		e.jwts = append(e.jwts, v.AccessToken)
	}
	return nil
}

// seedTokens stores n tokens of a kind straight through the store, in
// batches: the HTTP path would take hours for a million. The tokens go in
// chunks of seedChunk sorted by hash: random hashes would each dirty their
// own leaf page of the hash index, which at ten million tokens makes
// seeding several times slower. Ids are numbered in insertion order so
// that they append to their indexes.
func (e *env) seedTokens(ctx context.Context, kind byte, n int, now time.Time) error {
	type entry struct {
		sum [sha256.Size]byte // token.Hash's bytes, in its order
		i   int
	}
	chunk := make([]entry, 0, min(n, seedChunk))
	batch := make([]*model.Token, 0, seedBatch)
	flush := func() error {
		err := e.st.CreateTokens(ctx, batch...)
		batch = batch[:0]
		return err
	}
	seq := 0
	for start := 0; start < n; start += seedChunk {
		chunk = chunk[:0]
		for i := start; i < min(n, start+seedChunk); i++ {
			chunk = append(chunk, entry{sha256.Sum256([]byte(e.tokenValue(kind, i))), i})
		}
		slices.SortFunc(chunk, func(a, b entry) int { return bytes.Compare(a.sum[:], b.sum[:]) })
		for _, c := range chunk {
			id := fmt.Sprintf("%c%09d", kind, seq)
			seq++
			t := &model.Token{
				Hash:      token.Hash(e.tokenValue(kind, c.i)),
				ID:        id,
				Kind:      model.TokenAccess,
				GrantID:   id,
				ClientID:  e.appID,
				UserID:    e.userOf(c.i),
				Scope:     "user",
				Protocol:  model.ProtocolOAuth,
				IssuedAt:  now,
				ExpiresAt: now.Add(tokenTTL),
			}
			if kind == kindRefresh {
				t.Kind = model.TokenRefresh
			}
			batch = append(batch, t)
			if len(batch) == seedBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if len(batch) > 0 {
		return flush()
	}
	return nil
}
