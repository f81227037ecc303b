package users

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/store"
)

// Patch changes some attributes of a user: a nil field is left as it is.
type Patch struct {
	Username, Email, Phone *string
	// Password sets a new password and signs the user out everywhere.
	Password                               *string
	Name, Nickname, GivenName, FamilyName  *string
	MiddleName, PreferredUsername, Profile *string
	Photo, Website, Gender, Birthdate      *string
	Zoneinfo, Locale, Address              *string
	EmailVerified, PhoneVerified           *bool
	ExternalID                             *string
	// Status other than Activated signs the user out and blocks sign-in.
	Status     *string
	CustomData map[string]any // nil: unchanged; replaces the whole object
}

// Limits on the free-form attributes.
const (
	maxTextLen       = 1024
	maxCustomDataLen = 16 << 10
)

// applyProfile validates p's fields and sets them on u.
func applyProfile(u *model.User, p Patch) error {
	text := []struct {
		name string
		v    *string
		dst  *string
	}{
		{"name", p.Name, &u.Name}, {"nickname", p.Nickname, &u.Nickname}, {"givenName", p.GivenName, &u.GivenName},
		{"familyName", p.FamilyName, &u.FamilyName}, {"middleName", p.MiddleName, &u.MiddleName},
		{"preferredUsername", p.PreferredUsername, &u.PreferredUsername}, {"profile", p.Profile, &u.Profile},
		{"photo", p.Photo, &u.Picture}, {"website", p.Website, &u.Website}, {"birthdate", p.Birthdate, &u.Birthdate},
		{"zoneinfo", p.Zoneinfo, &u.Zoneinfo}, {"locale", p.Locale, &u.Locale}, {"address", p.Address, &u.Address.Formatted},
		{"externalId", p.ExternalID, &u.ExternalID},
	}
	for _, f := range text {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		if len(v) > maxTextLen || !utf8.ValidString(v) {
			return invalid("%s must be valid text of at most %d bytes", f.name, maxTextLen)
		}
		*f.dst = v
	}
	if p.Username != nil {
		username, err := normalizeUsername(*p.Username)
		if err != nil {
			return err
		}
		u.Username = username
	}
	if p.Email != nil {
		u.Email = loginid.Email(*p.Email)
	}
	if p.Phone != nil {
		u.Phone = loginid.Phone(*p.Phone)
	}
	if p.EmailVerified != nil {
		u.EmailVerified = *p.EmailVerified
	}
	if p.PhoneVerified != nil {
		u.PhoneVerified = *p.PhoneVerified
	}
	if p.Gender != nil {
		switch g := strings.ToUpper(strings.TrimSpace(*p.Gender)); g {
		case model.GenderMale, model.GenderFemale, model.GenderUnknown:
			u.Gender = g
		case "":
			u.Gender = model.GenderUnknown
		default:
			return invalid("gender must be M, F or U")
		}
	}
	if p.Status != nil {
		st, ok := ParseStatus(*p.Status)
		if !ok {
			return invalid("status must be Activated, Suspended or Deactivated")
		}
		u.Status = st
	}
	if p.CustomData != nil {
		b, err := json.Marshal(p.CustomData)
		if err != nil || len(b) > maxCustomDataLen {
			return invalid("customData must be a JSON object of at most %d bytes", maxCustomDataLen)
		}
		u.CustomData = p.CustomData
		if len(p.CustomData) == 0 {
			u.CustomData = nil
		}
	}
	return nil
}

// ParseStatus returns the status named s (any case).
func ParseStatus(s string) (string, bool) {
	for _, st := range []string{model.UserActivated, model.UserSuspended, model.UserDeactivated} {
		if strings.EqualFold(strings.TrimSpace(s), st) {
			return st, true
		}
	}
	return "", false
}

// Update applies p to the user id. A new password or a status other than
// Activated ends the user's sessions and revokes their tokens in the same step.
func (s *Service) Update(ctx context.Context, id string, p Patch) (*model.User, error) {
	u, err := s.Store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	wasActive := Active(u)
	// A user created without a login (an upstream sign-in's) may stay so.
	hadLogin := u.Username != "" || u.Email != "" || u.Phone != ""
	if err := applyProfile(u, p); err != nil {
		return nil, err
	}
	if err := validateLogins(u, !hadLogin); err != nil {
		return nil, err
	}
	signOut := wasActive && !Active(u)
	if p.Password != nil {
		if err := ValidatePassword(*p.Password); err != nil {
			return nil, err
		}
		if u.PasswordHash, err = s.Hashing.Hash(ctx, s.Rand, *p.Password); err != nil {
			return nil, err
		}
		signOut = true
	}
	u.UpdatedAt = s.Now().UTC()
	if err := s.Store.UpdateUser(ctx, u, signOut); err != nil {
		return nil, err
	}
	return s.Store.GetUser(ctx, id)
}

// SetPassword gives the user id the new password pw and ends their
// sessions and tokens, except the token whose hash is keep: the caller's
// own, when a signed-in user changes their password.
func (s *Service) SetPassword(ctx context.Context, id, pw, keep string) error {
	if err := ValidatePassword(pw); err != nil {
		return err
	}
	hash, err := s.Hashing.Hash(ctx, s.Rand, pw)
	if err != nil {
		return err
	}
	return s.Store.SetPassword(ctx, id, hash, s.Now().UTC(), keep)
}

// CheckPassword reports whether pw is u's password; a user without one has
// none that matches, after the same work.
func (s *Service) CheckPassword(ctx context.Context, u *model.User, pw string) (bool, error) {
	if u.PasswordHash == "" || pw == "" || len(pw) > MaxPasswordLen {
		if err := s.verifyDummy(ctx, pw); !errors.Is(err, model.ErrBadCredentials) {
			return false, err
		}
		return false, nil
	}
	return s.Hashing.Verify(ctx, u.PasswordHash, pw)
}

// CreateBatch validates every entry, then stores all of them or none. A bad
// entry gives a *store.EntryError naming it.
func (s *Service) CreateBatch(ctx context.Context, list []CreateParams) ([]*model.User, error) {
	users := make([]*model.User, len(list))
	for i, p := range list {
		u, err := s.newUser(ctx, p)
		if err != nil {
			return nil, &store.EntryError{Index: i, Err: err}
		}
		users[i] = u
	}
	if err := s.Store.CreateUsers(ctx, users); err != nil {
		return nil, err
	}
	return users, nil
}

// Delete removes the users and everything they hold, all or none.
func (s *Service) Delete(ctx context.Context, ids []string) error {
	return s.Store.DeleteUsers(ctx, ids)
}

// Id types of Find.
const (
	IDTypeUserID     = "user_id"
	IDTypeExternalID = "external_id"
	IDTypePhone      = "phone"
	IDTypeEmail      = "email"
	IDTypeUsername   = "username"
)

// Find returns the user whose attribute idType (default user_id) is value.
func (s *Service) Find(ctx context.Context, idType, value string) (*model.User, error) {
	switch idType {
	case "", IDTypeUserID:
		if value == "" {
			return nil, model.ErrNotFound
		}
		return s.Store.GetUser(ctx, value)
	case IDTypeExternalID:
		return s.Store.FindUser(ctx, store.ByExternalID, value)
	case IDTypePhone:
		return s.Store.FindUser(ctx, store.ByPhone, value)
	case IDTypeEmail:
		return s.Store.FindUser(ctx, store.ByEmail, value)
	case IDTypeUsername:
		return s.Store.FindUser(ctx, store.ByUsername, value)
	}
	return nil, invalid("userIdType must be user_id, external_id, phone, email or username")
}

// Exists reports whether some user has the username, email, phone or
// external id given (any one of them matching is enough).
func (s *Service) Exists(ctx context.Context, username, email, phone, externalID string) (bool, error) {
	for _, c := range []struct {
		f store.UserField
		v string
	}{{store.ByUsername, username}, {store.ByEmail, email}, {store.ByPhone, phone}, {store.ByExternalID, externalID}} {
		if c.v == "" {
			continue
		}
		_, err := s.Store.FindUser(ctx, c.f, strings.TrimSpace(c.v))
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, model.ErrNotFound) {
			return false, err
		}
	}
	return false, nil
}

// Query returns a page of users and how many match.
func (s *Service) Query(ctx context.Context, q store.UserQuery) ([]*model.User, int, error) {
	return s.Store.QueryUsers(ctx, q)
}

// List returns every user, oldest first.
func (s *Service) List(ctx context.Context) ([]*model.User, error) {
	return s.Store.ListUsers(ctx)
}

// Kick ends the user's sessions and revokes their tokens for the apps given
// (every app when none is given): the server side of backend logout.
// Unknown apps give an error wrapping model.ErrNotFound that names them.
func (s *Service) Kick(ctx context.Context, userID string, appIDs []string) error {
	if _, err := s.Store.GetUser(ctx, userID); err != nil {
		return err
	}
	for _, id := range appIDs {
		if err := s.checkApp(ctx, id); err != nil {
			return err
		}
	}
	return s.Store.SignOutUser(ctx, userID, appIDs, s.Now().UTC())
}

// RecordLogin adds a login at the hosted pages to the user's history.
func (s *Service) RecordLogin(ctx context.Context, userID, appID, clientIP, userAgent string) error {
	return s.RecordLoginBy(ctx, "", userID, appID, clientIP, userAgent)
}

// RecordLoginBy is RecordLogin of a sign-in by method ("passkey"; "": not told).
func (s *Service) RecordLoginBy(ctx context.Context, method, userID, appID, clientIP, userAgent string) error {
	// A header, not a parameter (the edge checks those): made text here,
	// since PostgreSQL stores nothing else.
	userAgent = strings.ToValidUTF8(strings.ReplaceAll(userAgent, "\x00", ""), "\uFFFD")
	return s.Store.RecordLogin(ctx, &model.LoginRecord{
		UserID:    userID,
		AppID:     appID,
		ClientIP:  clip(clientIP, 64),
		UserAgent: clip(userAgent, 512),
		Time:      s.Now().UTC(),
		Method:    method,
	})
}

// clip shortens v to at most n bytes on a character boundary.
func clip(v string, n int) string {
	if len(v) <= n {
		return v
	}
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n]
}

// LoginHistory returns a page of the user's logins, newest first.
func (s *Service) LoginHistory(ctx context.Context, q store.LoginQuery) ([]*model.LoginRecord, int, error) {
	if _, err := s.Store.GetUser(ctx, q.UserID); err != nil {
		return nil, 0, err
	}
	return s.Store.ListLogins(ctx, q)
}

// LoggedInApps returns the applications the user holds an active token for.
func (s *Service) LoggedInApps(ctx context.Context, userID string) ([]*model.Application, error) {
	if _, err := s.Store.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	ids, err := s.Store.ActiveClients(ctx, userID, s.Now())
	if err != nil {
		return nil, err
	}
	var out []*model.Application
	for _, id := range ids {
		app, err := s.Store.GetApplication(ctx, id)
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, app)
	}
	return out, nil
}

// SessionActive reports whether the user holds an active token of the app.
func (s *Service) SessionActive(ctx context.Context, userID, appID string) (bool, error) {
	if _, err := s.Store.GetUser(ctx, userID); err != nil {
		return false, err
	}
	if err := s.checkApp(ctx, appID); err != nil {
		return false, err
	}
	ids, err := s.Store.ActiveClients(ctx, userID, s.Now())
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if id == appID {
			return true, nil
		}
	}
	return false, nil
}

// ActiveUsers returns a page of the users holding an active token of the app.
func (s *Service) ActiveUsers(ctx context.Context, appID string, offset, limit int) ([]*model.User, int, error) {
	if err := s.checkApp(ctx, appID); err != nil {
		return nil, 0, err
	}
	return s.Store.ActiveUsers(ctx, appID, s.Now(), offset, limit)
}

// ErrUnknownApplication wraps model.ErrNotFound for an application id
// given to a user operation, so that callers can tell it from an unknown user.
var ErrUnknownApplication = fmt.Errorf("application %w", model.ErrNotFound)

// checkApp returns ErrUnknownApplication, naming the id, when the app does not exist.
func (s *Service) checkApp(ctx context.Context, id string) error {
	_, err := s.Store.GetApplication(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("%s: %w", id, ErrUnknownApplication)
	}
	return err
}
