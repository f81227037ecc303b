package store

import (
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
)

// MatchLogin picks the user login names among found: the users whose
// username, email or phone equals login as loginid.Normalize compares them.
// A username match wins over an email match over a phone match. Several
// users with the same normalised username exist only in a database that held
// them before usernames were unique that way (see DuplicateUsernames): the
// one whose stored username is exactly the trimmed login is meant, and when
// none is, the login is ambiguous and names nobody (model.ErrNotFound).
func MatchLogin(found []*model.User, login string) (*model.User, error) {
	l := loginid.Normalize(login)
	var byName []*model.User
	for _, u := range found {
		if u.Username != "" && loginid.UsernameKey(u.Username) == l.Username {
			byName = append(byName, u)
		}
	}
	switch len(byName) {
	case 0:
	case 1:
		return byName[0], nil
	default:
		exact := loginid.Trim(login)
		for _, u := range byName {
			if u.Username == exact {
				return u, nil
			}
		}
		return nil, model.ErrNotFound
	}
	for _, match := range []func(*model.User) bool{
		func(u *model.User) bool { return u.Email != "" && loginid.Email(u.Email) == l.Email },
		func(u *model.User) bool { return u.Phone != "" && loginid.Phone(u.Phone) == l.Phone },
	} {
		for _, u := range found {
			if match(u) {
				return u, nil
			}
		}
	}
	return nil, model.ErrNotFound
}

// GroupByUsername splits users, ordered by username key, into the groups of
// DuplicateUsernames.
func GroupByUsername(users []*model.User) [][]*model.User {
	var groups [][]*model.User
	for i, u := range users {
		if i > 0 && loginid.UsernameKey(u.Username) == loginid.UsernameKey(users[i-1].Username) {
			groups[len(groups)-1] = append(groups[len(groups)-1], u)
			continue
		}
		groups = append(groups, []*model.User{u})
	}
	return groups
}

// PickUser is the user FindUser(field, value) returns from the rows whose
// field matched: a username may match several legacy duplicates, and then
// MatchLogin decides; the other fields are unique.
func PickUser(found []*model.User, field UserField, value string) (*model.User, error) {
	switch {
	case len(found) == 0:
		return nil, model.ErrNotFound
	case field == ByUsername:
		return MatchLogin(found, value)
	}
	return found[0], nil
}

// FilterStrings are the values a string filter compares, in the form
// loginid gives them: username keys for equality on usernames (the stores
// compare them with the username key column then), trimmed lower-case
// emails, trimmed phone numbers. Filters find what sign-in finds.
func FilterStrings(f Filter) []string {
	out := make([]string, len(f.Strings))
	for i, v := range f.Strings {
		switch {
		case f.Field == FieldUsername && f.Op != OpContains:
			v = loginid.UsernameKey(v)
		case f.Field == FieldEmail:
			v = loginid.Email(v)
		case f.Field == FieldPhone:
			v = loginid.Phone(v)
		}
		out[i] = v
	}
	return out
}

// ByUsernameKey reports whether the filter compares username keys (see FilterStrings).
func ByUsernameKey(f Filter) bool { return f.Field == FieldUsername && f.Op != OpContains }
