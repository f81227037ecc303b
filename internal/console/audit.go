package console

import (
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/store"
)

func (h *Handler) registerAudit(mux edge.Routes) {
	mux.Handle("GET "+Path+"/audit", h.page(h.auditTrail))
	mux.Handle("GET "+Path+"/audit.csv", h.page(h.auditCSV))
}

// auditTypes are the event types the filter offers: every one
// internal/model defines.
var auditTypes = []string{
	model.AuditLoginSuccess, model.AuditLoginFailure, model.AuditLoginLockout,
	model.AuditRegister, model.AuditRegisterRefuse,
	model.AuditTokenIssue, model.AuditTokenRevoke, model.AuditCodeReuse, model.AuditRefreshReuse,
	model.AuditLogoutAll, model.AuditSessionEnd, model.AuditConsentRevoke,
	model.AuditPasswordChange, model.AuditProfileUpdate,
	model.AuditAddressBind, model.AuditAddressUnbind, model.AuditAddressUpdate,
	model.AuditAccountDelete, model.AuditResetCodeSend,
	model.AuditMFAEnroll, model.AuditMFARemove, model.AuditMFAVerify, model.AuditMFAFailure, model.AuditMFAReset,
	model.AuditMFAPolicy,
	model.AuditIdPSignIn, model.AuditIdPLink, model.AuditIdPUnlink, model.AuditIdPConfig,
	model.AuditMessageFailed,
	model.AuditConsoleSignIn, model.AuditConsoleSignOut, model.AuditConsoleRefused, model.AuditConsoleChange,
	model.AuditAdminGrant, model.AuditAdminRevoke,
}

// Pages of the audit trail; the CSV export reads exportPage events at a
// time and stops after exportMax.
const (
	auditPage  = 50
	exportPage = 1000
	exportMax  = 100_000
)

// auditFilter is the audit trail's filter form, as given and as parsed.
type auditFilter struct {
	Type, User, App, From, To string
	// Field errors: catalog keys.
	TypeError, FromError, ToError string
	query                         store.AuditQuery
}

// parseAuditFilter reads the filters of q; ok is false when one is wrong
// (its error set).
func parseAuditFilter(q url.Values) (f auditFilter, ok bool) {
	f = auditFilter{Type: q.Get("type"), User: strings.TrimSpace(q.Get("user")), App: strings.TrimSpace(q.Get("app")),
		From: q.Get("from"), To: q.Get("to")}
	if f.Type != "" && !slices.Contains(auditTypes, f.Type) {
		f.TypeError = "audit.type.invalid"
	}
	f.query = store.AuditQuery{Type: f.Type, UserID: f.User, ClientID: f.App}
	var err error
	if f.From != "" {
		if f.query.Since, err = time.Parse(time.DateOnly, f.From); err != nil {
			f.FromError = "audit.date.invalid"
		}
	}
	if f.To != "" {
		// To is the last day shown, whole.
		if t, err := time.Parse(time.DateOnly, f.To); err != nil {
			f.ToError = "audit.date.invalid"
		} else if f.query.Until = t.AddDate(0, 0, 1); !f.query.Since.IsZero() && !f.query.Since.Before(f.query.Until) {
			f.ToError = "audit.date.order"
		}
	}
	return f, f.TypeError == "" && f.FromError == "" && f.ToError == ""
}

// values are the filters as a query, without the page.
func (f auditFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"type": f.Type, "user": f.User, "app": f.App, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

type auditView struct {
	Filter auditFilter
	Types  []string
	Events []*model.AuditEvent
	Pager  auditPager
	// CSV is the export of these filters.
	CSV string
}

// auditPager is what the layout's "pager" template links to.
type auditPager struct{ Next, First string }

func (h *Handler) auditTrail(w http.ResponseWriter, r *http.Request, a *admin) {
	f, ok := parseAuditFilter(r.URL.Query())
	v := auditView{Filter: f, Types: auditTypes, CSV: Path + "/audit.csv"}
	if enc := f.values().Encode(); enc != "" {
		v.CSV += "?" + enc
	}
	if !ok {
		h.render(w, r, http.StatusBadRequest, "audit", a, view{Title: "audit.title", Section: "audit",
			Error: "audit.invalid", Data: v})
		return
	}
	q := f.query
	q.Before, q.Limit = r.URL.Query().Get("after"), auditPage
	events, next, err := h.Store.ListAuditPage(r.Context(), q)
	if errors.Is(err, model.ErrInvalidInput) {
		h.render(w, r, http.StatusBadRequest, "audit", a, view{Title: "audit.title", Section: "audit",
			Error: "audit.bad_page", Data: v})
		return
	}
	if err != nil {
		h.internal(w, r, a, "console audit trail", err)
		return
	}
	v.Events = events
	if next != "" {
		nq := f.values()
		nq.Set("after", next)
		v.Pager.Next = Path + "/audit?" + nq.Encode()
	}
	if q.Before != "" {
		v.Pager.First = Path + "/audit"
		if enc := f.values().Encode(); enc != "" {
			v.Pager.First += "?" + enc
		}
	}
	h.render(w, r, http.StatusOK, "audit", a, view{Title: "audit.title", Section: "audit", Data: v})
}

// auditCSV streams the events the filters select, newest first, a page at
// a time and at most exportMax of them.
func (h *Handler) auditCSV(w http.ResponseWriter, r *http.Request, a *admin) {
	f, ok := parseAuditFilter(r.URL.Query())
	if !ok {
		h.auditTrail(w, r, a)
		return
	}
	q := f.query
	q.Limit = exportPage
	// The first page is read before answering, so a failure is still a page.
	events, next, err := h.Store.ListAuditPage(r.Context(), q)
	if err != nil {
		h.internal(w, r, a, "console audit export", err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="genauth-audit-`+h.Now().UTC().Format("20060102-150405")+`.csv"`)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"time", "type", "user_id", "client_id", "ip", "detail"})
	written := 0
	for {
		for _, e := range events {
			if written == exportMax {
				break
			}
			_ = cw.Write([]string{e.Time.UTC().Format(time.RFC3339Nano), csvCell(e.Type), csvCell(e.UserID), csvCell(e.ClientID),
				csvCell(e.IP), csvCell(e.Detail)})
			written++
		}
		cw.Flush()
		if cw.Error() != nil || next == "" || written == exportMax {
			break
		}
		q.Before = next
		if events, next, err = h.Store.ListAuditPage(r.Context(), q); err != nil {
			// The answer has begun: the file ends early and the log says why.
			h.Logger.ErrorContext(r.Context(), "console audit export", "rows", written, "err", err)
			return
		}
	}
}

// csvCell keeps a value from being read as a formula by a spreadsheet: one
// starting with = + - @ (or a tab or carriage return, which some strip
// first) gets a leading apostrophe.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
