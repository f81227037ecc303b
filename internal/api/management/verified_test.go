package management_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// TestUpdateUserVerified: update-user marks an email or phone number
// verified or not, each change audited with what it set; other updates are not.
func TestUpdateUserVerified(t *testing.T) {
	e := start(t, time.Date(2026, 3, 3, 6, 17, 15, 0, time.UTC))
	var u user
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "ada"), ps("email", "ada@example.com"),
		ps("phone", "+8613800000001")), &u)
	steps := []struct {
		params       []param
		email, phone bool
	}{
		{[]param{p("emailVerified", "true")}, true, false},
		{[]param{p("phoneVerified", "true"), p("emailVerified", "false")}, false, true},
		{[]param{ps("nickname", "countess")}, false, true},
	}
	for _, s := range steps {
		var got user
		ok(t, e.call(t, http.MethodPost, "update-user", append([]param{ps("userId", u.UserID)}, s.params...)...), &got)
		if got.EmailVerified != s.email || got.PhoneVerified != s.phone {
			t.Errorf("after %v: emailVerified %t, phoneVerified %t; want %t, %t", s.params, got.EmailVerified, got.PhoneVerified, s.email, s.phone)
		}
	}
	events, err := e.st.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditProfileUpdate, UserID: u.UserID})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, ev := range events {
		details = append(details, ev.Detail)
	}
	slices.Sort(details)
	want := []string{"management API update-user emailVerified=false phoneVerified=true",
		"management API update-user emailVerified=true"}
	if !slices.Equal(details, want) {
		t.Errorf("audited %q; want the two verification changes", details)
	}
}
