package oauth

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"sort"
)

//go:embed formpost.html
var formPostFS embed.FS

var formPostPage = template.Must(template.ParseFS(formPostFS, "formpost.html"))

type formField struct{ Name, Value string }

// formPost answers with response_mode=form_post (OAuth 2.0 Form Post
// Response Mode): a page whose form posts the response to the client. A
// script with a per-response nonce submits it; without JavaScript the user
// presses Continue.
func (h *Handler) formPost(w http.ResponseWriter, r *http.Request, target string, v url.Values) {
	var fields []formField
	for name, vals := range v {
		fields = append(fields, formField{name, vals[0]})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	nonce := h.cfg.Tokens.JTI()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+nonce+"'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("Referrer-Policy", "no-referrer")
	// The target is a registered redirect URI, exactly matched: safe as a form action.
	err := formPostPage.Execute(w, struct {
		Action template.URL
		Fields []formField
		Nonce  string
	}{template.URL(target), fields, nonce})
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "rendering form_post", "err", err)
	}
}
