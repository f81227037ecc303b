package store

import "time"

// UserField names a unique user attribute FindUser can look up by.
type UserField string

// Fields FindUser accepts.
const (
	ByUsername   UserField = "username"
	ByEmail      UserField = "email" // compared case-insensitively
	ByPhone      UserField = "phone"
	ByExternalID UserField = "external_id"
)

// Filter operators of UserQuery.
const (
	OpEqual    = "EQUAL"
	OpNotEqual = "NOT_EQUAL"
	OpContains = "CONTAINS" // case-insensitive substring
	OpIn       = "IN"
	OpGreater  = "GREATER"
	OpLesser   = "LESSER"
	OpBetween  = "BETWEEN" // inclusive, two values
	OpIsNull   = "IS_NULL" // unset (empty string, zero time)
	OpNotNull  = "NOT_NULL"
)

// Filterable user fields: string fields take Strings, time fields Times.
const (
	FieldStatus     = "status"
	FieldUsername   = "username"
	FieldEmail      = "email"
	FieldPhone      = "phone"
	FieldName       = "name"
	FieldNickname   = "nickname"
	FieldExternalID = "externalId"
	FieldCreatedAt  = "createdAt"
	FieldUpdatedAt  = "updatedAt"
	FieldLastLogin  = "lastLogin"
)

// IsTimeField reports whether f is compared as a time.
func IsTimeField(f string) bool {
	return f == FieldCreatedAt || f == FieldUpdatedAt || f == FieldLastLogin
}

// Filter is one condition on a user field. The service layer validates it:
// stores may assume a known field, a known operator and the right number of
// values (IN: one or more, BETWEEN: two, IS_NULL/NOT_NULL: none, else one).
type Filter struct {
	Field   string
	Op      string
	Strings []string
	Times   []time.Time
}

// Sort orders a user list by a filterable field.
type Sort struct {
	Field string
	Desc  bool
}

// UserQuery selects a page of users. Every condition must hold.
type UserQuery struct {
	// Keywords matches a case-insensitive substring of the username, email,
	// phone, name or nickname.
	Keywords string
	Filters  []Filter
	// Sort applies in order; ties end oldest first.
	Sort          []Sort
	Offset, Limit int // Limit > 0
}

// LoginQuery selects a page of a user's login history, newest first.
type LoginQuery struct {
	UserID   string
	AppID    string    // empty: any
	ClientIP string    // empty: any
	Start    time.Time // zero: no bound; inclusive
	End      time.Time // zero: no bound; inclusive
	Offset   int
	Limit    int // > 0
}

// EntryError says which entry of a batch failed; the batch changed nothing.
type EntryError struct {
	Index int
	Err   error
}

func (e *EntryError) Error() string { return e.Err.Error() }

func (e *EntryError) Unwrap() error { return e.Err }

// UserPage selects a page of users for a keyset-paginated list.
type UserPage struct {
	// Search is "" for every user, newest first. Otherwise it finds the user
	// with this exact id, then the users whose username (as loginid.UsernameKey
	// compares it), email (as loginid.Email) or phone (as loginid.Phone)
	// starts with it, through index range scans only.
	Search string
	// After is the previous page's next cursor; "" is the first page.
	After string
	Limit int // 1..MaxUserPage
}

// MaxUserPage is the largest UserPage.Limit.
const MaxUserPage = 200

// AuditQuery selects audit events; zero fields match everything.
type AuditQuery struct {
	Type     string
	UserID   string
	ClientID string
	Since    time.Time
	Until    time.Time
	// Before is the previous page's next cursor: the events listed after
	// it, older ones; "" starts with the newest.
	Before string
	Limit  int // 0: 100; at most 10,000
}

// RowLimit is the number of rows the query asks for.
func (q AuditQuery) RowLimit() int {
	if q.Limit <= 0 {
		return 100
	}
	return min(q.Limit, 10000)
}
