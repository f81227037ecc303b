package claims

import (
	"encoding/json"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
)

// TestMarshalJSONAsEncodingJSON checks the hand-written encoding against
// encoding/json's, which golden files were made with.
func TestMarshalJSONAsEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, int64(-7), "", "ada", "https://example.com/a?b=c", "x y~",
		`quote " back \ slash`, "<b>&amp;</b>", "tab\tnew\nline\x00\x1f\x7f", "é中😀", "\u2028\u2029",
		"bad \xff utf-8", []string{"a", "<b>"},
		Claims{{"street_address", "12 St James's Square"}, {"country", nil}, {"html", "<&>"}},
	}
	for _, v := range values {
		got, err := Claims{{"v", v}}.MarshalJSON()
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		want, err := json.Marshal(map[string]any{"v": v})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%#v: got %s, want %s", v, got, want)
		}
	}
}

// BenchmarkUserinfoJSON is userinfo's answer for a user with a full profile.
func BenchmarkUserinfoJSON(b *testing.B) {
	u := &model.User{ID: "user-1", Username: "ada", Email: "ada@example.com", EmailVerified: true,
		Name: "Ada Lovelace", GivenName: "Ada", FamilyName: "Lovelace", Picture: "https://example.com/ada.png",
		Locale: "en-GB", Address: model.Address{Locality: "London", Country: "GB"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Userinfo(u, model.ProtocolOAuth, "", model.ClaimsGenAuth).MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}
