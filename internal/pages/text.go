package pages

import (
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// msg is user-visible text: a catalog key with its arguments, or (Raw)
// English text from another package that the catalog does not know.
type msg struct {
	Key  string
	Args []string
	Raw  string
}

// m is the message key with args for its placeholders.
func m(key string, args ...string) *msg { return &msg{Key: key, Args: args} }

// funcs are the template functions, bound to one language:
//
//	t key args...        the message as text (escaped by html/template)
//	tm msg               a *msg as text
//	tstrong key arg      the message with arg in <strong>
//	tlink key href text  the message with a link whose text is the message text
//	initial s            the first letter of s, for an application's mark
func funcs(l i18n.Lang) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...string) string { return i18n.T(l, key, args...) },
		"tm": func(x *msg) string {
			switch {
			case x == nil:
				return ""
			case x.Key == "":
				return x.Raw
			}
			return i18n.T(l, x.Key, x.Args...)
		},
		"tstrong": func(key, arg string) template.HTML {
			return withMarkup(l, key, "<strong>"+template.HTMLEscapeString(arg)+"</strong>")
		},
		"tlink": func(key, href, textKey string) template.HTML {
			return withMarkup(l, key, `<a href="`+template.HTMLEscapeString(href)+`">`+
				template.HTMLEscapeString(i18n.T(l, textKey))+"</a>")
		},
		"initial": initial,
	}
}

// withMarkup is key's message, escaped, with {0} replaced by trusted HTML:
// the translation decides where the emphasis or link goes.
func withMarkup(l i18n.Lang, key, html string) template.HTML {
	return template.HTML(i18n.Fill(template.HTMLEscapeString(i18n.T(l, key)), html))
}

// initial is the upper-cased first letter of name: applications have no
// logo yet, so the pages show this in its place.
func initial(name string) string {
	r, _ := utf8.DecodeRuneInString(strings.TrimSpace(name))
	if r == utf8.RuneError {
		return ""
	}
	return string(unicode.ToUpper(r))
}

// englishErrors maps the English text of every "error." message to its key,
// so that English titles and messages passed to RenderError by the protocol
// packages are shown in the reader's language.
var englishErrors = func() map[string]string {
	out := map[string]string{}
	for _, k := range i18n.Keys(i18n.English) {
		if strings.HasPrefix(k, "error.") {
			text, _ := i18n.Raw(i18n.English, k)
			out[text] = k
		}
	}
	return out
}()

// fromEnglish is the message whose English text is s, if the catalog has one.
func fromEnglish(s string) (*msg, bool) {
	k, ok := englishErrors[s]
	if !ok {
		return nil, false
	}
	return m(k), true
}
