package upgrade

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Token states, as the release that made the fixture answered for them.
const (
	Active    = "active"    // introspects active
	Revoked   = "revoked"   // revoked at the revocation endpoint, or with its refresh token
	Rotated   = "rotated"   // a refresh token replaced by its successor (past the grace period)
	Suspended = "suspended" // its user was suspended afterwards
)

// Fixture is what a test needs to know, in clear, about the data an old
// release stored: the credentials it handed out, the tokens it issued, and
// what its own CLI and APIs showed of that data just before it stopped.
type Fixture struct {
	// Release is the commit of the GenAuth release whose binary made the data.
	Release string `json:"release"`
	Backend string `json:"backend"` // "sqlite" or "postgres"
	// MadeAt is when that server stopped; every stored time is before it.
	MadeAt    time.Time `json:"made_at"`
	PublicURL string    `json:"public_url"`
	// SecretKey is the --secret-key the PostgreSQL server ran with (SQLite's
	// is the file secret.key next to the database).
	SecretKey string    `json:"secret_key,omitempty"`
	AccessKey AccessKey `json:"access_key"`
	Apps      []App     `json:"apps"`
	Users     []User    `json:"users"`
	Tokens    []Token   `json:"tokens"`
	IDTokens  []IDToken `json:"id_tokens"`
	// Session is a browser that was signed in when the server stopped.
	Session Session `json:"session"`
	// Consent is one a user gave a third-party application.
	Consent Consent `json:"consent"`
	Views   Views   `json:"views"`
}

// AccessKey is the management API's access key.
type AccessKey struct {
	ID     string `json:"access_key_id"`
	Secret string `json:"access_key_secret"`
}

// App is an application, under the name (Key) the test knows it by.
type App struct {
	Key         string `json:"key"`
	Description string `json:"description"`
	ID          string `json:"app_id"`
	Secret      string `json:"app_secret,omitempty"`
	AuthMethod  string `json:"token_endpoint_auth_method"` // client_secret_post, client_secret_basic or none
	RedirectURI string `json:"redirect_uri"`
	LogoutURI   string `json:"logout_uri,omitempty"`
	// Scopes are those its client_credentials grant asked for, if it has the grant.
	Scopes string `json:"client_credentials_scope,omitempty"`
}

// User is a user and the password they chose.
type User struct {
	Key       string `json:"key"`
	ID        string `json:"id"`
	Username  string `json:"username,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Password  string `json:"password"`
	Suspended bool   `json:"suspended,omitempty"`
	// Registered users signed up on the hosted page; the others were created
	// with the CLI or the management API.
	Registered bool `json:"registered,omitempty"`
}

// Token is an access or refresh token and what became of it.
type Token struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"` // access_token or refresh_token
	Value string `json:"value"`
	App   string `json:"app"`            // App.Key of the client it was issued to
	User  string `json:"user,omitempty"` // User.Key; empty for client_credentials
	State string `json:"state"`
	// Introspection is the old release's introspection answer for it.
	Introspection json.RawMessage `json:"introspection"`
}

// IDToken is an id token the old release signed.
type IDToken struct {
	App   string `json:"app"`
	User  string `json:"user"`
	Alg   string `json:"alg"`
	Kid   string `json:"kid"`
	Value string `json:"value"`
}

// Session is a signed-in browser's session cookie.
type Session struct {
	User   string `json:"user"`
	Cookie string `json:"cookie"` // genauth_session's value
}

// Consent is what a user allowed a third-party application.
type Consent struct {
	User  string `json:"user"`
	App   string `json:"app"`
	Scope string `json:"scope"`
}

// Views are the old release's own answers about its data, read after the
// last change: the CLI's JSON listings and the management API's data.
type Views struct {
	AppList  json.RawMessage `json:"app_list"`  // genauth app list --json
	UserList json.RawMessage `json:"user_list"` // genauth user list --json
	Audit    json.RawMessage `json:"audit"`     // genauth audit list --json --limit 10000
	// ManagementApps is list-applications' data.
	ManagementApps json.RawMessage `json:"management_apps"`
	// ManagementUsers is get-user's data, by User.Key.
	ManagementUsers map[string]json.RawMessage `json:"management_users"`
	// LoginHistory is get-user-login-history's data, by User.Key.
	LoginHistory map[string]json.RawMessage `json:"login_history"`
	JWKS         json.RawMessage            `json:"jwks"`
}

// ReadFixture reads a fixture.json.
func ReadFixture(path string) (*Fixture, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f Fixture
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &f, nil
}

// Write writes f to path as indented JSON.
func (f *Fixture) Write(path string) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// App returns the application the fixture knows as key.
func (f *Fixture) App(key string) App {
	for _, a := range f.Apps {
		if a.Key == key {
			return a
		}
	}
	panic("upgrade: the fixture has no application " + key)
}

// User returns the user the fixture knows as key.
func (f *Fixture) User(key string) User {
	for _, u := range f.Users {
		if u.Key == key {
			return u
		}
	}
	panic("upgrade: the fixture has no user " + key)
}

// Token returns the token named name.
func (f *Fixture) Token(name string) Token {
	for _, t := range f.Tokens {
		if t.Name == name {
			return t
		}
	}
	panic("upgrade: the fixture has no token " + name)
}
