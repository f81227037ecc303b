package management

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// TestOpenAPICoversRoutes checks that every registered route is described,
// and nothing else.
func TestOpenAPICoversRoutes(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sealer, err := secret.NewSealer(make([]byte, secret.KeyLen), nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Store: st, Users: &users.Service{}, Apps: &apps.Service{}, MFA: &mfa.Service{}, Sealer: sealer, Tokens: token.NewSource(nil), IdP: &idp.Service{}})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Security []any `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	described := 0
	for _, ops := range doc.Paths {
		described += len(ops)
	}
	if described != len(h.routes) {
		t.Errorf("openapi.json describes %d operations, the handler registers %d", described, len(h.routes))
	}
	for _, rt := range h.routes {
		op, ok := doc.Paths[envelope.Prefix+rt.name][strings.ToLower(rt.method)]
		if !ok {
			t.Errorf("%s %s%s is not in openapi.json", rt.method, envelope.Prefix, rt.name)
			continue
		}
		if public := op.Security != nil && len(op.Security) == 0; public != rt.public {
			t.Errorf("%s %s: openapi.json says public = %v, the handler %v", rt.method, rt.name, public, rt.public)
		}
	}
	if rt := h.routes[0]; rt.method != http.MethodPost || rt.name != "get-management-token" || !rt.public {
		t.Errorf("first route = %+v, want the public token call", rt)
	}
}
