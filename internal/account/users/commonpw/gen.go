//go:build ignore

// gen.go rebuilds passwords.txt.gz and LICENSE.zxcvbn-ts.txt from the npm
// package @zxcvbn-ts/language-common (fetched with `npm pack` into a
// temporary directory): its frequency list of common passwords, those of at
// least MinLen characters, lower-cased, deduplicated and sorted.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	pkg    = "@zxcvbn-ts/language-common@4.1.3"
	minLen = 8 // commonpw.MinLen
)

func main() {
	dir, err := os.MkdirTemp("", "commonpw")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("npm", "pack", "--silent", pkg)
	cmd.Dir, cmd.Stderr = dir, os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("npm pack %s: %v", pkg, err)
	}
	files, err := untar(filepath.Join(dir, strings.TrimSpace(string(out))), "package/src/passwords.json", "package/LICENSE.txt")
	if err != nil {
		log.Fatal(err)
	}
	var all []string
	if err := json.Unmarshal(files["package/src/passwords.json"], &all); err != nil {
		log.Fatalf("passwords.json: %v", err)
	}
	var kept []string
	for _, pw := range all {
		if utf8.RuneCountInString(pw) >= minLen {
			kept = append(kept, strings.ToLower(pw))
		}
	}
	slices.Sort(kept)
	kept = slices.Compact(kept)
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression) // no name, no time: reproducible
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.WriteString(zw, strings.Join(kept, "\n")+"\n"); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("passwords.txt.gz", buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	license := fmt.Sprintf("The list in passwords.txt.gz is derived from %s (src/passwords.json).\n\n%s", pkg, files["package/LICENSE.txt"])
	if err := os.WriteFile("LICENSE.zxcvbn-ts.txt", []byte(license), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d of %d passwords kept, %d bytes gzipped", len(kept), len(all), buf.Len())
}

// untar returns the named files of the gzipped tar archive at path.
func untar(path string, names ...string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if slices.Contains(names, h.Name) {
			if out[h.Name], err = io.ReadAll(tr); err != nil {
				return nil, err
			}
		}
	}
	for _, n := range names {
		if out[n] == nil {
			return nil, fmt.Errorf("%s: no %s", path, n)
		}
	}
	return out, nil
}
