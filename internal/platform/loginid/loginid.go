package loginid

import (
	"strings"
	"unicode"

	"golang.org/x/text/secure/precis"
)

// Trim removes the white space around s, Unicode's included (no-break,
// ideographic and other spaces that a copy and paste brings along).
func Trim(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }

// Username returns the form in which the username s is stored: trimmed, in
// RFC 8265's UsernameCasePreserved profile (fullwidth letters made ASCII,
// NFC), case kept for display. It fails for what either username profile
// refuses: spaces inside, symbols and controls outside ASCII, mixed
// directions. Nothing but white space gives "".
func Username(s string) (string, error) {
	u, err := precis.UsernameCasePreserved.String(Trim(s))
	if err != nil {
		return "", err
	}
	if _, err := precis.UsernameCaseMapped.String(u); err != nil {
		return "", err
	}
	return u, nil
}

// UsernameKey is what usernames are compared and made unique by: the
// UsernameCaseMapped form of s, trimmed. A string the profile refuses (a
// username stored before the profile applied, or anything typed at sign-in)
// is its own key, trimmed: no output of the profile equals it (the profile is
// idempotent), so it matches only itself.
func UsernameKey(s string) string {
	s = Trim(s)
	if k, err := precis.UsernameCaseMapped.String(s); err == nil {
		return k
	}
	return s
}

// Email is an email address as compared: trimmed and lower-cased.
func Email(s string) string { return strings.ToLower(Trim(s)) }

// Phone is a phone number as compared: trimmed.
func Phone(s string) string { return Trim(s) }

// Login is a typed login in the form each kind of login is compared in.
type Login struct {
	Username, Email, Phone string
}

// Normalize returns login as a username key, an email and a phone number:
// the one function every path uses to look a login up or count it.
func Normalize(login string) Login {
	return Login{Username: UsernameKey(login), Email: Email(login), Phone: Phone(login)}
}
