package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// usersPerPage is how many users a page of the list shows.
const usersPerPage = 50

type userListView struct {
	Search string
	Users  []*model.User
	Pager  struct{ Next, First string }
}

// userList lists the users newest first, or those a search finds (an id,
// or the start of a username, email or phone), a page at a time.
func (h *Handler) userList(w http.ResponseWriter, r *http.Request, a *admin) {
	q := r.URL.Query()
	v := userListView{Search: q.Get("q")}
	list, next, err := h.Store.ListUsersPage(r.Context(), store.UserPage{Search: v.Search, After: q.Get("after"),
		Limit: usersPerPage})
	if errors.Is(err, model.ErrInvalidInput) {
		h.render(w, r, http.StatusBadRequest, "users", a, view{Title: "users.title", Section: "users",
			Error: "users.error.cursor", Data: v})
		return
	}
	if err != nil {
		h.internal(w, r, a, "console: list users", err)
		return
	}
	v.Users = list
	page := url.Values{}
	if v.Search != "" {
		page.Set("q", v.Search)
	}
	if q.Get("after") != "" {
		v.Pager.First = usersPath + "?" + page.Encode()
		if len(page) == 0 {
			v.Pager.First = usersPath
		}
	}
	if next != "" {
		page.Set("after", next)
		v.Pager.Next = usersPath + "?" + page.Encode()
	}
	h.render(w, r, http.StatusOK, "users", a, view{Title: "users.title", Section: "users", Data: v})
}
