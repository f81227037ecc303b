package envelope

import (
	"cmp"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/wire"
)

// NewUser is u as the APIs show it.
func NewUser(u *model.User) wire.User {
	out := wire.User{
		UserID:            u.ID,
		CreatedAt:         ISOTime(u.CreatedAt),
		UpdatedAt:         ISOTime(u.UpdatedAt),
		Status:            cmp.Or(u.Status, model.UserActivated),
		Gender:            cmp.Or(u.Gender, model.GenderUnknown),
		EmailVerified:     u.EmailVerified,
		PhoneVerified:     u.PhoneVerified,
		UserSourceType:    cmp.Or(u.SourceType, model.UserSourceRegister),
		UserSourceID:      u.SourceID,
		Username:          u.Username,
		Email:             u.Email,
		Phone:             u.Phone,
		ExternalID:        u.ExternalID,
		Name:              u.Name,
		Nickname:          u.Nickname,
		Photo:             u.Picture,
		LoginsCount:       u.LoginsCount,
		LastIP:            u.LastIP,
		GivenName:         u.GivenName,
		FamilyName:        u.FamilyName,
		MiddleName:        u.MiddleName,
		PreferredUsername: u.PreferredUsername,
		Profile:           u.Profile,
		Website:           u.Website,
		Birthdate:         u.Birthdate,
		Zoneinfo:          u.Zoneinfo,
		Locale:            u.Locale,
		Address:           u.Address.Formatted,
		CustomData:        u.CustomData,
	}
	if !u.LastLogin.IsZero() {
		out.LastLogin = ISOTime(u.LastLogin)
	}
	if out.CustomData == nil {
		out.CustomData = map[string]any{}
	}
	return out
}

// ISOTime writes a time as the SDKs expect: ISO 8601 in UTC with milliseconds.
func ISOTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
