package oauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
)

// discardTokens serves the bench application and keeps no issued token.
type discardTokens struct{ *memStore }

func (discardTokens) CreateTokens(context.Context, ...*model.Token) error { return nil }

// BenchmarkTokenClientCredentials is the whole token handler for the
// client_credentials grant: form parsing, client authentication, minting
// and the JSON answer.
func BenchmarkTokenClientCredentials(b *testing.B) {
	e := newBenchEnv(b)
	e.h.cfg.Store = discardTokens{e.h.cfg.Store.(*memStore)}
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
