package ldapconn

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"

	"github.com/opengenauth/genauth/internal/model"
)

// defaultFilters find the entry a login names, by kind of directory.
var defaultFilters = map[string]string{
	model.IdPLDAP: "(uid=%s)",
	model.IdPAD:   "(sAMAccountName=%s)",
}

// defaultMappings name the attribute each profile field is read from, by
// kind of directory; a connection's Mapping overrides them field by field.
var defaultMappings = map[string]map[string]string{
	model.IdPLDAP: {
		model.ProfileSubject:  "entryUUID",
		model.ProfileUsername: "uid",
		model.ProfileEmail:    "mail",
		model.ProfileName:     "cn",
		model.ProfilePhone:    "telephoneNumber",
	},
	model.IdPAD: {
		model.ProfileSubject:  "objectGUID",
		model.ProfileUsername: "sAMAccountName",
		model.ProfileEmail:    "mail",
		model.ProfileName:     "displayName",
		model.ProfilePhone:    "telephoneNumber",
	},
}

// profileFields are the Mapping keys a directory connection reads.
var profileFields = map[string]struct{}{
	model.ProfileSubject: {}, model.ProfileEmail: {}, model.ProfileEmailVerified: {}, model.ProfilePhone: {},
	model.ProfileName: {}, model.ProfileUsername: {}, model.ProfilePicture: {},
}

// attributes are what the search asks for: the mapped attributes only.
func (cfg *config) attributes() []string {
	var attrs []string
	for _, a := range cfg.mapping {
		if !slices.ContainsFunc(attrs, func(b string) bool { return strings.EqualFold(a, b) }) {
			attrs = append(attrs, a)
		}
	}
	slices.Sort(attrs)
	return attrs
}

// profile maps entry's attributes. The email counts as verified when an
// email_verified attribute (LDAP Boolean) is mapped and TRUE, or, without
// one, when the connection trusts the directory's emails.
func (cfg *config) profile(entry *ldap.Entry) *model.UpstreamProfile {
	get := func(field string) string {
		attr, ok := cfg.mapping[field]
		if !ok {
			return ""
		}
		for _, a := range entry.Attributes {
			if strings.EqualFold(a.Name, attr) {
				if v := values(a); len(v) > 0 {
					return v[0]
				}
			}
		}
		return ""
	}
	p := &model.UpstreamProfile{
		Subject:  get(model.ProfileSubject),
		Email:    get(model.ProfileEmail),
		Phone:    get(model.ProfilePhone),
		Name:     get(model.ProfileName),
		Username: get(model.ProfileUsername),
		Picture:  get(model.ProfilePicture),
		Raw:      map[string]any{"dn": entry.DN},
	}
	if _, ok := cfg.mapping[model.ProfileEmailVerified]; ok {
		p.EmailVerified = p.Email != "" && strings.EqualFold(get(model.ProfileEmailVerified), "TRUE")
	} else {
		p.EmailVerified = p.Email != "" && cfg.trustEmail
	}
	for _, a := range entry.Attributes {
		switch v := values(a); len(v) {
		case 0:
		case 1:
			p.Raw[a.Name] = v[0]
		default:
			p.Raw[a.Name] = v
		}
	}
	return p
}

// values are an attribute's values as text: objectGUID in Active
// Directory's notation, other binary values in base64.
func values(a *ldap.EntryAttribute) []string {
	out := make([]string, 0, len(a.ByteValues))
	for _, b := range a.ByteValues {
		switch {
		case strings.EqualFold(a.Name, "objectGUID") && len(b) == 16:
			out = append(out, formatGUID(b))
		case utf8.Valid(b):
			out = append(out, string(b))
		default:
			out = append(out, base64.StdEncoding.EncodeToString(b))
		}
	}
	return out
}

// formatGUID writes a 16-byte GUID as Active Directory shows it: the first
// three fields are stored little-endian.
func formatGUID(b []byte) string {
	return fmt.Sprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%x-%x",
		b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8:10], b[10:16])
}
