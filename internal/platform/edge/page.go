package edge

import "net/http"

// WriteHTML answers with a server-rendered page in language lang under the
// policy csp. Pages carry forms, session state or return URLs: they are
// never cached, framed or sniffed, and send their origin only to this site.
func WriteHTML(w http.ResponseWriter, r *http.Request, status int, lang, csp string, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Language", lang)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
