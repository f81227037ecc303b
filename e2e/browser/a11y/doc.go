// Package a11y runs the hosted pages' accessibility test
// (e2e/browser/tests/a11y.test.mjs: axe-core on every page at phone and
// desktop width) in English against a GenAuth server started in the test
// process; its package zh runs it in Chinese.
package a11y
