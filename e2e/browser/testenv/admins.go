package testenv

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/opengenauth/genauth/internal/account/admins"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// adminNames are the seeded administrators, one per console test file: an
// authenticator code is accepted once per 30-second step, so files that
// share one would wait for each other's steps.
var adminNames = []string{"console", "apps", "users", "idps", "audit", "a11y"}

// Admin is a seeded administrator and the secret of their authenticator.
type Admin struct {
	Username   string `json:"username"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret"`
}

// seedAdmins creates the administrators, each with a TOTP factor enrolled
// with the previous time step's code, so that the current step is theirs.
func seedAdmins(ctx context.Context, st *sqlite.Store, sealer *secret.Sealer, tokens *token.Source, userSvc *users.Service,
	rec *audit.Recorder) (map[string]Admin, error) {
	key, err := sealer.DeriveKey(mfa.KeyPurpose)
	if err != nil {
		return nil, err
	}
	factors := &mfa.Service{Store: st, Sealer: sealer, Key: key, Issuer: "GenAuth", Rand: rand.Reader, NewID: tokens.ID, Now: time.Now}
	roles := &admins.Service{Store: st, Tokens: tokens, Now: time.Now, Audit: rec}
	out := make(map[string]Admin, len(adminNames))
	for _, name := range adminNames {
		a := Admin{Username: "admin-" + name, Password: userPassword}
		u, err := userSvc.Create(ctx, users.CreateParams{Username: a.Username, Email: a.Username + "@example.com", Password: a.Password})
		if err != nil {
			return nil, err
		}
		if err := roles.Grant(ctx, u.ID, "testenv"); err != nil {
			return nil, err
		}
		setup, err := factors.NewTOTP(a.Username)
		if err != nil {
			return nil, err
		}
		code, err := totp.GenerateCodeCustom(setup.Secret, time.Now().Add(-mfa.Period), totp.ValidateOpts{
			Period: uint(mfa.Period / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return nil, err
		}
		if _, err := factors.EnrollTOTP(ctx, u.ID, setup.Secret, code); err != nil {
			return nil, err
		}
		a.TOTPSecret = setup.Secret
		out[name] = a
	}
	return out, nil
}
