package passcode_test

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

var t0 = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

func TestAddress(t *testing.T) {
	for _, tt := range []struct{ kind, to, cc, want string }{
		{model.MessageEmail, " Ann@Example.COM ", "", "ann@example.com"},
		{model.MessageEmail, "ann@example.com", "+86", "ann@example.com"},
		{model.MessageSMS, " 13800000000 ", "", "13800000000"},
		{model.MessageSMS, "13800000000", "+86", "+8613800000000"},
		{model.MessageSMS, "13800000000", "86", "+8613800000000"},
		{model.MessageSMS, "+15550000000", "+86", "+15550000000"},
	} {
		if got := passcode.Address(tt.kind, tt.to, tt.cc); got != tt.want {
			t.Errorf("Address(%q, %q, %q) = %q, want %q", tt.kind, tt.to, tt.cc, got, tt.want)
		}
	}
}

type env struct {
	svc    *passcode.Service
	st     *sqlite.Store
	path   string
	sealer *secret.Sealer
	clock  *clock.Fake
}

func newEnv(t *testing.T, random []byte) *env {
	path := filepath.Join(t.TempDir(), "genauth.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(make([]byte, secret.KeyLen), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := sealer.DeriveKey(passcode.KeyPurpose)
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(t0)
	return &env{st: st, path: path, sealer: sealer, clock: c, svc: &passcode.Service{Store: st, Sealer: sealer, Key: key,
		Rand: bytes.NewReader(random), NewID: token.NewSource(rand.Reader).ID, Now: c.Now}}
}

// sent returns the messages due, opened.
func (e *env) sent(t *testing.T) []*model.Message {
	t.Helper()
	claimed, err := e.st.ClaimMessages(t.Context(), e.clock.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.Message
	for _, om := range claimed {
		m, err := outbox.Open(e.sealer, om)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestSendAndUse(t *testing.T) {
	e := newEnv(t, bytes.Repeat([]byte{0x01, 0x23, 0x45, 0x67}, 8))
	ctx := t.Context()
	target := passcode.Target{Kind: model.MessageEmail, To: "ann@example.com", Channel: "CHANNEL_LOGIN"}
	if err := e.svc.Send(ctx, target, "zh"); err != nil {
		t.Fatal(err)
	}
	msgs := e.sent(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(m.Code) {
		t.Fatalf("code %q is not 6 digits", m.Code)
	}
	want := model.Message{ID: m.ID, Kind: model.MessageEmail, To: "ann@example.com", Template: passcode.Template,
		Lang: "zh", Code: m.Code, Channel: "CHANNEL_LOGIN", Lifetime: passcode.Lifetime, CreatedAt: t0}
	if *m != want {
		t.Errorf("message = %+v, want %+v", *m, want)
	}
	// The code comes from the injected randomness: the same bytes draw it again.
	again := newEnv(t, bytes.Repeat([]byte{0x01, 0x23, 0x45, 0x67}, 8))
	if err := again.svc.Send(ctx, target, "en"); err != nil {
		t.Fatal(err)
	}
	if got := again.sent(t)[0].Code; got != m.Code {
		t.Errorf("code from the same randomness = %s, want %s", got, m.Code)
	}
	// Neither the code nor the address is stored in the clear.
	db, err := sql.Open("sqlite", e.path) // the driver sqlite registers
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, secretText := range []string{m.Code, "ann@example.com"} {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM passcodes WHERE instr(destination || code_hash, ?) > 0`,
			secretText).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%q is stored in the clear", secretText)
		}
	}

	other := target
	other.Channel = "CHANNEL_REGISTER"
	for _, tt := range []struct {
		what   string
		target passcode.Target
		code   string
		want   error
	}{
		{"another channel", other, m.Code, model.ErrWrongCode},
		{"another address", passcode.Target{Kind: model.MessageEmail, To: "bob@example.com", Channel: "CHANNEL_LOGIN"}, m.Code, model.ErrWrongCode},
		{"another kind", passcode.Target{Kind: model.MessageSMS, To: "ann@example.com", Channel: "CHANNEL_LOGIN"}, m.Code, model.ErrWrongCode},
		{"a wrong code", target, wrong(m.Code), model.ErrWrongCode},
	} {
		if err := e.svc.Check(ctx, tt.target, tt.code); !errors.Is(err, tt.want) {
			t.Errorf("%s: Check = %v, want %v", tt.what, err, tt.want)
		}
	}
	if err := e.svc.Check(ctx, target, " "+m.Code+" "); err != nil {
		t.Fatalf("Check of the right code: %v", err)
	}
	if err := e.svc.Use(ctx, target, m.Code); err != nil {
		t.Fatalf("Use: %v", err)
	}
	if err := e.svc.Use(ctx, target, m.Code); !errors.Is(err, model.ErrWrongCode) {
		t.Fatalf("second Use = %v, want ErrWrongCode", err)
	}
}

func TestTriesAndExpiry(t *testing.T) {
	e := newEnv(t, make([]byte, 64))
	ctx := t.Context()
	target := passcode.Target{Kind: model.MessageSMS, To: "+8613800000000", Channel: "CHANNEL_LOGIN"}
	send := func() string {
		t.Helper()
		if err := e.svc.Send(ctx, target, "en"); err != nil {
			t.Fatal(err)
		}
		return e.sent(t)[0].Code
	}
	code := send()
	for range passcode.MaxTries {
		if err := e.svc.Check(ctx, target, wrong(code)); !errors.Is(err, model.ErrWrongCode) {
			t.Fatalf("wrong code: %v", err)
		}
	}
	if err := e.svc.Use(ctx, target, code); !errors.Is(err, model.ErrWrongCode) {
		t.Fatalf("right code after %d wrong tries = %v, want ErrWrongCode", passcode.MaxTries, err)
	}
	e.clock.Advance(time.Minute)
	code = send() // a new code lives again
	e.clock.Advance(passcode.Lifetime - time.Millisecond)
	if err := e.svc.Check(ctx, target, code); err != nil {
		t.Fatalf("code just before its end: %v", err)
	}
	e.clock.Advance(time.Millisecond)
	if err := e.svc.Use(ctx, target, code); !errors.Is(err, model.ErrCodeExpired) {
		t.Fatalf("code at its end = %v, want ErrCodeExpired", err)
	}
	if err := e.svc.Send(ctx, passcode.Target{Kind: "fax", To: "x", Channel: "CHANNEL_LOGIN"}, "en"); !errors.Is(err, passcode.ErrTarget) {
		t.Errorf("Send of kind fax = %v, want ErrTarget", err)
	}
}

// TestUseAll: a wrong code among several spends none of the right ones;
// all right, every one is used up.
func TestUseAll(t *testing.T) {
	e := newEnv(t, bytes.Repeat([]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab}, 8))
	ctx := t.Context()
	oldAddr := passcode.Target{Kind: model.MessageEmail, To: "ann@example.com", Channel: "CHANNEL_UNBIND_EMAIL"}
	newAddr := passcode.Target{Kind: model.MessageEmail, To: "ann@example.org", Channel: "CHANNEL_UPDATE_EMAIL"}
	for _, tg := range []passcode.Target{oldAddr, newAddr} {
		if err := e.svc.Send(ctx, tg, "en"); err != nil {
			t.Fatal(err)
		}
	}
	codes := map[string]string{}
	for _, m := range e.sent(t) {
		codes[m.Channel] = m.Code
	}
	right := []passcode.Proof{{Target: oldAddr, Code: codes[oldAddr.Channel]}, {Target: newAddr, Code: codes[newAddr.Channel]}}
	if err := e.svc.UseAll(ctx, right[0], passcode.Proof{Target: newAddr, Code: wrong(right[1].Code)}); !errors.Is(err, model.ErrWrongCode) {
		t.Fatalf("UseAll with a wrong second code = %v, want ErrWrongCode", err)
	}
	if err := e.svc.UseAll(ctx, right...); err != nil {
		t.Fatalf("UseAll of the right codes after a wrong one: %v", err)
	}
	for _, p := range right {
		if err := e.svc.Check(ctx, p.Target, p.Code); !errors.Is(err, model.ErrWrongCode) {
			t.Errorf("%s after UseAll = %v, want ErrWrongCode (used up)", p.Target.Channel, err)
		}
	}
}

// wrong is a 6-digit code other than code.
func wrong(code string) string {
	if strings.HasPrefix(code, "9") {
		return "0" + code[1:]
	}
	return "9" + code[1:]
}

func TestResetToken(t *testing.T) {
	e := newEnv(t, nil)
	e.svc.Rand = rand.Reader
	ctx := t.Context()
	issue := func(user string) string {
		t.Helper()
		tok, err := e.svc.IssueResetToken(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	use := func(what, tok, wantUser string, wantErr error) {
		t.Helper()
		user, err := e.svc.UseResetToken(ctx, tok)
		if !errors.Is(err, wantErr) || user != wantUser {
			t.Fatalf("%s: got %q, %v; want %q, %v", what, user, err, wantUser, wantErr)
		}
	}
	tok := issue("usr_1")
	if len(e.sent(t)) != 0 {
		t.Fatal("a reset token was queued as a message")
	}
	enc, secret, _ := strings.Cut(tok, ".")
	db, err := sql.Open("sqlite", e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM passcodes WHERE instr(destination || code_hash, ?) > 0
		OR instr(destination || code_hash, 'usr_1') > 0`, secret).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the token or its user stored in the clear: %d, %v", n, err)
	}
	other := issue("usr_2")
	_, otherSecret, _ := strings.Cut(other, ".")
	for _, bad := range []string{"", ".", enc, enc + ".", "!!." + secret, enc + "." + otherSecret, "dXNyXzI." + secret} {
		use("malformed or foreign "+bad, bad, "", model.ErrWrongCode)
	}
	use("right", tok, "usr_1", nil)
	use("used", tok, "", model.ErrWrongCode)

	// A new token replaces the old; tokens expire after ResetLifetime.
	first := issue("usr_2")
	second := issue("usr_2")
	use("replaced", first, "", model.ErrWrongCode)
	e.clock.Advance(passcode.ResetLifetime)
	use("expired", second, "", model.ErrCodeExpired)
}
