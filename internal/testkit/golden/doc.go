// Package golden is the test helper that pins wire responses in golden JSON
// files: it replaces the values a test cannot know (tokens, ids, times) with
// typed placeholders, compares byte for byte so key order is pinned too, and
// rewrites the files under `go test -update`.
package golden
