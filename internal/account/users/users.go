package users

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/opengenauth/genauth/internal/account/users/commonpw"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/platform/password"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// Password length limits: at least 8 characters; at most 256 so that hashing
// cannot be turned into a denial of service.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 256
	maxUsernameLen = 64
	maxEmailLen    = 254
)

// Service creates users and checks their passwords.
type Service struct {
	Store  Store
	Tokens *token.Source
	Rand   io.Reader // salts
	Now    func() time.Time
	// Hashing bounds the password hashes and verifications running at once;
	// when it is full, they fail with model.ErrBusy. Nil: no bound (the
	// CLI, which hashes one password at a time and may wait).
	Hashing *password.Limiter
}

// CreateParams describe a new user. At least one of Username, Email and Phone is required.
type CreateParams struct {
	Username string
	Email    string
	Phone    string
	Password string
	Name     string
	// NoPassword allows an empty Password: the user cannot sign in until one is set.
	NoPassword bool
	// NoLogin allows a user without username, email and phone: one who
	// signs in through an upstream identity provider only.
	NoLogin bool
	// SourceType says how the user came to be; default UserSourceRegister.
	SourceType string
	// SourceID is the application a self-registered user signs up through.
	SourceID string
	// Profile sets further attributes (the management API's create-user).
	Profile Patch
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", model.ErrInvalidInput, fmt.Sprintf(format, args...))
}

// Create validates p and stores the new user. A taken username, email,
// phone or external id gives model.ErrConflict.
func (s *Service) Create(ctx context.Context, p CreateParams) (*model.User, error) {
	u, err := s.newUser(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// New validates p and returns the user Create would store, without
// storing it: for a caller that stores the user together with something
// else (an upstream identity).
func (s *Service) New(ctx context.Context, p CreateParams) (*model.User, error) {
	return s.newUser(ctx, p)
}

// newUser validates p and returns the user to store, password hashed.
func (s *Service) newUser(ctx context.Context, p CreateParams) (*model.User, error) {
	username, err := normalizeUsername(p.Username)
	if err != nil {
		return nil, err
	}
	u := &model.User{
		Username:   username,
		Email:      loginid.Email(p.Email),
		Phone:      loginid.Phone(p.Phone),
		Name:       strings.TrimSpace(p.Name),
		Gender:     model.GenderUnknown,
		Status:     model.UserActivated,
		SourceType: p.SourceType,
		SourceID:   p.SourceID,
	}
	if u.SourceType == "" {
		u.SourceType = model.UserSourceRegister
	}
	if err := applyProfile(u, p.Profile); err != nil {
		return nil, err
	}
	if err := validateLogins(u, p.NoLogin); err != nil {
		return nil, err
	}
	if p.Password != "" || !p.NoPassword {
		if err := ValidatePassword(p.Password); err != nil {
			return nil, err
		}
		hash, err := s.Hashing.Hash(ctx, s.Rand, p.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = hash
	}
	now := s.Now().UTC()
	u.ID = s.Tokens.ID()
	u.CreatedAt, u.UpdatedAt = now, now
	return u, nil
}

// validateLogins checks the login fields: at least one unless none may
// be, each well formed.
func validateLogins(u *model.User, none bool) error {
	if !none && u.Username == "" && u.Email == "" && u.Phone == "" {
		return invalid("a username, email or phone number is required")
	}
	if err := validateUsername(u.Username); err != nil {
		return err
	}
	if err := ValidateEmail(u.Email); err != nil {
		return err
	}
	return validatePhone(u.Phone)
}

// Authenticate returns the user whose username, email or phone is login and
// whose password is pw. Unknown logins and wrong passwords both give
// model.ErrBadCredentials after the same hashing work.
func (s *Service) Authenticate(ctx context.Context, login, pw string) (*model.User, error) {
	login = loginid.Trim(login)
	if login == "" || pw == "" || len(pw) > MaxPasswordLen || len(login) > maxEmailLen {
		return nil, model.ErrBadCredentials
	}
	u, err := s.Store.FindUserByLogin(ctx, login)
	if errors.Is(err, model.ErrNotFound) {
		return nil, s.verifyDummy(ctx, pw)
	}
	if err != nil {
		return nil, err
	}
	if u.PasswordHash == "" {
		return nil, s.verifyDummy(ctx, pw)
	}
	ok, err := s.Hashing.Verify(ctx, u.PasswordHash, pw)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, model.ErrBadCredentials
	}
	// Told only to someone who knows the password.
	if !Active(u) {
		return nil, model.ErrSuspended
	}
	return u, nil
}

// Active reports whether u may sign in and use tokens. Users stored before
// statuses existed count as Activated.
func Active(u *model.User) bool {
	return u.Status == "" || u.Status == model.UserActivated
}

// verifyDummy does the work of a wrong password, within the same limit, for
// a login that has no password to check: it costs what a real one costs.
// It returns model.ErrBadCredentials, or why the work could not be done.
func (s *Service) verifyDummy(ctx context.Context, pw string) error {
	if _, err := s.Hashing.Verify(ctx, password.Dummy, pw); err != nil {
		return err
	}
	return model.ErrBadCredentials
}

// ValidatePassword checks a new password: its length, and that it is not
// a common password (in any case) nor made of white space or of one
// character repeated (NIST SP 800-63B section 3.1.1.2).
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return invalid("the password must have at least %d characters", MinPasswordLen)
	}
	if len(pw) > MaxPasswordLen {
		return invalid("the password must have at most %d bytes", MaxPasswordLen)
	}
	if !utf8.ValidString(pw) {
		return invalid("the password is not valid UTF-8")
	}
	if strings.TrimFunc(pw, unicode.IsSpace) == "" || oneRune(pw) || commonpw.Contains(pw) {
		return invalid("the password is too common or too easy to guess")
	}
	return nil
}

// oneRune reports whether s repeats a single character.
func oneRune(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}

// normalizeUsername is the username to store for v: see loginid.Username.
func normalizeUsername(v string) (string, error) {
	u, err := loginid.Username(v)
	if err != nil {
		return "", invalid("the username may contain only letters, digits, '.', '_' and '-'")
	}
	return u, nil
}

func validateUsername(v string) error {
	if v == "" {
		return nil
	}
	if len(v) > maxUsernameLen {
		return invalid("the username must have at most %d characters", maxUsernameLen)
	}
	allDigits := true
	for _, r := range v {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-", r)) {
			return invalid("the username may contain only letters, digits, '.', '_' and '-'")
		}
		if !unicode.IsDigit(r) {
			allDigits = false
		}
	}
	// A username that looks like a phone number would make logins ambiguous.
	if allDigits {
		return invalid("the username must contain a letter")
	}
	return nil
}

// ValidateEmail checks an email address in its stored form (trimmed,
// lower-case) as Create and Update do, so that a form can refuse one before
// a code is sent to it; "" is no address and valid.
func ValidateEmail(v string) error {
	if v == "" {
		return nil
	}
	if len(v) > maxEmailLen {
		return invalid("the email address is too long")
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return invalid("%q is not an email address", v)
	}
	return nil
}

func validatePhone(v string) error {
	if v == "" {
		return nil
	}
	digits := strings.TrimPrefix(v, "+")
	if len(digits) < 5 || len(digits) > 20 {
		return invalid("the phone number must have 5 to 20 digits")
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return invalid("the phone number may contain only digits after an optional '+'")
		}
	}
	return nil
}
