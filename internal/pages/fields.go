package pages

import "strings"

// field is one visible form input with its label, hint and error message.
type field struct {
	Name         string // also its id
	Type         string
	Label        string // catalog key
	Value        string // never rendered for passwords
	Autocomplete string
	Hint         *msg
	Error        *msg
	Plain        bool // no capitalisation or spell check: names and addresses
	MaxLength    int
	Required     bool
	// SendCode is where a "Send code" button after the input posts the
	// form; "": none.
	SendCode string

	// Set by finishFields.
	Autofocus   bool
	Invalid     bool
	DescribedBy string
}

// finishFields links each field to the messages about it for screen readers:
// its hint, its own error and, from alsoBy, the id of an error shown at
// another field that also concerns it (a wrong password concerns the
// username too). A field with an error is marked invalid. Focus goes to the
// first invalid field, else to the field named focus.
func finishFields(fields []field, alsoBy map[string]string, focus string) []field {
	focused := false
	for i := range fields {
		f := &fields[i]
		var ids []string
		if f.Hint != nil {
			ids = append(ids, f.Name+"-hint")
		}
		if f.Error != nil {
			ids = append(ids, f.Name+"-error")
		}
		if id := alsoBy[f.Name]; id != "" {
			ids = append(ids, id)
		}
		f.Invalid = f.Error != nil || alsoBy[f.Name] != ""
		f.DescribedBy = strings.Join(ids, " ")
		if f.Invalid && !focused && alsoBy[f.Name] == "" {
			f.Autofocus, focused = true, true
		}
	}
	if !focused {
		for i := range fields {
			if fields[i].Name == focus {
				fields[i].Autofocus = true
			}
		}
	}
	return fields
}
