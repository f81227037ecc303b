package console

import (
	"fmt"
	"html/template"
	"time"

	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// texts is one part of the console's catalog: the messages of a feature in
// both languages. Templates hold only keys.
type texts struct{ en, zh map[string]string }

// catalogParts are every feature's texts; a key is defined in one part.
var catalogParts = []texts{commonText, appsText, auditText, idpsText, keysText, usersText}

var catalog = buildCatalog(catalogParts)

func buildCatalog(parts []texts) map[i18n.Lang]map[string]string {
	out := map[i18n.Lang]map[string]string{i18n.English: {}, i18n.Chinese: {}}
	for _, p := range parts {
		for lang, m := range map[i18n.Lang]map[string]string{i18n.English: p.en, i18n.Chinese: p.zh} {
			for k, v := range m {
				if _, dup := out[lang][k]; dup {
					panic(fmt.Sprintf("console: message %q defined twice", k))
				}
				out[lang][k] = v
			}
		}
	}
	return out
}

// tr is lang's message for key with {0}, {1}, ... filled; a key missing in
// lang falls back to English, then to the key (the tests keep both complete).
func tr(lang i18n.Lang, key string, args ...string) string {
	msg, ok := catalog[lang][key]
	if !ok {
		if msg, ok = catalog[i18n.English][key]; !ok {
			return key
		}
	}
	return i18n.Fill(msg, args...)
}

func funcs(lang i18n.Lang) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...string) string { return tr(lang, key, args...) },
		// ta is t with the arguments as a list: a view's Title and TitleArgs.
		"ta": func(key string, args []string) string { return tr(lang, key, args...) },
		// has reports whether the catalog has key, for values (event types,
		// statuses) that have a translation only when known.
		"has": func(key string) bool { return hasKey(lang, key) },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04 UTC")
		},
	}
}

func hasKey(lang i18n.Lang, key string) bool {
	_, ok := catalog[lang][key]
	return ok
}
