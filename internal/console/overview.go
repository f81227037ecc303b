package console

import (
	"net/http"
	"slices"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// overviewEvents is how many of the last security events the overview lists.
const overviewEvents = 10

type overviewView struct {
	Users, Apps, Admins int
	// IdPs is -1 when the console has no upstream provider service.
	IdPs   int
	Chart  chart
	Events []*model.AuditEvent
}

func (h *Handler) overview(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	v := overviewView{IdPs: -1}
	var err error
	if v.Users, err = h.Store.CountUsers(ctx); err != nil {
		h.internal(w, r, a, "console overview: users", err)
		return
	}
	list, err := h.Apps.List(ctx)
	if err != nil {
		h.internal(w, r, a, "console overview: applications", err)
		return
	}
	v.Apps = len(list)
	if v.Admins, err = h.Admins.Count(ctx); err != nil {
		h.internal(w, r, a, "console overview: administrators", err)
		return
	}
	if h.IdP != nil {
		idps, err := h.IdP.ExtIdps(ctx)
		if err != nil {
			h.internal(w, r, a, "console overview: identity providers", err)
			return
		}
		v.IdPs = len(idps)
	}
	now := h.Now().UTC()
	since := now.Truncate(24*time.Hour).AddDate(0, 0, 1-chartDays)
	counts, err := h.Store.CountAuditByDay(ctx, slices.Concat(signInTypes, failureTypes), since, now.Add(time.Millisecond))
	if err != nil {
		h.internal(w, r, a, "console overview: sign-ins per day", err)
		return
	}
	v.Chart = newChart(now, counts)
	if v.Events, err = h.Store.ListAuditEvents(ctx, store.AuditQuery{Limit: overviewEvents}); err != nil {
		h.internal(w, r, a, "console overview: events", err)
		return
	}
	h.render(w, r, http.StatusOK, "overview", a, view{Title: "overview.title", Section: "overview", Data: v})
}
