// Package commonpw knows the most common passwords, so that none of them can
// be set (NIST SP 800-63B section 3.1.1.2). The list is zxcvbn-ts's
// frequency list of common passwords (@zxcvbn-ts/language-common, MIT, see
// LICENSE.zxcvbn-ts.txt), compiled into the binary: those of at least MinLen
// characters, lower-cased, sorted and gzipped. `go generate` rebuilds it
// from the npm package (gen.go).
package commonpw
