package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/opengenauth/genauth/internal/model"
)

type bootstrapView struct {
	Token            string
	User             string // who is signed in on the hosted pages; "": nobody
	SignIn, Register string
}

// bootstrapForm is the page of the one-time link printed at the first
// start: it makes the account signed in on the hosted pages the first
// administrator, after asking.
func (h *Handler) bootstrapForm(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	v := bootstrapView{Token: tok}
	s, err := h.Hosted.Current(r)
	switch {
	case err == nil:
		u, err := h.Store.GetUser(r.Context(), s.UserID)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			h.internal(w, r, nil, "console bootstrap: user", err)
			return
		}
		if u != nil {
			v.User = displayName(u)
		}
	case !errors.Is(err, model.ErrNotFound) && !errors.Is(err, model.ErrInactive):
		h.internal(w, r, nil, "console bootstrap: session", err)
		return
	}
	if v.User == "" {
		back := url.Values{"return_to": {Path + "/bootstrap?" + url.Values{"token": {tok}}.Encode()}}.Encode()
		v.SignIn, v.Register = hostedLogin+"?"+back, "/register?"+back
	}
	h.render(w, r, http.StatusOK, "bootstrap", nil, view{Title: "bootstrap.title", Data: v})
}

func (h *Handler) bootstrap(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.refuse(w, r, http.StatusBadRequest, "error.unreadable")
		return
	}
	tok := r.PostForm.Get("token")
	s, err := h.Hosted.Current(r)
	if errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrInactive) {
		http.Redirect(w, r, Path+"/bootstrap?"+url.Values{"token": {tok}}.Encode(), http.StatusSeeOther)
		return
	}
	if err != nil {
		h.internal(w, r, nil, "console bootstrap: session", err)
		return
	}
	switch err := h.Admins.Claim(r.Context(), tok, s.UserID); {
	case errors.Is(err, model.ErrNotFound):
		h.refuse(w, r, http.StatusBadRequest, "bootstrap.invalid")
	case errors.Is(err, model.ErrConflict):
		h.refuse(w, r, http.StatusConflict, "bootstrap.taken")
	case err != nil:
		h.internal(w, r, nil, "console bootstrap: claim", err)
	default:
		http.Redirect(w, r, Path+"/signin", http.StatusSeeOther)
	}
}

// displayName is how the console names a user: the username, else the
// email, else the phone, else the id.
func displayName(u *model.User) string {
	for _, s := range []string{u.Username, u.Email, u.Phone} {
		if s != "" {
			return s
		}
	}
	return u.ID
}
