// Package zh runs the hosted pages' accessibility tests in Simplified
// Chinese; e2e/browser/a11y runs them in English.
package zh
