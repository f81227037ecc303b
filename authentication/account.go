package authentication

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/opengenauth/genauth/internal/wire"
)

// SecurityInfo is what protects the user's account (GetSecurityInfo):
// PasswordSecurityLevel 0 without a password, else 1 weak to 3 strong, and
// SecurityScore out of 100.
type SecurityInfo = wire.SecurityInfo

// LoginHistory is a page of the user's sign-ins, newest first, and how many
// there are in all (TotalCount).
type LoginHistory = wire.LoginHistory

// LoginEntry is one sign-in of a LoginHistory.
type LoginEntry = wire.LoginEntry

// AppEntry is an application of GetLoggedInApps and GetAccessibleApps;
// Active: the user holds a session in it.
type AppEntry = wire.AppEntry

// ProfileUpdate are the profile fields UpdateProfile changes: a nil field is
// left as it is; CustomData, when not nil, replaces the user's custom data.
type ProfileUpdate struct {
	Username   *string        `json:"username,omitempty"`
	Name       *string        `json:"name,omitempty"`
	Nickname   *string        `json:"nickname,omitempty"`
	Photo      *string        `json:"photo,omitempty"`
	ExternalID *string        `json:"externalId,omitempty"`
	Birthdate  *string        `json:"birthdate,omitempty"`
	Address    *string        `json:"address,omitempty"`
	Gender     *string        `json:"gender,omitempty"` // M, F or U
	CustomData map[string]any `json:"customData,omitempty"`
}

// UpdateProfile changes the access token's user's profile (POST
// <AppHost>/api/v3/update-profile) and returns the updated user. A taken
// username gives an *APIError with StatusCode 409.
func (c *Client) UpdateProfile(ctx context.Context, accessToken string, p ProfileUpdate) (*User, error) {
	var u User
	if err := c.callAPI(ctx, http.MethodPost, "update-profile", p, false, accessToken, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// UpdatePassword changes the access token's user's password (POST
// <AppHost>/api/v3/update-password); oldPassword is required when the user
// has one. The user's other sessions and tokens end; accessToken stays
// valid. A wrong oldPassword gives an *APIError with StatusCode 403 and
// APICode 2006; a password the policy refuses, StatusCode 400.
func (c *Client) UpdatePassword(ctx context.Context, accessToken, oldPassword, newPassword string) error {
	body := map[string]string{}
	for _, f := range []struct{ name, pw string }{{"newPassword", newPassword}, {"oldPassword", oldPassword}} {
		if f.pw == "" && f.name == "oldPassword" {
			continue
		}
		sealed, encrypt, err := c.sealPassword(ctx, f.pw)
		if err != nil {
			return err
		}
		body[f.name] = sealed
		if encrypt != "" {
			body["passwordEncryptType"] = encrypt
		}
	}
	return c.callAPI(ctx, http.MethodPost, "update-password", body, false, accessToken, nil)
}

// GetSecurityInfo returns what protects the access token's user's account
// (GET <AppHost>/api/v3/get-security-info).
func (c *Client) GetSecurityInfo(ctx context.Context, accessToken string) (*SecurityInfo, error) {
	var info SecurityInfo
	if err := c.callAPI(ctx, http.MethodGet, "get-security-info", nil, false, accessToken, &info); err != nil {
		return nil, err
	}
	return &info, nil
}

// LoginHistoryQuery selects a page of GetLoginHistory; zero values select
// everything, page 1, 10 entries (at most 50).
type LoginHistoryQuery struct {
	AppID, ClientIP string
	Start, End      time.Time // inclusive
	Page, Limit     int
}

// GetLoginHistory returns a page of the access token's user's sign-ins
// (GET <AppHost>/api/v3/get-my-login-history).
func (c *Client) GetLoginHistory(ctx context.Context, accessToken string, q LoginHistoryQuery) (*LoginHistory, error) {
	v := url.Values{}
	for name, s := range map[string]string{"appId": q.AppID, "clientIp": q.ClientIP} {
		if s != "" {
			v.Set(name, s)
		}
	}
	for name, t := range map[string]time.Time{"start": q.Start, "end": q.End} {
		if !t.IsZero() {
			v.Set(name, strconv.FormatInt(t.UnixMilli(), 10))
		}
	}
	for name, n := range map[string]int{"page": q.Page, "limit": q.Limit} {
		if n > 0 {
			v.Set(name, strconv.Itoa(n))
		}
	}
	path := "get-my-login-history"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var h LoginHistory
	if err := c.callAPI(ctx, http.MethodGet, path, nil, false, accessToken, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// GetLoggedInApps returns the applications the access token's user holds
// a session in (GET <AppHost>/api/v3/get-my-logged-in-apps).
func (c *Client) GetLoggedInApps(ctx context.Context, accessToken string) ([]AppEntry, error) {
	return c.apps(ctx, "get-my-logged-in-apps", accessToken)
}

// GetAccessibleApps returns the applications the access token's user may
// use (GET <AppHost>/api/v3/get-my-accessible-apps), each Active when the
// user holds a session in it.
func (c *Client) GetAccessibleApps(ctx context.Context, accessToken string) ([]AppEntry, error) {
	return c.apps(ctx, "get-my-accessible-apps", accessToken)
}

func (c *Client) apps(ctx context.Context, path, accessToken string) ([]AppEntry, error) {
	var list []AppEntry
	if err := c.callAPI(ctx, http.MethodGet, path, nil, false, accessToken, &list); err != nil {
		return nil, err
	}
	return list, nil
}
