package oauth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkTokenClientCredentials is the whole token handler for the
// client_credentials grant: form parsing, client authentication, minting
// and the JSON answer.
func BenchmarkTokenClientCredentials(b *testing.B) {
	e := newBenchEnv(b)
	body := "grant_type=client_credentials&client_id=" + e.app.ID + "&client_secret=" + e.secret
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		e.mux.ServeHTTP(w, r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"access_token"`) {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
