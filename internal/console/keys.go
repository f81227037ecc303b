package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
)

// keysPath is the signing keys' section.
const keysPath = Path + "/keys"

// registerKeys adds the signing keys' list and the rotation.
func (h *Handler) registerKeys(mux edge.Routes) {
	mux.Handle("GET "+keysPath, h.page(h.keysList))
	mux.Handle("GET "+keysPath+"/rotate", h.page(h.keysRotateForm))
	mux.Handle("POST "+keysPath+"/rotate", h.form(h.keysRotate))
}

// keysSpan is a duration as a catalog key and its number: whole days, else
// hours (rounded up, so a retention is never understated).
type keysSpan struct{ Key, N string }

func keysSpanOf(d time.Duration) keysSpan {
	if d%(24*time.Hour) == 0 {
		return keysSpan{"keys.days", strconv.Itoa(int(d / (24 * time.Hour)))}
	}
	return keysSpan{"keys.hours", strconv.Itoa(int((d + time.Hour - 1) / time.Hour))}
}

type keysView struct {
	Keys      []idtoken.KeyInfo
	Retention keysSpan
	Period    keysSpan
}

func (h *Handler) keysStatus(w http.ResponseWriter, r *http.Request, a *admin) (keysView, bool) {
	st, err := h.Keys.Status(r.Context())
	if err != nil {
		h.internal(w, r, a, "console keys: status", err)
		return keysView{}, false
	}
	return keysView{Keys: st.Keys, Retention: keysSpanOf(st.Retention), Period: keysSpanOf(st.RotationPeriod)}, true
}

func (h *Handler) keysList(w http.ResponseWriter, r *http.Request, a *admin) {
	if v, ok := h.keysStatus(w, r, a); ok {
		h.render(w, r, http.StatusOK, "keys", a, view{Title: "keys.title", Section: "keys", Data: v})
	}
}

func (h *Handler) keysRotateForm(w http.ResponseWriter, r *http.Request, a *admin) {
	if v, ok := h.keysStatus(w, r, a); ok {
		h.render(w, r, http.StatusOK, "keys_rotate", a, view{Title: "keys.rotate.title", Section: "keys", Data: v})
	}
}

// keysRotate promotes each algorithm's published next key now. This node
// signs with it at once; other nodes within a minute, and every key stays
// published, so nothing fails verification meanwhile.
func (h *Handler) keysRotate(w http.ResponseWriter, r *http.Request, a *admin) {
	if err := h.Keys.Rotate(r.Context()); err != nil {
		h.internal(w, r, a, "console keys: rotate", err)
		return
	}
	st, err := h.Keys.Status(r.Context())
	if err != nil {
		h.internal(w, r, a, "console keys: status", err)
		return
	}
	var active []string
	for _, k := range st.Keys {
		if k.State == idtoken.KeyActive {
			active = append(active, k.Alg+" "+k.ID)
		}
	}
	h.changed(r, a, "signing keys rotated", "", "", "signing now: "+strings.Join(active, ", "))
	done(w, r, keysPath, "keys.rotated")
}
