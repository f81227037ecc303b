package commonpw

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"slices"
	"strings"
	"sync"
)

//go:generate go run gen.go

// MinLen is the length, in characters, of the shortest password kept: a
// shorter one is refused for its length anyway.
const MinLen = 8

//go:embed passwords.txt.gz
var gzipped []byte

// list is the embedded list, one lower-case password per element, sorted.
var list = sync.OnceValue(func() []string {
	zr, err := gzip.NewReader(bytes.NewReader(gzipped))
	if err != nil {
		panic("commonpw: the embedded list is corrupt: " + err.Error())
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic("commonpw: the embedded list is corrupt: " + err.Error())
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
})

// Contains reports whether pw, in any case, is on the list.
func Contains(pw string) bool {
	_, found := slices.BinarySearch(list(), strings.ToLower(pw))
	return found
}

// Len is how many passwords the list holds.
func Len() int { return len(list()) }
