package console

import (
	"net/http"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// overviewEvents is how many of the last security events the overview lists.
const overviewEvents = 10

type overviewView struct {
	Apps   int
	Events []*model.AuditEvent
}

func (h *Handler) overview(w http.ResponseWriter, r *http.Request, a *admin) {
	ctx := r.Context()
	list, err := h.Apps.List(ctx)
	if err != nil {
		h.internal(w, r, a, "console overview: applications", err)
		return
	}
	events, err := h.Store.ListAuditEvents(ctx, store.AuditQuery{Limit: overviewEvents})
	if err != nil {
		h.internal(w, r, a, "console overview: events", err)
		return
	}
	h.render(w, r, http.StatusOK, "overview", a, view{Title: "overview.title", Section: "overview",
		Data: overviewView{Apps: len(list), Events: events}})
}
