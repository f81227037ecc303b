package authn

import (
	"net/http/httptest"
	"testing"
)

func TestLangOf(t *testing.T) {
	for _, tc := range []struct {
		header, value string
		want          lang
	}{
		{"", "", enUS},
		{"x-authing-lang", "zh-CN", zhCN},
		{"X-GenAuth-Lang", "zh-cn", zhCN},
		{"x-authing-lang", "en-US", enUS},
		{"x-authing-lang", "fr-FR", enUS},
		{"Accept-Language", "zh-CN", enUS},
	} {
		r := httptest.NewRequest("GET", "/api/v3/get-profile", nil)
		if tc.header != "" {
			r.Header.Set(tc.header, tc.value)
		}
		if got := langOf(r); got != tc.want {
			t.Errorf("%s: %s gives %d, want %d", tc.header, tc.value, got, tc.want)
		}
	}
}
