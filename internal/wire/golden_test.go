package wire_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opengenauth/genauth/internal/wire"
)

// goldenDirs hold the golden files that pin the protocol endpoints' answers.
var goldenDirs = []string{"../protocol/oauth/testdata/golden", "../protocol/oidc/testdata/golden"}

// idTokenClaims are an id token's own claims, which the SDK's id token
// verifier reads; the rest of the claim set is user claims, read as UserInfo.
var idTokenClaims = []string{"iss", "aud", "exp", "iat", "nbf", "auth_time", "acr", "amr", "nonce", "at_hash", "c_hash", "sid", "azp"}

// roundTrip decodes a body into its wire type and encodes it again.
type roundTrip func(body []byte) ([]byte, error)

func through[T any]() roundTrip {
	return func(body []byte) ([]byte, error) {
		var v T
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, err
		}
		return json.Marshal(v)
	}
}

// kinds maps a golden file's name prefix to the wire type of its answer.
var kinds = []struct {
	prefix  string
	through roundTrip
}{
	{"token_", through[wire.TokenResponse]()},
	{"introspection_", through[wire.Introspection]()},
	{"error_", through[wire.ErrorResponse]()},
	{"revocation_other_client", through[wire.ErrorResponse]()},
	{"jwks_unknown_app", through[wire.ErrorResponse]()},
	{"userinfo_", through[wire.UserInfo]()},
	{"id_token_", through[wire.UserInfo]()},
}

// notWire are the golden files of answers this package does not model.
var notWire = map[string]string{
	"revocation.json": "RFC 7009's empty success, which GenAuth answers with true",
	"discovery.json":  "the discovery document, read by the SDK's key set only for jwks_uri",
	"jwks.json":       "the key set, read by the SDK's key set",
	// A JWT access token's parts are checked claim by claim (go-jose in the
	// oauth tests, the SDK's VerifyAccessToken), not decoded into one type.
	"access_token_header.json":             "the JOSE header of a JWT access token",
	"access_token_code.json":               "the claims of a user's JWT access token (RFC 9068)",
	"access_token_client_credentials.json": "the claims of a client's JWT access token (RFC 9068)",
}

// TestGoldenRoundTrip decodes every answer the protocol golden files pin
// into its wire type, encodes it again and compares the two as JSON
// values, so that what the server sends and what the SDK reads (the same
// types) cannot drift apart: a key the type does not model, a value of
// another JSON type, a field the server does not send all fail here.
func TestGoldenRoundTrip(t *testing.T) {
	seen := map[string]int{}
	for _, dir := range goldenDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no golden files in %s (%v)", dir, err)
		}
		for _, path := range files {
			name := filepath.Base(path)
			if _, ok := notWire[name]; ok {
				continue
			}
			i := kindOf(name)
			if i < 0 {
				t.Errorf("%s: no wire type for this golden file; add its kind here or say in notWire why it has none", path)
				continue
			}
			seen[kinds[i].prefix]++
			t.Run(name, func(t *testing.T) {
				golden, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				body := fill(golden)
				encoded, err := kinds[i].through(body)
				if err != nil {
					t.Fatalf("decoding %s: %v", body, err)
				}
				want, got := value(t, body), value(t, encoded)
				if strings.HasPrefix(name, "id_token_") {
					for _, c := range idTokenClaims {
						delete(want.(map[string]any), c)
					}
				}
				if strings.HasPrefix(name, "userinfo_") || strings.HasPrefix(name, "id_token_") {
					want, got = sameClaimsFormat(want, got)
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("decoded and encoded again, the answer differs (-golden +wire):\n%s", d)
				}
			})
		}
	}
	for _, k := range kinds {
		if seen[k.prefix] == 0 {
			t.Errorf("no golden file starts with %q: the round trip pins nothing for it", k.prefix)
		}
	}
}

func kindOf(name string) int {
	for i, k := range kinds {
		if strings.HasPrefix(name, k.prefix) {
			return i
		}
	}
	return -1
}

// GenAuth's updated_at and the same instant in OpenID Connect's seconds.
const (
	updatedAt        = "2021-03-03T06:17:14.485Z"
	updatedAtSeconds = 1614752234
)

var (
	intPlaceholder = regexp.MustCompile(`"\{\{int:[^}]+\}\}"`)
	strPlaceholder = regexp.MustCompile(`\{\{([^}]+)\}\}`)
)

// fill puts plausible values of the right JSON type where the golden files
// hold placeholders.
func fill(golden []byte) []byte {
	b := bytes.ReplaceAll(golden, []byte(`"{{updated_at}}"`), []byte(`"`+updatedAt+`"`))
	b = bytes.ReplaceAll(b, []byte(`"{{int:updated_at}}"`), fmt.Appendf(nil, "%d", updatedAtSeconds))
	b = intPlaceholder.ReplaceAll(b, []byte("1700000000"))
	return strPlaceholder.ReplaceAll(b, []byte("$1-value"))
}

func value(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return v
}

// sameClaimsFormat brings a claim set in OpenID Connect's standard format
// to GenAuth's, which UserInfo encodes: updated_at in seconds becomes the
// ISO 8601 string and, when the golden file has no null (nothing sent as
// unknown), a claim it leaves out may be encoded as null. A golden file in
// GenAuth's format sends every claim, so it compares as it is.
func sameClaimsFormat(want, got any) (any, any) {
	w := want.(map[string]any)
	if n, ok := w[wire.ClaimUpdatedAt].(json.Number); ok {
		if secs, err := n.Int64(); err == nil {
			w[wire.ClaimUpdatedAt] = time.Unix(secs, 0).UTC().Format("2006-01-02T15:04:05.000Z")
		}
	}
	if hasNull(want) {
		return want, got
	}
	return want, dropUnknown(want, got)
}

func hasNull(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		for _, e := range v {
			if hasNull(e) {
				return true
			}
		}
	}
	return false
}

// dropUnknown removes from got the null claims that want leaves out.
func dropUnknown(want, got any) any {
	g, ok := got.(map[string]any)
	if !ok {
		return got
	}
	w, _ := want.(map[string]any)
	for k, v := range g {
		if _, sent := w[k]; !sent && v == nil {
			delete(g, k)
			continue
		}
		g[k] = dropUnknown(w[k], v)
	}
	return g
}
