package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/opengenauth/genauth/internal/model"
)

// Each templates/<lang>/<name>.tmpl defines "subject" and "text" (run as
// text/template) and "html" (run as html/template, which escapes).
//
//go:embed templates
var files embed.FS

// Languages and Templates are what a message may ask for.
var (
	Languages = []string{"en", "zh"}
	Templates = []string{"verification_code", "test"}
)

type pair struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// parsed holds every language's templates by "lang/name"; they are parsed
// at start, so a broken template stops the program at once.
var parsed = func() map[string]pair {
	out := map[string]pair{}
	for _, lang := range Languages {
		for _, name := range Templates {
			path := "templates/" + lang + "/" + name + ".tmpl"
			out[lang+"/"+name] = pair{
				text: texttemplate.Must(texttemplate.ParseFS(files, path)).Option("missingkey=error"),
				html: htmltemplate.Must(htmltemplate.ParseFS(files, path)).Option("missingkey=error"),
			}
		}
	}
	return out
}()

// Rendered is an email's subject and its two bodies.
type Rendered struct{ Subject, Text, HTML string }

// data is what the templates see.
type data struct {
	ID, Code string
	Minutes  int
}

// Render renders m in its language (English when it names none).
func Render(m *model.Message) (*Rendered, error) {
	lang := m.Lang
	if lang == "" {
		lang = "en"
	}
	p, ok := parsed[lang+"/"+m.Template]
	if !ok {
		return nil, fmt.Errorf("mail: no template %q in language %q", m.Template, lang)
	}
	if m.Template == "verification_code" && (len(m.Code) != 6 || m.Lifetime <= 0) {
		return nil, fmt.Errorf("mail: a verification code message needs a 6-digit code and a lifetime")
	}
	d := data{ID: m.ID, Code: m.Code, Minutes: int(m.Lifetime.Round(60e9).Minutes())}
	var r Rendered
	var b bytes.Buffer
	for _, part := range []struct {
		name string
		dst  *string
	}{{"subject", &r.Subject}, {"text", &r.Text}} {
		b.Reset()
		if err := p.text.ExecuteTemplate(&b, part.name, d); err != nil {
			return nil, err
		}
		*part.dst = strings.TrimSpace(b.String())
	}
	b.Reset()
	if err := p.html.ExecuteTemplate(&b, "html", d); err != nil {
		return nil, err
	}
	r.HTML = b.String()
	r.Text += "\n"
	return &r, nil
}
