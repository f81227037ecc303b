// Package a11y runs the hosted pages' accessibility test
// (e2e/browser/tests/a11y.test.mjs: axe-core on every page, in both
// languages, at phone and desktop width) against a GenAuth server started in
// the test process.
package a11y
