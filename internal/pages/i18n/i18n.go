package i18n

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Lang is a supported language, as its BCP 47 tag (the value of <html lang>).
type Lang string

// The supported languages. English is the default and the fallback.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN"
)

// Supported lists the languages in the order the language switch shows them.
var Supported = []Lang{English, Chinese}

const (
	// QueryParam chooses the language for a page and remembers it in the cookie.
	QueryParam = "lang"
	// CookieName remembers the language chosen with QueryParam.
	CookieName = "genauth_lang"
	cookieAge  = 365 * 24 * time.Hour
	// maxAcceptEntries bounds the work spent on one Accept-Language header.
	maxAcceptEntries = 32
)

// Name is the language's name in the language itself, for the switch.
func (l Lang) Name() string {
	if l == Chinese {
		return "简体中文"
	}
	return "English"
}

// Parse maps a language tag to a supported language, ignoring case and
// accepting "_" for "-". Every Chinese tag maps to Simplified Chinese (also
// zh-TW and zh-Hant: closer to their readers than English is) and every
// English one to English.
func Parse(tag string) (Lang, bool) {
	tag = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	primary, _, _ := strings.Cut(tag, "-")
	switch primary {
	case "en":
		return English, true
	case "zh":
		return Chinese, true
	}
	return "", false
}

// Source says where a request's language came from.
type Source int

// Where a language can come from, strongest first.
const (
	FromQuery Source = iota
	FromCookie
	FromHeader
	FromDefault
)

// Choose picks the request's language: a supported lang query parameter,
// else the language cookie, else the best supported language in
// Accept-Language, else English. Unknown values are skipped, not errors.
func Choose(r *http.Request) (Lang, Source) {
	if l, ok := Parse(r.URL.Query().Get(QueryParam)); ok {
		return l, FromQuery
	}
	if c, err := r.Cookie(CookieName); err == nil {
		if l, ok := Parse(c.Value); ok {
			return l, FromCookie
		}
	}
	if l, ok := FromAcceptLanguage(r.Header.Get("Accept-Language")); ok {
		return l, FromHeader
	}
	return English, FromDefault
}

// FromAcceptLanguage returns the supported language with the highest
// q-value in an Accept-Language header (RFC 9110 section 12.5.4); among equal
// q-values the first listed wins. q=0 means "not this one"; "*" means any,
// which is English.
func FromAcceptLanguage(header string) (Lang, bool) {
	type entry struct {
		tag string
		q   float64
	}
	var entries []entry
	for part := range strings.SplitSeq(header, ",") {
		if len(entries) == maxAcceptEntries {
			break
		}
		tag, params, _ := strings.Cut(part, ";")
		tag = strings.TrimSpace(tag)
		if tag == "" {
			continue
		}
		q := 1.0
		if params = strings.TrimSpace(params); params != "" {
			name, value, ok := strings.Cut(params, "=")
			if !ok || strings.TrimSpace(name) != "q" {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil || v < 0 || v > 1 {
				continue
			}
			q = v
		}
		entries = append(entries, entry{tag, q})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].q > entries[j].q })
	for _, e := range entries {
		if e.q == 0 {
			break
		}
		if e.tag == "*" {
			return English, true
		}
		if l, ok := Parse(e.tag); ok {
			return l, true
		}
	}
	return "", false
}

// SetCookie remembers l for later requests without the query parameter.
func SetCookie(w http.ResponseWriter, l Lang, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    string(l),
		Path:     "/",
		MaxAge:   int(cookieAge / time.Second),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// T is the message for key in l with {0}, {1}, ... replaced by args. A key
// missing in l falls back to English, then to the key itself; the tests keep
// both catalogs complete so neither happens.
func T(l Lang, key string, args ...string) string {
	msg, ok := catalogs[l][key]
	if !ok {
		if msg, ok = catalogs[English][key]; !ok {
			return key
		}
	}
	return Fill(msg, args...)
}

// Fill replaces {0}, {1}, ... in msg by args.
func Fill(msg string, args ...string) string {
	if len(args) == 0 {
		return msg
	}
	pairs := make([]string, 0, 2*len(args))
	for i, a := range args {
		pairs = append(pairs, "{"+strconv.Itoa(i)+"}", a)
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// Has reports whether l's catalog defines key.
func Has(l Lang, key string) bool {
	_, ok := catalogs[l][key]
	return ok
}

// Raw is l's message for key before placeholders are filled, and whether it exists.
func Raw(l Lang, key string) (string, bool) {
	msg, ok := catalogs[l][key]
	return msg, ok
}

// Keys lists l's keys, sorted.
func Keys(l Lang) []string {
	keys := make([]string, 0, len(catalogs[l]))
	for k := range catalogs[l] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var catalogs = map[Lang]map[string]string{
	English: en,
	Chinese: zhCN,
}
