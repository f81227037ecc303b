// Package console runs the admin console's browser tests
// (e2e/browser/tests/console-*.test.mjs: every page and action in Chromium,
// axe-core on each page in both languages at phone and desktop width)
// against a GenAuth server started in the test process: its own package, so
// that it has go test's ten minutes apart from the hosted pages' flows.
package console
