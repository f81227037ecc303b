package management

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/wire"
)

// getManagementToken exchanges the access key for a management token.
func (h *Handler) getManagementToken(r *request) (any, *envelope.Error) {
	id, e := r.params.Text("accessKeyId")
	if e != nil {
		return nil, e
	}
	sec, e := r.params.Text("accessKeySecret")
	if e != nil {
		return nil, e
	}
	c, err := h.keys.Load(r.ctx())
	if err != nil {
		return nil, h.wr.Internal(r.Request, "loading the access key", err)
	}
	// Both compared in constant time, and both always.
	idOK := hmacEqual(id, c.ID)
	secretOK := hmacEqual(sec, c.Secret)
	if !idOK || !secretOK {
		return nil, &envelope.Error{Status: http.StatusUnauthorized, APICode: codeBadLogin, Message: "wrong accessKeyId or accessKeySecret"}
	}
	return map[string]any{"access_token": issueToken(c, h.now()), "expires_in": int64(TokenTTL / time.Second)}, nil
}

// patchFrom reads the user attributes of a create-user or update-user body.
func patchFrom(o envelope.Object) (users.Patch, *envelope.Error) {
	var p users.Patch
	text := []struct {
		name string
		dst  **string
	}{
		{"username", &p.Username}, {"email", &p.Email}, {"phone", &p.Phone}, {"password", &p.Password},
		{"name", &p.Name}, {"nickname", &p.Nickname}, {"givenName", &p.GivenName}, {"familyName", &p.FamilyName},
		{"middleName", &p.MiddleName}, {"preferredUsername", &p.PreferredUsername}, {"profile", &p.Profile},
		{"photo", &p.Photo}, {"website", &p.Website}, {"gender", &p.Gender}, {"birthdate", &p.Birthdate},
		{"zoneinfo", &p.Zoneinfo}, {"locale", &p.Locale}, {"address", &p.Address}, {"externalId", &p.ExternalID},
		{"status", &p.Status},
	}
	for _, f := range text {
		v, e := o.Str(f.name)
		if e != nil {
			return p, e
		}
		*f.dst = v
	}
	var e *envelope.Error
	if p.EmailVerified, e = o.Bool("emailVerified"); e != nil {
		return p, e
	}
	if p.PhoneVerified, e = o.Bool("phoneVerified"); e != nil {
		return p, e
	}
	if p.CustomData, e = o.AnyMap("customData"); e != nil {
		return p, e
	}
	opts, e := o.Obj("options")
	if e != nil {
		return p, e
	}
	// Passwords arrive in clear over TLS; encrypted forms are not supported.
	if enc, e := opts.Text("passwordEncryptType"); e != nil {
		return p, e
	} else if enc != "" && enc != "none" {
		return p, envelope.BadRequest("options.passwordEncryptType %q is not supported: send the password with \"none\"", enc)
	}
	return p, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// newUserParams reads a create-user body.
func newUserParams(o envelope.Object) (users.CreateParams, *envelope.Error) {
	p, e := patchFrom(o)
	if e != nil {
		return users.CreateParams{}, e
	}
	c := users.CreateParams{
		Username:   deref(p.Username),
		Email:      deref(p.Email),
		Phone:      deref(p.Phone),
		Password:   deref(p.Password),
		NoPassword: true,
		SourceType: model.UserSourceAdmin,
	}
	p.Username, p.Email, p.Phone, p.Password = nil, nil, nil, nil
	c.Profile = p
	return c, nil
}

func (h *Handler) createUser(r *request) (any, *envelope.Error) {
	p, e := newUserParams(r.params)
	if e != nil {
		return nil, e
	}
	u, err := h.cfg.Users.Create(r.ctx(), p)
	if err != nil {
		return nil, r.fail("creating a user", err, codeUserNotFound)
	}
	return envelope.NewUser(u), nil
}

func (h *Handler) createUsersBatch(r *request) (any, *envelope.Error) {
	list, e := r.params.Objects("list")
	if e != nil {
		return nil, e
	}
	if len(list) == 0 {
		return nil, envelope.BadRequest("list must hold at least one user")
	}
	if len(list) > maxBatch {
		return nil, envelope.BadRequest("list may hold at most %d users", maxBatch)
	}
	// Batch-wide options apply to every entry that has none of its own.
	opts, _ := r.params.Raw("options")
	params := make([]users.CreateParams, len(list))
	for i, o := range list {
		if opts != nil {
			o.Default("options", opts)
		}
		if params[i], e = newUserParams(o); e != nil {
			return nil, e
		}
	}
	created, err := h.cfg.Users.CreateBatch(r.ctx(), params)
	if err != nil {
		return nil, r.fail("creating users", err, codeUserNotFound)
	}
	return newUserList(created), nil
}

// maxBatch bounds the entries of one batch call: each new password costs an
// argon2id hash, and the call must end well within the server's write timeout.
const maxBatch = 100

// userIDType reads userIdType from the body's top level or its options.
func userIDType(o envelope.Object) (string, *envelope.Error) {
	t, e := o.Text("userIdType")
	if e != nil || t != "" {
		return t, e
	}
	opts, e := o.Obj("options")
	if e != nil {
		return "", e
	}
	return opts.Text("userIdType")
}

// findUser resolves an id of the given type, mapping failures to the envelope.
// bodyUser finds the user the body's userId names, by its userIdType (or
// options.userIdType).
func (r *request) bodyUser() (*model.User, *envelope.Error) {
	id, e := r.params.Text("userId")
	if e != nil {
		return nil, e
	}
	idType, e := userIDType(r.params)
	if e != nil {
		return nil, e
	}
	return r.findUser(idType, id)
}

// queryUser finds the user the query's userId names, by its userIdType.
func (r *request) queryUser() (*model.User, *envelope.Error) {
	return r.findUser(r.query.Text("userIdType"), r.query.Text("userId"))
}

func (r *request) findUser(idType, id string) (*model.User, *envelope.Error) {
	if strings.TrimSpace(id) == "" {
		return nil, envelope.BadRequest("userId is required")
	}
	u, err := r.h.cfg.Users.Find(r.ctx(), idType, strings.TrimSpace(id))
	if err != nil {
		return nil, r.fail("finding a user", err, codeUserNotFound)
	}
	return u, nil
}

func (h *Handler) getUser(r *request) (any, *envelope.Error) {
	u, e := r.queryUser()
	if e != nil {
		return nil, e
	}
	return envelope.NewUser(u), nil
}

// getUserBatch returns the users found, in the order asked, skipping unknown ids.
func (h *Handler) getUserBatch(r *request) (any, *envelope.Error) {
	ids := r.query.List("userIds")
	if len(ids) == 0 {
		return nil, envelope.BadRequest("userIds is required")
	}
	if len(ids) > maxBatch {
		return nil, envelope.BadRequest("userIds may hold at most %d ids", maxBatch)
	}
	var found []*model.User
	for _, id := range ids {
		u, e := r.findUser(r.query.Text("userIdType"), id)
		if e != nil && e.APICode == codeUserNotFound {
			continue
		}
		if e != nil {
			return nil, e
		}
		found = append(found, u)
	}
	return newUserList(found), nil
}

// userList is the data of the list calls.
type userList struct {
	TotalCount int         `json:"totalCount"`
	List       []wire.User `json:"list"`
}

func (h *Handler) listUsersGet(r *request) (any, *envelope.Error) {
	pageNo, e := r.query.Int("page")
	if e != nil {
		return nil, e
	}
	limit, e := r.query.Int("limit")
	if e != nil {
		return nil, e
	}
	q := store.UserQuery{Keywords: r.query.Text("keywords")}
	q.Offset, q.Limit = envelope.Page(pageNo, limit)
	// The Node SDK sends its unset filters as false.
	if st := r.query.Text("status"); st != "" && !strings.EqualFold(st, "false") {
		status, ok := users.ParseStatus(st)
		if !ok {
			return nil, envelope.BadRequest("status must be Activated, Suspended or Deactivated")
		}
		q.Filters = append(q.Filters, store.Filter{Field: store.FieldStatus, Op: store.OpEqual, Strings: []string{status}})
	}
	for _, b := range []struct {
		name string
		op   string
	}{{"updatedAtStart", ">="}, {"updatedAtEnd", "<="}} {
		if s := r.query.Text(b.name); s == "" || strings.EqualFold(s, "false") {
			continue
		}
		ms, e := r.query.Int(b.name)
		if e != nil {
			return nil, e
		}
		// Inclusive bounds: BETWEEN with an open end.
		lo, hi := msTime(*ms), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		if b.op == "<=" {
			lo, hi = time.Unix(0, 0).UTC(), msTime(*ms)
		}
		q.Filters = append(q.Filters, store.Filter{Field: store.FieldUpdatedAt, Op: store.OpBetween, Times: []time.Time{lo, hi}})
	}
	return h.queryUsers(r, q)
}

func (h *Handler) queryUsers(r *request, q store.UserQuery) (any, *envelope.Error) {
	list, total, err := h.cfg.Users.Query(r.ctx(), q)
	if err != nil {
		return nil, r.fail("listing users", err, codeUserNotFound)
	}
	return userList{TotalCount: total, List: newUserList(list)}, nil
}

// filterFields are the fields advancedFilter and sort accept.
var filterFields = []string{store.FieldStatus, store.FieldUsername, store.FieldEmail, store.FieldPhone, store.FieldName,
	store.FieldNickname, store.FieldExternalID, store.FieldCreatedAt, store.FieldUpdatedAt, store.FieldLastLogin}

func knownField(f string) bool {
	for _, k := range filterFields {
		if k == f {
			return true
		}
	}
	return false
}

func (h *Handler) listUsersPost(r *request) (any, *envelope.Error) {
	var q store.UserQuery
	var e *envelope.Error
	if q.Keywords, e = r.params.Text("keywords"); e != nil {
		return nil, e
	}
	filters, e := r.params.Objects("advancedFilter")
	if e != nil {
		return nil, e
	}
	for _, f := range filters {
		parsed, e := parseFilter(f)
		if e != nil {
			return nil, e
		}
		q.Filters = append(q.Filters, parsed)
	}
	opts, e := r.params.Obj("options")
	if e != nil {
		return nil, e
	}
	pg, e := opts.Obj("pagination")
	if e != nil {
		return nil, e
	}
	pageNo, e := pg.Int("page")
	if e != nil {
		return nil, e
	}
	limit, e := pg.Int("limit")
	if e != nil {
		return nil, e
	}
	q.Offset, q.Limit = envelope.Page(pageNo, limit)
	sorts, e := opts.Objects("sort")
	if e != nil {
		return nil, e
	}
	for _, s := range sorts {
		field, e := s.Text("field")
		if e != nil {
			return nil, e
		}
		if !knownField(field) {
			return nil, envelope.BadRequest("%sfield: cannot sort by %q", s.Path(), field)
		}
		order, e := s.Text("order")
		if e != nil {
			return nil, e
		}
		q.Sort = append(q.Sort, store.Sort{Field: field, Desc: strings.EqualFold(order, "desc")})
	}
	return h.queryUsers(r, q)
}

// parseFilter reads one advancedFilter entry {field, operator, value}.
func parseFilter(o envelope.Object) (store.Filter, *envelope.Error) {
	var f store.Filter
	var e *envelope.Error
	if f.Field, e = o.Text("field"); e != nil {
		return f, e
	}
	if !knownField(f.Field) {
		return f, envelope.BadRequest("%sfield: cannot filter on %q", o.Path(), f.Field)
	}
	op, e := o.Text("operator")
	if e != nil {
		return f, e
	}
	f.Op = strings.ToUpper(op)
	want := 1
	switch f.Op {
	case store.OpEqual, store.OpNotEqual, store.OpContains, store.OpGreater, store.OpLesser:
	case store.OpBetween:
		want = 2
	case store.OpIn:
		want = -1
	case store.OpIsNull, store.OpNotNull:
		return f, nil
	default:
		return f, envelope.BadRequest("%soperator: unknown operator %q", o.Path(), op)
	}
	if f.Op == store.OpContains && store.IsTimeField(f.Field) {
		return f, envelope.BadRequest("%soperator: CONTAINS does not apply to %s", o.Path(), f.Field)
	}
	var vals []string
	if want == 1 {
		raw, ok := o.Raw("value")
		if !ok {
			return f, envelope.BadRequest("%svalue is required", o.Path())
		}
		vals = []string{scalarText(raw)}
	} else {
		var e *envelope.Error
		if vals, e = scalarList(o, "value"); e != nil {
			return f, e
		}
		if len(vals) == 0 || (want == 2 && len(vals) != 2) {
			return f, envelope.BadRequest("%svalue must be a list of %s", o.Path(), map[int]string{2: "two values", -1: "values"}[want])
		}
	}
	if !store.IsTimeField(f.Field) {
		f.Strings = vals
		return f, nil
	}
	for _, v := range vals {
		t, ok := parseTimeValue(v)
		if !ok {
			return f, envelope.BadRequest("%svalue must be a time: epoch milliseconds or an ISO 8601 string", o.Path())
		}
		f.Times = append(f.Times, t)
	}
	return f, nil
}

// parseTimeValue reads epoch milliseconds or an RFC 3339 time.
func parseTimeValue(v string) (time.Time, bool) {
	if ms, ok := envelope.ParseInt(v); ok {
		return msTime(ms), true
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t.UTC(), err == nil
}

func (h *Handler) updateUser(r *request) (any, *envelope.Error) {
	u, e := r.bodyUser()
	if e != nil {
		return nil, e
	}
	p, e := patchFrom(r.params)
	if e != nil {
		return nil, e
	}
	updated, err := h.cfg.Users.Update(r.ctx(), u.ID, p)
	if err != nil {
		return nil, r.fail("updating a user", err, codeUserNotFound)
	}
	// An administrator vouching for an address (or withdrawing it) is a security event.
	if marks := verifiedMarks(p); marks != "" && h.cfg.Audit != nil {
		h.cfg.Audit.Record(r.ctx(), model.AuditEvent{Type: model.AuditProfileUpdate, UserID: u.ID,
			IP: audit.ClientIP(r.Request), Detail: "management API update-user" + marks})
	}
	return envelope.NewUser(updated), nil
}

// verifiedMarks names the verification flags p sets, each after a space.
func verifiedMarks(p users.Patch) string {
	var b strings.Builder
	for _, f := range []struct {
		name string
		v    *bool
	}{{"emailVerified", p.EmailVerified}, {"phoneVerified", p.PhoneVerified}} {
		if f.v != nil {
			fmt.Fprintf(&b, " %s=%t", f.name, *f.v)
		}
	}
	return b.String()
}

func (h *Handler) deleteUsersBatch(r *request) (any, *envelope.Error) {
	ids, e := r.params.Strings("userIds")
	if e != nil {
		return nil, e
	}
	if len(ids) == 0 {
		return nil, envelope.BadRequest("userIds is required")
	}
	if len(ids) > maxBatch {
		return nil, envelope.BadRequest("userIds may hold at most %d ids", maxBatch)
	}
	idType, e := userIDType(r.params)
	if e != nil {
		return nil, e
	}
	resolved := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		u, e := r.findUser(idType, id)
		if e != nil {
			e.Message = "userIds[" + itoa(i) + "] " + id + ": " + e.Message
			return nil, e
		}
		if !seen[u.ID] {
			seen[u.ID] = true
			resolved = append(resolved, u.ID)
		}
	}
	if err := h.cfg.Users.Delete(r.ctx(), resolved); err != nil {
		return nil, r.fail("deleting users", err, codeUserNotFound)
	}
	return success{true}, nil
}

func (h *Handler) isUserExists(r *request) (any, *envelope.Error) {
	var vals [4]string
	for i, name := range []string{"username", "email", "phone", "externalId"} {
		v, e := r.params.Text(name)
		if e != nil {
			return nil, e
		}
		vals[i] = v
	}
	if vals == [4]string{} {
		return nil, envelope.BadRequest("give username, email, phone or externalId")
	}
	ok, err := h.cfg.Users.Exists(r.ctx(), vals[0], vals[1], vals[2], vals[3])
	if err != nil {
		return nil, r.fail("looking a user up", err, codeUserNotFound)
	}
	return map[string]bool{"exists": ok}, nil
}

func (h *Handler) kickUsers(r *request) (any, *envelope.Error) {
	appIDs, e := r.params.Strings("appIds")
	if e != nil {
		return nil, e
	}
	u, e := r.bodyUser()
	if e != nil {
		return nil, e
	}
	if err := h.cfg.Users.Kick(r.ctx(), u.ID, appIDs); err != nil {
		return nil, r.fail("kicking a user", err, codeUserNotFound)
	}
	if h.cfg.Audit != nil {
		h.cfg.Audit.Record(r.ctx(), model.AuditEvent{Type: model.AuditLogoutAll, UserID: u.ID,
			IP: audit.ClientIP(r.Request), Detail: "management API kick-users " + strings.Join(appIDs, ",")})
	}
	return success{true}, nil
}

// loginJSON is one entry of a user's login history.
type loginJSON struct {
	AppID     string `json:"appId"`
	AppName   string `json:"appName"`
	ClientIP  string `json:"clientIp"`
	UserAgent string `json:"userAgent"`
	Time      string `json:"time"`
}

func (h *Handler) getUserLoginHistory(r *request) (any, *envelope.Error) {
	u, e := r.queryUser()
	if e != nil {
		return nil, e
	}
	q, e := r.query.LoginQuery(u.ID)
	if e != nil {
		return nil, e
	}
	list, total, err := h.cfg.Users.LoginHistory(r.ctx(), q)
	if err != nil {
		return nil, r.fail("reading login history", err, codeUserNotFound)
	}
	names := map[string]string{}
	out := make([]loginJSON, 0, len(list))
	for _, rec := range list {
		name, ok := names[rec.AppID]
		if !ok && rec.AppID != "" {
			if app, err := h.cfg.Apps.Get(r.ctx(), rec.AppID); err == nil {
				name = app.Name
			}
			names[rec.AppID] = name
		}
		out = append(out, loginJSON{AppID: rec.AppID, AppName: name, ClientIP: rec.ClientIP, UserAgent: rec.UserAgent,
			Time: envelope.ISOTime(rec.Time)})
	}
	return map[string]any{"totalCount": total, "list": out}, nil
}

// loggedInAppJSON is an application the user is signed in to.
type loggedInAppJSON struct {
	AppID       string `json:"appId"`
	AppName     string `json:"appName"`
	AppLogo     string `json:"appLogo"`
	AppLoginURL string `json:"appLoginUrl"`
}

func (h *Handler) getUserLoggedInApps(r *request) (any, *envelope.Error) {
	u, e := r.queryUser()
	if e != nil {
		return nil, e
	}
	list, err := h.cfg.Users.LoggedInApps(r.ctx(), u.ID)
	if err != nil {
		return nil, r.fail("listing logged-in apps", err, codeUserNotFound)
	}
	out := make([]loggedInAppJSON, 0, len(list))
	for _, a := range list {
		out = append(out, loggedInAppJSON{AppID: a.ID, AppName: a.Name, AppLogo: a.Logo, AppLoginURL: a.InitLoginURI})
	}
	return out, nil
}

func (h *Handler) checkSessionStatus(r *request) (any, *envelope.Error) {
	id, e := r.params.Text("userId")
	if e != nil {
		return nil, e
	}
	appID, e := r.params.Text("appId")
	if e != nil {
		return nil, e
	}
	if appID == "" {
		return nil, envelope.BadRequest("appId is required")
	}
	u, e := r.findUser("", id)
	if e != nil {
		return nil, e
	}
	active, err := h.cfg.Users.SessionActive(r.ctx(), u.ID, appID)
	if err != nil {
		return nil, r.fail("checking a session", err, codeUserNotFound)
	}
	return map[string]bool{"active": active}, nil
}
