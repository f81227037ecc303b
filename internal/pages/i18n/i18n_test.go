package i18n

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
)

func TestChoose(t *testing.T) {
	tests := []struct {
		name       string
		query      string
		cookie     string
		accept     string
		want       Lang
		wantSource Source
	}{
		{"nothing", "", "", "", English, FromDefault},
		{"query zh-CN", "lang=zh-CN", "", "", Chinese, FromQuery},
		{"query any case and underscore", "lang=ZH_cn", "", "", Chinese, FromQuery},
		{"query plain zh", "lang=zh", "", "", Chinese, FromQuery},
		{"query en beats cookie and header", "lang=en", "zh-CN", "zh-CN", English, FromQuery},
		{"query zh beats cookie", "lang=zh-CN", "en", "en", Chinese, FromQuery},
		{"unknown query falls to cookie", "lang=fr", "zh-CN", "en", Chinese, FromCookie},
		{"empty query falls to cookie", "lang=", "zh-CN", "", Chinese, FromCookie},
		{"cookie beats header", "", "en", "zh-CN,zh;q=0.9", English, FromCookie},
		{"bad cookie falls to header", "", "klingon", "zh-CN", Chinese, FromHeader},
		{"header zh-CN", "", "", "zh-CN,zh;q=0.9,en;q=0.8", Chinese, FromHeader},
		{"header q-values reorder", "", "", "en;q=0.5, zh-CN;q=0.9", Chinese, FromHeader},
		{"header equal q keeps order", "", "", "en-GB, zh-Hans", English, FromHeader},
		{"header skips unsupported", "", "", "fr-FR, de;q=0.9, zh-TW;q=0.8", Chinese, FromHeader},
		{"header q=0 refuses", "", "", "zh-CN;q=0, fr", English, FromDefault},
		{"header star is English", "", "", "fr, *;q=0.5", English, FromHeader},
		{"header malformed q skipped", "", "", "zh;q=high, en;q=0.1", English, FromHeader},
		{"header q above 1 skipped", "", "", "zh;q=2, en;q=0.1", English, FromHeader},
		{"header only unsupported", "", "", "fr-FR, de", English, FromDefault},
		{"header garbage", "", "", ";;,,=;q", English, FromDefault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/login?"+tt.query, nil)
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: CookieName, Value: tt.cookie})
			}
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			got, src := Choose(r)
			if got != tt.want || src != tt.wantSource {
				t.Errorf("Choose = %q from %d, want %q from %d", got, src, tt.want, tt.wantSource)
			}
		})
	}
}

func TestAcceptLanguageBounded(t *testing.T) {
	h := ""
	for range maxAcceptEntries {
		h += "fr,"
	}
	if l, ok := FromAcceptLanguage(h + "zh-CN"); ok {
		t.Errorf("entry past the limit was read: %q", l)
	}
	if l, ok := FromAcceptLanguage("fr," + "zh-CN"); !ok || l != Chinese {
		t.Errorf("FromAcceptLanguage = %q, %v", l, ok)
	}
}

func TestSetCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		rec := httptest.NewRecorder()
		SetCookie(rec, Chinese, secure)
		cs := rec.Result().Cookies()
		if len(cs) != 1 {
			t.Fatalf("cookies %v", cs)
		}
		c := cs[0]
		if c.Name != CookieName || c.Value != "zh-CN" || c.Path != "/" || !c.HttpOnly ||
			c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.MaxAge < 86400 {
			t.Errorf("cookie %+v (secure %v)", c, secure)
		}
	}
}

var placeholderRE = regexp.MustCompile(`\{\d+\}`)

// TestCatalogsComplete checks that both languages define the same keys, that
// no message is empty, and that each translation uses the same placeholders.
func TestCatalogsComplete(t *testing.T) {
	enKeys, zhKeys := Keys(English), Keys(Chinese)
	for _, k := range enKeys {
		if !Has(Chinese, k) {
			t.Errorf("zh-CN lacks %q", k)
		}
	}
	for _, k := range zhKeys {
		if !Has(English, k) {
			t.Errorf("en lacks %q", k)
		}
	}
	for _, l := range Supported {
		for _, k := range Keys(l) {
			msg, _ := Raw(l, k)
			if msg == "" {
				t.Errorf("%s %q is empty", l, k)
			}
			enMsg, _ := Raw(English, k)
			got, want := placeholderRE.FindAllString(msg, -1), placeholderRE.FindAllString(enMsg, -1)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s %q has placeholders %v, English has %v", l, k, got, want)
			}
		}
	}
	if len(enKeys) == 0 {
		t.Fatal("empty catalog")
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang Lang
		key  string
		args []string
		want string
	}{
		{English, "login.lead", []string{"Notes"}, "Sign in to continue to Notes"},
		{Chinese, "login.lead", []string{"笔记"}, "登录以继续使用 笔记"},
		{Chinese, "register.error.password_short", []string{"8"}, "密码至少需要 8 个字符。"},
		{English, "login.lead", []string{"{1}"}, "Sign in to continue to {1}"},
		{Lang("fr"), "login.title", nil, "Sign in"},
		{English, "no.such.key", nil, "no.such.key"},
	}
	for _, tt := range tests {
		if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%s, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"en", English, true}, {"EN-us", English, true}, {"zh", Chinese, true}, {"zh-Hans-CN", Chinese, true},
		{"zh_TW", Chinese, true}, {" zh-CN ", Chinese, true}, {"fr", "", false}, {"", "", false}, {"english", "", false},
	}
	for _, tt := range tests {
		if got, ok := Parse(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
