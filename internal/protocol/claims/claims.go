package claims

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/wire"
)

// Claim is one name and value of a claim set.
type Claim struct {
	Name  string
	Value any
}

// Claims is a claim set that keeps its order on the wire, so responses are
// stable and golden files can pin them.
type Claims []Claim

// MarshalJSON writes the claims as one object in order.
func (c Claims) MarshalJSON() ([]byte, error) {
	buf := make([]byte, 0, 64*len(c))
	buf = append(buf, '{')
	for i, cl := range c {
		if i > 0 {
			buf = append(buf, ',')
		}
		// Claim names are GenAuth's own identifiers: nothing to escape.
		buf = append(buf, '"')
		buf = append(buf, cl.Name...)
		buf = append(buf, '"', ':')
		// Userinfo is on a hot path: the common values skip the reflection.
		var value []byte
		var err error
		switch v := cl.Value.(type) {
		case nil:
			buf = append(buf, "null"...)
		case bool:
			buf = strconv.AppendBool(buf, v)
		case int64:
			buf = strconv.AppendInt(buf, v, 10)
		case string:
			if plain(v) {
				buf = append(append(append(buf, '"'), v...), '"')
			} else {
				value, err = json.Marshal(v)
			}
		case Claims:
			// json.Marshal would check and compact this compact object again.
			value, err = v.MarshalJSON()
		default:
			value, err = json.Marshal(v)
		}
		if err != nil {
			return nil, err
		}
		buf = append(buf, value...)
	}
	return append(buf, '}'), nil
}

// plain reports whether json.Marshal would write s as itself in quotes:
// printable ASCII without the characters it escapes.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// HasScope reports whether the space-separated scope contains s.
func HasScope(scope, s string) bool { return slices.Contains(strings.Fields(scope), s) }

// IsOIDC reports whether a grant with this protocol and scope is an OpenID
// Connect one, where scopes decide the claims released.
func IsOIDC(protocol, scope string) bool {
	return protocol == model.ProtocolOIDC && HasScope(scope, "openid")
}

// userClaim is a standard claim, the scope that releases it, and its value
// in the standard format (std) or GenAuth's. A nil value is unknown: left
// out in the standard format, null in GenAuth's.
type userClaim struct {
	name  string
	scope string
	value func(u *model.User, std bool) any
}

// opt maps unknown (empty) to nil.
func opt(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// userClaims lists the standard claims in the order of the wire contract;
// wire.UserInfo reads them.
var userClaims = []userClaim{
	{wire.ClaimName, "profile", func(u *model.User, _ bool) any { return opt(u.Name) }},
	{wire.ClaimGivenName, "profile", func(u *model.User, _ bool) any { return opt(u.GivenName) }},
	{wire.ClaimFamilyName, "profile", func(u *model.User, _ bool) any { return opt(u.FamilyName) }},
	{wire.ClaimMiddleName, "profile", func(u *model.User, _ bool) any { return opt(u.MiddleName) }},
	{wire.ClaimNickname, "profile", func(u *model.User, _ bool) any { return opt(u.Nickname) }},
	{wire.ClaimPreferredUsername, "profile", func(u *model.User, _ bool) any {
		if u.PreferredUsername != "" {
			return u.PreferredUsername
		}
		return opt(u.Username)
	}},
	{wire.ClaimProfile, "profile", func(u *model.User, _ bool) any { return opt(u.Profile) }},
	{wire.ClaimPicture, "profile", func(u *model.User, _ bool) any { return opt(u.Picture) }},
	{wire.ClaimWebsite, "profile", func(u *model.User, _ bool) any { return opt(u.Website) }},
	{wire.ClaimEmail, "email", func(u *model.User, _ bool) any { return opt(u.Email) }},
	// Whether a missing address is verified says nothing: left out in the standard format.
	{wire.ClaimEmailVerified, "email", func(u *model.User, std bool) any {
		if std && u.Email == "" {
			return nil
		}
		return u.EmailVerified
	}},
	{wire.ClaimGender, "profile", func(u *model.User, std bool) any {
		if u.Gender == "" && !std {
			return model.GenderUnknown
		}
		return opt(u.Gender)
	}},
	{wire.ClaimBirthdate, "profile", func(u *model.User, _ bool) any { return opt(u.Birthdate) }},
	{wire.ClaimZoneinfo, "profile", func(u *model.User, _ bool) any { return opt(u.Zoneinfo) }},
	{wire.ClaimLocale, "profile", func(u *model.User, _ bool) any { return opt(u.Locale) }},
	{wire.ClaimPhoneNumber, "phone", func(u *model.User, _ bool) any { return opt(u.Phone) }},
	{wire.ClaimPhoneNumberVerified, "phone", func(u *model.User, std bool) any {
		if std && u.Phone == "" {
			return nil
		}
		return u.PhoneVerified
	}},
	{wire.ClaimAddress, "address", func(u *model.User, std bool) any {
		a := u.Address
		parts := Claims{
			{wire.AddressFormatted, opt(a.Formatted)},
			{wire.AddressStreetAddress, opt(a.StreetAddress)},
			{wire.AddressLocality, opt(a.Locality)},
			{wire.AddressRegion, opt(a.Region)},
			{wire.AddressPostalCode, opt(a.PostalCode)},
			{wire.AddressCountry, opt(a.Country)},
		}
		if !std {
			return parts
		}
		if a.IsZero() {
			return nil
		}
		return slices.DeleteFunc(parts, func(c Claim) bool { return c.Value == nil })
	}},
	// OpenID Connect Core 5.1 counts seconds; GenAuth sends ISO 8601 with milliseconds.
	{wire.ClaimUpdatedAt, "profile", func(u *model.User, std bool) any {
		if std {
			return u.UpdatedAt.Unix()
		}
		return u.UpdatedAt.UTC().Format(wire.UpdatedAtLayout)
	}},
}

// Names lists every user claim GenAuth can release, for discovery.
func Names() []string {
	names := []string{wire.ClaimSub}
	for _, c := range userClaims {
		names = append(names, c.name)
	}
	return names
}

// Userinfo is the user claim set for u, as userinfo answers and id
// tokens carry it. An OpenID Connect grant gets the claims its scopes
// release; a plain OAuth grant gets every standard claim, as GenAuth's SDKs
// expect. format is model.ClaimsStandard (unknown claims left out,
// updated_at in seconds) or model.ClaimsGenAuth (unknown claims null,
// updated_at an ISO 8601 string).
func Userinfo(u *model.User, protocol, scope, format string) Claims {
	out := Claims{{wire.ClaimSub, u.ID}}
	all := !IsOIDC(protocol, scope)
	std := format != model.ClaimsGenAuth
	for _, c := range userClaims {
		if !all && !HasScope(scope, c.scope) {
			continue
		}
		v := c.value(u, std)
		if v == nil && std {
			continue
		}
		out = append(out, Claim{c.name, v})
	}
	return out
}
