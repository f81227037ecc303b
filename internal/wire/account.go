package wire

// SecurityInfo is GET /api/v3/get-security-info's data: what protects the
// account, and a score out of 100.
type SecurityInfo struct {
	PasswordSecurityLevel int  `json:"passwordSecurityLevel"`
	MFAEnrolled           bool `json:"mfaEnrolled"`
	PasswordSet           bool `json:"passwordSet"`
	EmailBinded           bool `json:"emailBinded"`
	PhoneBinded           bool `json:"phoneBinded"`
	SecurityScore         int  `json:"securityScore"`
}

// LoginHistory is a page of GET /api/v3/get-my-login-history, newest first.
type LoginHistory struct {
	TotalCount int          `json:"totalCount"`
	List       []LoginEntry `json:"list"`
}

// LoginEntry is one sign-in of the user's login history.
type LoginEntry struct {
	UserID          string          `json:"userId"`
	AppID           string          `json:"appId"`
	AppName         string          `json:"appName"`
	AppLoginURL     string          `json:"appLoginUrl"`
	AppLogo         string          `json:"appLogo"`
	LoginAt         string          `json:"loginAt"`
	ClientIP        string          `json:"clientIp"`
	Success         bool            `json:"success"`
	UserAgent       string          `json:"userAgent"`
	ParsedUserAgent ParsedUserAgent `json:"parsedUserAgent"`
	LoginMethod     string          `json:"loginMethod"`
	GeoIP           GeoIP           `json:"geoip"`
}

// ParsedUserAgent is a login's user agent taken apart.
type ParsedUserAgent struct {
	Device string `json:"device"`
	Name   string `json:"name"`
	OS     string `json:"os"`
}

// GeoIP is where a login came from.
type GeoIP struct {
	Location      GeoLocation `json:"location"`
	CountryName   string      `json:"country_name"`
	CountryCode2  string      `json:"country_code2"`
	CountryCode3  string      `json:"country_code3"`
	RegionName    string      `json:"region_name"`
	RegionCode    string      `json:"region_code"`
	CityName      string      `json:"city_name"`
	ContinentCode string      `json:"continent_code"`
	Timezone      string      `json:"timezone"`
}

// GeoLocation is a point on Earth.
type GeoLocation struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// AppEntry is an application of GET /api/v3/get-my-logged-in-apps and
// get-my-accessible-apps; Active: the user holds a session in it.
type AppEntry struct {
	AppID       string `json:"appId"`
	AppName     string `json:"appName"`
	AppLoginURL string `json:"appLoginUrl"`
	AppLogo     string `json:"appLogo"`
	Active      bool   `json:"active"`
}

// UpdateEmailGrant is verify-update-email-request's data: the token that
// update-email takes, and its lifetime in seconds.
type UpdateEmailGrant struct {
	UpdateEmailToken string `json:"updateEmailToken"`
	TokenExpiresIn   int    `json:"tokenExpiresIn"`
}

// UpdatePhoneGrant is verify-update-phone-request's data.
type UpdatePhoneGrant struct {
	UpdatePhoneToken string `json:"updatePhoneToken"`
	TokenExpiresIn   int    `json:"tokenExpiresIn"`
}

// DeleteAccountGrant is verify-delete-account-request's data.
type DeleteAccountGrant struct {
	DeleteAccountToken string `json:"deleteAccountToken"`
	TokenExpiresIn     int    `json:"tokenExpiresIn"`
}
