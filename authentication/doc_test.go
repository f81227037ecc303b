package authentication_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/authentication"
)

// TestDocNamesEveryMethod keeps the package documentation's list of
// methods true: each of the Client's methods is named there as a link.
func TestDocNamesEveryMethod(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	client := reflect.TypeFor[*authentication.Client]()
	for i := range client.NumMethod() {
		name := client.Method(i).Name
		if !strings.Contains(string(doc), "[Client."+name+"]") {
			t.Errorf("doc.go does not name [Client.%s]", name)
		}
	}
}
