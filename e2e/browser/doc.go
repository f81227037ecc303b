// Package browser holds the hosted pages' browser tests: Node's test runner
// with playwright-core drives Debian's Chromium through every flow (tests/),
// axe-core checks every page's accessibility, and screenshots for the README
// come from the same run (npm run screenshots). TestBrowser runs them under
// go test against the environment in testenv; the Node SDK's tests in the
// same folder (tests/*-sdk.test.mjs) run from e2e/browser/sdk, and the
// accessibility test (tests/a11y.test.mjs) from e2e/browser/a11y;
// scripts/test-deps.sh installs what they need.
package browser
