package envelope

import (
	"cmp"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// User is the UserDto of both APIs (the management API's User, the
// authentication API's profile). The password never leaves the server.
type User struct {
	UserID            string         `json:"userId"`
	CreatedAt         string         `json:"createdAt"`
	UpdatedAt         string         `json:"updatedAt"`
	Status            string         `json:"status"`
	Gender            string         `json:"gender"`
	EmailVerified     bool           `json:"emailVerified"`
	PhoneVerified     bool           `json:"phoneVerified"`
	UserSourceType    string         `json:"userSourceType"`
	Username          string         `json:"username,omitempty"`
	Email             string         `json:"email,omitempty"`
	Phone             string         `json:"phone,omitempty"`
	ExternalID        string         `json:"externalId,omitempty"`
	Name              string         `json:"name,omitempty"`
	Nickname          string         `json:"nickname,omitempty"`
	Photo             string         `json:"photo,omitempty"`
	LoginsCount       int            `json:"loginsCount"`
	LastLogin         string         `json:"lastLogin,omitempty"`
	LastIP            string         `json:"lastIp,omitempty"`
	GivenName         string         `json:"givenName,omitempty"`
	FamilyName        string         `json:"familyName,omitempty"`
	MiddleName        string         `json:"middleName,omitempty"`
	PreferredUsername string         `json:"preferredUsername,omitempty"`
	Profile           string         `json:"profile,omitempty"`
	Website           string         `json:"website,omitempty"`
	Birthdate         string         `json:"birthdate,omitempty"`
	Zoneinfo          string         `json:"zoneinfo,omitempty"`
	Locale            string         `json:"locale,omitempty"`
	Address           string         `json:"address,omitempty"`
	CustomData        map[string]any `json:"customData"`
}

// NewUser is u as the APIs show it.
func NewUser(u *model.User) User {
	out := User{
		UserID:            u.ID,
		CreatedAt:         ISOTime(u.CreatedAt),
		UpdatedAt:         ISOTime(u.UpdatedAt),
		Status:            cmp.Or(u.Status, model.UserActivated),
		Gender:            cmp.Or(u.Gender, model.GenderUnknown),
		EmailVerified:     u.EmailVerified,
		PhoneVerified:     u.PhoneVerified,
		UserSourceType:    cmp.Or(u.SourceType, model.UserSourceRegister),
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
