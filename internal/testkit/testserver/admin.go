package testserver

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/api/management"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// ManagementToken returns a management API token for the server's access
// key, got from /api/v3/get-management-token as an SDK gets one.
func (s *Server) ManagementToken(t testing.TB) string {
	t.Helper()
	keys := &management.Keys{Store: s.Store, Sealer: s.sealer, Tokens: token.NewSource(rand.Reader), Now: s.Clock.Now}
	creds, err := keys.Load(t.Context())
	if err != nil {
		t.Fatalf("management access key: %v", err)
	}
	body, err := json.Marshal(map[string]string{"accessKeyId": creds.ID, "accessKeySecret": creds.Secret})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(s.URL+envelope.Prefix+"get-management-token", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("get-management-token: %v", err)
	}
	defer resp.Body.Close()
	var env struct {
		StatusCode int `json:"statusCode"`
		Data       struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.StatusCode != http.StatusOK || env.Data.AccessToken == "" {
		t.Fatalf("get-management-token: statusCode %d, %v", env.StatusCode, err)
	}
	return env.Data.AccessToken
}
