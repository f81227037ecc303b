package store

import (
	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/loginid"
)

// MatchLogin picks the user login names among found: the users whose
// username, email or phone equals login as loginid.Normalize compares them.
// A username match wins over an email match over a phone match. Several
// users with the same normalised username exist only in a database that held
// them before usernames were unique that way (see DuplicateUsernames): the
// one whose stored username is exactly the trimmed login is meant, and when
// none is, the login is ambiguous and names nobody (genauth.ErrNotFound).
func MatchLogin(found []*genauth.User, login string) (*genauth.User, error) {
	l := loginid.Normalize(login)
	var byName []*genauth.User
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
		return nil, genauth.ErrNotFound
	}
	for _, match := range []func(*genauth.User) bool{
		func(u *genauth.User) bool { return u.Email != "" && loginid.Email(u.Email) == l.Email },
		func(u *genauth.User) bool { return u.Phone != "" && loginid.Phone(u.Phone) == l.Phone },
	} {
		for _, u := range found {
			if match(u) {
				return u, nil
			}
		}
	}
	return nil, genauth.ErrNotFound
}

// GroupByUsername splits users, ordered by username key, into the groups of
// DuplicateUsernames.
func GroupByUsername(users []*genauth.User) [][]*genauth.User {
	var groups [][]*genauth.User
	for i, u := range users {
		if i > 0 && loginid.UsernameKey(u.Username) == loginid.UsernameKey(users[i-1].Username) {
			groups[len(groups)-1] = append(groups[len(groups)-1], u)
			continue
		}
		groups = append(groups, []*genauth.User{u})
	}
	return groups
}

// PickUser is the user FindUser(field, value) returns from the rows whose
// field matched: a username may match several legacy duplicates, and then
// MatchLogin decides; the other fields are unique.
func PickUser(found []*genauth.User, field UserField, value string) (*genauth.User, error) {
	switch {
	case len(found) == 0:
		return nil, genauth.ErrNotFound
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
